"""Benchmark: preview + apply of a 50,000-event EDL, a 50,000-row shot CSV and a 150,000-row
usage CSV, each beside PostgreSQL's COPY of the same rows (the floor no import can beat).

    DATABASE_URL=postgres:///studio_tracker .venv/bin/python bench/imports.py

Without DATABASE_URL it uses a throwaway SQLite file (no COPY column then). Each run creates its
own organisation and production, which stay in that database.
"""

import datetime
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = 50_000
USES = 150_000
LIMIT_S = 10.0


def setup_django(scratch: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("VAR_DIR", str(scratch / "var"))
    os.environ.setdefault("IMPORT_MAX_BYTES", str(200 * 1024 * 1024))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def code(i: int) -> str:
    return f"EP{101 + i // 25_000}_SQ{(i // 100) % 250:03d}_SH{i % 100_000:05d}"


def edl_bytes() -> bytes:
    from opentimelineio.opentime import RationalTime, to_timecode

    lines, record = ["TITLE: BENCH", "FCM: NON-DROP FRAME", ""], 86_400
    for i in range(SHOTS):
        length = 24 + i % 48
        source = 2 * 86_400 + i * 100

        def tc(frames):
            return to_timecode(RationalTime(frames, 24), 24)

        lines.append(
            f"{i % 999 + 1:03d}  A{i % 900:03d}C001 V     C        {tc(source)} "
            f"{tc(source + length)} {tc(record)} {tc(record + length)}"
        )
        lines.append(f"* FROM CLIP NAME:  {code(i)}")
        if i % 1000 == 0:
            lines.append(f"* LOC: {tc(record)} RED     GENAI sky")
        record += length
    return ("\n".join(lines) + "\n").encode()


def csv_bytes() -> bytes:
    rows = ["Shot,Frame In,Frame Out,Description,Vendor"]
    rows += [f"{code(i)},1001,{1001 + 24 + i % 48},Shot {i},Vendor {i % 7}" for i in range(SHOTS)]
    return ("\r\n".join(rows) + "\r\n").encode()


def usage_bytes(shot_codes) -> bytes:
    rows = ["Shot,Department,Category,Tool,Disposition,Description,External ref,Used on"]
    rows += [
        f"{shot_codes[i % len(shot_codes)]},vfx,roto_cleanup_paint,BenchTool,final_background,"
        f"Use {i},BENCH-{i},2025-03-01"
        for i in range(USES)
    ]
    return ("\n".join(rows) + "\n").encode()


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def copy_seconds(table: str, columns: list[str], rows: list[tuple]) -> float | None:
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        # The same table shape, identity and indexes: what a bulk insert costs at least.
        cursor.execute(
            f"CREATE TEMP TABLE bench_copy (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING INDEXES) ON COMMIT DROP"
        )
        now = datetime.datetime.now(datetime.UTC)
        start = time.perf_counter()
        names = ", ".join([*columns, "created_at", "updated_at"])
        with cursor.copy(f"COPY bench_copy ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, now, now))
        return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        setup_django(Path(scratch))
        from studio_tracker.imports import flow
        from studio_tracker.productions import changes
        from studio_tracker.productions.models import Organization, Shot
        from studio_tracker.usage import tools

        tag = uuid.uuid4().hex[:8]
        organization = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        table = []

        def run(label, production, data, name, kind, copy_table, copy_cols, copy_rows):
            record, seconds = timed(
                lambda: flow.start(
                    actor=None,
                    production=production,
                    upload=Upload(data, name),
                    kind=kind,
                    dry_run=False,
                )
            )
            assert record.status == "applied", record.failure
            copy = copy_seconds(copy_table, copy_cols, copy_rows)
            table.append((label, record.created, seconds, copy))
            return record

        edl_production = changes.create_production(
            actor=None, organization=organization, title=f"EDL {tag}"
        )
        rows = [
            (edl_production.pk, code(i), "", "", "", "", "", "", "", False) for i in range(SHOTS)
        ]
        cols = [
            "production_id",
            "code",
            "description",
            "record_in",
            "record_out",
            "source_in",
            "source_out",
            "reel",
            "vendor",
            "locked_for_final",
        ]
        run(
            f"EDL, {SHOTS:,} events",
            edl_production,
            edl_bytes(),
            "bench.edl",
            "shots",
            "productions_shot",
            cols,
            rows,
        )
        csv_production = changes.create_production(
            actor=None, organization=organization, title=f"CSV {tag}"
        )
        run(
            f"shot CSV, {SHOTS:,} rows",
            csv_production,
            csv_bytes(),
            "bench.csv",
            "shots",
            "productions_shot",
            cols,
            rows,
        )
        tool = tools.add_tool(
            actor=None,
            organization=organization,
            name="BenchTool",
            vendor="Bench",
            modalities=["video"],
            kind="generative",
        )
        shot_rows = list(Shot.objects.filter(production=csv_production).values_list("code", "pk"))
        shot_codes = [c for c, _ in shot_rows]
        usage_copy = [
            (
                csv_production.pk,
                shot_rows[i % len(shot_rows)][1],
                "vfx",
                "roto_cleanup_paint",
                "video",
                tool.pk,
                "",
                "generative",
                "final_background",
                f"Use {i}",
                "",
                "",
                "photoreal",
                "none",
                False,
                "",
                False,
                False,
                False,
                False,
                "",
                "compositeWithTrainedAlgorithmicMedia",
                False,
                "2025-03-01",
                "",
                "",
                "[]",
                "",
                f"BENCH-{i}",
            )
            for i in range(USES)
        ]
        usage_cols = [
            "production_id",
            "shot_id",
            "department",
            "category",
            "modality",
            "tool_id",
            "tool_version",
            "generation_kind",
            "disposition",
            "description",
            "human_contribution",
            "language",
            "realism",
            "replica_kind",
            "performance_altered",
            "alteration_purpose",
            "synthetic_replaces_performer",
            "depicts_real_person",
            "prompt_names_performer",
            "prompt_uses_facial_feature",
            "operator",
            "iptc_source_type",
            "iptc_source_type_overridden",
            "used_on",
            "vendor",
            "prompt_text",
            "input_sources",
            "tool_version",
            "external_ref",
        ]
        usage_cols[27] = "depicts_real_place_or_event"
        usage_copy = [(*r[:27], False, *r[28:]) for r in usage_copy]
        run(
            f"usage CSV, {USES:,} rows",
            csv_production,
            usage_bytes(shot_codes),
            "usage.csv",
            "usage",
            "usage_usageentry",
            usage_cols,
            usage_copy,
        )

        from django.db import connection

        print(f"\nImports on {connection.vendor} (limit {LIMIT_S:g} s for preview + apply)\n")
        print(f"{'file':<24} {'created':>9} {'preview+apply':>14} {'COPY':>8}  verdict")
        for label, created, seconds, copy in table:
            copy_text = f"{copy:.2f} s" if copy is not None else "—"
            verdict = "ok" if seconds <= LIMIT_S else "TOO SLOW"
            print(f"{label:<24} {created:>9,} {seconds:>12.2f} s {copy_text:>8}  {verdict}")


if __name__ == "__main__":
    main()
