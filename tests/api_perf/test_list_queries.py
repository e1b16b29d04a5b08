"""Every list endpoint of the API answers a page in a fixed number of queries (no N+1).

The endpoints come from the OpenAPI schema: every GET whose 200 answer is a list (an array, or a
page with ``results``). A list endpoint added later is measured without touching this file; one
whose path names an object this file does not know how to pick fails until it is taught.

For each, the number of queries for a page with a couple of rows of every kind must equal the
number for a page with ten times as many, each row with its related rows (performers linked to
uses, episodes of consents, uses covered by clearances, findings and files of reports, …).
"""

import datetime
import hashlib
import itertools
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from studio_tracker.accounts import tokens
from studio_tracker.imports.models import Import
from studio_tracker.productions import changes, people
from studio_tracker.productions.models import Membership, Production
from studio_tracker.reports.models import (
    AuditFinding,
    CreditFile,
    Finding,
    Report,
    ReviewDecision,
)
from studio_tracker.usage import clearances, consents, entries, performers, tools
from tests.cast import make_user

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 20
# cam (compliance admin) sees everything of the organisation, so every page grows; pat
# (producer of A) reads prompt text and pay, decided per production, never per row.
WHO = ("cam", "pat")
_numbers = itertools.count(1)


def list_paths() -> list[str]:
    """The path of every GET operation answering a list, from the published schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[-1]]
        if body.get("type") == "array" or "results" in body.get("properties", {}):
            found.append(path)
    return sorted(found)


LIST_PATHS = list_paths()


class World:
    """The cast's organisation, grown a batch at a time with rows of every kind the API lists.

    A few objects are pinned on the first batch (a report, production A) so that lists nested
    under one object (a report's findings, a production's imports) grow too.
    """

    def __init__(self, cast):
        self.cast = cast
        self.production = cast.production_a
        self.report = None
        self.version = itertools.count(1)

    def grow(self, count: int) -> None:
        cast, production = self.cast, self.production
        for _ in range(count):
            n = next(_numbers)
            organization = changes.create_organization(
                actor=None, name=f"Studio {n}", slug=f"studio-{n}"
            )
            people.add_membership(
                actor=None, user=cast.cam, role=Membership.Role.COMPLIANCE_ADMIN,
                organization=organization,
            )  # fmt: skip
            changes.create_production(actor=cast.cam, organization=cast.northlight, title=f"P{n}")
            member = make_user(f"member{n}")
            people.add_membership(
                actor=cast.cam, user=member, role=Membership.Role.COORDINATOR, production=production
            )
            episode = changes.create_episode(actor=cast.pat, production=production, code=f"E{n}")
            sequence = changes.create_sequence(
                actor=cast.pat, production=production, episode=episode, code=f"SQ{n}"
            )
            shot = changes.create_shot(
                actor=cast.pat,
                production=production,
                episode=episode,
                sequence=sequence,
                code=f"LN_SQ900_SH{n:04d}",
            )
            tool = tools.add_tool(
                actor=cast.cam,
                organization=cast.northlight,
                name=f"Tool {n}",
                vendor="Vendor",
                modalities=["video"],
                kind="generative",
            )
            performer = performers.create_performer(
                actor=cast.pat,
                organization=cast.northlight,
                legal_name=f"Legal Name {n}",
                professional_name=f"Stage Name {n}",
                category="principal",
                union="sag_aftra",
            )
            consent = consents.record_consent(
                actor=cast.pat,
                production=production,
                performer=performer,
                episodes=[episode],
                consent_type="ebdr_use",
                use_description="Digital de-ageing of the face in the flashback scenes",
                signed_at=datetime.date(2025, 1, 1),
            )
            entry = entries.log_usage(
                actor=cast.pat,
                production=production,
                performers=[{"performer": performer, "consent": consent, "aspect": "face"}],
                shot=shot,
                department="vfx",
                category="deaging",
                modality="video",
                tool=tool,
                disposition="final_key",
                replica_kind="ebdr",
                used_on=datetime.date(2025, 3, 1),
                prompt_text="young face",
            )
            clearances.record_clearance(
                actor=cast.pat,
                production=production,
                usage_entries=[entry],
                kind="union_notice",
                party="SAG-AFTRA",
                date=datetime.date(2025, 2, 1),
            )
            Import.objects.create(
                production=production, created_by=cast.pat, file_name=f"shots{n}.csv"
            )
            tokens.issue_token(cast.cam, name=f"token {n}")
            self._reports(n)

    def _reports(self, n: int) -> None:
        cast = self.cast
        submitted = self._report("submitted")
        approved = self._report("approved")
        self.report = self.report or submitted
        for report in (submitted, approved, self.report):
            Finding.objects.create(
                report=report, rule="E01", severity="blocking", message=f"Finding {n}"
            )
        for fmt in ("txt", "json"):
            content = f"credits {n} {fmt}".encode()
            credit = CreditFile(
                report=approved,
                format=fmt,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
            credit.file.save(f"credits-{n}.{fmt}", ContentFile(content), save=False)
            credit.save()
        AuditFinding.objects.create(
            report=self.report,
            raised_by=cast.uma,
            category="consent",
            severity="warning",
            description=f"Audit finding {n}",
        )
        ReviewDecision.objects.create(
            report=self.report,
            reviewer=cast.cam,
            decision="changes_requested",
            digest=self.report.digest,
        )

    def _report(self, status: str) -> Report:
        return Report.objects.create(
            production=self.production,
            version=next(self.version),
            status=status,
            requested_by=self.cast.pat,
            submitted_by=self.cast.pat,
            submitted_at=timezone.now(),
            compiled_at=timezone.now(),
            compiled_counter=0,
            digest="sha256:" + hashlib.sha256(status.encode()).hexdigest(),
        )

    def url(self, path: str) -> str:
        """The schema path with its parameters filled by the pinned objects."""
        values = {"production_pk": self.production.pk, "id": self.report.pk}

        def fill(match):
            name = match.group(1)
            if name not in values:
                pytest.fail(f"{path}: teach World.url which object {{{name}}} names")
            return str(values[name])

        return re.sub(r"\{(\w+)\}", fill, path)


def count_queries(api, user, url: str) -> tuple[int, int]:
    """(queries, rows on the page) for one GET."""
    api.as_user(user)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return len(captured), len(rows)


def measure(api, cast, world) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (path, who): count_queries(api, getattr(cast, who), world.url(path))
        for path in LIST_PATHS
        for who in WHO
    }


def test_every_list_endpoint_is_found():
    """The schema names every list of DESIGN.md's contract (and this file sees them)."""
    for expected in ("/api/v1/usage-entries/", "/api/v1/shots/", "/api/v1/audit-events/"):
        assert expected in LIST_PATHS
    assert "/api/v1/reports/{id}/findings/" in LIST_PATHS


def test_a_page_costs_the_same_queries_with_ten_times_the_rows(api, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Production.objects.filter(pk=cast.production_a.pk).update(union_visible_since=timezone.now())
    world = World(cast)
    world.grow(FEW)
    few = measure(api, cast, world)
    world.grow(MANY - FEW)
    many = measure(api, cast, world)
    problems = []
    for (path, who), (queries, rows) in many.items():
        few_queries, few_rows = few[path, who]
        if who == "cam" and rows <= few_rows:
            problems.append(f"{path}: {rows} rows either way; grow it in World.grow")
        if queries != few_queries:
            problems.append(
                f"{path} as {who}: {few_queries} queries for {few_rows} rows, {queries} for {rows}"
            )
    assert not problems, "\n".join(problems)
