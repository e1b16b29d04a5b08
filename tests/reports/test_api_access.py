"""Who may ask for, read, retry and submit reports."""

import pytest

from studio_tracker.reports import compiler

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    return report


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 202),
        ("cam", 403),
        ("uma", 400),
        ("ugo", 400),
        ("dina", 400),
        ("olga", 400),
    ],
)
def test_only_producers_ask_for_a_report(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).post(
        "/api/v1/reports/", {"production": cast.production_a.pk}, format="json"
    )
    assert response.status_code == expected, response.content
    if expected == 202:
        assert response.json()["status"] == "queued"
        assert response.json()["version"] == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 404),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_reading_a_compiled_report(api, cast, report, name, expected):
    assert (
        api.as_user(getattr(cast, name)).get(f"/api/v1/reports/{report.pk}/").status_code
        == expected
    )


def test_a_union_rep_reads_a_submitted_report_and_its_entries(api, cast, report):
    compiler.submit(report, actor=cast.pat)
    api.as_user(cast.uma)
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    assert api.get(f"/api/v1/reports/{report.pk}/findings/").status_code == 200
    assert api.get(f"/api/v1/usage-entries/?production={cast.production_a.pk}").status_code == 200
    assert api.post(f"/api/v1/reports/{report.pk}/retry/").status_code == 403
    assert api.as_user(cast.ugo).get(f"/api/v1/reports/{report.pk}/").status_code == 404


def test_findings_are_grouped_by_rule_with_counts(api, cast, report):
    body = api.as_user(cast.pat).get(f"/api/v1/reports/{report.pk}/findings/").json()
    assert set(body) >= {"count", "next", "previous", "groups", "results"}
    assert sum(group["count"] for group in body["groups"]) == body["count"]


def test_the_report_carries_its_first_findings_and_a_link(api, cast, report):
    body = api.as_user(cast.pat).get(f"/api/v1/reports/{report.pk}/").json()
    assert isinstance(body["findings"], list)
    assert body["findings_count"] == len(body["findings"]) or body["findings_count"] > 100
    assert body["findings_url"].endswith(f"/api/v1/reports/{report.pk}/findings/")
    assert body["digest"].startswith("sha256:")
