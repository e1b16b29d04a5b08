"""Compliance admins review submitted reports: the queue, approval with overrides, requesting
changes, superseding, the audit events and the emails (DESIGN.md: 404 / 403 / 409)."""

import pytest
from django.core import mail

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Finding, Report, ReviewDecision

pytestmark = pytest.mark.django_db

DIGEST = "sha256:" + "ab" * 32


def compiled_report(production, *, requested_by, version=1, episode=None, blocking=2, digest=None):
    """A compiled version without a snapshot: the review never reads one."""
    report = Report.objects.create(
        production=production,
        episode=episode,
        version=version,
        status=Report.Status.COMPILED,
        requested_by=requested_by,
        digest=digest or DIGEST,
        findings_count=blocking + 1,
        blocking_count=blocking,
    )
    for n in range(blocking):
        Finding.objects.create(
            report=report,
            rule="E01",
            severity="blocking",
            rank=0,
            message=f"Replica {n} without consent",
            entity_type="production",
        )
    Finding.objects.create(
        report=report, rule="E05", severity="warning", rank=1, message="A warning"
    )
    return report


def submitted_report(cast, **kwargs):
    report = compiled_report(cast.production_a, requested_by=cast.pat, **kwargs)
    return compiler.submit(report, actor=cast.pat)


def test_submitting_tells_the_compliance_admins_after_commit(
    cast, api, django_capture_on_commit_callbacks
):
    report = compiled_report(cast.production_a, requested_by=cast.pat)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.pat).post(f"/api/v1/reports/{report.pk}/submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert [m.to for m in mail.outbox] == [["cam@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "The Long Night v1 submitted for review"
    assert DIGEST in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"/reports/{report.pk}/" in html


def test_the_queue_lists_submitted_reports_oldest_first_with_blocking_counts(cast, api):
    older = submitted_report(cast, version=1, blocking=2)
    newer = submitted_report(cast, version=2, blocking=0)
    compiled_report(cast.production_a, requested_by=cast.pat, version=3)
    other_org = compiled_report(cast.production_c, requested_by=cast.olga)
    compiler.submit(other_org, actor=cast.olga)

    rows = api.as_user(cast.cam).get("/api/v1/reports/review-queue/").json()["results"]
    assert [r["id"] for r in rows] == [older.pk, newer.pk]
    assert [(r["blocking_count"], r["open_blocking"]) for r in rows] == [(2, 2), (0, 0)]
    assert api.as_user(cast.pat).get("/api/v1/reports/review-queue/").json()["results"] == []

    api.logout()
    api.force_login(cast.cam)
    page = api.get("/reviews/")
    assert page.status_code == 200
    assert page.content.decode().count("The Long Night · version") == 2
    api.force_login(cast.pat)
    assert api.get("/reviews/").status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"), [("pat", 403), ("cora", 403), ("uma", 403), ("ugo", 404), ("olga", 404)]
)
def test_only_compliance_admins_approve(cast, api, name, expected):
    report = submitted_report(cast)
    response = api.as_user(getattr(cast, name)).post(
        f"/api/v1/reports/{report.pk}/approve/", {"override_reason": "ok"}, format="json"
    )
    assert response.status_code == expected
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_the_submitter_may_not_approve(cast, api):
    report = compiled_report(cast.production_a, requested_by=cast.pat)
    compiler.submit(report, actor=cast.cam)
    response = api.as_user(cast.cam).post(
        f"/api/v1/reports/{report.pk}/approve/", {"override_reason": "ok"}, format="json"
    )
    assert response.status_code == 403
    assert "submitted" in response.json()["detail"]


