"""The API scopes usage rows and related ids by production ids decided once per request from the
user's roles (access.UserRoles.production_ids_with), instead of nested membership subqueries.
Those ids must be exactly the rows the models' ``visible_to`` querysets give, for every role;
and creating a use reads its production once and rewrites nothing it has just written."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.productions import access
from studio_tracker.productions.models import Membership, Production
from studio_tracker.usage import performers
from tests.usage.conftest import add_tool, open_to_union_reps

pytestmark = pytest.mark.django_db


def _everyone(cast):
    users = dict(cast.users())
    users["root"] = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    gone = get_user_model().objects.create_user("gone", "gone@example.com", "x")
    Membership.objects.create(
        user=gone, organization=cast.northlight, production=cast.production_a, role="producer"
    )
    gone.is_active = False
    gone.save()
    users["gone"] = gone
    return users


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("union_reading", ["closed", "open"])
def test_ids_from_roles_are_the_rows_the_subqueries_give(cast, union_reading):
    if union_reading == "open":
        open_to_union_reps(cast.production_a)
    productions = Production.objects.all()
    expected = {
        "read": lambda user: _ids(productions.visible_to(user)),
        "read_structure": lambda user: _ids(productions.structure_visible_to(user)),
        "read_usage": lambda user: _ids(productions.usage_visible_to(user)),
    }
    for name, user in _everyone(cast).items():
        access.forget_roles(user)
        roles = access.roles_of(user)
        for right, subquery in expected.items():
            ids = roles.production_ids_with(right)
            got = _ids(productions) if ids is None else set(ids)
            assert got == subquery(user), (name, right)
        if user.is_active and not user.is_superuser:  # (Tool.visible_to: no one, and all)
            logging = Membership.objects.organizations_logged_by(user)
            assert roles.logging_organizations == {row["organization"] for row in logging}, name
    assert access.roles_of(cast.uma).production_ids_with("read_usage") == (
        {cast.production_a.pk} if union_reading == "open" else set()
    )


def test_creating_a_use_reads_its_production_once_and_deletes_nothing(api, cast):
    tool = add_tool(cast)
    maggie, theo = (
        performers.create_performer(
            actor=cast.pat,
            organization=cast.northlight,
            legal_name=name,
            professional_name=name,
            category="principal",
        )
        for name in ("Maggie Whitcombe", "Theo Grant")
    )
    body = {
        "production": cast.production_a.pk,
        "shot": cast.shot_a.pk,
        "department": "vfx",
        "category": "deaging",
        "modality": "video",
        "tool": tool.pk,
        "disposition": "final_key",
        "replica_kind": "ebdr",
        "used_on": datetime.date(2025, 3, 2).isoformat(),
        "prompt_text": "Maggie at 25",
        "performers": [
            {"performer": theo.pk, "consent": None, "aspect": "body"},
            {"performer": maggie.pk, "consent": None, "aspect": "face"},
        ],
    }
    client = api.as_user(cast.pat)
    with CaptureQueriesContext(connection) as queries:
        created = client.post("/api/v1/usage-entries/", body, format="json")
    assert created.status_code == 201, created.content
    sql = [query["sql"] for query in queries.captured_queries]
    assert [s for s in sql if s.startswith("DELETE")] == [], "a new use has no links to delete"
    assert len([s for s in sql if 'FROM "productions_production"' in s]) == 1
    assert not [s for s in sql if s.startswith("SELECT") and 'FROM "usage_usageperformer"' in s]
    # What the create answered is what reading the entry answers, links in the order given.
    assert [link["performer"] for link in created.json()["performers"]] == [theo.pk, maggie.pk]
    read = client.get(f"/api/v1/usage-entries/{created.json()['id']}/")
    assert read.json() == created.json()


def test_replacing_links_answers_the_new_links(api, cast):
    """The links written by an edit are what the answer shows (not those read before it)."""
    tool = add_tool(cast)
    maggie = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Maggie Whitcombe",
        professional_name="Maggie Whitcombe",
        category="principal",
    )
    client = api.as_user(cast.pat)
    created = client.post(
        "/api/v1/usage-entries/",
        {
            "production": cast.production_a.pk,
            "department": "vfx",
            "category": "deaging",
            "modality": "video",
            "tool": tool.pk,
            "disposition": "final_key",
            "replica_kind": "ebdr",
            "used_on": "2025-03-02",
        },
        format="json",
    ).json()
    assert created["performers"] == []
    patched = client.patch(
        f"/api/v1/usage-entries/{created['id']}/",
        {"performers": [{"performer": maggie.pk, "aspect": "voice"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["performers"] == [
        {"performer": maggie.pk, "consent": None, "aspect": "voice"}
    ]
    assert client.get(f"/api/v1/usage-entries/{created['id']}/").json() == patched.json()
