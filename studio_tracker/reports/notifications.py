"""Emails about review and the union's audit, each with a text and an HTML part.

Every function is called inside the domain function's transaction; the mail goes once it
commits (``transaction.on_commit``), so a rolled-back decision never sends one. Each recipient
gets their own message: nobody learns who else was told.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from studio_tracker.productions.models import Membership

Role = Membership.Role


def _report_url(report) -> str:
    return settings.SITE_URL + reverse("reports:detail", args=[report.pk])


def _emails(memberships) -> list[str]:
    return sorted(
        set(
            memberships.filter(user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def compliance_admin_emails(organization_id: int) -> list[str]:
    return _emails(
        Membership.objects.filter(
            organization_id=organization_id,
            production__isnull=True,
            role=Role.COMPLIANCE_ADMIN,
        )
    )


def producer_emails(production_id: int) -> list[str]:
    return _emails(Membership.objects.filter(production_id=production_id, role=Role.PRODUCER))


def _send(template: str, context: dict, recipients: list[str]) -> None:
    if not recipients:
        return
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)

    def deliver():
        for address in recipients:
            send_mail(subject, text, None, [address], html_message=html)

    transaction.on_commit(deliver)


def _context(report, **extra) -> dict:
    return {
        "report": report,
        "production": report.production,
        "link": _report_url(report),
        **extra,
    }


def report_submitted(report) -> None:
    """To the organisation's compliance admins: a version waits for review."""
    _send(
        "report-submitted",
        _context(report, queue_link=settings.SITE_URL + reverse("reports:queue")),
        compliance_admin_emails(report.production.organization_id),
    )


def report_decided(report, decision) -> None:
    """To the production's producers: approved, or changes requested."""
    template = "report-approved" if decision.decision == "approved" else "report-changes-requested"
    _send(template, _context(report, decision=decision), producer_emails(report.production_id))


def audit_finding_raised(audit_finding) -> None:
    """To the production's producers: a union rep raised an audit finding."""
    report = audit_finding.report
    _send(
        "report-audit-finding-raised",
        _context(report, audit_finding=audit_finding),
        producer_emails(report.production_id),
    )


def audit_finding_answered(audit_finding) -> None:
    """To the union rep who raised it: the production answered."""
    rep = audit_finding.raised_by
    if not (rep.is_active and rep.email):
        return
    _send(
        "report-audit-finding-answered",
        _context(audit_finding.report, audit_finding=audit_finding),
        [rep.email],
    )
