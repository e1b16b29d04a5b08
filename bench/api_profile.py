"""Profile the usage-entry list and create in-process: CPU ms and queries per request.

    .venv/bin/python bench/api_profile.py [--requests 200] [--profile plain|list|create]
        [--top 40] [--dump FILE]

Runs on the database bench/api_throughput.py builds and keeps (``st_bench_api``; run that once
first), through Django's test client with a token (the plain view beside it without one), so
no server or network is involved. CPU time is this process's alone (the PostgreSQL backend is
not counted): less sensitive to other load on the machine than req/s, though not immune.
``--profile`` prints cProfile's top functions (CPU time) for one of the three, and the number
of Python function calls per request, which does not depend on the load at all.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import api_throughput as throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="st_bench_api")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", choices=["plain", "list", "create"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="also write the profile's stats to this file")
    parser.add_argument("--user", default="pat")
    args = parser.parse_args()

    var_dir = throughput.ROOT / "var" / "bench_api"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(throughput.server_environment(args.database, var_dir))
    os.environ["DEBUG"] = "true"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from studio_tracker.productions.models import Production, Shot
    from studio_tracker.usage.models import Tool

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    production = Production.objects.get(title="The Long Night")
    throughput.delete_created()
    rng = random.Random(8)
    starts, _ = throughput.page_starts(production, 50, rng)
    token = throughput.bench_token(args.user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    tool = Tool.objects.filter(organization=production.organization, status="approved").first()
    shot_ids = list(Shot.objects.filter(production=production).values_list("id", flat=True)[:5000])

    def list_once(i: int):
        query = {"production": production.pk, "page_size": throughput.PAGE}
        if starts[i % len(starts)]:
            query["cursor"] = throughput.api_cursor(starts[i % len(starts)])
        response = client.get("/api/v1/usage-entries/", query)
        assert response.status_code == 200, response.content[:300]

    plain = Client()

    def plain_once(i: int):
        path = f"/bench/plain-entries/?production={production.pk}&after={starts[i % len(starts)]}"
        response = plain.get(path)
        assert response.status_code == 200, response.content[:300]

    def create_once(i: int):
        body = {
            "production": production.pk,
            "shot": shot_ids[i % len(shot_ids)],
            "department": "vfx",
            "category": "roto_cleanup_paint",
            "modality": "video",
            "tool": tool.pk,
            "disposition": "final_key",
            "description": "Wire removal",
            "used_on": "2026-03-02",
            "external_ref": throughput.CREATED_MARK,
        }
        response = client.post(
            "/api/v1/usage-entries/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]

    try:
        for name, once in (("plain", plain_once), ("list", list_once), ("create", create_once)):
            for i in range(20):  # warm up
                once(i)
            queries = []

            def log_query(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(log_query):
                once(0)
            profiler = cProfile.Profile(time.process_time) if args.profile == name else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for i in range(args.requests):
                once(i)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"{name:<8}{cpu * 1000 / args.requests:8.2f} CPU ms/req (python)"
                f"{wall * 1000 / args.requests:8.2f} wall ms/req{len(queries):4d} queries"
                + (" (profiled)" if profiler else "")
            )
            if os.environ.get("SHOW_QUERIES"):
                for sql in queries:
                    print("   ", sql[:300])
            if profiler:
                calls = pstats.Stats(profiler).total_calls / args.requests
                print(f"{name:<8}{calls:8.0f} Python function calls/req")
            if profiler and args.dump:
                profiler.dump_stats(args.dump)
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    finally:
        throughput.delete_created()
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
