"""Log, edit, copy and remove uses of AI: the daily work of a production.

Each function validates, bumps the production's change counter and records its audit event in
the same transaction. Prompt text never enters the audit chain: only that it changed.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from studio_tracker.audit import trail
from studio_tracker.lib import bulk
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Production, Shot

from .choices import Category, GenerationKind, IptcSourceType
from .models import ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer

ENTRY_FIELDS = (
    "episode",
    "shot",
    "department",
    "category",
    "modality",
    "tool",
    "tool_version",
    "generation_kind",
    "disposition",
    "description",
    "human_contribution",
    "depicts_real_person",
    "depicts_real_place_or_event",
    "realism",
    "replica_kind",
    "performance_altered",
    "alteration_purpose",
    "synthetic_replaces_performer",
    "prompt_names_performer",
    "prompt_uses_facial_feature",
    "language",
    "iptc_source_type",
    "used_on",
    "operator",
    "vendor",
    "input_sources",
    "prompt_text",
    "external_ref",
)
# Free text can name people (performers, operators) or hold prompts: the chain records that it
# changed, never what it says.
SECRET_FIELDS = frozenset({"prompt_text", "description", "human_contribution", "operator"})

# Generative uses that make a whole new picture or sound, rather than altering captured material.
WHOLLY_GENERATED = frozenset(
    {
        Category.CONCEPT_ART,
        Category.MOODBOARD,
        Category.PREVIS,
        Category.STORYBOARD,
        Category.ANIMATIC,
        Category.VIRTUAL_PRODUCTION_BACKGROUND,
        Category.SYNTHETIC_CHARACTER_HUMAN,
        Category.SYNTHETIC_CHARACTER_NONHUMAN,
        Category.ENVIRONMENT_GEN,
        Category.PLATE_GENERATION,
        Category.SHOT_GENERATION,
        Category.VOICE_CLONE_NEW_LINES,
        Category.MUSIC_GENERATION,
        Category.SFX_GENERATION,
        Category.AI_DUBBING,
        Category.KEY_ART,
        Category.TRAILER_GEN,
        Category.SOCIAL_ASSETS,
        Category.SYNTHETIC_ARCHIVAL,
        Category.HUMAN_SIMULATION,
        Category.WRITING_IDEATION,
        Category.WRITING_GAI_MATERIAL_TO_WRITER,
        Category.WRITING_SCRIPT_TEXT_IN_FINAL,
    }
)


def derive_iptc_source_type(category: str, generation_kind: str) -> str:
    """The IPTC digital source type a use implies (DOMAIN.md A18): generated from scratch,
    composited with generated elements, or only enhanced."""
    if generation_kind != GenerationKind.GENERATIVE:
        return IptcSourceType.ALGORITHMICALLY_ENHANCED
    if category in WHOLLY_GENERATED:
        return IptcSourceType.TRAINED_ALGORITHMIC_MEDIA
    return IptcSourceType.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def _values(entry: UsageEntry) -> dict[str, Any]:
    values = model_to_dict(entry, fields=ENTRY_FIELDS)
    values["performers"] = sorted(
        [link.performer_id, link.consent_id, link.aspect] for link in entry.performer_links.all()
    )
    return values


def _audit_changes(before: dict, after: dict) -> dict:
    changes = trail.field_changes(
        {k: v for k, v in before.items() if k not in SECRET_FIELDS},
        {k: v for k, v in after.items() if k not in SECRET_FIELDS},
    )
    # An empty prompt and no entry at all are the same: a use logged or removed without a
    # prompt must not claim that its prompt changed.
    secret = [name for name in SECRET_FIELDS if (before.get(name) or "") != (after.get(name) or "")]
    if secret:
        changes["changed_without_values"] = sorted(secret)
    return changes


def _record(entry: UsageEntry, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=f"usage.{action}",
        organization_id=entry.production.organization_id,
        production_id=entry.production_id,
        target_type="usage_entry",
        target_id=str(entry.pk),
        target_label=(entry.shot.code if entry.shot_id else "production-level")[:200],
        changes=changes,
    )


def _prepare(entry: UsageEntry, data: dict[str, Any]) -> None:
    unknown = set(data) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"Not a usage field: {', '.join(sorted(unknown))}")
    explicit_iptc = data.pop("iptc_source_type", None)
    tool_before = entry.tool_id if entry.pk else None
    for name, value in data.items():
        setattr(entry, name, "" if value is None and name == "alteration_purpose" else value)
    derived = derive_iptc_source_type(entry.category, entry.generation_kind)
    if explicit_iptc and explicit_iptc != derived:
        entry.iptc_source_type, entry.iptc_source_type_overridden = explicit_iptc, True
    elif explicit_iptc or not entry.iptc_source_type_overridden:
        entry.iptc_source_type, entry.iptc_source_type_overridden = derived, False
    if entry.shot_id:
        entry.episode_id = entry.shot.episode_id
    _validate(entry, tool_chosen=entry.tool_id != tool_before)


def _validate(entry: UsageEntry, *, tool_chosen: bool = True) -> None:
    """``tool_chosen``: the tool is picked now (a new use, or another tool). A ban stops new
    uses; a use recorded before the ban stays editable without rewriting which tool it used."""
    errors: dict[str, str] = {}
    production = entry.production
    if entry.shot_id and entry.shot.production_id != production.pk:
        errors["shot"] = "That shot belongs to another production."
    if entry.episode_id and entry.episode.production_id != production.pk:
        errors["episode"] = "That episode belongs to another production."
    if entry.tool_id:
        tool = entry.tool
        if tool.organization_id != production.organization_id:
            errors["tool"] = "That tool is not in this organisation's registry."
        elif tool.status == Tool.Status.BANNED and tool_chosen:
            reason = f" {tool.status_reason}" if tool.status_reason else ""
            errors["tool"] = f"{tool.name} is banned in this organisation.{reason}"
    if entry.performance_altered and not entry.alteration_purpose:
        errors["alteration_purpose"] = "Say why the performance was altered."
    if errors:
        raise ValidationError(errors)
    # The shot, episode and tool named were read above, so they exist: full_clean need not
    # query each again.
    named = [name for name in ("shot", "episode", "tool") if getattr(entry, f"{name}_id")]
    entry.full_clean(exclude=["production", "created_by", *named])


def _set_performers(entry: UsageEntry, performers: Iterable[dict], *, new: bool = False) -> None:
    """Replace the entry's performer links. Each is {performer, consent (optional), aspect}.
    ``new``: the entry was inserted just now and has no links to delete."""
    links = []
    for item in performers:
        performer: Performer = item["performer"]
        consent: ConsentRecord | None = item.get("consent")
        if performer.organization_id != entry.production.organization_id:
            raise ValidationError({"performers": f"{performer} is not one of this organisation's."})
        if consent is not None and (
            consent.performer_id != performer.pk or consent.production_id != entry.production_id
        ):
            raise ValidationError(
                {"performers": f"That consent is not {performer}'s for this production."}
            )
        links.append(
            UsagePerformer(
                usage_entry=entry,
                performer=performer,
                consent=consent,
                aspect=item.get("aspect") or UsagePerformer.Aspect.FACE,
            )
        )
    if len({link.performer_id for link in links}) != len(links):
        raise ValidationError({"performers": "A performer is listed twice."})
    if not new:
        entry.performer_links.all().delete()
    UsagePerformer.objects.bulk_create(links)
    _remember_links(entry, links)


def _remember_links(entry: UsageEntry, links: list[UsagePerformer]) -> None:
    """Make ``entry.performer_links.all()`` answer the links just written, in id order, as a
    prefetch would: the audit values and the API's answer then read them without a query (and
    never a prefetch taken before the links were replaced)."""
    links = sorted(links, key=lambda link: link.pk)
    queryset = UsagePerformer.objects.filter(usage_entry=entry).order_by("id")
    queryset._result_cache, queryset._prefetch_done = links, True
    if not hasattr(entry, "_prefetched_objects_cache"):
        entry._prefetched_objects_cache = {}
    entry._prefetched_objects_cache["performer_links"] = queryset


@transaction.atomic
def log_usage(
    *, actor, production: Production, performers: Iterable[dict] = (), **data: Any
) -> UsageEntry:
    """Record one use of a tool on a shot (or on the production, with no shot)."""
    entry = UsageEntry(production=production, created_by=actor if actor else None)
    _prepare(entry, dict(data))
    entry.save()
    _set_performers(entry, performers, new=True)
    bump_change_counter(production.pk, entry.episode_id)
    _record(entry, actor=actor, action="created", changes=_audit_changes({}, _values(entry)))
    return entry


@transaction.atomic
def update_usage(
    entry: UsageEntry, *, actor, performers: Iterable[dict] | None = None, **data: Any
) -> UsageEntry:
    """Edit a use; performers, when given, replace the links."""
    before = _values(entry)
    episode_before = entry.episode_id
    _prepare(entry, dict(data))
    entry.save()
    if performers is not None:
        _set_performers(entry, performers)
    changes = _audit_changes(before, _values(entry))
    if not changes:
        return entry
    bump_change_counter(entry.production_id, entry.episode_id)
    if episode_before and episode_before != entry.episode_id:
        bump_change_counter(entry.production_id, episode_before)
    _record(entry, actor=actor, action="updated", changes=changes)
    return entry


@transaction.atomic
def remove_usage(entry: UsageEntry, *, actor) -> None:
    before = _values(entry)
    pk, episode_id = entry.pk, entry.episode_id
    entry.delete()
    entry.pk = pk
    bump_change_counter(entry.production_id, episode_id)
    _record(entry, actor=actor, action="deleted", changes=_audit_changes(before, {}))


def _bulk_event(production: Production, *, actor, action: str, entries: list[UsageEntry]) -> None:
    trail.record(
        actor=actor,
        action=action,
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="production",
        target_id=str(production.pk),
        target_label=production.title[:200],
        changes=trail.bulk_summary({"created": len(entries)}, (e.pk for e in entries)),
    )


@transaction.atomic
def log_usage_on_shots(
    *,
    actor,
    production: Production,
    shots: Iterable[Shot],
    performers: Iterable[dict] = (),
    **data: Any,
) -> list[UsageEntry]:
    """Log the same use on many shots at once: one entry per shot, one summary audit event."""
    shots = list(shots)
    if not shots:
        raise ValidationError({"shots": "Select at least one shot."})
    performers = list(performers)
    entries = []
    for shot in shots:
        entry = UsageEntry(production=production, created_by=actor if actor else None)
        _prepare(entry, {**data, "shot": shot})
        entry.save()
        _set_performers(entry, performers, new=True)
        entries.append(entry)
    for episode_id in {entry.episode_id for entry in entries}:
        bump_change_counter(production.pk, episode_id)
    _bulk_event(production, actor=actor, action="usage.bulk_created", entries=entries)
    return entries


@transaction.atomic
def copy_usage(entry: UsageEntry, *, actor, shots: Iterable[Shot]) -> list[UsageEntry]:
    """Copy a use, with its performer links, to other shots of the same production."""
    values = model_to_dict(entry, fields=ENTRY_FIELDS)
    values.pop("shot")
    values.pop("episode")
    values["tool"] = entry.tool
    performers = [
        {"performer": link.performer, "consent": link.consent, "aspect": link.aspect}
        for link in entry.performer_links.select_related("performer", "consent")
    ]
    return log_usage_on_shots(
        actor=actor, production=entry.production, shots=shots, performers=performers, **values
    )


@transaction.atomic
def bulk_log(*, actor, production: Production, entries: list[UsageEntry], action: str) -> int:
    """Insert many uses at once (an import, the demo): tools must be in the organisation's
    registry and not banned; the IPTC type is derived; one counter bump, one summary event."""
    tool_status = dict(
        Tool.objects.filter(organization=production.organization).values_list("pk", "status")
    )
    for entry in entries:
        entry.production = production
        if tool_status.get(entry.tool_id) in (None, Tool.Status.BANNED):
            raise ValidationError({"tool": f"Tool {entry.tool_id} is banned or not registered."})
        if not entry.iptc_source_type:
            entry.iptc_source_type = derive_iptc_source_type(entry.category, entry.generation_kind)
    created = bulk.insert_many(UsageEntry, entries)
    bump_change_counter(production.pk)
    trail.record(
        actor=actor,
        action=action,
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="production",
        target_id=str(production.pk),
        target_label=production.title[:200],
        changes=trail.bulk_summary({"created": len(created)}, (e.pk for e in created)),
    )
    return len(created)
