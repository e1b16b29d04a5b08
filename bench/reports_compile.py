"""Benchmark: compiling a disclosure report of a big production, against the database's limits.

    DATABASE_URL=postgres:///studio_tracker_bench .venv/bin/python bench/reports_compile.py

Loads `seed_demo --shots 50000` (150,000 usage entries) into that database if it is not there
yet, then times each step of a compile (snapshot, rules, canonical JSON and digest, summary,
CSV, storing the findings) and the whole compile, and beside them the raw limits on the same
rows: one psycopg query fetching them, one GROUPING SETS aggregate, one COPY … TO STDOUT CSV.
Prints each figure with its limit and the ratio. Needs PostgreSQL (the limits are PostgreSQL's).
"""

import argparse
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"compile": 3.0, "summary": 2.5, "csv": 2.0}


def setup(shots: int):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its raw limits are the yardstick).")
    call_command("migrate", verbosity=0, interactive=False)
    from studio_tracker.productions.models import Production

    feature = Production.objects.filter(title="The Long Night").first()
    if feature is None or feature.shots.count() < shots:
        print(f"Loading seed_demo --shots {shots} (once)…", flush=True)
        call_command("seed_demo", "--shots", str(shots), stdout=io.StringIO())
        feature = Production.objects.get(title="The Long Night")
    return feature


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def raw_limits(production_id: int) -> dict[str, float]:
    from django.db import connection

    columns = (
        "id, shot_id, episode_id, department, category, modality, tool_id, tool_version, "
        "generation_kind, disposition, description, human_contribution, replica_kind, "
        "iptc_source_type, used_on, operator, vendor, input_sources, external_ref"
    )
    limits = {}
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"SELECT {columns} FROM usage_usageentry WHERE production_id = %s ORDER BY id",
            [production_id],
        )
        cursor.fetchall()
        limits["fetch"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "SELECT department, category, disposition, tool_id, count(*) FROM usage_usageentry "
            "WHERE production_id = %s GROUP BY GROUPING SETS "
            "((department), (category), (disposition), (tool_id))",
            [production_id],
        )
        cursor.fetchall()
        limits["aggregate"] = time.perf_counter() - started
        raw = cursor.connection  # psycopg 3
        started = time.perf_counter()
        sink = io.BytesIO()
        with raw.cursor().copy(
            f"COPY (SELECT {columns} FROM usage_usageentry"
            f" WHERE production_id = {int(production_id)} ORDER BY id) TO STDOUT WITH CSV HEADER"
        ) as copy:
            for block in copy:
                sink.write(block)
        limits["copy"] = time.perf_counter() - started
    return limits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=50_000)
    args = parser.parse_args()
    production = setup(args.shots)
    from django.contrib.auth import get_user_model

    from studio_tracker.lib.canonical import canonical_json, sha256_digest
    from studio_tracker.reports import compiler, findings
    from studio_tracker.reports.models import Report

    actor = get_user_model().objects.get(username="pat")
    limits = raw_limits(production.pk)

    report = compiler.request_compile(actor=actor, production=production)
    (snapshot, _), t_snapshot = timed(compiler.build_snapshot, report)
    data, t_json = timed(canonical_json, snapshot)
    digest, t_digest = timed(sha256_digest, data)
    found, t_rules = timed(findings.run_rules, json.loads(data))
    _, t_summary = timed(compiler.summarize, snapshot, found)
    _, t_csv = timed(compiler.register_csv, snapshot, digest)
    Report.objects.filter(pk=report.pk).delete()

    report = compiler.request_compile(actor=actor, production=production)
    ok, t_compile = timed(compiler.compile_report, report.pk)
    report.refresh_from_db()
    assert ok and report.status == "compiled", report.error
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    entries = len(snapshot["entries"])
    print(f"\nCompile of {production.title}: {entries:,} entries, {len(found):,} findings\n")
    print(f"{'step':<34}{'seconds':>9}{'limit':>9}{'ratio':>8}  target")
    rows = [
        ("snapshot (ORM values)", t_snapshot, limits["fetch"], None),
        ("canonical JSON + digest", t_json + t_digest, None, None),
        ("rules", t_rules, None, None),
        ("summary counts", t_summary, limits["aggregate"], TARGETS["summary"]),
        ("CSV register", t_csv, limits["copy"], TARGETS["csv"]),
        ("compile end to end (stored)", t_compile, limits["fetch"], TARGETS["compile"]),
    ]
    for label, seconds, limit, target in rows:
        ratio = f"{seconds / limit:>7.1f}x" if limit else f"{'':>8}"
        limit_text = f"{limit:>9.2f}" if limit else f"{'':>9}"
        goal = f"≤ {target}x" if target else ""
        print(f"{label:<34}{seconds:>9.2f}{limit_text}{ratio}  {goal}")
    print(
        f"\nraw limits: fetch {limits['fetch']:.2f} s, GROUPING SETS {limits['aggregate']:.2f} s,"
        f" COPY CSV {limits['copy']:.2f} s; peak memory {peak_mb:,.0f} MB (target < 1,024)"
    )


if __name__ == "__main__":
    main()
