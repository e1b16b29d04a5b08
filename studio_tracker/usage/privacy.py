"""A performer's personal data: export it on request, and erase it from the live records.

Both are for the compliance admins of the performer's organisation; callers check that first
(``may_manage_personal_data``). Both record an audit event that holds ids and counts, never a
name, a contact or a consent's wording.

Erasure keeps the performer as an anonymised stub (``erased_at`` set), so every usage link,
consent and coverage question that points at the row still works, and the change counters move
so each production's reports go stale and the next version is compiled without the data.
Frozen report versions are not touched: they stay the legal record and ``reports`` shows them,
after an erasure, to compliance admins only (``ReportQuerySet.visible_to``).

What erasure clears, and why the rest stays:
- the performer's legal name and professional name (replaced by ``Erased performer #<id>``)
  and the estate or guardian contact;
- their consents' pay terms and signed documents (the files are deleted from storage once the
  erasure commits; the SHA-256 stays, as a record that a document was on file: a digest
  reveals nothing of the content);
- every occurrence of either name in the free text of their consents (wording) and of the uses
  and clearances that concern them (descriptions, prompts, parties, notes).
The category, union, minor and deceased flags stay: the rules need them to judge the consents
still relied on, and without a name they identify no one.
"""

import datetime
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent
from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions import access
from studio_tracker.productions.changes import bump_change_counter

from .models import Clearance, ConsentRecord, Performer, UsageEntry, UsagePerformer

EXPORT_SCHEMA = "studio-tracker/performer-personal-data/1"
ERASED_NAME = "Erased performer #{pk}"

PERFORMER_EXPORT_FIELDS = (
    "id",
    "legal_name",
    "professional_name",
    "category",
    "union",
    "is_deceased",
    "is_minor",
    "estate_contact",
    "created_at",
    "erased_at",
)
CONSENT_EXPORT_FIELDS = (
    "id",
    "production_id",
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
    "revoked_at",
    "compensation_terms",
    "document_sha256",
    "created_at",
    "updated_at",
)
# Free text that may name the performer, by model: erasure replaces the names in it.
ENTRY_TEXT_FIELDS = ("description", "human_contribution", "prompt_text")
CLEARANCE_TEXT_FIELDS = ("party", "note")


def may_manage_personal_data(user, performer: Performer) -> bool:
    """Export and erasure belong to the compliance admins of the performer's organisation."""
    return access.is_compliance_admin(user, performer.organization_id)


def record_document_read(item: ConsentRecord | Clearance, *, actor) -> None:
    """Record who read which signed document: the consent's or clearance's id and the file's
    SHA-256, never its name or content. One event per download."""
    kind = "consent" if isinstance(item, ConsentRecord) else "clearance"
    trail.record(
        actor=actor,
        action=f"{kind}.document_read",
        organization_id=item.production.organization_id,
        production_id=item.production_id,
        target_type=kind,
        target_id=str(item.pk),
        changes={"document_sha256": item.document_sha256},
    )


# --- Export -------------------------------------------------------------------------------------


def _clearances_naming(performer: Performer):
    """Clearances that cover a use of this performer, or whose party or note names them."""
    names = Q()
    for name in _names(performer):
        names |= Q(party__icontains=name) | Q(note__icontains=name)
    linked = UsagePerformer.objects.filter(performer=performer).values("usage_entry")
    return (
        Clearance.objects.filter(production__organization_id=performer.organization_id)
        .filter(Q(usage_entries__in=linked) | names)
        .distinct()
        .order_by("production_id", "id")
    )


def personal_data(performer: Performer) -> dict[str, Any]:
    """Everything the live records hold about one performer, as JSON-ready values."""
    consents = list(
        ConsentRecord.objects.filter(performer=performer)
        .select_related("production")
        .prefetch_related("episodes")
        .order_by("production_id", "id")
    )
    links = (
        UsagePerformer.objects.filter(performer=performer)
        .select_related("usage_entry__production", "usage_entry__shot", "usage_entry__tool")
        .order_by("usage_entry__production_id", "usage_entry_id")
    )
    return {
        "schema": EXPORT_SCHEMA,
        "organization": {"id": performer.organization_id, "name": performer.organization.name},
        "performer": {name: _plain(getattr(performer, name)) for name in PERFORMER_EXPORT_FIELDS},
        "consents": [
            {
                **{name: _plain(getattr(consent, name)) for name in CONSENT_EXPORT_FIELDS},
                "production": consent.production.title,
                "episodes": sorted(episode.code for episode in consent.episodes.all()),
                "has_document": bool(consent.document),
            }
            for consent in consents
        ],
        "usage": [
            {
                "usage_entry_id": link.usage_entry_id,
                "production_id": link.usage_entry.production_id,
                "production": link.usage_entry.production.title,
                "shot": link.usage_entry.shot.code if link.usage_entry.shot_id else None,
                "category": link.usage_entry.category,
                "tool": link.usage_entry.tool.name,
                "used_on": _plain(link.usage_entry.used_on),
                "aspect": link.aspect,
                "consent_id": link.consent_id,
                **{name: getattr(link.usage_entry, name) for name in ENTRY_TEXT_FIELDS},
            }
            for link in links
        ],
        "clearances": [
            {
                "id": clearance.pk,
                "production_id": clearance.production_id,
                "kind": clearance.kind,
                "party": clearance.party,
                "date": _plain(clearance.date),
                "note": clearance.note,
                "document_sha256": clearance.document_sha256,
            }
            for clearance in _clearances_naming(performer)
        ],
        "audit_events": [
            {"seq": seq, "action": action, "created_at": _plain(created_at)}
            for seq, action, created_at in AuditEvent.objects.filter(
                organization_id=performer.organization_id,
                target_type="performer",
                target_id=str(performer.pk),
            )
            .order_by("seq")
            .values_list("seq", "action", "created_at")
        ],
    }


