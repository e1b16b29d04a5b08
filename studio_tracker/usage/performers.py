"""Performers: people whose likeness or voice a production may use. They belong to the
organisation; events record ids and changed field names, never names or flags."""

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from studio_tracker.audit import trail
from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Organization

from ._writes import apply_fields
from .models import Performer

PERFORMER_FIELDS = (
    "legal_name",
    "professional_name",
    "category",
    "union",
    "is_deceased",
    "is_minor",
    "estate_contact",
)


def _record_performer(performer: Performer, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=f"performer.{action}",
        organization_id=performer.organization_id,
        target_type="performer",
        target_id=str(performer.pk),
        changes=changes,
    )


@transaction.atomic
def create_performer(*, actor, organization: Organization, **data: Any) -> Performer:
    performer = Performer(organization=organization)
    apply_fields(performer, PERFORMER_FIELDS, data)
    performer.full_clean()
    performer.save()
    _record_performer(
        performer,
        actor=actor,
        action="created",
        changes=trail.personal_changes({}, model_to_dict(performer, fields=PERFORMER_FIELDS)),
    )
    return performer


@transaction.atomic
def update_performer(performer: Performer, *, actor, **data: Any) -> Performer:
    if performer.erased_at is not None:
        # An anonymised stub stays one: new personal data would need a new performer.
        raise StateConflict("This performer's personal data was erased; the record is closed.")
    before = model_to_dict(performer, fields=PERFORMER_FIELDS)
    apply_fields(performer, PERFORMER_FIELDS, data)
    performer.full_clean()
    changes = trail.personal_changes(before, model_to_dict(performer, fields=PERFORMER_FIELDS))
    if not changes["fields"]:
        return performer
    performer.save()
    # Every production whose evidence names this performer has stale reports now.
    for production_id in set(performer.consents.values_list("production_id", flat=True)) | set(
        performer.usage_links.values_list("usage_entry__production_id", flat=True)
    ):
        bump_change_counter(production_id)
    _record_performer(performer, actor=actor, action="updated", changes=changes)
    return performer
