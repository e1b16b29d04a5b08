"""Usage entries from CSV: read and resolve (shot, tool, performers by name), compare, apply.

``external_ref`` is the key: a row whose reference is already in the register is unchanged, so
re-importing the register's own CSV export (its ``id`` column stands in when a row has no
reference) writes nothing. Entries go in through ``usage.entries.bulk_log``.
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone

from studio_tracker.lib import bulk
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
    for line, record in records:
        try:
            row = _row(record, tools, performers, shots)
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


def _row(record, tools, performers, shots) -> dict:
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
    try:
        day = datetime.date.fromisoformat(used_on[:10]) if used_on else timezone.localdate()
    except ValueError:
        raise ValueError(f"'{used_on}' is not a date (use YYYY-MM-DD)") from None
    links = []
    for name in filter(None, (n.strip() for n in re.split(r"[;|]", record.get("performers", "")))):
        found = performers.get(name.lower(), [])
        if not found:
            raise ValueError(f"unknown performer '{name}'")
        if len(found) > 1:
            raise ValueError(f"more than one performer is called '{name}'")
        links.append(found[0])
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
        "used_on": day.isoformat(),
        "performers": links,
        "external_ref": ref[:200],
        "entry_id": int(record["id"]) if record.get("id", "").isdigit() else None,
    }


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
    new = []
    for row in todo:
        new.append(
            UsageEntry(
                production=production,
                shot_id=row["shot"],
                episode_id=shot_episodes.get(row["shot"]),
                department=row["department"],
                category=row["category"],
                modality=row["modality"],
                tool_id=row["tool"],
                tool_version=row["tool_version"],
                generation_kind=row["generation_kind"],
                disposition=row["disposition"],
                description=row["description"],
                used_on=datetime.date.fromisoformat(row["used_on"]),
                external_ref=row["external_ref"],
                created_by=actor,
            )
        )
    entries.bulk_log(actor=actor, production=production, entries=new, action="import.usage_applied")
    links = [
        UsagePerformer(usage_entry_id=entry.pk, performer_id=performer_id)
        for entry, row in zip(new, todo, strict=True)
        for performer_id in row["performers"]
    ]
    if links:
        bulk.insert_many(UsagePerformer, links)
    return result
