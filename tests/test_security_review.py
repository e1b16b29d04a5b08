"""Holes found in a security review, each pinned by a test with the named cast (tests/cast.py)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from studio_tracker.productions import changes, people
from studio_tracker.productions.models import Membership, Production
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Report
from studio_tracker.usage import clearances

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    return Report.objects.get(pk=report.pk)


def test_a_compliance_admin_cannot_give_another_organisations_user_a_role_through_the_api(
    api, cast
):
    """The members page offers only the organisation's people; the API took any user id, so an
    admin could pull Elsewhere's producer into Northlight (and then deactivate her account)."""
    response = api.as_user(cast.cam).post(
        "/api/v1/memberships/",
        {"user": cast.olga.pk, "production": cast.production_a.pk, "role": "coordinator"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "user" in response.json()
    assert not Membership.objects.filter(user=cast.olga, production=cast.production_a).exists()
    # Answered exactly like an id that was never used: it does not confirm the user exists.
    unused = api.post(
        "/api/v1/memberships/",
        {"user": 999999, "production": cast.production_a.pk, "role": "coordinator"},
        format="json",
    )
    assert response.json()["user"] == [
        m.replace("999999", str(cast.olga.pk)) for m in unused.json()["user"]
    ]


def test_a_compliance_admin_still_gives_a_person_of_the_organisation_a_role(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/memberships/",
        {"user": cast.ugo.pk, "production": cast.production_a.pk, "role": "union_rep"},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_filtering_reports_by_another_organisations_production_looks_like_an_unknown_id(api, cast):
    api.as_user(cast.olga)
    theirs = api.get(f"/api/v1/reports/?production={cast.production_a.pk}")
    unknown = api.get("/api/v1/reports/?production=999999")
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    assert theirs.status_code == 200
    assert theirs.json()["results"] == []


def test_asking_for_a_report_on_another_productions_episode_is_a_400_not_a_500(api, cast):
    people.add_membership(actor=None, user=cast.pat, role="producer", production=cast.production_b)
    episode_b = changes.create_episode(actor=None, production=cast.production_b, code="EP101")
    api.raise_request_exception = False
    response = api.as_user(cast.pat).post(
        "/api/v1/reports/",
        {"production": cast.production_a.pk, "episode": episode_b.pk},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "episode" in response.json()
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_report_download_survives_a_title_with_a_line_break(api, cast, compiled, fmt):
    """A title typed with a line break (API or a crafted form post) made every download a 500."""
    Production.objects.filter(pk=cast.production_a.pk).update(title="The Long\r\nNight")
    browser = Client(raise_request_exception=False)
    browser.force_login(cast.pat)
    page = browser.get(f"/reports/{compiled.pk}/download/{fmt}/")
    api.raise_request_exception = False
    endpoint = api.as_user(cast.pat).get(f"/api/v1/reports/{compiled.pk}/download/?format={fmt}")
    for response in (page, endpoint):
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "\n" not in disposition and "\r" not in disposition
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "sees"), [("cora", False), ("pat", True), ("cam", True), ("uma", False)]
)
def test_clearance_document_hashes_are_for_producers_and_compliance_admins_like_consents(
    api, cast, name, sees
):
    Production.objects.filter(pk=cast.production_a.pk).update(union_visible_since=timezone.now())
    clearance = clearances.record_clearance(
        actor=cast.pat,
        production=cast.production_a,
        kind="union_notice",
        party="SAG-AFTRA",
        date=datetime.date(2025, 2, 1),
    )
    api.as_user(getattr(cast, name))
    one = api.get(f"/api/v1/clearances/{clearance.pk}/")
    assert one.status_code == 200
    listed = api.get("/api/v1/clearances/").json()["results"][0]
    for body in (one.json(), listed):
        assert ("document_sha256" in body) is sees
        assert body["kind"] == "union_notice"


@pytest.mark.parametrize(
    "query",
    [
        "usage-entries/?production=",
        "performers/?production=",
        "shots/?production=",
        "memberships/?user=",
        "audit-events/?production=",
        "reports/?production=",
    ],
)
def test_an_id_filter_too_big_for_the_database_is_a_400_not_a_500(api, cast, query):
    api.raise_request_exception = False
    response = api.as_user(cast.cam).get(f"/api/v1/{query}{'9' * 30}")
    assert response.status_code in (200, 400), response.content
    assert response.headers["Content-Type"] == "application/json"
