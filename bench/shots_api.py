"""Benchmark: creating 1,000 shots one API request at a time must not slow down as they pile up.

    .venv/bin/python bench/shots_api.py [--shots 1000]

Each request goes through the whole stack in-process (Django's test client: authentication,
access check, validation, the domain function, the change counter and the audit chain). Prints
the time per request for each block of 100, so a slowdown as the production and the audit chain
grow would show as a rising column. Without DATABASE_URL it uses a throwaway SQLite file; with
it, a PostgreSQL database you name (its audit events stay: the log is append-only).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(scratch: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("VAR_DIR", str(scratch / "var"))
    os.environ["API_THROTTLE"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _counting(queries: list[str]):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def run(total: int) -> list[tuple[int, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.test import APIClient

    from studio_tracker.productions import changes, people
    from studio_tracker.productions.models import Membership, Organization

    stamp = str(time.time_ns())
    organization = Organization.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    production = changes.create_production(actor=None, organization=organization, title="Bench")
    user = get_user_model().objects.create_user(f"bench-{stamp}")
    people.add_membership(
        actor=None, user=user, role=Membership.Role.COORDINATOR, production=production
    )
    client = APIClient()
    client.force_authenticate(user)
    rows = []
    for block in range(total // 100):
        timings = []
        for index in range(block * 100, block * 100 + 100):
            started = time.perf_counter()
            queries: list[str] = []
            with connection.execute_wrapper(_counting(queries)):
                response = client.post(
                    "/api/v1/shots/",
                    {"production": production.pk, "code": f"BN_SQ010_SH{index:05d}"},
                    format="json",
                )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 201, response.content
        rows.append(
            (
                block * 100 + 100,
                statistics.mean(timings) * 1000,
                statistics.quantiles(timings, n=20)[18] * 1000,
                len(queries),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        setup_django(Path(scratch))
        from django.db import connection

        rows = run(args.shots)
        print(f"\nPOST /api/v1/shots/ one at a time on {connection.vendor}")
        print(f"{'shots so far':>12}  {'mean ms':>8}  {'p95 ms':>7}  {'queries':>7}")
        for count, mean, p95, queries in rows:
            print(f"{count:>12,}  {mean:>8.2f}  {p95:>7.2f}  {queries:>7}")
        first, last = rows[0][1], rows[-1][1]
        print(f"\nlast block / first block: {last / first:.2f}x (1.00x = no slowdown)")


if __name__ == "__main__":
    main()
