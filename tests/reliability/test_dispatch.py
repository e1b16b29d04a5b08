"""What the chaos run found in dispatching and sweeping, each pinned by a test of its own."""

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from studio_tracker.celery import app
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Rendering, Report
from tests.cast import build_cast
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    database = connection.settings_dict
    host = database.get("HOST") or ""
    if host:
        user = database.get("USER") or ""
        return f"postgres://{user}@{host}:{database.get('PORT') or 5432}/{database['NAME']}"
    return f"postgres:///{database['NAME']}"


REQUEST = """
import time, django
django.setup()
from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler
from django.contrib.auth import get_user_model
production = Production.objects.get(title="The Long Night")
pat = get_user_model().objects.get(username="pat")
started = time.monotonic()
report = compiler.request_compile(actor=pat, production=production)
print(report.pk, round(time.monotonic() - started, 2))
"""


def test_a_request_while_redis_is_down_answers_at_once_and_is_stored_queued(settings, tmp_path):
    """Found by bench/chaos.py: with Redis as broker *and result backend*, sending a task
    subscribed to its result first, and that retried the dead Redis for 20 s before the
    request could answer. The Report row is the result: nothing subscribes now."""
    require(connection.vendor == "postgresql", "the request runs in a process of its own")
    build_cast()
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_DIR"}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",  # a Redis that is down
            "MEDIA_ROOT": str(tmp_path),
            "VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "studio_tracker.settings",
        }
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", REQUEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report_id, seconds = done.stdout.split()
    # Before the fix it hung for about 20 s (twenty 1 s retries to subscribe for a result).
    assert float(seconds) < 10, f"request_compile took {seconds} s with Redis down"
    assert time.monotonic() - started < 60
    report = Report.objects.get(pk=int(report_id))
    assert (report.status, report.dispatched_at) == ("queued", None)  # the sweeper sends it


def test_the_sweeper_renders_a_missing_pdf_once_per_deadline(settings, tmp_path):
    """A worker killed between storing the HTML and the PDF left a report without its PDF
    for good: the sweeper looked only for a missing HTML."""
    settings.MEDIA_ROOT = tmp_path
    app.control.purge()
    cast = build_cast()
    report = Report.objects.create(production=cast.production_a, version=1, requested_by=cast.pat)
    assert compiler.compile_report(report.pk)
    compiler.render_files(report.pk)
    Rendering.objects.filter(report=report, format=Rendering.Format.PDF).delete()
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(compiled_at=an_hour_ago, dispatched_at=an_hour_ago)
    try:
        assert compiler.sweep()["rendering"] == 1
        # Sent: not again before the deadline, though the PDF is still missing. (Every sweep
        # used to re-send every rendering waiting in a backlog.)
        assert compiler.sweep()["rendering"] == 0
        assert compiler.render_files(report.pk) == ["pdf"]  # what the dispatched task does
        Report.objects.filter(pk=report.pk).update(dispatched_at=an_hour_ago)
        assert compiler.sweep()["rendering"] == 0  # nothing missing now
    finally:
        app.control.purge()


def test_the_sweeper_has_a_queue_of_its_own_that_a_plain_worker_takes_from(settings, tmp_path):
    """Found by bench/chaos.py: on the main queue, behind a backlog of PDF renderings, beat's
    sweeps expired unrun (5 of about 190 ran), so a message lost with Redis waited for the whole
    backlog. A worker started without -Q (as `make run` and the README start them) takes from
    both queues."""
    settings.MEDIA_ROOT = tmp_path
    app.control.purge()
    cast = build_cast()
    report = Report.objects.create(production=cast.production_a, version=1, requested_by=cast.pat)
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-reports"]
    queue_of = {
        task: app.amqp.router.route({}, task)["queue"].name
        for task in (entry["task"], compiler.COMPILE_TASK, compiler.RENDER_TASK)
    }
    assert queue_of == {
        entry["task"]: settings.CELERY_SWEEP_QUEUE,
        compiler.COMPILE_TASK: settings.CELERY_QUEUE,
        compiler.RENDER_TASK: settings.CELERY_QUEUE,
    }
    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        app.send_task(entry["task"], **entry["options"])  # what beat sends
        deadline = time.monotonic() + 90
        while Rendering.objects.filter(report=report).count() < 4:
            assert time.monotonic() < deadline, Report.objects.get(pk=report.pk).status
            time.sleep(0.2)
    assert Report.objects.get(pk=report.pk).status == "compiled"
    app.control.purge()
