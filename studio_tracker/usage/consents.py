"""Consents: recorded, edited, revoked (never deleted), and the question whether one covers a
use. Events record ids and changed field names, never consent wording."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.productions.changes import bump_change_counter
from studio_tracker.productions.models import Episode, Production

from ._writes import apply_fields, attach_document
from .choices import Medium
from .coverage import consent_covers, coverage_gaps
from .models import ConsentRecord

__all__ = ["consent_covers", "coverage_gaps", "record_consent", "revoke_consent", "update_consent"]

CONSENT_FIELDS = (
    "performer",
    "consent_type",
    "granted_by",
    "use_description",
    "is_separate_document",
    "in_standard_terms",
    "clear_and_conspicuous_attested",
    "media",
    "territories",
    "languages",
    "notice_given_at",
    "services_at",
    "engaged_less_than_48h",
    "signed_at",
    "valid_from",
    "valid_until",
    "compensation_terms",
)


def _consent_values(consent: ConsentRecord) -> dict[str, Any]:
    values = model_to_dict(consent, fields=CONSENT_FIELDS)
    values["episodes"] = sorted(e.pk for e in consent.episodes.all()) if consent.pk else []
    values["revoked_at"] = consent.revoked_at
    values["document_sha256"] = consent.document_sha256
    return values


def _record_consent(consent: ConsentRecord, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=f"consent.{action}",
        organization_id=consent.production.organization_id,
        production_id=consent.production_id,
        target_type="consent",
        target_id=str(consent.pk),
        changes={**changes, "performer_id": consent.performer_id},
    )


def _validate_consent(consent: ConsentRecord, episodes: Iterable[Episode] | None) -> None:
    errors = {}
    if consent.performer.organization_id != consent.production.organization_id:
        errors["performer"] = "That performer belongs to another organisation."
    media = consent.media if isinstance(consent.media, list) else [consent.media]
    unknown_media = sorted({str(m) for m in media if m not in Medium.values})
    if unknown_media:
        errors["media"] = f"Use production or marketing; not {', '.join(unknown_media)}."
    if consent.valid_from and consent.valid_until and consent.valid_until < consent.valid_from:
        errors["valid_until"] = "The consent ends before it starts."
    if episodes is not None and any(e.production_id != consent.production_id for e in episodes):
        errors["episodes"] = "An episode belongs to another production."
    if errors:
        raise ValidationError(errors)
    consent.full_clean(exclude=["document"])


@transaction.atomic
def record_consent(
    *,
    actor,
    production: Production,
    episodes: Iterable[Episode] = (),
    document=None,
    **data: Any,
) -> ConsentRecord:
    """Record a performer's consent for this production, optionally with the signed document."""
    consent = ConsentRecord(production=production)
    apply_fields(consent, CONSENT_FIELDS, data)
    episodes = list(episodes)
    _validate_consent(consent, episodes)
    attach_document(consent, document)
    consent.save()
    consent.episodes.set(episodes)
    bump_change_counter(production.pk)
    _record_consent(
        consent,
        actor=actor,
        action="created",
        changes=trail.personal_changes({}, _consent_values(consent)),
    )
    return consent


@transaction.atomic
def update_consent(
    consent: ConsentRecord,
    *,
    actor,
    episodes: Iterable[Episode] | None = None,
    document=None,
    **data: Any,
) -> ConsentRecord:
    """Edit a consent's terms or attach its document. Revoking goes through revoke_consent."""
    if consent.revoked_at is not None:
        raise ValidationError("A revoked consent cannot be edited; record a new one.")
    before = _consent_values(consent)
    apply_fields(consent, CONSENT_FIELDS, data)
    episodes = list(episodes) if episodes is not None else None
    _validate_consent(consent, episodes)
    attach_document(consent, document)
    consent.save()
    if episodes is not None:
        consent.episodes.set(episodes)
    changes = trail.personal_changes(before, _consent_values(consent))
    if changes["fields"]:
        bump_change_counter(consent.production_id)
        _record_consent(consent, actor=actor, action="updated", changes=changes)
    return consent


@transaction.atomic
def revoke_consent(consent: ConsentRecord, *, actor, revoked_at=None) -> ConsentRecord:
    """Mark a consent revoked (now, or at the given time). It stays on file for the record."""
    if consent.revoked_at is not None:
        raise ValidationError({"revoked_at": "This consent was already revoked."})
    consent.revoked_at = revoked_at or timezone.now()
    consent.save(update_fields=["revoked_at", "updated_at"])
    bump_change_counter(consent.production_id)
    _record_consent(consent, actor=actor, action="revoked", changes={"fields": ["revoked_at"]})
    return consent
