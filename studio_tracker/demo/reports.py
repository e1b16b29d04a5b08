"""The demo's reports: the feature approved (its blocking findings overridden, with credits for
its distributor), and the series submitted, with a union rep's audit finding and the answer."""

from studio_tracker.productions import access
from studio_tracker.reports import compiler, credits, review
from studio_tracker.reports.models import Report


def _compiled(production, producer) -> Report:
    report = compiler.request_compile(actor=producer, production=production)
    compiler.compile_report(report.pk)  # what a worker does; the demo must not wait for one
    compiler.render_files(report.pk)
    return Report.objects.get(pk=report.pk)


def seed_reports(*, feature, series, users) -> int:
    """Return how many reports were made (0 when the demo already has some)."""
    if Report.objects.filter(production__in=[feature, series]).exists():
        return 0
    pat, cam, ugo = users["pat"], users["cam"], users["ugo"]
    approved = _compiled(feature, pat)
    review.submit(approved, actor=pat)
    access.forget_roles(cam)
    review.approve(
        approved,
        actor=cam,
        comment="Approved for delivery to the distributor.",
        override_reason="Counsel confirmed the stunt double's rider covers the face replacement; "
        "the signed rider is being filed.",
    )
    credits.build_package(Report.objects.get(pk=approved.pk))

    submitted = _compiled(series, pat)
    review.submit(submitted, actor=pat)
    access.forget_roles(ugo)
    finding = review.raise_audit_finding(
        Report.objects.get(pk=submitted.pk),
        actor=ugo,
        category="scope_exceeded",
        severity="blocking",
        rule="E36",
        description="Callum Reid consented to a French dub only; the register shows a German "
        "dub in his voice.",
    )
    review.answer_audit_finding(
        finding,
        actor=pat,
        response="The German dub is pulled from delivery until Callum's agent confirms; we "
        "will log the new consent before the next version.",
    )
    return 2
