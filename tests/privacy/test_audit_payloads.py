"""Performers' personal data never enters the audit chain, which cannot be edited or erased.

Every write path that touches a performer or a consent (pages, API, import, export, document
downloads, erasure) runs with distinctive planted values; then every event of the organisation
is searched for them. Events may say *which* fields changed, never what they hold.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.audit.models import AuditEvent
from studio_tracker.imports import flow
from studio_tracker.usage.models import ConsentRecord, Performer
from tests.usage.conftest import add_tool

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LEGAL = "Zephyrine Quillfeather-Oduya"
PROFESSIONAL = "Zeph Quill"
RENAMED_LEGAL = "Zephyrine Q. Oduya-Marsh"
CONTACT = "Guardian: Abena Oduya, +44 7700 900123"
PAY = "EUR 77,777 flat for the scan day"
WORDING = "Quillfeather likeness scan, storm sequence only, reel four"
NEW_WORDING = "Quillfeather likeness scan, storm and harbour sequences"
PROMPT_TEXT = "Zeph Quill soaked in rain, close-up, looking left"
DESCRIPTION = "Replace the double's face with Zeph Quill's scan"
PARTY = "Equity, on behalf of Zephyrine Quillfeather-Oduya"
PLANTED = (LEGAL, PROFESSIONAL, RENAMED_LEGAL, CONTACT, PAY, WORDING, NEW_WORDING, PROMPT_TEXT)
PLANTED += (DESCRIPTION, PARTY, "+44 7700", "77,777", "Quillfeather")

# What performer and consent events may carry: field names, ids and counts.
ALLOWED_KEYS = {
    "fields",
    "performer_id",
    "consents",
    "usage_links",
    "clearances",
    "documents_deleted",
    "usage_entries_scrubbed",
    "clearances_scrubbed",
    "production_ids",
    "document_sha256",
}


def test_no_write_path_puts_personal_data_into_the_chain(
    api, client, cast, media, django_capture_on_commit_callbacks
):
    tool = add_tool(cast)
    production = cast.production_a
    pat = api.as_user(cast.pat)

    # A performer added and edited on the pages.
    client.force_login(cast.pat)
    page = client.post(
        f"/organizations/{cast.northlight.pk}/performers/new/",
        {
            "legal_name": LEGAL,
            "professional_name": PROFESSIONAL,
            "category": "principal",
            "union": "equity",
            "is_minor": "on",
            "estate_contact": CONTACT,
        },
    )
    assert page.status_code == 302, page.content
    performer = Performer.objects.get(legal_name=LEGAL)
    # Not linked to a production yet: only compliance admins see her.
    edited = api.as_user(cast.cam).patch(
        f"/api/v1/performers/{performer.pk}/",
        {"legal_name": RENAMED_LEGAL, "is_minor": False},
        format="json",
    )
    assert edited.status_code == 200

    # A consent recorded on the page with its signed document, then edited and revoked by API.
    page = client.post(
        f"/productions/{production.pk}/consents/new/",
        {
            "performer": performer.pk,
            "consent_type": "ebdr_use",
            "granted_by": "guardian",
            "use_description": WORDING,
            "is_separate_document": "on",
            "compensation_terms": PAY,
            "signed_at": "2025-01-10",
            "document": SimpleUploadedFile("Quillfeather signed.pdf", PDF, "application/pdf"),
        },
    )
    assert page.status_code == 302, page.content
    consent = ConsentRecord.objects.get(performer=performer)
    pat = api.as_user(cast.pat)
    patched = pat.patch(
        f"/api/v1/consents/{consent.pk}/",
        {"use_description": NEW_WORDING, "compensation_terms": PAY + " plus residuals"},
        format="json",
    )
    assert patched.status_code == 200, patched.content

    # A use naming her in its prompt and description, and a clearance naming her.
    entry = pat.post(
        "/api/v1/usage-entries/",
        {
            "production": production.pk,
            "shot": cast.shot_a.pk,
            "department": "vfx",
            "category": "face_replacement",
            "modality": "video",
            "tool": tool.pk,
            "disposition": "final_key",
            "replica_kind": "ebdr",
            "used_on": "2025-03-01",
            "description": DESCRIPTION,
            "prompt_text": PROMPT_TEXT,
            "performers": [{"performer": performer.pk, "consent": consent.pk}],
        },
        format="json",
    )
    assert entry.status_code == 201, entry.content
    clearance = pat.post(
        "/api/v1/clearances/",
        {
            "production": production.pk,
            "kind": "union_notice",
            "party": PARTY,
            "date": "2025-02-01",
            "note": f"Notice about {PROFESSIONAL}",
            "usage_entries": [entry.json()["id"]],
        },
        format="json",
    )
    assert clearance.status_code == 201, clearance.content

    # A usage import naming her by professional name.
    csv = (
        "Shot,Department,Category,Tool,Disposition,Description,Performers,External ref,Used on\n"
        f"{cast.shot_a.code},vfx,deaging,{tool.name},final_key,{DESCRIPTION},{PROFESSIONAL},"
        "IMP-1,2025-03-02\n"
    ).encode()
    record = flow.start(
        upload=SimpleUploadedFile("usage.csv", csv, "text/csv"),
        actor=cast.pat,
        production=production,
        kind="usage",
        dry_run=False,
    )
    assert record.status == "applied", (record.failure, record.errors)

    # Reading the document, exporting, erasing.
    assert client.get(f"/consents/{consent.pk}/document/").status_code == 200
    revoked = pat.patch(
        f"/api/v1/consents/{consent.pk}/", {"revoked_at": "2025-06-01T00:00:00Z"}, format="json"
    )
    assert revoked.status_code == 200, revoked.content
    cam = api.as_user(cast.cam)
    assert cam.get(f"/api/v1/performers/{performer.pk}/personal-data/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        erased = cam.post(
            f"/api/v1/performers/{performer.pk}/erase/",
            {"confirmation": PROFESSIONAL},
            format="json",
        )
    assert erased.status_code == 200

    events = list(AuditEvent.objects.filter(organization_id=cast.northlight.pk))
    actions = {event.action for event in events}
    assert {
        "performer.created",
        "performer.updated",
        "consent.created",
        "consent.updated",
        "consent.revoked",
        "consent.document_read",
        "performer.exported",
        "performer.erased",
    } <= actions
    text = json.dumps(
        [[e.action, e.target_type, e.target_id, e.target_label, e.changes] for e in events],
        ensure_ascii=False,
    ).casefold()
    for value in PLANTED:
        assert value.casefold() not in text, value
    for event in events:
        if event.target_type in ("performer", "consent"):
            assert set(event.changes) <= ALLOWED_KEYS, event
            assert all(isinstance(name, str) for name in event.changes.get("fields", []))
            assert event.target_label == ""
