"""A producer asks for a report; a worker compiles a frozen, checksummed version of it."""

import gzip
import hashlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from studio_tracker.productions import changes
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Report
from tests.conftest import require

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    from studio_tracker.productions.models import Production

    return Production.objects.get(title="The Long Night")


def producer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pat")


def compiled(production, **kwargs) -> Report:
    report = compiler.request_compile(actor=producer(), production=production, **kwargs)
    assert compiler.compile_report(report.pk) is True
    return Report.objects.get(pk=report.pk)


def test_a_compiled_version_is_frozen_and_its_json_hashes_to_its_digest(demo, api):
    report = compiled(demo)
    assert report.status == "compiled"
    assert report.version == 1
    with report.snapshot.open("rb") as handle:
        data = gzip.decompress(handle.read())
    assert report.digest == "sha256:" + hashlib.sha256(data).hexdigest()

    response = api.as_user(producer()).get(f"/api/v1/reports/{report.pk}/download/?format=json")
    assert response.status_code == 200
    assert response["X-Report-Digest"] == report.digest
    assert "sha256:" + hashlib.sha256(response.content).hexdigest() == report.digest


def test_the_replica_without_consent_blocks(demo):
    report = compiled(demo)
    e01 = report.findings.filter(rule="E01")
    assert e01.exists()
    assert all(f.severity == "blocking" for f in e01)
    assert any("Theo Grant" in f.message for f in e01)
    assert report.blocking_count >= e01.count()


def test_a_later_edit_marks_the_report_stale_but_never_changes_it(demo):
    report = compiled(demo)
    digest, count = report.digest, report.findings_count
    assert report.stale is False
    shot = demo.shots.order_by("code").first()
    changes.update_shot(shot, actor=producer(), description="Changed after compile")
    report = Report.objects.select_related("production").get(pk=report.pk)
    assert report.stale is True
    assert (report.digest, report.findings_count) == (digest, count)


def test_the_csv_rendering_names_the_digest_and_guards_formulas(demo, api):
    report = compiled(demo)
    response = api.as_user(producer()).get(f"/api/v1/reports/{report.pk}/download/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    first = text.splitlines()[0]
    assert report.digest in first
    assert response["X-Report-Digest"] == report.digest


def test_a_second_request_gets_the_next_version(demo):
    first = compiler.request_compile(actor=producer(), production=demo)
    second = compiler.request_compile(actor=producer(), production=demo)
    assert (first.version, second.version) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_get_versions_n_and_n_plus_one(settings, tmp_path):
    require(connection.vendor == "postgresql", "needs PostgreSQL's row locks for real concurrency")
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    from studio_tracker.productions.models import Production

    production = Production.objects.get(title="The Long Night")
    actor = producer()
    barrier = threading.Barrier(2)
    versions, errors = [], []

    def request():
        try:
            barrier.wait()
            versions.append(compiler.request_compile(actor=actor, production=production).version)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(versions) == [1, 2]


def test_a_failing_compile_ends_failed_and_retry_compiles_the_same_version(demo, monkeypatch):
    report = compiler.request_compile(actor=producer(), production=demo)

    def broken(snapshot):
        raise ValueError("rule engine exploded")

    monkeypatch.setattr(compiler.rules, "run_rules", broken)
    assert compiler.compile_report(report.pk) is False
    report.refresh_from_db()
    assert report.status == "failed"
    assert "rule engine exploded" in report.error

    monkeypatch.undo()
    compiler.retry(report, actor=producer())
    assert compiler.compile_report(report.pk) is True
    report.refresh_from_db()
    assert (report.status, report.version) == ("compiled", 1)
    assert Report.objects.filter(production=demo).count() == 1


def test_a_report_is_compiled_once_even_if_dispatched_twice(demo):
    report = compiler.request_compile(actor=producer(), production=demo)
    assert compiler.compile_report(report.pk) is True
    assert compiler.compile_report(report.pk) is False
    assert Report.objects.get(pk=report.pk).findings.count() == report.findings.count()


def test_the_sweeper_requeues_a_claim_whose_worker_died(demo):
    from datetime import timedelta

    from django.utils import timezone

    report = compiler.request_compile(actor=producer(), production=demo)
    assert compiler.claim(report.pk)
    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    result = compiler.sweep()
    assert result["requeued"] == 1
    assert Report.objects.get(pk=report.pk).status == "queued"
    assert compiler.compile_report(report.pk) is True


def test_illegal_moves_are_conflicts(demo, api):
    report = compiled(demo)
    client = api.as_user(producer())
    assert client.post(f"/api/v1/reports/{report.pk}/retry/").status_code == 409
    assert client.post(f"/api/v1/reports/{report.pk}/submit/").status_code == 200
    assert client.post(f"/api/v1/reports/{report.pk}/submit/").status_code == 409
    demo.refresh_from_db()
    assert demo.union_visible_since is not None


def test_the_demo_replica_without_consent_blocks_under_the_2023_and_the_2026_agreements(demo):
    report = compiled(demo)
    rule_sets = set(
        report.findings.filter(rule="E01", severity="blocking").values_list("rule_set", flat=True)
    )
    assert {"SAG_AFTRA_TVTH_2023", "SAG_AFTRA_TVTH_2026"} <= rule_sets


def test_the_demo_use_after_its_consent_expired_is_flagged(demo):
    """Used in August 2026, under the 2026 agreement, whose E36 wording is not confirmed: a warning."""
    report = compiled(demo)
    flagged = report.findings.filter(rule="E36", message__contains="Ines Duarte")
    assert flagged.exists()
    assert all("expired" in f.message and f.severity == "warning" for f in flagged)
