"""Compare parsed shot rows with the production (the preview), and apply them (the import).

Applying is one transaction with bulk queries: missing episodes and sequences are created, new
shots inserted, changed shots updated, one change-counter bump and ONE summary audit event. Rows
that change nothing write nothing; a re-import of the same file writes nothing at all.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.lib import bulk
from studio_tracker.lib.timecode import frames_inclusive
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Episode, Production, Sequence, Shot

# Shot fields an import may set, compared as they are stored (codes for episode and sequence).
VALUE_FIELDS = (
    "description",
    "record_in",
    "record_out",
    "source_in",
    "source_out",
    "frame_in",
    "frame_out",
    "reel",
    "vendor",
)
COMPARED = ("episode", "sequence", *VALUE_FIELDS)
_CREATE_FIELDS = (
    "production_id",
    "code",
    "episode_id",
    "sequence_id",
    *VALUE_FIELDS,
    "frames",
    "created_at",
    "updated_at",
)
BATCH = 2000


def _existing(production: Production) -> dict[str, dict]:
    rows = Shot.objects.filter(production=production).values(
        "id", "code", "locked_for_final", "episode__code", "sequence__code", *VALUE_FIELDS
    )
    existing = {}
    for row in rows.iterator(chunk_size=BATCH):
        row["episode"] = row.pop("episode__code") or ""
        row["sequence"] = row.pop("sequence__code") or ""
        existing[row["code"]] = row
    return existing


def plan(production: Production, rows: list[dict], existing: dict | None = None) -> dict:
    """What applying the rows would do: creates, updates (changed fields), unchanged, and rows
    that cannot apply (a shot locked for final)."""
    existing = _existing(production) if existing is None else existing
    changes, errors, unchanged = [], [], 0
    created = updated = 0
    for row in rows:
        given = {name: row[name] for name in COMPARED if name in row}
        current = existing.get(row["code"])
        if current is None:
            changes.append(
                {"line": row["line"], "code": row["code"], "action": "create", "fields": given}
            )
            created += 1
            continue
        diff = {
            name: [current[name], value]
            for name, value in given.items()
            if (current[name] if current[name] is not None else None) != value
            and not (current[name] in (None, "") and value in (None, ""))
        }
        frame_in = given.get("frame_in", current["frame_in"])
        frame_out = given.get("frame_out", current["frame_out"])
        if not diff:
            unchanged += 1
        elif frame_in is not None and frame_out is not None and frame_out < frame_in:
            # One end given, the other kept: the row alone looked fine, the shot would not be
            # (the database refuses a negative frame count, failing the whole apply).
            errors.append(
                {
                    "line": row["line"],
                    "message": f"Shot {row['code']}: the last frame {frame_out} would come "
                    f"before the first {frame_in}; it was not changed.",
                }
            )
        elif current["locked_for_final"]:
            errors.append(
                {
                    "line": row["line"],
                    "message": f"Shot {row['code']} is locked for final; it was not changed "
                    f"({', '.join(sorted(diff))} differ).",
                }
            )
        else:
            changes.append(
                {"line": row["line"], "code": row["code"], "action": "update", "fields": diff}
            )
            updated += 1
    return {
        "changes": changes,
        "errors": errors,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
    }


def _episodes(production: Production, codes: set[str]) -> dict[str, int]:
    found = dict(Episode.objects.filter(production=production).values_list("code", "pk"))
    missing = [Episode(production=production, code=code) for code in sorted(codes - set(found))]
    if missing:
        Episode.objects.bulk_create(missing, batch_size=BATCH)
        found = dict(Episode.objects.filter(production=production).values_list("code", "pk"))
    return found


def _sequences(production, keys: set[tuple[int | None, str]]) -> dict[tuple, int]:
    def load():
        return {
            (episode_id, code): pk
            for episode_id, code, pk in Sequence.objects.filter(production=production).values_list(
                "episode_id", "code", "pk"
            )
        }

    found = load()
    missing = [
        Sequence(production=production, episode_id=episode_id, code=code)
        for episode_id, code in sorted(keys - set(found), key=lambda k: (k[0] or 0, k[1]))
    ]
    if missing:
        Sequence.objects.bulk_create(missing, batch_size=BATCH)
        found = load()
    return found


@transaction.atomic
def apply(*, actor, production: Production, rows: list[dict], action: str = "import.applied"):
    """Apply the rows; return the plan as it stood inside the transaction."""
    # One import at a time per production: the plan below is then still true at commit.
    Production.objects.select_for_update().filter(pk=production.pk).first()
    existing = _existing(production)
    result = plan(production, rows, existing)
    work = result["changes"]
    if not work:
        return result
    by_code = {row["code"]: row for row in rows}

    def episode_code(change):
        row = by_code[change["code"]]
        if "episode" in row:
            return row["episode"]
        current = existing.get(change["code"])
        return current["episode"] if current else ""

    episode_ids = _episodes(production, {c for c in map(episode_code, work) if c})
    sequence_keys = {
        (episode_ids.get(episode_code(change)), by_code[change["code"]]["sequence"])
        for change in work
        if by_code[change["code"]].get("sequence")
    }
    sequence_ids = _sequences(production, sequence_keys)

    def placement(change: dict, episode_id, sequence_id) -> tuple:
        row = by_code[change["code"]]
        code = episode_code(change)
        if "episode" in row:
            episode_id = episode_ids.get(code) if code else None
        if row.get("sequence"):
            sequence_id = sequence_ids[(episode_ids.get(code) if code else None, row["sequence"])]
        elif "sequence" in row:
            sequence_id = None
        return episode_id, sequence_id

    def place(shot: Shot, change: dict) -> None:
        shot.episode_id, shot.sequence_id = placement(change, shot.episode_id, shot.sequence_id)

    now = timezone.now()
    new_rows = []
    for change in (c for c in work if c["action"] == "create"):
        row = by_code[change["code"]]
        values = {name: "" for name in VALUE_FIELDS}
        values["frame_in"] = values["frame_out"] = None
        for name in VALUE_FIELDS:
            if name in row:
                values[name] = row[name] if row[name] is not None else ""
        if values["frame_in"] == "":
            values["frame_in"] = None
        if values["frame_out"] == "":
            values["frame_out"] = None
        episode_id, sequence_id = placement(change, None, None)
        new_rows.append(
            (
                production.pk,
                row["code"],
                episode_id,
                sequence_id,
                *(values[name] for name in VALUE_FIELDS),
                frames_inclusive(values["frame_in"], values["frame_out"]),
                now,
                now,
            )
        )
    # Plain rows, no Shot instances: COPY on PostgreSQL (lib.bulk.insert_rows).
    new_ids = bulk.insert_rows(Shot, _CREATE_FIELDS, new_rows)

    updates = {c["code"]: c for c in work if c["action"] == "update"}
    fields: set[str] = set()
    touched_ids = list(new_ids)
    episodes_touched = {values[2] for values in new_rows if values[2]}
    codes = list(updates)
    for start in range(0, len(codes), BATCH):
        shots = list(
            Shot.objects.filter(production=production, code__in=codes[start : start + BATCH])
        )
        for shot in shots:
            change = updates[shot.code]
            episodes_touched.add(shot.episode_id)
            for name, (_old, new) in change["fields"].items():
                if name in ("episode", "sequence"):
                    continue
                setattr(
                    shot,
                    name,
                    new
                    if new is not None
                    else ("" if name not in ("frame_in", "frame_out") else None),
                )
                fields.add(name)
            if {"episode", "sequence"} & set(change["fields"]):
                place(shot, change)
                fields.update({"episode", "sequence"})
            shot.frames = frames_inclusive(shot.frame_in, shot.frame_out)
            shot.updated_at = now
            episodes_touched.add(shot.episode_id)
            touched_ids.append(shot.pk)
        if shots:
            Shot.objects.bulk_update(
                shots, sorted(fields | {"frames", "updated_at"}), batch_size=500
            )
    bump_change_counter(production.pk)
    episodes_touched.discard(None)
    if episodes_touched:
        Episode.objects.filter(pk__in=episodes_touched).update(
            change_counter=F("change_counter") + 1
        )
    trail.record(
        actor=actor,
        action=action,
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="production",
        target_id=str(production.pk),
        target_label=production.title[:200],
        changes=trail.bulk_summary(
            {
                "created": result["created"],
                "updated": result["updated"],
                "unchanged": result["unchanged"],
                "episodes": len(episode_ids),
                "sequences": len(sequence_ids),
            },
            sorted(touched_ids),
        ),
    )
    return result
