"""Reports compile through a real worker, and no request is lost to a broker outage or a
worker that dies mid-compile."""

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from studio_tracker.celery import app
from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Report
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, tmp_path):
    app.control.purge()  # a worker here must see only this test's messages
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    return Production.objects.get(title="The Long Night")


def producer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pat")


def wait_for(report_id, statuses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} still {report.status} after {seconds} s")


def test_the_producer_compiles_through_a_real_worker_and_the_json_hashes_to_the_digest(demo, api):
    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        response = api.as_user(producer()).post(
            "/api/v1/reports/", {"production": demo.pk}, format="json"
        )
        assert response.status_code == 202
        report = wait_for(response.json()["id"], {"compiled", "failed"})
    assert report.status == "compiled", report.error
    body = api.get(f"/api/v1/reports/{report.pk}/download/?format=json").content
    assert "sha256:" + hashlib.sha256(body).hexdigest() == report.digest
    assert report.findings.filter(rule="E01", severity="blocking").exists()


def test_a_request_made_while_the_broker_is_down_is_compiled_after_it_comes_back(demo, api):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):  # nothing listens there
        response = api.as_user(producer()).post(
            "/api/v1/reports/", {"production": demo.pk}, format="json"
        )
    assert response.status_code == 202  # stored, even though it could not be sent
    report = Report.objects.get(pk=response.json()["id"])
    assert (report.status, report.dispatched_at) == ("queued", None)

    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        assert compiler.sweep()["dispatched"] == 1  # what beat does every minute
        report = wait_for(report.pk, {"compiled", "failed"})
    assert report.status == "compiled"
    assert Report.objects.filter(production=demo).count() == 1


def worker_env(tmp_path) -> dict:
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DATABASE_URL": f"postgres:///{database['NAME']}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "REPORT_COMPILE_LEASE_SECONDS": "3",
        }
    )
    if database.get("HOST"):
        env["DATABASE_URL"] = (
            f"postgres://{database.get('USER') or ''}@{database['HOST']}:{database.get('PORT') or 5432}"
            f"/{database['NAME']}"
        )
    return env


def start_worker_process(env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "studio_tracker",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_worker_killed_mid_compile_leaves_one_compiled_version(settings, tmp_path):
    require(
        connection.vendor == "postgresql",
        "a worker process needs the shared PostgreSQL test database",
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    app.control.purge()
    call_command("seed_demo", "--shots", "4000")  # ~12,000 uses: a compile that takes a while
    production = Production.objects.get(title="The Long Night")
    env = worker_env(tmp_path)
    # The test process and the worker processes share one broker (the configured one).
    report = compiler.request_compile(actor=producer(), production=production)
    worker = start_worker_process(env)
    try:
        wait_for(report.pk, {"compiling"}, seconds=60)
        os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, pool child included
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert Report.objects.get(pk=report.pk).status == "compiling"  # claimed, then orphaned

    time.sleep(3.5)  # the dead worker's lease runs out
    assert compiler.sweep()["requeued"] == 1
    survivor = start_worker_process(env)
    try:
        report = wait_for(report.pk, {"compiled", "failed"}, seconds=120)
    finally:
        os.killpg(survivor.pid, signal.SIGTERM)
        survivor.wait(timeout=30)
    assert report.status == "compiled", report.error
    assert Report.objects.filter(production=production).count() == 1
    assert report.findings.count() == report.findings_count
    with report.snapshot.open("rb") as handle:
        assert (
            "sha256:" + hashlib.sha256(gzip.decompress(handle.read())).hexdigest() == report.digest
        )
