"""Review of submitted reports, and the union's audit of them.

A producer submits a compiled version (``submit``); the organisation's compliance admins see it
in their queue (``review_queue``, oldest first) and approve it (``approve``) or ask for changes
(``request_changes``). Approval binds the digest reviewed, is refused to the person who submitted
the report (403) and, while a blocking finding has no override reason, refused outright (409).
A newer approved version of the same scope (the production, or the same episode) supersedes the
older one.

Union reps assigned to the production raise audit findings on the versions they can see
(``raise_audit_finding``); the producers answer (``answer_audit_finding``); the rep who raised one
resolves or escalates it (``close_audit_finding``). Every step is an audit event carrying the
report's id, and sends its notifications once the transaction commits.

Callers find the report through ``Report.objects.visible_to`` first (404 for anyone who may not
read it); these functions check who may act (403) and what the state allows (409). Free text
(comments, override reasons, descriptions, answers) lives on its rows, not in the trail's
``changes``, which must hold no personal values.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions import access
from studio_tracker.productions.models import Membership

from . import compiler, credits, notifications
from .findings import RULES
from .models import AuditFinding, Finding, Report, ReviewDecision

Status = Report.Status
AuditStatus = AuditFinding.Status
BLOCKING = Finding.Severity.BLOCKING

# Which audit finding statuses may follow which; answering again revises the answer.
AUDIT_TRANSITIONS = {
    AuditStatus.RAISED: {AuditStatus.ANSWERED, AuditStatus.RESOLVED, AuditStatus.ESCALATED},
    AuditStatus.ANSWERED: {AuditStatus.ANSWERED, AuditStatus.RESOLVED, AuditStatus.ESCALATED},
    AuditStatus.ESCALATED: {AuditStatus.ANSWERED, AuditStatus.RESOLVED},
    AuditStatus.RESOLVED: set(),
}
AUDIT_ENTITY_TYPES = ("usage_entry", "consent", "clearance", "performer", "production")


# --- Submitting and the queue -----------------------------------------------------------------


def submit(report: Report, *, actor) -> Report:
    """``compiler.submit``, and the organisation's compliance admins hear of it."""
    with transaction.atomic():
        report = compiler.submit(report, actor=actor)
        report = Report.objects.select_related("production__organization", "episode").get(
            pk=report.pk
        )
        notifications.report_submitted(report)
    return report


def review_queue(user):
    """Submitted reports in the organisations the user administers, oldest submission first,
    each with ``open_blocking``: its blocking findings that have no override reason yet."""
    roles = access.roles_of(user)
    reports = Report.objects.filter(status=Status.SUBMITTED)
    if not roles.is_superuser:
        reports = reports.filter(production__organization_id__in=roles.compliance_organizations)
    return (
        reports.select_related("production", "episode", "submitted_by")
        .annotate(
            open_blocking=Count(
                "findings", filter=Q(findings__severity=BLOCKING, findings__override_reason="")
            )
        )
        .order_by("submitted_at", "id")
    )


def may_review(user, report: Report) -> bool:
    return access.is_compliance_admin(user, report.production.organization_id)


# --- Decisions --------------------------------------------------------------------------------


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("production__organization", "episode")
        .get(pk=report.pk)
    )


def _check_reviewer(report: Report, actor, *, approving: bool) -> None:
    access.require(may_review(actor, report), "Only compliance admins review a report.")
    if approving:
        access.require(
            report.submitted_by_id != actor.pk,
            "You submitted this report: another compliance admin must approve it.",
        )


def _check_digest(report: Report, digest: str | None) -> None:
    if digest and digest != report.digest:
        raise StateConflict(
            f"This version's digest is {report.digest}, not the {digest} you reviewed."
        )


def approve(
    report: Report,
    *,
    actor,
    comment: str = "",
    override_reason: str = "",
    overrides: list[dict] | None = None,
    digest: str | None = None,
) -> Report:
    """Approve a submitted report. ``overrides`` gives a reason per blocking finding
    (``[{"finding": id, "reason": text}]``); ``override_reason`` covers every blocking finding
    still without one. Refused (409) while any blocking finding remains without a reason."""
    overrides = overrides or []
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        report = _locked(report)
        _check_reviewer(report, actor, approving=True)
        report.check_transition(Status.APPROVED)
        _check_digest(report, digest)
        now = timezone.now()
        overridden = _apply_overrides(report, actor, now, overrides, override_reason)
        open_blocking = report.findings.filter(severity=BLOCKING, override_reason="").count()
        if open_blocking:
            raise StateConflict(
                f"{open_blocking} blocking finding{'s' if open_blocking != 1 else ''} "
                "ha{} no override reason: give one for each, or one for all.".format(
                    "ve" if open_blocking != 1 else "s"
                )
            )
        decision = ReviewDecision.objects.create(
            report=report,
            reviewer=actor,
            decision=ReviewDecision.Decision.APPROVED,
            comment=(comment or "").strip(),
            digest=report.digest,
        )
        report.status = Status.APPROVED
        superseded = _supersede(report)
        report.save(update_fields=["status", "superseded_by"])
        _record(
            report,
            actor=actor,
            action="report.approved",
            changes={
                "digest": report.digest,
                "reviewer": actor.pk,
                "decided_at": decision.decided_at.isoformat(),
                "overrides": overridden,
                "supersedes": superseded,
                "superseded_by": report.superseded_by_id,
            },
        )
        notifications.report_decided(report, decision)
        credits.request_package(report)  # built by a worker once the approval is committed
    return report


