"""The short chaos run (bench/chaos.py --short) passes: 20 compiles through two real workers and
beat while a worker is SIGKILLed and Redis restarts; none lost, duplicated or stuck."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def test_the_short_chaos_run_loses_and_duplicates_nothing():
    database = settings.DATABASES["default"]
    require(
        database["ENGINE"].endswith("postgresql"),
        "the chaos run needs DATABASE_URL to name a PostgreSQL server",
    )
    require(shutil.which("redis-server") is not None, "the chaos run needs redis-server")
    # Its own database on the same server (DATABASE_URL names it, credentials and all), named
    # after this run's test database.
    name = f"{database['NAME']}_chaos"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "bench/chaos.py", "--short", "--database", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    output = done.stdout + done.stderr[-3000:]
    assert done.returncode == 0, output
    table = dict(re.findall(r"^(\S[^\n]*?)\s{2,}(\S+)$", done.stdout, re.MULTILINE))
    assert table["requests"] == "20"
    assert table["compiled (one version each)"] == "20"
    assert (table["lost"], table["duplicates"], table["stuck (queued/compiling)"]) == ("0",) * 3
    assert table["digests verified from stored JSON"] == "20/20"
    assert table["audit log verifies"] == "yes"
