"""Schemathesis over every operation of the API, as a producer, a union rep and a distributor.

The demo organisation is seeded once for the module inside a transaction that is rolled back at
the end; each test runs in a savepoint and each generated request in another, so a DELETE or a
POST never leaks into the next case. Generated ids are aimed at real rows (the user's own and
other productions'), so requests reach the views' logic instead of stopping at a 404.

Checks: no 5xx, responses as documented (status, body schema, content type), and no 2xx carrying
an object of a production the user may not read.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from studio_tracker.accounts import tokens
from studio_tracker.demo import seed
from studio_tracker.productions.models import (
    Episode,
    Membership,
    Organization,
    Production,
    Sequence,
    Shot,
)
from studio_tracker.reports import compiler
from studio_tracker.reports.models import AuditFinding, Report
from studio_tracker.usage.models import Clearance, ConsentRecord, Performer, Tool, UsageEntry
from tests.api.fuzzing import APP, SCHEMA_PATH, Reader, trespasses

CONFIG = schemathesis.Config.from_dict(
    {
        # Hypothesis' fuzzing only: the coverage phase alone sends hundreds of cases per operation.
        "phases": {"coverage": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, APP, config=CONFIG)

READERS = [("pat", "producer"), ("ugo", "union rep"), ("dina", "distributor")]
# Per operation and user; API_FUZZ_EXAMPLES=50 digs deeper on a workstation.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Filled by the `demo` fixture: real ids per resource, to aim generated requests at.
POOLS: dict[str, list[int]] = {}
CURRENT: dict[str, Reader] = {}
# Status codes answered, by class, to say in the summary how deep the run reached.
TALLY: Counter = Counter()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organisation, seeded once and rolled back when the module is done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                seed.seed()
            users = {u.username: u for u in get_user_model().objects.all()}
            # Drafts no union rep may see: one in the rep's production, one in another organisation.
            compiler.request_compile(
                actor=users["pat"], production=Production.objects.get(title="Harbour Lights")
            )
            compiler.request_compile(
                actor=users["olga"], production=Production.objects.get(title="Far Shore")
            )
            POOLS.update(_id_pools())
            readers = {
                username: Reader.of(users[username], role, tokens.issue_token(users[username])[1])
                for username, role in READERS
            }
            yield readers
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            POOLS.clear()
            total = sum(TALLY.values()) or 1
            shares = ", ".join(f"{k}: {v} ({v / total:.0%})" for k, v in sorted(TALLY.items()))
            print(f"\nSchemathesis sent {total} requests; answers {shares}")  # with -s


def _ids(model, limit=12):
    """Ids of every production's rows, a few of each, in a stable order."""
    by_production = {}
    field = "production_id" if hasattr(model, "production_id") else None
    for pk, owner in model.objects.order_by("id").values_list("id", field or "id"):
        by_production.setdefault(owner, [])
        if len(by_production[owner]) < limit:
            by_production[owner].append(pk)
    return sorted(pk for pks in by_production.values() for pk in pks)


def _id_pools():
    return {
        "productions": _ids(Production),
        "production_pk": _ids(Production),
        "episodes": _ids(Episode),
        "sequences": _ids(Sequence),
        "shots": _ids(Shot),
        "usage-entries": _ids(UsageEntry),
        "consents": _ids(ConsentRecord),
        "clearances": _ids(Clearance),
        "reports": _ids(Report),
        "credits": _ids(Report),
        "performers": _ids(Performer),
        "tools": _ids(Tool),
        "organizations": _ids(Organization),
        "memberships": _ids(Membership),
        "users": sorted(get_user_model().objects.values_list("id", flat=True)),
        "fid": _ids(AuditFinding),
    }


# Body and query fields that name a row, and the pool their real values come from.
FIELD_POOLS = {
    "production": "productions",
    "episode": "episodes",
    "sequence": "sequences",
    "shot": "shots",
    "tool": "tools",
    "performer": "performers",
    "organization": "organizations",
    "report": "reports",
    "user": "users",
}


def _aimed(values: dict, pools: dict[str, str]):
    """A strategy that keeps the generated values, or swaps real ids into the fields that name
    rows (each independently)."""
    swaps = {
        name: st.one_of(st.just(value), st.sampled_from(POOLS[pools[name]]))
        for name, value in values.items()
        if name in pools and POOLS.get(pools[name])
    }
    if not swaps:
        return st.just(values)
    return st.fixed_dictionaries(swaps).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    resource = context.operation.path.split("/")[3]
    pools = {"id": resource, "production_pk": "production_pk", "fid": "fid"}
    return _aimed(path_parameters or {}, pools)


@schema.hook
def flatmap_query(context, query):
    return _aimed(query or {}, FIELD_POOLS)


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    return _aimed(body, FIELD_POOLS)


@schemathesis.check
def no_other_productions_objects(ctx, response, case):
    """A successful answer carries nothing of a production the user may not read."""
    if not 200 <= response.status_code < 300 or case.path == "/api/v1/credits/verify/":
        return  # verify is public: anyone holding a file may learn what it is
    if "json" not in (response.headers.get("Content-Type") or [""])[0]:
        return
    reader = CURRENT["reader"]
    problems = trespasses(reader, case.formatted_path, response.json())
    assert not problems, f"{reader.username} ({reader.role}) was shown: " + "; ".join(problems)


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    no_other_productions_objects,
]


@pytest.fixture(params=[name for name, _ in READERS])
def reader(request, demo):
    """One of the three users, with throttles and lockouts off for the run only: throttle counts
    live in the cache, which a dummy cache never fills; axes is switched off."""
    CURRENT["reader"] = demo[request.param]
    with override_settings(AXES_ENABLED=False, CACHES=NO_CACHE):
        yield demo[request.param]
    CURRENT.clear()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, reader):
    with transaction.atomic():
        response = case.call_and_validate(
            headers={"Authorization": f"Token {reader.token}"}, checks=CHECKS
        )
        TALLY[f"{response.status_code // 100}xx" if response.status_code != 404 else "404"] += 1
        transaction.set_rollback(True)
