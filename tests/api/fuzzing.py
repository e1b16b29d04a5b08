"""What the Schemathesis run over the API needs: the app in-process, pools of real ids to aim the
generated requests at, and the cross-production check.

The check is computed independently of ``productions.access``: the productions a user may read
come straight from their membership rows, and every object in a successful answer is traced back
to its production through the database.
"""

from dataclasses import dataclass, field

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from studio_tracker.imports.models import Import
from studio_tracker.productions.models import (
    Episode,
    Membership,
    Organization,
    Production,
    Sequence,
    Shot,
)
from studio_tracker.reports.models import Report
from studio_tracker.usage.models import Clearance, ConsentRecord, Performer, Tool, UsageEntry


class InTransactionWsgiApp:
    """Django's WSGI handler, without the end-of-request connection close.

    A real server closes the connection after each request; here every request runs inside the
    test's transaction, which must outlive it (Django's test client does the same).
    """

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


APP = InTransactionWsgiApp()
SCHEMA_PATH = "/api/v1/schema/"

# Which model a collection's ids name, by the first path segment after /api/v1/.
RESOURCE_MODELS = {
    "productions": Production,
    "episodes": Episode,
    "sequences": Sequence,
    "shots": Shot,
    "usage-entries": UsageEntry,
    "consents": ConsentRecord,
    "clearances": Clearance,
    "reports": Report,
    "credits": Report,
    "imports": Import,
    "performers": Performer,
    "tools": Tool,
    "organizations": Organization,
    "memberships": Membership,
}

# Fields whose integer value names another object, and the model it names.
REFERENCE_FIELDS = {
    "production": Production,
    "episode": Episode,
    "sequence": Sequence,
    "shot": Shot,
    "report": Report,
    "consent": ConsentRecord,
    "usage_entries": UsageEntry,
    "performer": Performer,
    "tool": Tool,
    "organization": Organization,
}


def production_of(model, pk) -> int | None:
    """The production an object belongs to; None for an organisation-level object, or when there
    is no such row (a deleted object echoed back is not a leak)."""
    if model is Production:
        return pk if Production.objects.filter(pk=pk).exists() else None
    if model in (Organization, Performer, Tool):
        return None
    return model.objects.filter(pk=pk).values_list("production_id", flat=True).first()


def organization_of(model, pk) -> int | None:
    if model is Organization:
        return pk
    if model in (Performer, Tool):
        return model.objects.filter(pk=pk).values_list("organization_id", flat=True).first()
    return None


@dataclass
class Reader:
    """One user of the run: who they are, their token, and what they may read."""

    username: str
    role: str
    token: str
    productions: set[int] = field(default_factory=set)
    organizations: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, user, role: str, token: str) -> "Reader":
        memberships = Membership.objects.filter(user=user)
        productions = set(
            memberships.exclude(production=None).values_list("production_id", flat=True)
        )
        administered = memberships.filter(role=Membership.Role.COMPLIANCE_ADMIN).values(
            "organization"
        )
        productions |= set(
            Production.objects.filter(organization__in=administered).values_list("id", flat=True)
        )
        organizations = set(memberships.values_list("organization_id", flat=True))
        return cls(user.username, role, token, productions, organizations)


# What DESIGN.md's role table gives a distributor: a shared production's title, its credits.
DISTRIBUTOR_BLIND_TO = {
    "episodes",
    "sequences",
    "shots",
    "usage-entries",
    "consents",
    "clearances",
    "reports",
    "imports",
    "performers",
    "tools",
    "audit-events",
}
DISTRIBUTOR_PRODUCTION_FIELDS = {"id", "organization", "title"}
UNION_VISIBLE_REPORTS = {"submitted", "approved", "changes_requested"}


def role_trespasses(reader: "Reader", resource: str, obj: dict) -> list[str]:
    """What the role table forbids beyond other productions: drafts to union reps, anything but
    titles and credits to distributors."""
    if reader.role == "distributor":
        if resource in DISTRIBUTOR_BLIND_TO:
            return [f"{resource} object {obj.get('id')}"]
        if resource == "productions" and set(obj) - DISTRIBUTOR_PRODUCTION_FIELDS:
            return [f"production {obj.get('id')} beyond its title"]
    status = obj.get("status")
    if reader.role == "union rep" and resource == "reports" and status not in UNION_VISIBLE_REPORTS:
        return [f"report {obj.get('id')} in status {obj.get('status')}"]
    return []


def objects_in(body):
    """The objects of a JSON answer: the items of a page, or the object itself."""
    if isinstance(body, list):
        return [item for item in body if isinstance(item, dict)]
    if isinstance(body, dict):
        if isinstance(body.get("results"), list):
            return [item for item in body["results"] if isinstance(item, dict)]
        return [body]
    return []


def trespasses(reader: Reader, path: str, body) -> list[str]:
    """Every object in ``body`` that belongs to a production (or organisation) ``reader`` may not
    read, described for the failure message."""
    segments = [s for s in path.split("/") if s]  # api, v1, resource, ...
    resource = segments[2] if len(segments) > 2 else ""
    # A collection or one of its members; actions (findings, decisions, …) list other things.
    own_model = RESOURCE_MODELS.get(resource) if len(segments) <= 4 else None
    problems = []
    for obj in objects_in(body):
        if own_model is not None:
            problems += role_trespasses(reader, resource, obj)
        references = []
        if own_model is not None and isinstance(obj.get("id"), int):
            references.append((own_model, obj["id"]))
        for name, model in REFERENCE_FIELDS.items():
            value = obj.get(name)
            values = value if isinstance(value, list) else [value]
            references += [(model, v) for v in values if isinstance(v, int)]
        for link in obj.get("performers") or []:
            if isinstance(link, dict):
                references += [
                    (REFERENCE_FIELDS[k], link[k])
                    for k in ("performer", "consent")
                    if isinstance(link.get(k), int)
                ]
        for model, pk in references:
            production = production_of(model, pk)
            if production is not None and production not in reader.productions:
                problems.append(f"{model.__name__} {pk} of production {production}")
            organization = organization_of(model, pk)
            if organization is not None and organization not in reader.organizations:
                problems.append(f"{model.__name__} {pk} of organisation {organization}")
        if resource == "audit-events" and obj.get("production") is None:
            org = obj.get("organization")
            if isinstance(org, int) and org not in reader.organizations:
                problems.append(f"audit event {obj.get('id')} of organisation {org}")
    return problems
