"""Benchmark: the production dashboard and the studio overview on the 150,000-entry production.

    DATABASE_URL=postgres:///st_bench_dash .venv/bin/python bench/dashboard.py [--runs 15]

Loads `seed_demo --shots 50000` (50,000 shots, about 150,000 usage entries) into that database if
it is not there yet, and compiles one report of it so the dashboard has findings to count (both
kept for reruns). Then renders each page through the whole stack in-process (Django's test
client: session, access, figures, templates), cold (the figures cache emptied: the first look
after a change) and warm (the figures cached under the production's change counter), and prints
the median and slowest of N renders with the number of queries of each page, beside the same
pages on the demo's series (a few dozen entries): the query counts must match, whatever the
size. Target: < 500 ms.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 500


def setup(shots: int):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    # The process's own cache: the cold runs empty it, which must not touch a shared one.
    os.environ["CACHE_URL"] = ""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. postgres:///st_bench_dash).")
    call_command("migrate", verbosity=0, interactive=False)
    from studio_tracker.productions.models import Production

    feature = Production.objects.filter(title="The Long Night").first()
    if feature is None or feature.shots.count() < shots:
        print(f"Loading seed_demo --shots {shots} (once)…", flush=True)
        call_command("seed_demo", "--shots", str(shots), stdout=io.StringIO())
        feature = Production.objects.get(title="The Long Night")
    if not feature.reports.filter(status="compiled").exists():
        print("Compiling one report of it (once)…", flush=True)
        from django.contrib.auth import get_user_model

        from studio_tracker.reports import compiler

        report = compiler.request_compile(
            actor=get_user_model().objects.get(username="pat"), production=feature
        )
        compiler.compile_report(report.pk)
    return feature


def measure(client, url: str, runs: int, *, cold: bool) -> tuple[list[float], int, int]:
    """Milliseconds of each of `runs` renders, the queries of one render and its status. Cold:
    the figures cache is emptied before each render (the first look after a change); warm: the
    figures come from the cache (a second look, nothing changed)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # templates compiled, connection open, cache filled
    timings = []
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return timings, len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    feature = setup(args.shots)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from studio_tracker.productions.models import Production
    from studio_tracker.usage.models import UsageEntry

    series = Production.objects.get(title="Harbour Lights")
    users = get_user_model().objects
    pages = [
        ("dashboard, producer", "pat", feature),
        ("dashboard, compliance admin", "cam", feature),
        ("dashboard, small production", "cam", series),
        ("studio overview", "cam", None),
    ]
    print(
        f"\n{feature.title}: {feature.shots.count():,} shots, "
        f"{UsageEntry.objects.filter(production=feature).count():,} usage entries; "
        f"{series.title}: {UsageEntry.objects.filter(production=series).count():,} entries\n"
    )
    print(f"{'page':<32}{'cache':>6}{'median ms':>10}{'max ms':>9}{'queries':>9}  target")
    for label, username, production in pages:
        client = Client()
        client.force_login(users.get(username=username))
        url = f"/productions/{production.pk}/" if production else "/studio/"
        for cold in (True, False):
            timings, queries, status = measure(client, url, args.runs, cold=cold)
            assert status == 200, f"{url} answered {status}"
            median = statistics.median(timings)
            verdict = "ok" if median < TARGET_MS else "SLOW"
            print(
                f"{label:<32}{'cold' if cold else 'warm':>6}{median:>10.0f}{max(timings):>9.0f}"
                f"{queries:>9}  < {TARGET_MS} ms {verdict}"
            )
    print(
        f"\n{args.runs} renders each through the test client (session, access, templates);"
        " cold = figures cache emptied first, warm = figures cached under the change counter."
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
