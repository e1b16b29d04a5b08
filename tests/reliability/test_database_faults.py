"""A database connection that drops mid-way: the compile or import rolls back, never half-written.

Each test kills its own PostgreSQL backend with ``pg_terminate_backend`` from a second
connection at a chosen point inside the product's own code (a wrapper around one of its
functions calls the real function, then cuts the connection), so the next query fails the way
a restarted database or a dropped network would make it fail.
"""

import gzip
import hashlib
import io

import pytest
from django.db import InterfaceError, OperationalError, connection, connections

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent
from studio_tracker.imports import flow, shotlists
from studio_tracker.imports.models import Import
from studio_tracker.productions.models import Shot
from studio_tracker.reports import compiler, tasks
from studio_tracker.reports.models import Finding, Rendering, Report
from tests.cast import build_cast
from tests.conftest import require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast(settings, tmp_path):
    require(connection.vendor == "postgresql", "pg_terminate_backend needs PostgreSQL")
    settings.MEDIA_ROOT = tmp_path
    return build_cast()


def drop_connection() -> None:
    """Terminate this connection's backend from another connection, and wait until it is gone."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


def cut_after(monkeypatch, owner, name: str) -> list:
    """Wrap owner.name: the first call runs the real function, then drops the connection."""
    real, calls = getattr(owner, name), []

    def then_drop(*args, **kwargs):
        result = real(*args, **kwargs)
        if not calls:
            drop_connection()
        calls.append(name)
        return result

    monkeypatch.setattr(owner, name, then_drop)
    return calls


def request_report(cast) -> Report:
    # No broker here: the test runs the task itself, as a worker would.
    return Report.objects.create(
        production=cast.production_a, version=1, requested_by=cast.pat, progress={}
    )


def assert_nothing_written(report_id: int) -> None:
    report = Report.objects.get(pk=report_id)
    assert report.status == Report.Status.QUEUED
    assert (report.lease_until, report.digest, report.snapshot.name) == (None, "", "")
    assert not Finding.objects.filter(report_id=report_id).exists()
    assert not Rendering.objects.filter(report_id=report_id).exists()
    assert not AuditEvent.objects.filter(report_id=report_id, action="report.compiled").exists()


def assert_compiled_once(report_id: int) -> Report:
    report = Report.objects.get(pk=report_id)
    assert report.status == Report.Status.COMPILED, report.error
    assert report.findings.count() == report.findings_count
    assert sorted(report.renderings.values_list("format", flat=True)) == ["csv", "json"]
    with report.snapshot.open("rb") as handle:
        data = gzip.decompress(handle.read())
    assert "sha256:" + hashlib.sha256(data).hexdigest() == report.digest
    assert AuditEvent.objects.filter(report_id=report_id, action="report.compiled").count() == 1
    assert trail.verify_chain() == []
    return report


@pytest.mark.parametrize(
    ("owner", "name", "where"),
    [
        (compiler.rules, "run_rules", "between two progress writes"),
        (compiler.bulk, "insert_rows", "inside the transaction that stores the findings"),
    ],
)
def test_a_compile_whose_connection_drops_rolls_back_and_its_retry_compiles_it_once(
    cast, monkeypatch, owner, name, where
):
    report = request_report(cast)
    calls = cut_after(monkeypatch, owner, name)

    with pytest.raises((OperationalError, InterfaceError)):
        compiler.compile_report(report.pk)  # the task's autoretry catches exactly these
    assert calls, where
    # The claim went back on a fresh connection and nothing of the attempt stayed.
    assert_nothing_written(report.pk)

    assert compiler.compile_report(report.pk) is True  # what the task's retry runs
    report = assert_compiled_once(report.pk)
    assert report.attempts == 2


def test_the_compile_task_retries_after_the_connection_drops(cast, monkeypatch):
    """Through the Celery task itself (run in this process): its autoretry compiles the row."""
    report = request_report(cast)
    monkeypatch.setattr(compiler, "dispatch", lambda *args, **kwargs: True)  # no broker here
    cut_after(monkeypatch, compiler.bulk, "insert_rows")
    # apply() runs the task here; its autoretry runs again at once (a worker waits a backoff).
    result = tasks.compile_report_task.apply(args=[report.pk], throw=False)
    assert (result.state, result.result) == ("SUCCESS", True)
    assert assert_compiled_once(report.pk).attempts == 2


SHOTS = b"Code,In,Out\n" + b"".join(
    f"LN_SQ010_SH{n:04d},{1001 + n * 10},{1009 + n * 10}\n".encode() for n in range(1001, 1041)
)


class Upload(io.BytesIO):
    name, size = "shots.csv", len(SHOTS)


def test_an_import_whose_connection_drops_mid_apply_applies_nothing_and_says_so(cast, monkeypatch):
    production = cast.production_a
    shots_before = set(Shot.objects.filter(production=production).values_list("code", flat=True))
    events_before = AuditEvent.objects.count()
    record = flow.start(actor=cast.cora, production=production, upload=Upload(SHOTS))
    assert (record.status, record.created) == (Import.Status.PREVIEWED, 40)
    calls = cut_after(monkeypatch, shotlists, "apply")  # the shots are written, not committed

    with pytest.raises(flow.ApplyInterrupted) as refused:
        flow.apply(record, actor=cast.cora)
    assert calls == ["apply"]
    assert "nothing was applied" in str(refused.value)

    record = Import.objects.get(pk=record.pk)
    assert record.status == Import.Status.FAILED
    assert record.failure == flow.INTERRUPTED
    assert (record.created, record.applied_at) == (0, None)
    assert set(Shot.objects.filter(production=production).values_list("code", flat=True)) == (
        shots_before
    )
    assert AuditEvent.objects.count() == events_before  # no event for work that did not happen
    assert trail.verify_chain() == []
    with pytest.raises(flow.StateConflict):
        flow.apply(record, actor=cast.cora)  # a failed import is not applied later by accident


def test_the_api_answers_409_with_the_reason_when_an_apply_loses_the_database(
    cast, monkeypatch, api
):
    record = flow.start(actor=cast.cora, production=cast.production_a, upload=Upload(SHOTS))
    cut_after(monkeypatch, shotlists, "apply")
    response = api.as_user(cast.cora).post(f"/api/v1/imports/{record.pk}/apply/")
    assert response.status_code == 409
    assert response.json()["detail"] == flow.INTERRUPTED
    assert api.get(f"/api/v1/imports/{record.pk}/").json()["status"] == "failed"
    assert not Shot.objects.filter(code="LN_SQ010_SH1001").exists()
