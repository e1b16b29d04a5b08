"""Usage entries from CSV: read and resolve (shot, tool, performers by name), compare, apply.

``external_ref`` is the key: a row whose reference is already in the register is unchanged, so
re-importing the register's own CSV export (its ``id`` column stands in when a row has no
reference) writes nothing. Entries go in as plain rows (``lib.bulk.insert_rows``) with what
``usage.entries.bulk_log`` writes beside them: one counter bump and one summary event.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.lib import bulk
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Production, Shot
from studio_tracker.usage import entries
from studio_tracker.usage.choices import Category, Department, Disposition, GenerationKind, Modality
from studio_tracker.usage.models import Performer, Tool, UsageEntry, UsagePerformer

from .readers import ReadError, ReadResult, csv_records, decode_text

USAGE_ALIASES = {
    **dict.fromkeys(["shot", "shotcode", "code"], "shot"),
    **dict.fromkeys(["department", "dept"], "department"),
    **dict.fromkeys(["category", "use", "usecategory"], "category"),
    **dict.fromkeys(["modality"], "modality"),
    **dict.fromkeys(["tool", "toolname"], "tool"),
    **dict.fromkeys(["toolversion", "version"], "tool_version"),
    **dict.fromkeys(["generationkind", "kind"], "generation_kind"),
    **dict.fromkeys(["disposition"], "disposition"),
    **dict.fromkeys(["description", "desc"], "description"),
    **dict.fromkeys(["performers", "performer", "performersbyname"], "performers"),
    **dict.fromkeys(["externalref", "externalreference", "reference", "ref"], "external_ref"),
    **dict.fromkeys(["usedon", "date"], "used_on"),
    **dict.fromkeys(["id", "entryid", "entry"], "id"),
}


_CHOICE_MAPS: dict = {}
_DAYS: dict[str, str] = {}  # date text → ISO date, for files that repeat a few dates


def _choice(choices, value: str, what: str) -> str:
    """A choice by its value or its label, case-insensitive."""
    if not value:
        raise ValueError(f"no {what}")
    known = _CHOICE_MAPS.get(choices)
    if known is None:
        known = _CHOICE_MAPS[choices] = {
            **{str(label).lower(): key for key, label in choices.choices},
            **{key.lower(): key for key in choices.values},
        }
    try:
        return known[value.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown {what} '{value}'") from None


def read(data: bytes, production: Production) -> ReadResult:
    """Rows with tool, shot and performers resolved to ids; every other line an error."""
    columns, records = csv_records(decode_text(data), USAGE_ALIASES)
    missing = [c for c in ("department", "category", "tool", "disposition") if c not in columns]
    if missing:
        raise ReadError(f"Missing columns: {', '.join(missing)}.")
    tools = {}
    for tool in Tool.objects.filter(organization=production.organization_id):
        tools.setdefault(tool.name.lower(), tool)
    performers: dict[str, list[int]] = {}
    for pk, professional, legal in Performer.objects.filter(
        organization=production.organization_id
    ).values_list("pk", "professional_name", "legal_name"):
        for name in {professional.lower(), legal.lower()}:
            performers.setdefault(name, []).append(pk)
    shots = dict(
        Shot.objects.filter(production=production).values_list("code", "pk").iterator(2000)
    )
    shot_episodes = {}
    result = ReadResult()
    seen_refs: dict[str, int] = {}
    known: dict[tuple, dict] = {}
    for line, record in records:
        try:
            row = _row(record, tools, performers, shots, known)
        except ValueError as error:
            result.error(line, str(error)[0].upper() + str(error)[1:] + ".")
            continue
        key = row["external_ref"]
        if key:
            if key in seen_refs:
                result.error(line, f"Reference {key} is already on line {seen_refs[key]}.")
                continue
            seen_refs[key] = line
        row["line"] = line
        result.rows.append(row)
    del shot_episodes
    return result


def _row(record, tools, performers, shots, known=None) -> dict:
    """One record as a row. ``known`` remembers the tool and choice columns of records taken
    already: an import repeats a few combinations thousands of times."""
    get = record.get
    key = (
        get("tool", ""),
        get("modality"),
        get("department", ""),
        get("category", ""),
        get("generation_kind"),
        get("disposition", ""),
    )
    choices = known.get(key) if known is not None else None
    if choices is None:
        row = _full_row(record, tools, performers, shots)
        if known is not None:
            known[key] = {
                name: row[name]
                for name in (
                    "tool",
                    "department",
                    "category",
                    "modality",
                    "generation_kind",
                    "disposition",
                )
            }
        return row
    code = get("shot", "")
    if code and code not in shots:
        raise ValueError(f"unknown shot '{code}'")
    used_on = get("used_on", "")
    day = _DAYS.get(used_on) if used_on else None
    if day is None:
        day = _day(used_on)
    names = get("performers", "")
    ref = get("external_ref", "")
    entry_id = get("id", "")
    return {
        "shot": shots.get(code),
        "shot_code": code,
        "department": choices["department"],
        "category": choices["category"],
        "modality": choices["modality"],
        "tool": choices["tool"],
        "tool_version": get("tool_version", "")[:80],
        "generation_kind": choices["generation_kind"],
        "disposition": choices["disposition"],
        "description": get("description", ""),
        "used_on": day,
        "performers": _performer_links(names, performers) if names else [],
        "external_ref": ref[:200],
        "entry_id": _entry_id(entry_id),
    }


def _day(used_on: str) -> str:
    try:
        day = datetime.date.fromisoformat(used_on[:10]) if used_on else timezone.localdate()
    except ValueError:
        raise ValueError(f"'{used_on}' is not a date (use YYYY-MM-DD)") from None
    day = day.isoformat()
    if used_on and len(_DAYS) < 10_000:
        _DAYS[used_on] = day
    return day


def _performer_links(names: str, performers) -> list[int]:
    links = []
    for name in filter(None, (n.strip() for n in re.split(r"[;|]", names))):
        found = performers.get(name.lower(), [])
        if not found:
            raise ValueError(f"unknown performer '{name}'")
        if len(found) > 1:
            raise ValueError(f"more than one performer is called '{name}'")
        links.append(found[0])
    return links


def _full_row(record, tools, performers, shots) -> dict:
    tool_name = record.get("tool", "")
    tool = tools.get(tool_name.lower())
    if tool is None:
        raise ValueError(f"unknown tool '{tool_name}'" if tool_name else "no tool")
    if tool.status == Tool.Status.BANNED:
        raise ValueError(f"{tool.name} is banned in this organisation")
    code = record.get("shot", "")
    if code and code not in shots:
        raise ValueError(f"unknown shot '{code}'")
    modality = record.get("modality") or (tool.modalities[0] if tool.modalities else "")
    used_on = record.get("used_on", "")
    day = (_DAYS.get(used_on) if used_on else None) or _day(used_on)
    names = record.get("performers", "")
    links = _performer_links(names, performers) if names else []
    ref = record.get("external_ref", "")
    return {
        "shot": shots.get(code),
        "shot_code": code,
        "department": _choice(Department, record.get("department", ""), "department"),
        "category": _choice(Category, record.get("category", ""), "category"),
        "modality": _choice(Modality, modality, "modality"),
        "tool": tool.pk,
        "tool_version": record.get("tool_version", "")[:80],
        "generation_kind": _choice(GenerationKind, record["generation_kind"], "generation kind")
        if record.get("generation_kind")
        else GenerationKind.GENERATIVE,
        "disposition": _choice(Disposition, record.get("disposition", ""), "disposition"),
        "description": record.get("description", ""),
        "used_on": day,
        "performers": links,
        "external_ref": ref[:200],
        "entry_id": _entry_id(record.get("id", "")),
    }


_ENTRY_ID = re.compile(r"[0-9]{1,18}")


def _entry_id(text: str) -> int | None:
    """The register's own ``id`` column: ASCII digits that fit a key (``str.isdigit`` takes
    ``²``, which ``int`` refuses, and ``int`` refuses past 4,300 digits)."""
    return int(text) if _ENTRY_ID.fullmatch(text) else None


def _known(production: Production) -> tuple[set[str], set[int]]:
    refs = set(
        UsageEntry.objects.filter(production=production)
        .exclude(external_ref="")
        .values_list("external_ref", flat=True)
    )
    ids = set(UsageEntry.objects.filter(production=production).values_list("pk", flat=True))
    return refs, ids


def plan(production: Production, rows: list[dict]) -> dict:
    refs, ids = _known(production)
    changes, unchanged = [], 0
    for row in rows:
        if (row["external_ref"] and row["external_ref"] in refs) or (
            not row["external_ref"] and row.get("entry_id") in ids
        ):
            unchanged += 1
            continue
        changes.append(
            {
                "line": row["line"],
                "code": row["shot_code"] or "(production)",
                "action": "create",
                "fields": {
                    k: row[k]
                    for k in ("category", "department", "disposition", "tool_version")
                    if row[k]
                },
            }
        )
    return {
        "changes": changes,
        "errors": [],
        "created": len(changes),
        "updated": 0,
        "unchanged": unchanged,
    }


# The columns an imported use fills; everything else takes the model's default.
_INSERT_FIELDS = (
    "production_id",
    "shot_id",
    "episode_id",
    "department",
    "category",
    "modality",
    "tool_id",
    "tool_version",
    "generation_kind",
    "disposition",
    "description",
    "used_on",
    "external_ref",
    "created_by_id",
    "iptc_source_type",
)


@transaction.atomic
def apply(*, actor, production: Production, rows: list[dict]) -> dict:
    Production.objects.select_for_update().filter(pk=production.pk).first()
    result = plan(production, rows)
    lines = {change["line"] for change in result["changes"]}
    todo = [row for row in rows if row["line"] in lines]
    if not todo:
        return result
    shot_episodes = dict(
        Shot.objects.filter(production=production).values_list("pk", "episode_id").iterator(2000)
    )
    pks = _log_rows(actor=actor, production=production, rows=todo, shot_episodes=shot_episodes)
    links = [
        (pk, performer_id)
        for pk, row in zip(pks, todo, strict=True)
        for performer_id in row["performers"]
    ]
    if links:
        bulk.insert_rows(UsagePerformer, ("usage_entry_id", "performer_id"), links)
    return result


def _log_rows(*, actor, production: Production, rows: list[dict], shot_episodes: dict) -> list:
    """``entries.bulk_log`` for plain rows: the same checks (tools registered and not banned),
    the derived IPTC type, one counter bump and one summary event; no model instances."""
    tool_status = dict(
        Tool.objects.filter(organization=production.organization).values_list("pk", "status")
    )
    for tool_id in {row["tool"] for row in rows}:
        if tool_status.get(tool_id) in (None, Tool.Status.BANNED):
            raise ValidationError({"tool": f"Tool {tool_id} is banned or not registered."})
    iptc: dict[tuple[str, str], str] = {}
    days: dict[str, datetime.date] = {}
    actor_id = actor.pk if actor is not None else None
    production_id = production.pk
    values = []
    for row in rows:
        kind = (row["category"], row["generation_kind"])
        source_type = iptc.get(kind)
        if source_type is None:
            source_type = iptc[kind] = str(entries.derive_iptc_source_type(*kind))
        day = days.get(row["used_on"])
        if day is None:
            day = days[row["used_on"]] = datetime.date.fromisoformat(row["used_on"])
        values.append(
            (
                production_id,
                row["shot"],
                shot_episodes.get(row["shot"]),
                row["department"],
                row["category"],
                row["modality"],
                row["tool"],
                row["tool_version"],
                row["generation_kind"],
                row["disposition"],
                row["description"],
                day,
                row["external_ref"],
                actor_id,
                source_type,
            )
        )
    pks = bulk.insert_rows(UsageEntry, _INSERT_FIELDS, values)
    bump_change_counter(production.pk)
    trail.record(
        actor=actor,
        action="import.usage_applied",
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="production",
        target_id=str(production.pk),
        target_label=production.title[:200],
        changes=trail.bulk_summary({"created": len(pks)}, pks),
    )
    return pks