def _apply_overrides(report, actor, now, overrides, override_reason) -> list[dict]:
    """Write the reasons; return what was overridden, for the audit event."""
    findings = {f.pk: f for f in report.findings.filter(severity=BLOCKING)}
    reasons: dict[int, str] = {}
    errors = []
    for item in overrides:
        try:
            finding_id, reason = int(item["finding"]), str(item.get("reason", "")).strip()
        except (KeyError, TypeError, ValueError):
            errors.append("Each override needs a finding id and a reason.")
            continue
        if finding_id not in findings:
            errors.append(f"Finding {finding_id} is not a blocking finding of this report.")
        elif not reason:
            errors.append(f"Finding {finding_id}: the override reason is empty.")
        else:
            reasons[finding_id] = reason
    if errors:
        raise ValidationError({"overrides": errors})
    if override_reason:
        for finding in findings.values():
            if not finding.override_reason and finding.pk not in reasons:
                reasons[finding.pk] = override_reason
    done = []
    for finding_id, reason in sorted(reasons.items()):
        finding = findings[finding_id]
        finding.override_reason, finding.overridden_by, finding.overridden_at = reason, actor, now
        finding.save(update_fields=["override_reason", "overridden_by", "overridden_at"])
        done.append({"finding": finding_id, "rule": finding.rule})
    return done


