"""Create, update and delete productions, episodes, sequences and shots.

Every write here validates, bumps the production's change counter (so reports know they are
stale) and records its audit event in the same transaction; views and the API call these and
nothing else writes these tables.
"""

from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.forms.models import model_to_dict

from studio_tracker.audit import trail
from studio_tracker.lib.timecode import frames_inclusive

from .models import Episode, Organization, Production, Sequence, Shot

PRODUCTION_FIELDS = (
    "title",
    "kind",
    "is_factual",
    "guilds",
    "territories",
    "commissioner",
    "frame_rate",
    "release_date",
    "principal_photography_start",
    "shot_code_pattern",
)
EPISODE_FIELDS = ("code", "title")
SEQUENCE_FIELDS = ("episode", "code", "title")
SHOT_FIELDS = (
    "episode",
    "sequence",
    "code",
    "description",
    "record_in",
    "record_out",
    "source_in",
    "source_out",
    "frame_in",
    "frame_out",
    "reel",
    "vendor",
    "locked_for_final",
)


def bump_change_counter(production_id: int, episode_id: int | None = None) -> None:
    """Mark everything compiled so far for this production (and episode) as stale."""
    Production.objects.filter(pk=production_id).update(change_counter=F("change_counter") + 1)
    if episode_id:
        Episode.objects.filter(pk=episode_id).update(change_counter=F("change_counter") + 1)


def _values(instance: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return model_to_dict(instance, fields=fields)


def _apply(instance: Model, fields: tuple[str, ...], data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)


def _record(instance, *, actor, action: str, production: Production, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=f"{instance._meta.model_name}.{action}",
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type=instance._meta.model_name,
        target_id=str(instance.pk),
        target_label=str(getattr(instance, "code", None) or instance)[:200],
        changes=changes,
    )


def _episode_of(instance) -> int | None:
    return getattr(instance, "episode_id", None)


@transaction.atomic
def _create(model, fields, *, actor, production: Production, data: dict[str, Any]):
    instance = model(production=production)
    _apply(instance, fields, data)
    instance.full_clean()
    instance.save()
    bump_change_counter(production.pk, _episode_of(instance))
    _record(
        instance,
        actor=actor,
        action="created",
        production=production,
        changes=trail.field_changes({}, _values(instance, fields)),
    )
    return instance


@transaction.atomic
def _update(instance, fields, *, actor, data: dict[str, Any]):
    before = _values(instance, fields)
    episode_before = _episode_of(instance)
    _apply(instance, fields, data)
    instance.full_clean()
    changes = trail.field_changes(before, _values(instance, fields))
    if not changes:
        return instance
    instance.save()
    production = instance.production
    bump_change_counter(production.pk, _episode_of(instance))
    if episode_before and episode_before != _episode_of(instance):
        bump_change_counter(production.pk, episode_before)
    _record(instance, actor=actor, action="updated", production=production, changes=changes)
    return instance


@transaction.atomic
def _delete(instance, fields, *, actor) -> None:
    production = instance.production
    before = _values(instance, fields)
    episode_id = _episode_of(instance)
    pk = instance.pk
    instance.delete()
    instance.pk = pk  # so the event names what was deleted
    bump_change_counter(production.pk, episode_id)
    _record(
        instance,
        actor=actor,
        action="deleted",
        production=production,
        changes=trail.field_changes(before, {}),
    )


# --- Organisations ----------------------------------------------------------------------------


@transaction.atomic
def create_organization(*, actor, name: str, slug: str) -> Organization:
    """Create an organisation; its audit chain starts with this event."""
    organization = Organization(name=name, slug=slug)
    organization.full_clean()
    organization.save()
    trail.record(
        actor=actor,
        action="organization.created",
        organization_id=organization.pk,
        target_type="organization",
        target_id=str(organization.pk),
        target_label=organization.name[:200],
        changes=trail.field_changes({}, {"name": name, "slug": slug}),
    )
    return organization


# --- Productions ------------------------------------------------------------------------------


@transaction.atomic
def create_production(*, actor, organization: Organization, **data: Any) -> Production:
    """Create a production in the organisation; the actor's rights are checked by the caller."""
    production = Production(organization=organization)
    _apply(production, PRODUCTION_FIELDS, data)
    production.full_clean()
    production.save()
    _record(
        production,
        actor=actor,
        action="created",
        production=production,
        changes=trail.field_changes({}, _values(production, PRODUCTION_FIELDS)),
    )
    return production


@transaction.atomic
def update_production(production: Production, *, actor, **data: Any) -> Production:
    """Edit the production's own fields; any change makes its reports stale."""
    before = _values(production, PRODUCTION_FIELDS)
    _apply(production, PRODUCTION_FIELDS, data)
    production.full_clean()
    changes = trail.field_changes(before, _values(production, PRODUCTION_FIELDS))
    if not changes:
        return production
    production.save()
    bump_change_counter(production.pk)
    production.refresh_from_db(fields=["change_counter"])
    _record(production, actor=actor, action="updated", production=production, changes=changes)
    return production


# --- Episodes, sequences, shots ---------------------------------------------------------------


def create_episode(*, actor, production: Production, **data: Any) -> Episode:
    return _create(Episode, EPISODE_FIELDS, actor=actor, production=production, data=data)


def update_episode(episode: Episode, *, actor, **data: Any) -> Episode:
    return _update(episode, EPISODE_FIELDS, actor=actor, data=data)


def delete_episode(episode: Episode, *, actor) -> None:
    """Delete an episode and its sequences; its shots stay in the production, unassigned."""
    _delete(episode, EPISODE_FIELDS, actor=actor)


def create_sequence(*, actor, production: Production, **data: Any) -> Sequence:
    return _create(Sequence, SEQUENCE_FIELDS, actor=actor, production=production, data=data)


def update_sequence(sequence: Sequence, *, actor, **data: Any) -> Sequence:
    return _update(sequence, SEQUENCE_FIELDS, actor=actor, data=data)


def delete_sequence(sequence: Sequence, *, actor) -> None:
    """Delete a sequence; its shots stay in the production, unassigned."""
    _delete(sequence, SEQUENCE_FIELDS, actor=actor)


def create_shot(*, actor, production: Production, **data: Any) -> Shot:
    return _create(Shot, SHOT_FIELDS, actor=actor, production=production, data=data)


def update_shot(shot: Shot, *, actor, **data: Any) -> Shot:
    return _update(shot, SHOT_FIELDS, actor=actor, data=data)


def delete_shot(shot: Shot, *, actor) -> None:
    _delete(shot, SHOT_FIELDS, actor=actor)


@transaction.atomic
def bulk_create_shots(*, actor, production: Production, shots: list[Shot], action: str) -> int:
    """Insert many shots at once (an import, the demo) and return how many were new.

    Codes already in the production are skipped. One counter bump and one summary audit event
    with the counts and a digest of the codes, instead of one event per row.
    """
    for shot in shots:
        shot.production = production
        shot.frames = frames_inclusive(shot.frame_in, shot.frame_out)
    before = Shot.objects.filter(production=production).count()
    Shot.objects.bulk_create(shots, batch_size=2000, ignore_conflicts=True)
    created = Shot.objects.filter(production=production).count() - before
    bump_change_counter(production.pk)
    trail.record(
        actor=actor,
        action=action,
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="production",
        target_id=str(production.pk),
        target_label=production.title[:200],
        changes=trail.bulk_summary(
            {"submitted": len(shots), "created": created, "skipped": len(shots) - created},
            (shot.code for shot in shots),
        ),
    )
    return created
