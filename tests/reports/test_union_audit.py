"""Union reps audit the reports of their productions: they see submitted, approved and
changes-requested versions and the audit events about them, raise audit findings, the producers
answer, the rep resolves or escalates; every step on the trail, on the page and by email."""

import pytest
from django.core import mail

from studio_tracker.audit.models import AuditEvent
from studio_tracker.reports import compiler
from studio_tracker.reports.models import AuditFinding
from tests.reports.test_review import compiled_report, submitted_report

pytestmark = pytest.mark.django_db

RAISE = {
    "category": "missing_consent",
    "severity": "blocking",
    "description": "Theo Grant's replica has no signed consent on file.",
    "rule": "E01",
}


def raised(cast, api, report, **extra):
    response = api.as_user(cast.uma).post(
        f"/api/v1/reports/{report.pk}/audit-findings/", {**RAISE, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return AuditFinding.objects.get(pk=response.json()["id"])


def test_a_union_rep_sees_only_the_submitted_versions_of_their_productions(cast, api):
    draft = compiled_report(cast.production_a, requested_by=cast.pat, version=1)
    report = submitted_report(cast, version=2)
    assert api.as_user(cast.uma).get(f"/api/v1/reports/{draft.pk}/").status_code == 404
    assert api.as_user(cast.uma).get(f"/api/v1/reports/{report.pk}/").status_code == 200
    for name in ("ugo", "dina", "olga"):
        user = getattr(cast, name)
        assert api.as_user(user).get(f"/api/v1/reports/{report.pk}/").status_code == 404
        assert (
            api.as_user(user).get(f"/api/v1/reports/{report.pk}/audit-findings/").status_code == 404
        )


@pytest.mark.parametrize(("name", "expected"), [("pat", 403), ("cam", 403), ("ugo", 404)])
def test_only_the_productions_union_reps_raise_findings(cast, api, name, expected):
    report = submitted_report(cast)
    response = api.as_user(getattr(cast, name)).post(
        f"/api/v1/reports/{report.pk}/audit-findings/", RAISE, format="json"
    )
    assert response.status_code == expected
    assert not AuditFinding.objects.exists()


def test_raising_checks_its_fields(cast, api):
    report = submitted_report(cast)
    url = f"/api/v1/reports/{report.pk}/audit-findings/"
    client = api.as_user(cast.uma)
    assert client.post(url, {**RAISE, "category": "nonsense"}, format="json").status_code == 400
    assert client.post(url, {**RAISE, "rule": "Z99"}, format="json").status_code == 400
    assert client.post(url, {**RAISE, "description": ""}, format="json").status_code == 400
    bad_entity = {**RAISE, "entity_type": "consent"}
    assert client.post(url, bad_entity, format="json").status_code == 400


def test_raise_answer_resolve_on_the_trail_and_by_email(
    cast, api, django_capture_on_commit_callbacks
):
    report = submitted_report(cast)
    with django_capture_on_commit_callbacks(execute=True):
        found = raised(cast, api, report, entity_type="production", entity_id=cast.production_a.pk)
    assert found.status == "raised" and found.raised_by == cast.uma
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    assert "raised an audit finding" in mail.outbox[0].subject
    assert RAISE["description"] in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"

    url = f"/api/v1/reports/{report.pk}/audit-findings/{found.pk}/"
    # Only producers answer; only the rep who raised it closes it.
    assert api.as_user(cast.uma).patch(url, {"response": "x"}, format="json").status_code == 403
    assert api.as_user(cast.cora).patch(url, {"response": "x"}, format="json").status_code == 403
    assert (
        api.as_user(cast.pat).patch(url, {"status": "resolved"}, format="json").status_code == 403
    )
    assert api.as_user(cast.pat).patch(url, {}, format="json").status_code == 400

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.pat).patch(
            url, {"response": "Consent signed on set, uploaded today."}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answered"
    assert response.json()["responded_by"] == cast.pat.pk
    assert [m.to for m in mail.outbox] == [["uma@example.com"]]
    assert "Consent signed on set" in mail.outbox[0].body

    response = api.as_user(cast.uma).patch(url, {"status": "resolved"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved" and response.json()["closed_at"]
    assert (
        api.as_user(cast.uma).patch(url, {"status": "escalated"}, format="json").status_code == 409
    )
    assert api.as_user(cast.pat).patch(url, {"response": "more"}, format="json").status_code == 409

    actions = list(
        AuditEvent.objects.filter(report_id=report.pk, target_type="audit_finding")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["audit_finding.raised", "audit_finding.answered", "audit_finding.resolved"]
    listed = api.as_user(cast.cora).get(f"/api/v1/reports/{report.pk}/audit-findings/").json()
    assert [(f["id"], f["status"]) for f in listed] == [(found.pk, "resolved")]
    other = api.as_user(cast.uma).get(f"/api/v1/reports/{report.pk}/audit-findings/999999/")
    assert other.status_code == 404


def test_a_rep_escalates_then_resolves(cast, api):
    report = submitted_report(cast)
    found = raised(cast, api, report)
    url = f"/api/v1/reports/{report.pk}/audit-findings/{found.pk}/"
    assert (
        api.as_user(cast.uma).patch(url, {"status": "escalated"}, format="json").json()["status"]
        == "escalated"
    )
    assert (
        api.as_user(cast.uma).patch(url, {"status": "resolved"}, format="json").json()["status"]
        == "resolved"
    )


def test_union_reps_see_the_audit_events_of_reports_they_may_read(cast, api):
    draft = compiled_report(cast.production_a, requested_by=cast.pat, version=1)
    report = submitted_report(cast, version=2)
    raised(cast, api, report)
    hidden = compiled_report(cast.production_a, requested_by=cast.pat, version=3)
    compiler._record(hidden, actor=cast.pat, action="report.requested", changes={})
    compiler._record(draft, actor=cast.pat, action="report.requested", changes={})

    events = api.as_user(cast.uma).get("/api/v1/audit-events/").json()["results"]
    assert {e["report"] for e in events} == {report.pk}
    assert {e["action"] for e in events} == {"report.submitted", "audit_finding.raised"}
    # Nothing else of the production (its shots, its memberships) shows.
    assert api.as_user(cast.ugo).get("/api/v1/audit-events/").json()["results"] == []
    # Producers and compliance admins still see everything they did.
    pat_actions = {
        e["action"] for e in api.as_user(cast.pat).get("/api/v1/audit-events/").json()["results"]
    }
    assert "report.requested" in pat_actions and "shot.created" in pat_actions


def test_the_report_page_raises_answers_and_resolves(cast, client):
    report = submitted_report(cast)
    client.force_login(cast.uma)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="raise-audit-finding"' in page and 'id="approve-form"' not in page
    client.post(f"/reports/{report.pk}/audit-findings/", {**RAISE, "entity_type": ""})
    found = AuditFinding.objects.get()
    assert found.description == RAISE["description"]

    client.force_login(cast.pat)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert RAISE["description"].replace("'", "&#x27;") in page
    assert 'name="response"' in page and 'id="raise-audit-finding"' not in page
    assert client.post(f"/reports/{report.pk}/audit-findings/", RAISE).status_code == 403
    client.post(f"/reports/{report.pk}/audit-findings/{found.pk}/", {"response": "Uploaded."})
    found.refresh_from_db()
    assert (found.status, found.response) == ("answered", "Uploaded.")

    client.force_login(cast.uma)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'value="resolved"' in page and "Uploaded." in page
    client.post(f"/reports/{report.pk}/audit-findings/{found.pk}/", {"status": "escalated"})
    found.refresh_from_db()
    assert found.status == "escalated"

    client.force_login(cast.ugo)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    url = f"/reports/{report.pk}/audit-findings/{found.pk}/"
    assert client.post(url, {"status": "resolved"}).status_code == 404


def test_union_reading_of_consents_and_clearances_opens_on_submission(cast, client):
    """The pages behind the findings (existing access rules: open once a report is submitted)."""
    report = compiled_report(cast.production_a, requested_by=cast.pat)
    client.force_login(cast.uma)
    pages = [f"/productions/{cast.production_a.pk}/{name}/" for name in ("consents", "clearances")]
    assert [client.get(url).status_code for url in pages] == [404, 404]
    compiler.submit(report, actor=cast.pat)
    assert [client.get(url).status_code for url in pages] == [200, 200]
