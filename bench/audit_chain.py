"""Benchmark: do audit writes slow down as the chain grows, and how long does verify take?

    .venv/bin/python bench/audit_chain.py

Records 1,000 and then 5,000 more events to one organisation, each in its own transaction as a
domain write would, and prints a table. Without DATABASE_URL it uses a throwaway SQLite file in a
temporary directory. With DATABASE_URL set it writes to that database, under an organisation id
no chain uses yet; those events stay there for good, since the log is append-only.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = (1_000, 5_000)
WINDOW = 100  # events timed at the start and at the end of each run


def setup_django(scratch: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("VAR_DIR", str(scratch / "var"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def unused_organization_id() -> int:
    from django.db.models import Max

    from studio_tracker.audit.models import AuditEvent, ChainHead

    highest = max(
        ChainHead.objects.aggregate(top=Max("organization_id"))["top"] or 0,
        AuditEvent.objects.aggregate(top=Max("organization_id"))["top"] or 0,
    )
    return highest + 1


def record_events(organization_id: int, count: int) -> list[float]:
    """Record ``count`` events, each committed on its own; return each one's duration."""
    from django.db import transaction

    from studio_tracker.audit import trail

    durations = []
    for number in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            trail.record(
                actor=None,
                action="shot.updated",
                organization_id=organization_id,
                target_type="shot",
                target_id=number,
                target_label=f"SH{number:05d}",
                changes={"frame_in": [1001, 1001 + number]},
            )
        durations.append(time.perf_counter() - started)
    return durations


def time_verify(organization_id: int) -> tuple[float, int]:
    from studio_tracker.audit import trail

    started = time.perf_counter()
    problems = trail.verify_chain(organization_id)
    return time.perf_counter() - started, len(problems)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as scratch:
        setup_django(Path(scratch))
        from django.db import connection

        organization_id = unused_organization_id()
        print(f"database: {connection.vendor}, organisation {organization_id}\n")
        header = (
            f"{'events':>7} {'chain':>7} {'total s':>8} {'events/s':>9} "
            f"{'first 100 ms':>13} {'last 100 ms':>12} {'verify s':>9} {'problems':>9}"
        )
        print(header)
        print("-" * len(header))
        chain_length = 0
        for count in RUNS:
            durations = record_events(organization_id, count)
            chain_length += count
            total = sum(durations)
            verify_seconds, problems = time_verify(organization_id)
            print(
                f"{count:>7,} {chain_length:>7,} {total:>8.2f} {count / total:>9,.0f} "
                f"{sum(durations[:WINDOW]) * 1000:>13.1f} {sum(durations[-WINDOW:]) * 1000:>12.1f} "
                f"{verify_seconds:>9.2f} {problems:>9}"
            )
        print("\n'chain' is the chain's length after the run; verify walks all of it.")
        connection.close()


if __name__ == "__main__":
    main()
