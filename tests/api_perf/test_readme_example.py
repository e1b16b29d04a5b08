"""The README's worked API example, run exactly as written, so it cannot rot.

The block between ``<!-- api-example:start -->`` and ``<!-- api-example:end -->`` runs in bash
against a live server holding the demo data, with a real Celery worker compiling the report it
asks for; then what it printed is checked line by line, and what it wrote is checked in the
database.
"""

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from studio_tracker.celery import app
from studio_tracker.productions.models import Production
from studio_tracker.reports.models import Report
from studio_tracker.usage.models import UsageEntry
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(
    r"<!-- api-example:start -->\n```sh\n(?P<script>.*?)\n```\n<!-- api-example:end -->", re.S
)
pytestmark = pytest.mark.django_db(transaction=True)


def readme_example() -> str:
    found = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md lost its API example block (or its markers)"
    return found["script"]


def printed_json(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_the_readme_api_example_runs_as_written(live_server, settings, tmp_path):
    tools = ("bash", "curl", "jq", "sha256sum")
    require(
        all(shutil.which(tool) for tool in tools), "the README example needs " + ", ".join(tools)
    )
    app.control.purge()  # the worker here must see only this test's messages
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    film = Production.objects.get(title="The Long Night")

    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", readme_example()],
            cwd=ROOT,
            env={**os.environ, "BASE": live_server.url},
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    printed = printed_json(lines)

    shots = next(p for p in printed if "next" in p)["results"]
    assert [s["code"] for s in shots] == ["LN_SQ010_SH0010", "LN_SQ010_SH0020", "LN_SQ010_SH0030"]
    logged = next(p for p in printed if p.get("category") == "roto_cleanup_paint")
    entry = UsageEntry.objects.get(pk=logged["id"])
    assert (entry.production, entry.shot.code, entry.created_by.username) == (
        film,
        "LN_SQ010_SH0020",
        "pat",
    )

    preview = next(p for p in printed if p.get("status") == "previewed")
    assert preview["errors"] == [24, 26, 28]
    assert {"status": "applied", "created": preview["created"], "updated": preview["updated"]} in (
        printed
    )

    compiled = next(p for p in printed if p.get("status") == "compiled")
    report = Report.objects.get(production=film, version=compiled["version"])
    assert (report.status, report.digest, compiled["version"]) == (
        "compiled",
        compiled["digest"],
        2,
    )
    # The JSON download's SHA-256, printed by sha256sum right after, is the digest.
    after = next(i for i, line in enumerate(lines) if '"status":"compiled"' in line) + 1
    download_hash = lines[after]
    assert "sha256:" + download_hash.split()[0] == compiled["digest"]

    # The credit block: hashed here, then the stored hash, then the server's verdicts.
    hex_lines = [line.split()[0] for line in lines if re.fullmatch(r"[0-9a-f]{64}(\s.*)?", line)]
    computed, stored = hex_lines[-2:]
    assert computed == stored
    verdict, tampered = printed[-2:]
    assert verdict["matches"] is True and verdict["sha256"] == computed
    assert (verdict["production"], verdict["version"]) == ("The Long Night", 1)
    assert tampered == {"matches": False}
