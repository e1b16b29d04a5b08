"""Celery tasks: thin wrappers over reports.compiler.

None keeps a result: the Report row (status, error, renderings) is the result, and storing one in
Redis after the work is done would make a finished task wait on, and fail with, a Redis outage.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import compiler


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def compile_report_task(report_id: int) -> bool:
    """Compile one report. Does nothing if the row is gone, taken by another worker, or done."""
    return compiler.compile_report(report_id)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
)
def render_report_files_task(report_id: int) -> list[str]:
    """Render a compiled version's HTML and PDF from its frozen snapshot."""
    return compiler.render_files(report_id)


@shared_task(ignore_result=True)
def sweep_reports() -> dict:
    """Every minute: requeue claims whose worker died, re-dispatch rows left queued."""
    return compiler.sweep()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
)
def build_credits_task(report_id: int) -> list[str]:
    """Build an approved report's credit package (idempotent: stored formats are kept)."""
    from . import credits
    from .models import Report

    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return []
    return [credit.format for credit in credits.build_package(report)]
