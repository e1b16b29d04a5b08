"""The long fuzz run of the importers (issue 11): thousands of hostile and broken files per format.

    .venv/bin/python bench/fuzz_importers.py                          # 10,000 per reader
    .venv/bin/python bench/fuzz_importers.py --examples 500 --formats csv,edl
    DATABASE_URL=postgres:///st_bench .venv/bin/python bench/fuzz_importers.py --path 2000

The strategies and the promise checked are those of tests/imports/test_fuzz_readers.py (which
CI runs with a bounded number of examples): each file imports or is answered with line-numbered
errors, never raises, stays under 5 s and 200 MB; with ``--path`` each file also goes through the
whole import (preview, then apply, as a coordinator) on a throwaway test database
(``test_<name>`` of DATABASE_URL, kept between runs) inside a transaction rolled back at the end,
and a preview, a refusal or a failed apply must write nothing.

Unlike the tests, a failing example does not stop the run: it is counted, and the first few of
each kind are printed at the end (with the bytes, base64) to turn into regression tests.
"""

import argparse
import base64
import os
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

READER_FORMATS = ("csv", "edl", "fcp7xml", "otio")
PATH_FORMATS = ("csv", "edl", "fcp7xml", "otio", "usage")


class Tally:
    interrupted = False

    def __init__(self, name: str):
        self.name = name
        self.tried = 0
        self.outcomes: Counter = Counter()
        self.failures: list[tuple[str, bytes]] = []
        self.max_seconds = 0.0
        self.max_peak = 0
        self.started = time.perf_counter()

    def took(self, measured) -> None:
        self.max_seconds = max(self.max_seconds, measured.seconds)
        self.max_peak = max(self.max_peak, measured.peak)

    def failed(self, data: bytes) -> None:
        trace = traceback.format_exc(limit=-3)
        self.failures.append((trace, data))
        last = trace.strip().splitlines()[-1]
        print(f"  {self.name}: FAILED {last[:200]}", file=sys.stderr, flush=True)
        if len(self.failures) <= 20:
            print(f"  input (base64): {base64.b64encode(data[:600]).decode()}", file=sys.stderr)


def run(tally: Tally, strategy, check, examples: int, seed: int) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    @with_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # a failure is counted, not shrunk: the run goes on
        suppress_health_check=list(HealthCheck),
    )
    @given(data=strategy)
    def one(data):
        tally.tried += 1
        if tally.tried % 500 == 0:
            print(
                f"  {tally.name}: {tally.tried:,} tried, {len(tally.failures)} failed, "
                f"{time.perf_counter() - tally.started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        try:
            outcome, measured = check(data)
        except Exception:
            tally.failed(data)
            return
        tally.outcomes[outcome] += 1
        tally.took(measured)

    try:
        one()
    except KeyboardInterrupt:  # Ctrl-C (or SIGINT): report what was tried so far
        tally.interrupted = True


def reader_check(fmt: str):
    from tests.imports.test_fuzz_readers import NAMINGS, RATES, check_read

    pick = random.Random(fmt)

    def check(data):
        return check_read(fmt, data, pick.choice(RATES), pick.choice(NAMINGS))

    return check


def path_tallies(formats, examples: int, seed: int) -> list[Tally]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.test.utils import setup_databases

    from tests.cast import build_cast
    from tests.imports.test_fuzz_readers import check_path, inputs, prepare_production

    setup_databases(verbosity=0, interactive=False, keepdb=True)
    tallies = []
    with transaction.atomic():
        cast = build_cast()
        for fmt in formats:
            production = prepare_production(cast, fmt)
            tally = Tally(f"{fmt} (preview+apply)")
            run(
                tally,
                inputs(fmt),
                lambda data, production=production, fmt=fmt: check_path(
                    cast.cora, production, fmt, data
                ),
                examples,
                seed,
            )
            tally.seconds = time.perf_counter() - tally.started
            tallies.append(tally)
            print_table([tally], header=not tallies[:-1])
            if tally.interrupted:
                break
        transaction.set_rollback(True)
    return tallies


def print_table(tallies, header=True) -> None:
    if header:
        print(
            f"{'format':<26} {'examples':>8} {'imported':>8} {'refused':>8} {'failures':>8} "
            f"{'max s/file':>10} {'max peak MB':>11} {'run s':>7}",
            flush=True,
        )
    for t in tallies:
        imported = t.outcomes["read"] + t.outcomes["applied"]
        name = t.name + (" (stopped)" if t.interrupted else "")
        print(
            f"{name:<26} {t.tried:>8,} {imported:>8,} {t.outcomes['refused']:>8,} "
            f"{len(t.failures):>8,} {t.max_seconds:>10.2f} {t.max_peak / 1e6:>11.1f} "
            f"{getattr(t, 'seconds', 0):>7.0f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--examples", type=int, default=10_000, help="per reader format (0: the path only)"
    )
    parser.add_argument("--formats", default=",".join(READER_FORMATS))
    parser.add_argument(
        "--path", type=int, default=0, metavar="N", help="also N files per format end to end"
    )
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    from tests.imports.test_fuzz_readers import inputs

    print(f"seed {args.seed}", flush=True)
    tallies = []
    for fmt in [f for f in args.formats.split(",") if f in READER_FORMATS and args.examples]:
        tally = Tally(fmt)
        run(tally, inputs(fmt), reader_check(fmt), args.examples, args.seed)
        tally.seconds = time.perf_counter() - tally.started
        tallies.append(tally)
        print_table([tally], header=len(tallies) == 1)
        if tally.interrupted:
            break
    if args.path and not any(t.interrupted for t in tallies):
        formats = [f for f in args.formats.split(",") if f in PATH_FORMATS]
        if "usage" not in formats and args.formats == ",".join(READER_FORMATS):
            formats.append("usage")
        tallies += path_tallies(formats, args.path, args.seed)
    print()
    print_table(tallies)
    failures = [(t.name, f) for t in tallies for f in t.failures]
    kinds: dict[str, int] = {}
    for name, (trace, data) in failures:
        last = trace.strip().splitlines()[-1]
        kinds[f"{name}: {last}"] = kinds.get(f"{name}: {last}", 0) + 1
        if kinds[f"{name}: {last}"] <= 2:
            print(f"\n--- {name}: {last[:300]}\n{trace[-1500:]}")
            print(
                "input (base64):", base64.b64encode(data[:2000]).decode(), "…" * (len(data) > 2000)
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