def test_blocking_findings_without_an_override_refuse_approval(cast, api):
    report = submitted_report(cast)
    url = f"/api/v1/reports/{report.pk}/approve/"
    client = api.as_user(cast.cam)
    assert client.post(url, {}, format="json").status_code == 409
    first, _second = report.findings.filter(severity="blocking").order_by("id")
    # One reason of two: refused, and the one given is not kept.
    response = client.post(
        url, {"overrides": [{"finding": first.pk, "reason": "Consent on paper"}]}, format="json"
    )
    assert response.status_code == 409
    assert "1 blocking finding has no override reason" in response.json()["detail"]
    assert not Finding.objects.get(pk=first.pk).override_reason
    assert not ReviewDecision.objects.exists()
    # A finding of another report is a 400.
    stray = compiled_report(cast.production_a, requested_by=cast.pat, version=2).findings.first()
    response = client.post(
        url, {"overrides": [{"finding": stray.pk, "reason": "x"}]}, format="json"
    )
    assert response.status_code == 400


def test_approval_records_the_decision_overrides_and_tells_the_producers(
    cast, api, django_capture_on_commit_callbacks
):
    report = submitted_report(cast)
    first, second = report.findings.filter(severity="blocking").order_by("id")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.cam).post(
            f"/api/v1/reports/{report.pk}/approve/",
            {
                "comment": "Fine.",
                "digest": DIGEST,
                "overrides": [{"finding": first.pk, "reason": "Consent on paper, scanned"}],
                "override_reason": "Estate agreed by letter",
            },
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.override_reason == "Consent on paper, scanned"
    assert second.override_reason == "Estate agreed by letter"
    assert first.overridden_by == cast.cam and first.overridden_at is not None
    decision = ReviewDecision.objects.get(report=report)
    assert (decision.reviewer, decision.decision, decision.digest, decision.comment) == (
        cast.cam,
        "approved",
        DIGEST,
        "Fine.",
    )
    event = AuditEvent.objects.get(action="report.approved")
    assert event.report_id == report.pk and event.actor_id == cast.cam.pk
    assert event.changes["digest"] == DIGEST
    assert event.changes["reviewer"] == cast.cam.pk
    assert event.changes["decided_at"]
    assert {o["finding"] for o in event.changes["overrides"]} == {first.pk, second.pk}
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    assert mail.outbox[0].subject == "The Long Night v1 approved"
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    # Approving twice is a state conflict; so is a stale digest on another report.
    again = api.as_user(cast.cam).post(f"/api/v1/reports/{report.pk}/approve/", {}, format="json")
    assert again.status_code == 409

    decisions = api.as_user(cast.uma).get(f"/api/v1/reports/{report.pk}/decisions/").json()
    assert [d["decision"] for d in decisions] == ["approved"]
    findings = api.as_user(cast.uma).get(f"/api/v1/reports/{report.pk}/findings/").json()
    assert {f["override_reason"] for f in findings["results"] if f["severity"] == "blocking"} == {
        "Consent on paper, scanned",
        "Estate agreed by letter",
    }


def test_a_wrong_digest_is_a_conflict(cast, api):
    report = submitted_report(cast, blocking=0)
    response = api.as_user(cast.cam).post(
        f"/api/v1/reports/{report.pk}/approve/", {"digest": "sha256:" + "0" * 64}, format="json"
    )
    assert response.status_code == 409


def test_requesting_changes_needs_a_comment_and_tells_the_producers(
    cast, api, django_capture_on_commit_callbacks
):
    report = submitted_report(cast)
    url = f"/api/v1/reports/{report.pk}/request-changes/"
    assert api.as_user(cast.pat).post(url, {"comment": "x"}, format="json").status_code == 403
    assert api.as_user(cast.cam).post(url, {"comment": ""}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.cam).post(
            url, {"comment": "Add Theo's consent."}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "changes_requested"
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    assert "Add Theo's consent." in mail.outbox[0].body
    assert "changes requested" in mail.outbox[0].subject
    event = AuditEvent.objects.get(action="report.changes_requested")
    assert event.changes["digest"] == DIGEST and event.changes["reviewer"] == cast.cam.pk
    approve = api.as_user(cast.cam).post(
        f"/api/v1/reports/{report.pk}/approve/", {"override_reason": "ok"}, format="json"
    )
    assert approve.status_code == 409
    assert api.as_user(cast.cam).post(url, {"comment": "again"}, format="json").status_code == 409


def test_a_newer_approved_version_supersedes_the_older_of_the_same_scope(cast, api):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="E01")
    v1 = submitted_report(cast, version=1, blocking=0)
    v2 = submitted_report(cast, version=2, blocking=0, episode=episode)
    v3 = submitted_report(cast, version=3, blocking=0)
    client = api.as_user(cast.cam)
    for report in (v1, v2, v3):
        assert client.post(f"/api/v1/reports/{report.pk}/approve/").status_code == 200
    v1.refresh_from_db()
    v2.refresh_from_db()
    v3.refresh_from_db()
    assert v1.superseded_by == v3
    assert v2.superseded_by is None  # an episode's report is another scope
    assert v3.superseded_by is None
    assert AuditEvent.objects.get(action="report.approved", report_id=v3.pk).changes[
        "supersedes"
    ] == [v1.pk]
    # An older version approved after a newer one is superseded at once.
    v4 = submitted_report(cast, version=4, blocking=0)
    v5 = submitted_report(cast, version=5, blocking=0)
    assert client.post(f"/api/v1/reports/{v5.pk}/approve/").status_code == 200
    assert client.post(f"/api/v1/reports/{v4.pk}/approve/").status_code == 200
    v3.refresh_from_db()
    v4.refresh_from_db()
    assert v3.superseded_by_id == v5.pk and v4.superseded_by_id == v5.pk


def test_the_report_page_approves_with_per_finding_overrides(cast, client):
    report = submitted_report(cast)
    first, second = report.findings.filter(severity="blocking").order_by("id")
    client.force_login(cast.cam)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="approve-form"' in page and f'name="override_{first.pk}"' in page
    assert 'id="request-changes-form"' in page
    response = client.post(
        f"/reports/{report.pk}/approve/",
        {f"override_{first.pk}": "Paper consent", "comment": ""},
        follow=True,
    )
    assert "1 blocking finding has no override reason" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "submitted"
    client.post(
        f"/reports/{report.pk}/approve/",
        {f"override_{first.pk}": "Paper consent", f"override_{second.pk}": "Estate letter"},
    )
    assert Report.objects.get(pk=report.pk).status == "approved"

    client.force_login(cast.pat)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="approve-form"' not in page
    assert client.post(f"/reports/{report.pk}/approve/").status_code == 403
    client.force_login(cast.uma)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Overridden blocking findings" in page and "Estate letter" in page


def test_the_report_page_requests_changes(cast, client):
    report = submitted_report(cast)
    client.force_login(cast.cam)
    client.post(f"/reports/{report.pk}/request-changes/", {"comment": "Fix E01"})
    assert Report.objects.get(pk=report.pk).status == "changes_requested"
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Changes requested</strong> by cam" in page and "Fix E01" in page


def test_approval_builds_the_credit_package_after_commit(
    django_capture_on_commit_callbacks, cast, settings, tmp_path
):
    """Approving sends the credits task once the approval is committed; the worker builds the files."""
    from studio_tracker.reports import compiler, credits, review
    from studio_tracker.reports.models import CreditFile

    settings.MEDIA_ROOT = tmp_path
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    review.submit(report, actor=cast.pat)
    with django_capture_on_commit_callbacks() as callbacks:
        review.approve(report, actor=cast.cam, override_reason="Cleared by counsel")
    assert callbacks, "the credits task (and the emails) wait for the commit"
    credits.build_package(type(report).objects.get(pk=report.pk))  # what the worker does
    assert set(CreditFile.objects.filter(report=report).values_list("format", flat=True)) >= {
        "txt",
        "tsv",
        "json",
    }
