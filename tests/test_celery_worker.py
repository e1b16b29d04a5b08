"""Tasks go through a real broker to a real worker: Redis in CI, the file-system broker on a laptop."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from studio_tracker.celery import app, ping
from tests.conftest import IN_CI, require

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_a_real_worker_on_the_configured_broker():
    app.control.purge()  # messages other tests left behind are not this test's business
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        assert ping.delay("hello from the web").get(timeout=30) == "hello from the web"


def test_ci_runs_the_worker_on_redis():
    if IN_CI:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    require(
        bool(settings.REDIS_URL),
        "REDIS_URL is not set: the worker test above ran on the file-system broker",
    )
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > settings.CELERY_TASK_TIME_LIMIT
    )
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == "studio_tracker:"


def test_a_task_round_trips_through_a_worker_process_on_the_file_system_broker(tmp_path):
    """What `make run` does: no Redis anywhere, a real `celery worker` process on var/broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_DIR"}
    }
    env.update(
        {
            "VAR_DIR": str(tmp_path),
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "studio_tracker",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        sender = subprocess.run(
            [
                sys.executable,
                "-c",
                "from studio_tracker.celery import ping; print(ping.delay('through the folder').get(timeout=60))",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert sender.stdout.strip() == "through the folder", sender.stderr
        assert (tmp_path / "broker" / "queue").is_dir()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
