"""The import flow the pages and the API share: upload → preview → apply, and suggestions.

Rights are checked by the callers (``access``); these functions keep the Import record honest:
a file refused as a whole ends ``failed`` with its reason and writes nothing else.
"""

import base64
import gc
import hashlib
import json
import operator
import zlib
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions.models import Production, Shot
from studio_tracker.usage import entries

from . import readers, shotlists, usage_rows
from .models import Import

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class TooLarge(Exception):
    """The upload is over ``IMPORT_MAX_BYTES`` (413)."""


class ApplyInterrupted(StateConflict):
    """The database connection dropped while an import was applied: the transaction rolled back
    (nothing was written) and the import is marked failed with the reason."""


INTERRUPTED = (
    "The database connection was lost while this import was applied, so nothing was applied. "
    "Upload the file again to import it."
)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _reader_options(production: Production) -> dict:
    return {
        "frame_rate": production.frame_rate,
        "naming": readers.Naming(production.shot_code_pattern),
        "keywords": getattr(settings, "IMPORT_AI_KEYWORDS", readers.DEFAULT_AI_KEYWORDS),
        "time_limit": getattr(settings, "IMPORT_TIME_LIMIT", readers.DEFAULT_TIME_LIMIT),
    }


def start(
    *,
    actor,
    production: Production,
    upload,
    kind: str = "shots",
    fmt: str = "",
    dry_run: bool = True,
) -> Import:
    """Read the uploaded file and store the preview (or, with ``dry_run=False``, apply it too).

    Raises ``TooLarge`` for a file over the limit (the failed import is kept).
    """
    record = Import(
        production=production,
        kind=kind,
        format=fmt or "",
        created_by=actor,
        file_name=(getattr(upload, "name", "") or "upload")[:255],
        file_size=getattr(upload, "size", 0) or 0,
    )
    if record.file_size > max_bytes():
        _fail(
            record,
            f"The file is too large ({record.file_size:,} bytes; the limit is {max_bytes():,}).",
        )
        raise TooLarge(record.failure)
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        _fail(record, f"The file is too large (the limit is {max_bytes():,} bytes).")
        raise TooLarge(record.failure)
    record.file_size = len(data)
    record.sha256 = hashlib.sha256(data).hexdigest()
    with _no_gc():
        return _start(
            record, data, actor=actor, production=production, kind=kind, fmt=fmt, dry_run=dry_run
        )


@contextmanager
def _no_gc():
    """No cyclic garbage collection while a big file is read and applied: its hundreds of
    thousands of row dicts would each time be walked again (a third of the Python time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _start(record: Import, data: bytes, *, actor, production, kind, fmt, dry_run) -> Import:
    try:
        if not data.strip():
            raise readers.ReadError("The file is empty.")
        if kind == Import.Kind.USAGE:
            record.format = Import.Format.CSV
            if fmt and fmt != "csv":
                raise readers.ReadError("Usage entries are imported from CSV only.")
            result = usage_rows.read(data, production)
            preview = usage_rows.plan(production, result.rows)
        else:
            record.format = fmt or readers.format_from_name(record.file_name) or ""
            if not record.format:
                raise readers.ReadError(
                    "Cannot tell the format from the file name: choose csv, edl, fcp7xml or otio."
                )
            if record.format not in readers.FORMATS:
                raise readers.ReadError(
                    f"Unknown format {record.format!r}: use csv, edl, fcp7xml or otio."
                )
            result = readers.read_shots(data, record.format, **_reader_options(production))
            preview = shotlists.plan(production, result.rows)
    except readers.ReadError as error:
        _fail(record, str(error))
        return record
    _store_preview(record, result, preview)
    record.rows = pack_rows(result.rows)
    record.suggestions = [
        {**suggestion, "id": number, "status": "pending", "usage_entry": None}
        for number, suggestion in enumerate(result.suggestions, start=1)
    ]
    record.save()
    if not dry_run:
        apply(record, actor=actor, rows=result.rows)
    return record


def pack_rows(rows: list[dict]) -> list | dict:
    """The parsed rows as stored: ``{"zlib": base64 of the zlib'd JSON of {"columns": [...],
    "values": [[...], ...]}}``. Nothing but ``apply`` reads them, and a large upload's rows as
    JSON (150,000 usage rows) cost seconds to store; compressed, a fraction. Rows whose keys
    differ (a key left out means "not given") are kept as a list of dicts inside."""
    if not rows:
        return []
    columns = list(rows[0])
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):
        payload = rows
    elif len(columns) == 1:
        payload = {"columns": columns, "values": [[row[columns[0]]] for row in rows]}
    else:
        values = operator.itemgetter(*columns)  # tuples, which JSON writes as lists
        payload = {"columns": columns, "values": [values(row) for row in rows]}
    text = json.dumps(payload, separators=(",", ":"))
    return {"zlib": base64.b64encode(zlib.compress(text.encode(), 1)).decode("ascii")}


def unpack_rows(stored) -> list[dict]:
    """The rows ``pack_rows`` stored (or a plain list of dicts, as imports stored them before)."""
    if isinstance(stored, dict) and "zlib" in stored:
        stored = json.loads(zlib.decompress(base64.b64decode(stored["zlib"])))
    if isinstance(stored, dict):
        columns = stored["columns"]
        return [dict(zip(columns, values, strict=True)) for values in stored["values"]]
    return list(stored or [])


def _store_preview(record: Import, result, preview: dict) -> None:
    record.created = preview["created"]
    record.updated = preview["updated"]
    record.unchanged = preview["unchanged"]
    record.changes = preview["changes"]
    record.errors = sorted(result.errors + preview["errors"], key=lambda e: e["line"])
    record.rejected = len(record.errors)


def _fail(record: Import, message: str) -> None:
    record.status = Import.Status.FAILED
    record.failure = message
    record.errors = [{"line": 0, "message": message}]
    record.rejected = 0
    record.rows = []
    record.save()


def apply(record: Import, *, actor, rows: list[dict] | None = None) -> Import:
    """Apply a preview: one transaction; the counts become what was actually done.

    ``rows`` are the record's rows when the caller has them still (``start`` applying at once);
    otherwise they are read back from the record."""
    if record.status != Import.Status.PREVIEWED:
        raise StateConflict(
            f"This import is {record.get_status_display().lower()}; it cannot be applied."
        )
    try:
        return _apply(record, actor=actor, rows=rows)
    except (OperationalError, InterfaceError) as error:
        _interrupted(record, error)
        return record  # the commit went through after all: the import is applied


def _interrupted(record: Import, error: Exception) -> None:
    """Mark an import failed after its apply lost the database: the atomic block rolled back,
    so the record says so. Raises ApplyInterrupted, unless the record shows it applied (the
    connection dropped after the commit)."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()  # the dropped one is kept until asked
    failed = Import.objects.filter(pk=record.pk, status=Import.Status.PREVIEWED).update(
        status=Import.Status.FAILED,
        failure=INTERRUPTED,
        errors=[{"line": 0, "message": INTERRUPTED}],
        rejected=0,
        created=0,
        updated=0,
        unchanged=0,
        rows=[],
    )
    record.refresh_from_db()
    if failed:
        raise ApplyInterrupted(INTERRUPTED) from error