def _supersede(report: Report) -> list[int]:
    """Mark older approved versions of the same scope superseded by this one; if a newer one is
    approved already, this one is superseded by it. Returns the ids this one supersedes."""
    same_scope = Report.objects.filter(
        production_id=report.production_id,
        episode_id=report.episode_id,
        status=Status.APPROVED,
    ).exclude(pk=report.pk)
    newer = same_scope.filter(version__gt=report.version).order_by("-version").first()
    if newer is not None:
        report.superseded_by = newer
        return []
    older = list(
        same_scope.filter(version__lt=report.version, superseded_by__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Report.objects.filter(pk__in=older).update(superseded_by=report)
    return older


def request_changes(report: Report, *, actor, comment: str, digest: str | None = None) -> Report:
    """Send a submitted report back to its producers, with a comment saying what to change."""
    comment = (comment or "").strip()
    with transaction.atomic():
        report = _locked(report)
        _check_reviewer(report, actor, approving=False)
        report.check_transition(Status.CHANGES_REQUESTED)
        _check_digest(report, digest)
        if not comment:
            raise ValidationError({"comment": "Say what needs to change."})
        decision = ReviewDecision.objects.create(
            report=report,
            reviewer=actor,
            decision=ReviewDecision.Decision.CHANGES_REQUESTED,
            comment=comment,
            digest=report.digest,
        )
        report.status = Status.CHANGES_REQUESTED
        report.save(update_fields=["status"])
        _record(
            report,
            actor=actor,
            action="report.changes_requested",
            changes={
                "digest": report.digest,
                "reviewer": actor.pk,
                "decided_at": decision.decided_at.isoformat(),
            },
        )
        notifications.report_decided(report, decision)
    return report


# --- The union's audit ------------------------------------------------------------------------


def may_raise(user, report: Report) -> bool:
    rights = access.rights_in(user, report.production)
    return rights.role == Membership.Role.UNION_REP and report.status in Report.UNION_VISIBLE


def may_answer(user, report: Report) -> bool:
    return access.rights_in(user, report.production).request_report


def raise_audit_finding(
    report: Report,
    *,
    actor,
    category: str,
    severity: str,
    description: str,
    rule: str = "",
    entity_type: str = "",
    entity_id: int | None = None,
) -> AuditFinding:
    access.require(may_raise(actor, report), "Only the production's union reps raise findings.")
    errors = {}
    if category not in AuditFinding.Category.values:
        errors["category"] = "Choose one of: " + ", ".join(AuditFinding.Category.values)
    if severity not in Finding.Severity.values:
        errors["severity"] = "Choose one of: " + ", ".join(Finding.Severity.values)
    description = (description or "").strip()
    if not description:
        errors["description"] = "Describe what you found."
    rule = (rule or "").strip().upper()
    if rule and rule not in RULES:
        errors["rule"] = f"{rule} is not a check id (e.g. E01)."
    entity_type = (entity_type or "").strip()
    if entity_type and entity_type not in AUDIT_ENTITY_TYPES:
        errors["entity_type"] = "Choose one of: " + ", ".join(AUDIT_ENTITY_TYPES)
    if bool(entity_type) != (entity_id is not None):
        errors["entity_id"] = "Give both entity_type and entity_id, or neither."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        audit_finding = AuditFinding.objects.create(
            report=report,
            raised_by=actor,
            category=category,
            severity=severity,
            description=description,
            rule=rule,
            entity_type=entity_type,
            entity_id=entity_id,
        )
        _record_audit_finding(
            audit_finding,
            actor=actor,
            action="audit_finding.raised",
            changes={
                "category": category,
                "severity": severity,
                "rule": rule,
                "entity_type": entity_type,
                "entity_id": entity_id,
            },
        )
        notifications.audit_finding_raised(audit_finding)
    return audit_finding


def _locked_audit_finding(audit_finding: AuditFinding) -> AuditFinding:
    return (
        AuditFinding.objects.select_for_update(of=("self",))
        .select_related("report__production__organization", "raised_by")
        .get(pk=audit_finding.pk)
    )


def _check_audit_transition(audit_finding: AuditFinding, new_status: str) -> None:
    if new_status not in AUDIT_TRANSITIONS[audit_finding.status]:
        raise StateConflict(
            f"An audit finding that is {audit_finding.get_status_display().lower()} cannot "
            f"become {AuditStatus(new_status).label.lower()}."
        )


def answer_audit_finding(audit_finding: AuditFinding, *, actor, response: str) -> AuditFinding:
    """The producers' answer; the rep who raised the finding hears of it."""
    response = (response or "").strip()
    with transaction.atomic():
        audit_finding = _locked_audit_finding(audit_finding)
        access.require(
            may_answer(actor, audit_finding.report), "Only the production's producers answer."
        )
        _check_audit_transition(audit_finding, AuditStatus.ANSWERED)
        if not response:
            raise ValidationError({"response": "Write the answer."})
        audit_finding.status = AuditStatus.ANSWERED
        audit_finding.response, audit_finding.responded_by = response, actor
        audit_finding.responded_at = timezone.now()
        audit_finding.save(update_fields=["status", "response", "responded_by", "responded_at"])
        _record_audit_finding(
            audit_finding,
            actor=actor,
            action="audit_finding.answered",
            changes={"status": AuditStatus.ANSWERED},
        )
        notifications.audit_finding_answered(audit_finding)
    return audit_finding


def close_audit_finding(audit_finding: AuditFinding, *, actor, status: str) -> AuditFinding:
    """Resolve or escalate: only the rep who raised the finding."""
    if status not in (AuditStatus.RESOLVED, AuditStatus.ESCALATED):
        raise ValidationError({"status": "Choose resolved or escalated."})
    with transaction.atomic():
        audit_finding = _locked_audit_finding(audit_finding)
        access.require(
            audit_finding.raised_by_id == actor.pk,
            "Only the union rep who raised this finding resolves or escalates it.",
        )
        _check_audit_transition(audit_finding, status)
        before = audit_finding.status
        audit_finding.status, audit_finding.closed_at = status, timezone.now()
        audit_finding.save(update_fields=["status", "closed_at"])
        _record_audit_finding(
            audit_finding,
            actor=actor,
            action=f"audit_finding.{status}",
            changes={"status": [before, status]},
        )
    return audit_finding


# --- The trail --------------------------------------------------------------------------------


def _record(report: Report, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=action,
        organization_id=report.production.organization_id,
        production_id=report.production_id,
        report_id=report.pk,
        target_type="report",
        target_id=str(report.pk),
        target_label=f"v{report.version}",
        changes=changes,
    )


def _record_audit_finding(audit_finding: AuditFinding, *, actor, action: str, changes: dict):
    report = audit_finding.report
    trail.record(
        actor=actor,
        action=action,
        organization_id=report.production.organization_id,
        production_id=report.production_id,
        report_id=report.pk,
        target_type="audit_finding",
        target_id=str(audit_finding.pk),
        target_label=f"v{report.version} audit finding {audit_finding.pk}",
        changes={"digest": report.digest, **changes},
    )