def export_personal_data(performer: Performer, *, actor) -> bytes:
    """The performer's personal data as a JSON document, recorded as an export (no values)."""
    data = personal_data(performer)
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True).encode()
    trail.record(
        actor=actor,
        action="performer.exported",
        organization_id=performer.organization_id,
        target_type="performer",
        target_id=str(performer.pk),
        changes={
            "consents": len(data["consents"]),
            "usage_links": len(data["usage"]),
            "clearances": len(data["clearances"]),
        },
    )
    return body


def export_filename(performer: Performer) -> str:
    # The id, not the name: file names end up in download folders and proxy logs.
    return f"performer-{performer.pk}-personal-data.json"


# --- Erasure ------------------------------------------------------------------------------------


def confirmation_matches(performer: Performer, typed: str) -> bool:
    """The person erasing typed the professional name (spaces and case do not matter)."""
    return (
        " ".join(typed.split()).casefold()
        == " ".join(performer.professional_name.split()).casefold()
    )


def erase_performer(performer: Performer, *, actor, confirmation: str) -> Performer:
    """Erase the performer's personal data from the live records; keep an anonymised stub.

    ``confirmation`` must be their professional name. Raises StateConflict (409) when they are
    already erased and ValidationError when the confirmation does not match.
    """
    documents: list = []
    with transaction.atomic():
        performer = Performer.objects.select_for_update().get(pk=performer.pk)
        if performer.erased_at is not None:
            raise StateConflict("This performer's personal data was already erased.")
        if not confirmation_matches(performer, confirmation):
            raise ValidationError(
                {"confirmation": "Type the performer's professional name exactly to confirm."}
            )
        pattern = _names_pattern(performer)
        stub = ERASED_NAME.format(pk=performer.pk)
        productions: set[int] = set()

        consents = list(ConsentRecord.objects.select_for_update().filter(performer=performer))
        for consent in consents:
            if consent.document:
                documents.append((consent.document.storage, consent.document.name))
            consent.document = ""
            consent.compensation_terms = ""
            consent.use_description = pattern.sub(stub, consent.use_description)
            consent.save(update_fields=["document", "compensation_terms", "use_description"])
            productions.add(consent.production_id)

        entry_ids = UsagePerformer.objects.filter(performer=performer).values("usage_entry")
        scrubbed_entries = _scrub(
            UsageEntry.objects.filter(pk__in=entry_ids), ENTRY_TEXT_FIELDS, pattern, stub
        )
        productions |= set(
            UsageEntry.objects.filter(pk__in=entry_ids).values_list("production_id", flat=True)
        )
        clearances = Clearance.objects.filter(
            pk__in=[clearance.pk for clearance in _clearances_naming(performer)]
        )
        scrubbed_clearances = _scrub(clearances, CLEARANCE_TEXT_FIELDS, pattern, stub)

        performer.legal_name = stub
        performer.professional_name = stub
        performer.estate_contact = ""
        performer.erased_at = timezone.now()
        performer.save(
            update_fields=["legal_name", "professional_name", "estate_contact", "erased_at"]
        )
        for production_id in sorted(productions):
            bump_change_counter(production_id)
        trail.record(
            actor=actor,
            action="performer.erased",
            organization_id=performer.organization_id,
            target_type="performer",
            target_id=str(performer.pk),
            changes={
                "fields": ["estate_contact", "legal_name", "professional_name"],
                "consents": len(consents),
                "documents_deleted": len(documents),
                "usage_entries_scrubbed": scrubbed_entries,
                "clearances_scrubbed": scrubbed_clearances,
                "production_ids": sorted(productions),
            },
        )
        # Files go only once the erasure is committed: a rollback must leave them in place.
        transaction.on_commit(lambda: _delete_files(documents))
    return performer


def _scrub(queryset, fields: tuple[str, ...], pattern: re.Pattern, stub: str) -> int:
    changed = 0
    for row in queryset.select_for_update(of=("self",)).only("pk", *fields):
        edited = [name for name in fields if pattern.search(getattr(row, name) or "")]
        for name in edited:
            setattr(row, name, pattern.sub(stub, getattr(row, name)))
        if edited:
            row.save(update_fields=edited)
            changed += 1
    return changed


def _delete_files(documents) -> None:
    for storage, name in documents:
        storage.delete(name)


def _names(performer: Performer) -> list[str]:
    names = {performer.legal_name.strip(), performer.professional_name.strip()}
    # Longest first, so "Maggie Whitcombe" is replaced before a shorter name inside it.
    return sorted((name for name in names if name), key=len, reverse=True)


def _names_pattern(performer: Performer) -> re.Pattern:
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in _names(performer))
    return re.compile(alternatives or r"(?!)", re.IGNORECASE)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value