def _apply(record: Import, *, actor, rows: list[dict] | None) -> Import:
    with _no_gc(), transaction.atomic():
        # Lock the record; only its status is needed (not the stored rows).
        status = (
            Import.objects.select_for_update()
            .filter(pk=record.pk)
            .values_list("status", flat=True)
            .get()
        )
        if status != Import.Status.PREVIEWED:
            raise StateConflict("This import was applied already.")
        production = record.production
        if rows is None:
            rows = unpack_rows(record.rows)
        if record.kind == Import.Kind.USAGE:
            done = usage_rows.apply(actor=actor, production=production, rows=rows)
        else:
            done = shotlists.apply(actor=actor, production=production, rows=rows)
        del rows
        saved = [
            "created",
            "updated",
            "unchanged",
            "errors",
            "rejected",
            "status",
            "applied_by",
            "applied_at",
        ]
        if done["changes"] != record.changes:
            saved.append("changes")
        record.created, record.updated, record.unchanged = (
            done["created"],
            done["updated"],
            done["unchanged"],
        )
        record.changes = done["changes"]
        extra = [e for e in done["errors"] if e not in record.errors]
        record.errors = sorted(record.errors + extra, key=lambda e: e["line"])
        record.rejected = len(record.errors)
        record.status = Import.Status.APPLIED
        record.applied_by = actor
        record.applied_at = timezone.now()
        # The rows and suggestions are as the preview stored them; the changes too, mostly.
        record.save(update_fields=saved)
    return record


def _suggestion(record: Import, number: int) -> dict:
    for suggestion in record.suggestions:
        if suggestion["id"] == number:
            return suggestion
    raise ValidationError({"suggestion": "No such suggestion in this import."})


def confirm_suggestion(record: Import, number: int, *, actor, **use) -> Import:
    """Turn a suggestion into a usage entry on its shot (``entries.log_usage``)."""
    with transaction.atomic():
        record = Import.objects.select_for_update().get(pk=record.pk)
        suggestion = _suggestion(record, number)
        if suggestion["status"] != "pending":
            raise StateConflict(f"This suggestion is already {suggestion['status']}.")
        shot = Shot.objects.filter(production=record.production, code=suggestion["code"]).first()
        if shot is None:
            raise StateConflict(
                f"Shot {suggestion['code']} does not exist yet: apply the import first."
            )
        use.setdefault("description", suggestion["text"])
        entry = entries.log_usage(actor=actor, production=record.production, shot=shot, **use)
        suggestion["status"] = "confirmed"
        suggestion["usage_entry"] = entry.pk
        record.save(update_fields=["suggestions"])
    return record


def dismiss_suggestion(record: Import, number: int, *, actor) -> Import:
    with transaction.atomic():
        record = Import.objects.select_for_update().get(pk=record.pk)
        suggestion = _suggestion(record, number)
        if suggestion["status"] != "pending":
            raise StateConflict(f"This suggestion is already {suggestion['status']}.")
        suggestion["status"] = "dismissed"
        record.save(update_fields=["suggestions"])
        trail.record(
            actor=actor,
            action="import.suggestion_dismissed",
            organization_id=record.production.organization_id,
            production_id=record.production_id,
            target_type="import",
            target_id=str(record.pk),
            changes={"suggestion": number, "code": suggestion["code"]},
        )
    return record
