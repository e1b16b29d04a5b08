"""A compliance admin exports a performer's personal data, and erases it from the live records.

Both are recorded in the audit trail without the data; nobody else may do either (403 for those
who can read the performer, 404 for the rest); erasure keeps an anonymised stub, so the uses and
consents that point at it still work.
"""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions.models import Production
from studio_tracker.usage import clearances, consents, performers, privacy
from studio_tracker.usage.models import Clearance, ConsentRecord, Performer, UsageEntry
from tests.usage.conftest import (
    CONSENT_WORDING,
    LEGAL_NAME,
    PAY_TERMS,
    PROFESSIONAL_NAME,
    PROMPT,
    open_to_union_reps,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ESTATE_CONTACT = "c/o Oyelaran Family Trust, 14 Quay Street, Bristol"
PLANTED = (LEGAL_NAME, PROFESSIONAL_NAME, ESTATE_CONTACT, PAY_TERMS, CONSENT_WORDING, PROMPT)


@pytest.fixture
def full(cast, evidence, media):
    """The evidence, plus an estate contact, a signed document and a clearance naming her."""
    performers.update_performer(evidence.performer, actor=cast.pat, estate_contact=ESTATE_CONTACT)
    consents.update_consent(
        evidence.consent,
        actor=cast.pat,
        document=SimpleUploadedFile("Whitcombe signed.pdf", PDF, content_type="application/pdf"),
    )
    clearances.record_clearance(
        actor=cast.pat,
        production=cast.production_a,
        usage_entries=[evidence.entry],
        kind="union_notice",
        party=f"SAG-AFTRA, for {PROFESSIONAL_NAME}",
        date="2025-02-01",
        note=f"Notice of the replica of {LEGAL_NAME}",
    )
    evidence.performer.refresh_from_db()
    evidence.consent.refresh_from_db()
    return evidence


def events_text(organization_id) -> str:
    return json.dumps(
        [
            [e.action, e.target_label, e.changes]
            for e in AuditEvent.objects.filter(organization_id=organization_id)
        ],
        ensure_ascii=False,
    )


# --- Export -------------------------------------------------------------------------------------


def test_a_compliance_admin_downloads_everything_held_about_the_performer(api, cast, full):
    response = api.as_user(cast.cam).get(f"/api/v1/performers/{full.performer.pk}/personal-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="performer-{full.performer.pk}-personal-data.json"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.content)
    assert data["performer"]["legal_name"] == LEGAL_NAME
    assert data["performer"]["estate_contact"] == ESTATE_CONTACT
    [consent] = data["consents"]
    assert consent["use_description"] == CONSENT_WORDING
    assert consent["compensation_terms"] == PAY_TERMS
    assert consent["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert consent["has_document"] is True
    [use] = data["usage"]
    assert use["usage_entry_id"] == full.entry.pk
    assert use["prompt_text"] == PROMPT
    assert use["consent_id"] == full.consent.pk
    [clearance] = data["clearances"]
    assert LEGAL_NAME in clearance["note"]
    assert [e["action"] for e in data["audit_events"]] == ["performer.created", "performer.updated"]


def test_the_export_is_audited_without_the_data(api, cast, full):
    api.as_user(cast.cam).get(f"/api/v1/performers/{full.performer.pk}/personal-data/")
    event = AuditEvent.objects.filter(action="performer.exported").get()
    assert event.actor_id == cast.cam.pk
    assert event.target_id == str(full.performer.pk)
    assert event.changes == {"consents": 1, "usage_links": 1, "clearances": 1}
    for value in PLANTED:
        assert value not in events_text(cast.northlight.pk)


def test_the_export_page_downloads_the_same_file(client, cast, full):
    client.force_login(cast.cam)
    page = client.get(f"/performers/{full.performer.pk}/personal-data/")
    assert page.status_code == 200
    assert b"Download their data" in page.content
    download = client.get(f"/performers/{full.performer.pk}/personal-data.json")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.content)["performer"]["legal_name"] == LEGAL_NAME


@pytest.mark.parametrize(("name", "status"), [("pat", 403), ("cora", 403), ("uma", 403)])
def test_members_who_read_the_performer_may_not_export(api, client, cast, full, name, status):
    open_to_union_reps(cast.production_a)  # uma may read the performer now, still not export
    user = getattr(cast, name)
    assert api.as_user(user).get(f"/api/v1/performers/{full.performer.pk}/").status_code == 200
    url = f"/api/v1/performers/{full.performer.pk}/personal-data/"
    assert api.as_user(user).get(url).status_code == status
    client.force_login(user)
    assert client.get(f"/performers/{full.performer.pk}/personal-data.json").status_code == status
    assert client.get(f"/performers/{full.performer.pk}/personal-data/").status_code == status
    assert not AuditEvent.objects.filter(action="performer.exported").exists()


@pytest.mark.parametrize("name", ["olga", "dina", "ugo"])
def test_outsiders_do_not_learn_that_the_performer_exists(api, client, cast, full, name):
    user = getattr(cast, name)
    url = f"/api/v1/performers/{full.performer.pk}/personal-data/"
    assert api.as_user(user).get(url).status_code == 404
    client.force_login(user)
    assert client.get(f"/performers/{full.performer.pk}/personal-data.json").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(api, client, full):
    assert api.get(f"/api/v1/performers/{full.performer.pk}/personal-data/").status_code == 401
    page = client.get(f"/performers/{full.performer.pk}/personal-data/")
    assert page.status_code == 302
    assert "/login" in page["Location"]


# --- Erasure ------------------------------------------------------------------------------------


def erase(api, cast, performer, confirmation=PROFESSIONAL_NAME, user=None):
    return api.as_user(user or cast.cam).post(
        f"/api/v1/performers/{performer.pk}/erase/", {"confirmation": confirmation}, format="json"
    )


def test_erasure_replaces_the_names_and_clears_contact_pay_and_documents(
    api, cast, full, media, django_capture_on_commit_callbacks
):
    stored = full.consent.document.path
    with open(stored, "rb") as handle:
        assert handle.read() == PDF
    # The files are deleted once the erasure commits (a rollback must leave them in place).
    with django_capture_on_commit_callbacks(execute=True):
        response = erase(api, cast, full.performer)
    assert response.status_code == 200, response.content
    stub = f"Erased performer #{full.performer.pk}"
    assert response.json()["legal_name"] == stub
    assert response.json()["erased_at"]

    performer = Performer.objects.get(pk=full.performer.pk)
    assert performer.legal_name == performer.professional_name == stub
    assert performer.estate_contact == ""
    assert performer.erased_at is not None
    consent = ConsentRecord.objects.get(pk=full.consent.pk)
    assert consent.compensation_terms == ""
    assert not consent.document
    assert consent.document_sha256 == hashlib.sha256(PDF).hexdigest()  # what was on file
    assert list((media / "evidence").iterdir()) == []
    entry = UsageEntry.objects.get(pk=full.entry.pk)
    assert PROFESSIONAL_NAME not in entry.prompt_text
    assert entry.prompt_text == PROMPT.replace(PROFESSIONAL_NAME, stub)
    clearance = Clearance.objects.get(production=cast.production_a)
    assert LEGAL_NAME not in clearance.note and PROFESSIONAL_NAME not in clearance.party


def test_after_erasure_no_live_row_holds_the_planted_values(api, cast, full):
    erase(api, cast, full.performer)
    export = api.as_user(cast.cam).get(f"/api/v1/performers/{full.performer.pk}/personal-data/")
    text = export.content.decode()
    for value in (LEGAL_NAME, PROFESSIONAL_NAME, ESTATE_CONTACT, PAY_TERMS):
        assert value not in text


def test_uses_and_coverage_still_work_after_erasure(api, client, cast, full):
    client.force_login(cast.cam)
    before = client.get(f"/performers/{full.performer.pk}/uses/")
    assert b'class="badge badge-ok">covered<' in before.content
    erase(api, cast, full.performer)
    entry = api.as_user(cast.pat).get(f"/api/v1/usage-entries/{full.entry.pk}/").json()
    assert entry["performers"] == [
        {"performer": full.performer.pk, "consent": full.consent.pk, "aspect": "face"}
    ]
    consent = api.as_user(cast.pat).get(f"/api/v1/consents/{full.consent.pk}/").json()
    assert consent["performer"] == full.performer.pk
    assert consent["revoked_at"] is None
    after = client.get(f"/performers/{full.performer.pk}/uses/")
    assert after.status_code == 200
    assert cast.shot_a.code.encode() in after.content
    assert b'class="badge badge-ok">covered<' in after.content


def test_the_erasure_is_audited_without_personal_data(api, cast, full):
    erase(api, cast, full.performer)
    event = AuditEvent.objects.filter(action="performer.erased").get()
    assert event.actor_id == cast.cam.pk
    assert event.target_type == "performer"
    assert event.target_id == str(full.performer.pk)
    assert event.changes["documents_deleted"] == 1
    assert event.changes["production_ids"] == [cast.production_a.pk]
    for value in PLANTED:
        assert value not in events_text(cast.northlight.pk)


def test_erasure_makes_the_productions_reports_stale(api, cast, full):
    before = Production.objects.get(pk=cast.production_a.pk).change_counter
    erase(api, cast, full.performer)
    assert Production.objects.get(pk=cast.production_a.pk).change_counter > before


def test_a_wrong_confirmation_erases_nothing(api, cast, full):
    response = erase(api, cast, full.performer, confirmation="Maggie")
    assert response.status_code == 400
    assert "confirmation" in response.json()
    performer = Performer.objects.get(pk=full.performer.pk)
    assert performer.legal_name == LEGAL_NAME and performer.erased_at is None
    assert ConsentRecord.objects.get(pk=full.consent.pk).document


def test_a_second_erasure_is_a_conflict(api, cast, full):
    assert erase(api, cast, full.performer).status_code == 200
    again = erase(api, cast, full.performer, confirmation=f"Erased performer #{full.performer.pk}")
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="performer.erased").count() == 1


def test_an_erased_performer_cannot_be_given_new_personal_data(api, cast, full):
    erase(api, cast, full.performer)
    response = api.as_user(cast.cam).patch(
        f"/api/v1/performers/{full.performer.pk}/", {"legal_name": LEGAL_NAME}, format="json"
    )
    assert response.status_code == 409
    assert Performer.objects.get(pk=full.performer.pk).legal_name != LEGAL_NAME


@pytest.mark.parametrize(("name", "status"), [("pat", 403), ("cora", 403)])
def test_members_who_read_the_performer_may_not_erase(api, client, cast, full, name, status):
    user = getattr(cast, name)
    assert erase(api, cast, full.performer, user=user).status_code == status
    client.force_login(user)
    page = client.post(
        f"/performers/{full.performer.pk}/personal-data/", {"confirmation": PROFESSIONAL_NAME}
    )
    assert page.status_code == status
    assert Performer.objects.get(pk=full.performer.pk).erased_at is None


@pytest.mark.parametrize("name", ["olga", "dina", "uma"])
def test_outsiders_may_not_erase_and_learn_nothing(api, client, cast, full, name):
    user = getattr(cast, name)
    assert erase(api, cast, full.performer, user=user).status_code == 404
    client.force_login(user)
    page = client.post(
        f"/performers/{full.performer.pk}/personal-data/", {"confirmation": PROFESSIONAL_NAME}
    )
    assert page.status_code == 404
    assert Performer.objects.get(pk=full.performer.pk).erased_at is None


def test_the_erasure_page_asks_for_the_professional_name(client, cast, full, media):
    client.force_login(cast.cam)
    url = f"/performers/{full.performer.pk}/personal-data/"
    wrong = client.post(url, {"confirmation": "someone else"})
    assert wrong.status_code == 400
    assert b"Type the performer&#x27;s professional name" in wrong.content
    assert Performer.objects.get(pk=full.performer.pk).erased_at is None
    # Spacing and case are forgiven; the name itself is not.
    done = client.post(url, {"confirmation": "  maggie   WHITCOMBE "})
    assert done.status_code == 302
    assert done["Location"] == f"/performers/{full.performer.pk}/"
    detail = client.get(done["Location"])
    assert b"Erased on" in detail.content
    assert LEGAL_NAME.encode() not in detail.content


def test_the_domain_function_refuses_a_mismatch_before_touching_anything(cast, full):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy.erase_performer(full.performer, actor=cast.cam, confirmation=LEGAL_NAME)
    assert Performer.objects.get(pk=full.performer.pk).erased_at is None
