"""Clearances: evidence that a notice, disclosure, consultation or approval happened."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from studio_tracker.audit import trail
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Production

from ._writes import apply_fields, attach_document
from .models import Clearance, UsageEntry

CLEARANCE_FIELDS = ("kind", "party", "date", "note")


def _clearance_values(clearance: Clearance) -> dict[str, Any]:
    values = model_to_dict(clearance, fields=CLEARANCE_FIELDS)
    values["usage_entries"] = (
        sorted(clearance.usage_entries.values_list("pk", flat=True)) if clearance.pk else []
    )
    values["document_sha256"] = clearance.document_sha256
    return values


TEXT_FIELDS = frozenset({"party", "note"})  # may name people: recorded as changed, not copied


def _audit_changes(before: dict, after: dict) -> dict:
    changes = trail.field_changes(
        {k: v for k, v in before.items() if k not in TEXT_FIELDS},
        {k: v for k, v in after.items() if k not in TEXT_FIELDS},
    )
    text = sorted(name for name in TEXT_FIELDS if before.get(name) != after.get(name))
    if text:
        changes["changed_without_values"] = text
    return changes


def _check_entries(production: Production, usage_entries) -> list[UsageEntry]:
    entries = list(usage_entries)
    if any(entry.production_id != production.pk for entry in entries):
        raise ValidationError({"usage_entries": "A usage entry belongs to another production."})
    return entries


@transaction.atomic
def record_clearance(
    *, actor, production: Production, usage_entries=(), document=None, **data: Any
) -> Clearance:
    """Record a notice, disclosure, consultation or approval, and the uses it covers."""
    clearance = Clearance(production=production)
    apply_fields(clearance, CLEARANCE_FIELDS, data)
    entries = _check_entries(production, usage_entries)
    clearance.full_clean(exclude=["document"])
    attach_document(clearance, document)
    clearance.save()
    clearance.usage_entries.set(entries)
    bump_change_counter(production.pk)
    trail.record(
        actor=actor,
        action="clearance.created",
        organization_id=production.organization_id,
        production_id=production.pk,
        target_type="clearance",
        target_id=str(clearance.pk),
        target_label=clearance.kind,
        changes=_audit_changes({}, _clearance_values(clearance)),
    )
    return clearance


@transaction.atomic
def update_clearance(
    clearance: Clearance, *, actor, usage_entries=None, document=None, **data: Any
) -> Clearance:
    before = _clearance_values(clearance)
    apply_fields(clearance, CLEARANCE_FIELDS, data)
    clearance.full_clean(exclude=["document"])
    attach_document(clearance, document)
    clearance.save()
    if usage_entries is not None:
        clearance.usage_entries.set(_check_entries(clearance.production, usage_entries))
    changes = _audit_changes(before, _clearance_values(clearance))
    if changes:
        bump_change_counter(clearance.production_id)
        trail.record(
            actor=actor,
            action="clearance.updated",
            organization_id=clearance.production.organization_id,
            production_id=clearance.production_id,
            target_type="clearance",
            target_id=str(clearance.pk),
            target_label=clearance.kind,
            changes=changes,
        )
    return clearance
