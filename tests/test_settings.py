"""Settings come from the environment and refuse to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(
    args: list[str], env_overrides: dict[str, str], tmp_path
) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    env.update({"VAR_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_django(["manage.py", "check"], {"DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_a_debug_value_it_cannot_read(tmp_path):
    result = run_django(["manage.py", "check"], {"DEBUG": "maybe"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x7!kq" * 12,
        "ALLOWED_HOSTS": "tracker.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://tracker.example.com",
    }
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ci_runs_the_suite_on_postgresql():
    from django.db import connection

    from tests.conftest import IN_CI, require

    if IN_CI:
        assert connection.vendor == "postgresql"
    require(
        connection.vendor == "postgresql", "DATABASE_URL is not PostgreSQL: the suite ran on SQLite"
    )
