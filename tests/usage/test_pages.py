"""The usage pages, role by role: the shot page and its uses, logging on many shots, the register,
performers, consents, clearances and the tool registry. Who sees what (404 when the user may not
read it, 403 when they may read but not act; union reps read only once a report was submitted),
and that every form saves through the domain functions, with their audit events.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes
from studio_tracker.usage import clearances, entries
from studio_tracker.usage.models import ConsentRecord, Performer, Tool, UsageEntry

from .conftest import PAY_TERMS, PROFESSIONAL_NAME, PROMPT, add_tool, open_to_union_reps

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NAMES = ("cora", "pat", "cam", "uma", "ugo", "dina", "olga")


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Evidence files go to a throwaway MEDIA_ROOT, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "evidence"


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def add_shots(cast, count: int, prefix: str = "LN_SQ020_SH") -> list:
    start = cast.production_a.shots.count()
    return [
        changes.create_shot(actor=None, production=cast.production_a, code=f"{prefix}{n:04d}")
        for n in range(start, start + count)
    ]


def use_post(tool, **overrides) -> dict:
    """What the add-use form sends for a de-aging use with a face replica."""
    return {
        "tool": tool.pk,
        "category": "deaging",
        "department": "vfx",
        "disposition": "final_key",
        "replica_kind": "ebdr",
        "used_on": "2025-03-10",
        "language": "",
        "description": "Flashback: 1987",
        "prompt_text": "",
        "performer": "",
        "consent": "",
        "aspect": "face",
        **overrides,
    }


# --- Who may open which page ------------------------------------------------------------------

READERS = {"cora": 200, "pat": 200, "cam": 200}
LOGGERS_ONLY = {"cora": 200, "pat": 200, "cam": 200}
EDITORS = {"cora": 403, "pat": 200, "cam": 200}


def expect(before: dict, uma_before: int, uma_after: int) -> tuple[dict, dict]:
    """The full table for everyone: those not named answer 404 (ugo, dina, olga)."""
    base = dict.fromkeys(NAMES, 404) | before
    return base | {"uma": uma_before}, base | {"uma": uma_after}


@pytest.fixture
def clearance(cast, evidence):
    return clearances.record_clearance(
        actor=cast.pat,
        production=cast.production_a,
        kind="union_notice",
        party="SAG-AFTRA",
        date=datetime.date(2025, 2, 1),
        usage_entries=[evidence.entry],
    )


@pytest.fixture
def signed(cast, evidence, media):
    """The consent with its signed PDF on file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from studio_tracker.usage import consents

    consents.update_consent(
        evidence.consent,
        actor=cast.pat,
        document=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
    )
    return evidence.consent


PAGES = {
    # name: (url from the fixtures, roles that pass before union reps may read, uma before, after)
    "shot page": (lambda c, e: f"/shots/{c.shot_a.pk}/", READERS, 200, 200),
    "register": (lambda c, e: f"/productions/{c.production_a.pk}/register/", READERS, 404, 200),
    "register CSV": (
        lambda c, e: f"/productions/{c.production_a.pk}/register.csv",
        READERS,
        404,
        200,
    ),
    "log on many shots": (
        lambda c, e: f"/productions/{c.production_a.pk}/uses/bulk/",
        LOGGERS_ONLY,
        404,
        403,
    ),
    "tool search": (
        lambda c, e: f"/productions/{c.production_a.pk}/uses/tools/?tool_q=face",
        LOGGERS_ONLY,
        404,
        403,
    ),
    "performer search": (
        lambda c, e: f"/productions/{c.production_a.pk}/uses/performers/?performer_q=mag",
        LOGGERS_ONLY,
        404,
        403,
    ),
    "consent coverage": (
        lambda c, e: f"/productions/{c.production_a.pk}/uses/coverage/?performer={e.performer.pk}",
        LOGGERS_ONLY,
        404,
        403,
    ),
    "edit a use": (lambda c, e: f"/uses/{e.entry.pk}/edit/", LOGGERS_ONLY, 404, 403),
    "copy a use": (lambda c, e: f"/uses/{e.entry.pk}/copy/", LOGGERS_ONLY, 404, 403),
    "delete a use": (lambda c, e: f"/uses/{e.entry.pk}/delete/", LOGGERS_ONLY, 404, 403),
    "consents": (lambda c, e: f"/productions/{c.production_a.pk}/consents/", READERS, 404, 200),
    "record a consent": (
        lambda c, e: f"/productions/{c.production_a.pk}/consents/new/",
        EDITORS,
        404,
        403,
    ),
    "edit a consent": (lambda c, e: f"/consents/{e.consent.pk}/edit/", EDITORS, 404, 403),
    "revoke a consent": (lambda c, e: f"/consents/{e.consent.pk}/revoke/", EDITORS, 404, 403),
    "clearances": (
        lambda c, e: f"/productions/{c.production_a.pk}/clearances/",
        READERS,
        404,
        200,
    ),
    "record a clearance": (
        lambda c, e: f"/productions/{c.production_a.pk}/clearances/new/",
        EDITORS,
        404,
        403,
    ),
    "performers": (lambda c, e: f"/organizations/{c.northlight.pk}/performers/", READERS, 404, 200),
    "add a performer": (
        lambda c, e: f"/organizations/{c.northlight.pk}/performers/new/",
        EDITORS,
        404,
        403,
    ),
    "a performer": (lambda c, e: f"/performers/{e.performer.pk}/", READERS, 404, 200),
    "edit a performer": (lambda c, e: f"/performers/{e.performer.pk}/edit/", EDITORS, 404, 403),
    "everywhere a performer is used": (
        lambda c, e: f"/performers/{e.performer.pk}/uses/",
        {"cora": 403, "pat": 403, "cam": 200},
        404,
        403,
    ),
    "tool registry": (lambda c, e: f"/organizations/{c.northlight.pk}/tools/", READERS, 404, 404),
    "add a tool": (
        lambda c, e: f"/organizations/{c.northlight.pk}/tools/new/",
        {"cora": 403, "pat": 403, "cam": 200},
        404,
        404,
    ),
    "edit a tool": (
        lambda c, e: f"/tools/{e.tool.pk}/edit/",
        {"cora": 403, "pat": 403, "cam": 200},
        404,
        404,
    ),
}


def answers(client, cast, url: str) -> dict:
    statuses = {}
    for name in NAMES:
        client.force_login(getattr(cast, name))
        statuses[name] = client.get(url).status_code
    return statuses


@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_each_page_or_its_404_or_403(client, cast, evidence, page):
    url_of, passing, uma_before, uma_after = PAGES[page]
    before, after = expect(passing, uma_before, uma_after)
    url = url_of(cast, evidence)
    assert answers(client, cast, url) == before, "before a report is submitted"
    open_to_union_reps(cast.production_a)
    assert answers(client, cast, url) == after, "once union reps may read"


def test_each_role_gets_the_clearance_edit_page_or_its_404_or_403(client, cast, clearance):
    url = f"/clearances/{clearance.pk}/edit/"
    before, after = expect(EDITORS, 404, 403)
    assert answers(client, cast, url) == before
    open_to_union_reps(cast.production_a)
    assert answers(client, cast, url) == after


def test_the_signed_document_downloads_only_for_producers_and_compliance_admins(
    client, cast, signed
):
    url = f"/consents/{signed.pk}/document/"
    before = dict.fromkeys(NAMES, 404) | {"pat": 200, "cam": 200}
    assert answers(client, cast, url) == before
    open_to_union_reps(cast.production_a)
    assert answers(client, cast, url) == before  # union reps never see documents

    response = as_user(client, cast.pat).get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="consent-{signed.pk}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    edit = html(client.get(f"/consents/{signed.pk}/edit/"))
    assert "A signed document is on file" in edit


def test_a_consent_without_a_document_has_nothing_to_download(client, cast, evidence):
    assert (
        as_user(client, cast.pat).get(f"/consents/{evidence.consent.pk}/document/").status_code
        == 404
    )


def test_a_union_rep_may_not_post_to_the_editing_pages(client, cast, evidence):
    open_to_union_reps(cast.production_a)
    client = as_user(client, cast.uma)
    assert client.post(f"/shots/{cast.shot_a.pk}/", use_post(evidence.tool)).status_code == 403
    assert client.post(f"/uses/{evidence.entry.pk}/delete/").status_code == 403
    assert client.post(f"/consents/{evidence.consent.pk}/revoke/").status_code == 403
    assert UsageEntry.objects.count() == 1
    assert ConsentRecord.objects.get().revoked_at is None


def test_a_union_rep_reads_the_uses_without_any_editing_link_once_open(client, cast, evidence):
    client = as_user(client, cast.uma)
    shut = html(client.get(f"/shots/{cast.shot_a.pk}/"))
    assert "open to union reps once a report" in shut
    assert "De-aging" not in shut
    open_to_union_reps(cast.production_a)
    for url in (f"/shots/{cast.shot_a.pk}/", f"/productions/{cast.production_a.pk}/register/"):
        page = html(client.get(url))
        assert "De-aging" in page
        assert PROMPT not in page
        assert "/edit/" not in page
        assert "Add a use" not in page
        assert "/uses/bulk/" not in page


def test_the_production_page_links_to_the_usage_pages_by_role(client, cast, evidence):
    production_url = f"/productions/{cast.production_a.pk}/"
    cora = html(as_user(client, cast.cora).get(production_url))
    for link in ("/register/", "/consents/", "/clearances/", "/uses/bulk/", "/performers/"):
        assert link in cora
    assert f'href="/shots/{cast.shot_a.pk}/"' in cora
    uma = html(as_user(client, cast.uma).get(production_url))
    assert "/register/" not in uma
    assert "/uses/bulk/" not in uma
    assert f'href="/shots/{cast.shot_a.pk}/"' in uma  # the shot itself she may read


def test_the_navigation_offers_the_tool_registry_to_those_who_log(client, cast):
    assert 'href="/tools/"' in html(as_user(client, cast.cora).get("/productions/"))
    for name in ("uma", "dina"):
        assert 'href="/tools/"' not in html(
            as_user(client, getattr(cast, name)).get("/productions/")
        )
    response = as_user(client, cast.cora).get("/tools/")
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{cast.northlight.pk}/tools/"
    assert as_user(client, cast.uma).get("/tools/").status_code == 404


# --- The shot page: its uses, adding one ------------------------------------------------------


def test_the_shot_page_lists_its_uses_with_each_performers_coverage(client, cast, evidence):
    page = html(as_user(client, cast.cora).get(f"/shots/{cast.shot_a.pk}/"))
    assert "De-aging" in page
    assert "VFX" in page
    assert "In the final picture: key element" in page
    assert PROFESSIONAL_NAME in page
    assert ">covered<" in page
    assert PROMPT not in page  # coordinators never see prompts
    assert PROMPT in html(as_user(client, cast.pat).get(f"/shots/{cast.shot_a.pk}/"))


def test_a_use_whose_consent_does_not_cover_it_says_why(client, cast, evidence):
    entries.update_usage(evidence.entry, actor=cast.cora, used_on=datetime.date(2024, 6, 1))
    page = html(as_user(client, cast.cora).get(f"/shots/{cast.shot_a.pk}/"))
    assert "not covered: the use comes before the consent&#x27;s start" in page


def test_a_use_without_consent_is_flagged(client, cast, evidence):
    entries.update_usage(
        evidence.entry,
        actor=cast.cora,
        performers=[{"performer": evidence.performer, "consent": None}],
    )
    assert ">no consent<" in html(as_user(client, cast.cora).get(f"/shots/{cast.shot_a.pk}/"))


def test_the_shot_page_makes_the_same_number_of_queries_for_1_and_8_uses(client, cast, evidence):
    client = as_user(client, cast.cora)
    url = f"/shots/{cast.shot_a.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with_one = queries()
    for _ in range(7):
        entries.copy_usage(evidence.entry, actor=cast.cora, shots=add_shots(cast, 1))
        entries.log_usage(
            actor=cast.cora,
            production=cast.production_a,
            performers=[{"performer": evidence.performer, "consent": evidence.consent}],
            shot=cast.shot_a,
            tool=evidence.tool,
            department="vfx",
            category="deaging",
            modality="video",
            disposition="final_key",
            replica_kind="ebdr",
            used_on=datetime.date(2025, 3, 2),
        )
    assert cast.shot_a.usage_entries.count() == 8
    assert queries() == with_one


def test_adding_a_use_on_the_shot_page_logs_it_with_its_audit_event(client, cast, evidence):
    response = as_user(client, cast.cora).post(
        f"/shots/{cast.shot_a.pk}/",
        use_post(
            evidence.tool,
            performer=evidence.performer.pk,
            consent=evidence.consent.pk,
            prompt_text="young again",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/shots/{cast.shot_a.pk}/"
    entry = UsageEntry.objects.latest("id")
    assert entry.pk != evidence.entry.pk
    assert (entry.shot, entry.category, entry.tool) == (cast.shot_a, "deaging", evidence.tool)
    assert entry.modality == "video"  # worked out from the category
    assert entry.generation_kind == "generative"  # the tool's kind
    assert entry.prompt_text == "young again"
    assert entry.created_by == cast.cora
    link = entry.performer_links.get()
    assert (link.performer, link.consent, link.aspect) == (
        evidence.performer,
        evidence.consent,
        "face",
    )
    event = AuditEvent.objects.get(action="usage.created", target_id=str(entry.pk))
    assert event.actor_id == cast.cora.pk
    page = html(client.get(response["Location"]))
    assert "Logged de-aging on LN_SQ010_SH0010." in page


def test_adding_a_use_with_htmx_answers_the_uses_section(client, cast, evidence):
    response = as_user(client, cast.cora).post(
        f"/shots/{cast.shot_a.pk}/",
        use_post(evidence.tool, category="roto_cleanup_paint", replica_kind="none"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = html(response)
    assert page.lstrip().startswith('<section id="shot-uses"')
    assert "Logged roto, clean-up, paint, generative fill on LN_SQ010_SH0010." in page
    assert "<html" not in page
    assert cast.shot_a.usage_entries.count() == 2


def test_a_banned_tool_is_refused_beside_the_field_with_its_reason(client, cast, evidence):
    banned = add_tool(
        cast,
        name="DeepSwap",
        vendor="Swap Co",
        status="banned",
        status_reason="Trained on scraped faces; legal said no.",
    )
    response = as_user(client, cast.cora).post(
        f"/shots/{cast.shot_a.pk}/", use_post(banned, description="kept as typed")
    )
    assert response.status_code == 200
    page = html(response)
    errors = re.search(r'<div class="field-errors" id="tool-errors".*?</div>', page, re.S).group(0)
    assert (
        "DeepSwap is banned in this organisation. Trained on scraped faces; legal said no."
        in errors
    )
    assert "kept as typed" in page  # what was typed stays
    assert re.search(rf'value="{banned.pk}"\s+checked', page)
    assert cast.shot_a.usage_entries.count() == 1


def test_missing_fields_are_shown_beside_them_and_nothing_is_logged(client, cast, evidence):
    page = html(
        as_user(client, cast.cora).post(
            f"/shots/{cast.shot_a.pk}/", {**use_post(evidence.tool), "tool": "", "category": ""}
        )
    )
    assert "Choose a tool from the registry." in page
    assert "This field is required." in page
    assert UsageEntry.objects.count() == 1


def test_without_javascript_a_search_submits_the_form_and_shows_the_matches(client, cast, evidence):
    add_tool(cast, name="CleanPlate", vendor="Plate Co")
    page = html(
        as_user(client, cast.cora).post(
            f"/shots/{cast.shot_a.pk}/",
            {
                **use_post(evidence.tool),
                "tool": "",
                "tool_q": "clean",
                "performer_q": "maggie",
                "description": "typed before searching",
            },
        )
    )
    tools = re.search(r'<div id="tool-options".*?</fieldset>', page, re.S).group(0)
    assert "CleanPlate" in tools
    assert "FaceForge" not in tools
    assert "Choose a tool from the registry." in page
    assert "Choose one of the performers found" in page
    assert re.search(rf'name="performer" value="{evidence.performer.pk}"', page)
    assert "typed before searching" in page
    assert UsageEntry.objects.count() == 1


def test_the_tool_search_shows_each_tools_status_and_reason(client, cast, evidence):
    add_tool(
        cast,
        name="Midjourney",
        vendor="Midjourney",
        status="restricted",
        status_reason="Concept and moodboards only.",
    )
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/uses/tools/"
    found = html(client.get(url, {"tool_q": "midj"}))
    assert "Midjourney" in found
    assert "Restricted" in found
    assert "Concept and moodboards only." in found
    assert "FaceForge" not in found
    kept = html(client.get(url, {"tool_q": "midj", "tool": evidence.tool.pk}))
    assert re.search(rf'value="{evidence.tool.pk}"\s+checked', kept)  # the choice survives a search


def test_the_performer_search_finds_anyone_of_the_organisation_by_professional_name(
    client, cast, evidence
):
    from studio_tracker.usage import performers

    performers.create_performer(
        actor=cast.cam,
        organization=cast.northlight,
        legal_name="Jo Bloggs",
        professional_name="Jo Bright",
    )
    performers.create_performer(
        actor=None,
        organization=cast.elsewhere,
        legal_name="Jo Other",
        professional_name="Jo Brightside",
    )
    page = html(
        as_user(client, cast.cora).get(
            f"/productions/{cast.production_a.pk}/uses/performers/", {"performer_q": "brig"}
        )
    )
    assert "Jo Bright<" in page
    assert "Brightside" not in page  # another organisation's
    assert "Jo Bloggs" not in page  # names to link with, not legal names


def test_the_coverage_check_says_whether_the_chosen_consent_covers_the_use(client, cast, evidence):
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/uses/coverage/"
    values = {
        "shot": cast.shot_a.pk,
        "performer": evidence.performer.pk,
        "consent": evidence.consent.pk,
        "category": "deaging",
        "replica_kind": "ebdr",
        "used_on": "2025-03-10",
    }
    assert "This consent covers this use." in html(client.get(url, values))
    early = html(client.get(url, {**values, "used_on": "2024-01-05"}))
    assert "does not cover this use: the use comes before the consent&#x27;s start" in early
    voice = html(
        client.get(url, {**values, "category": "voice_clone_new_lines", "replica_kind": "none"})
    )
    assert "it is a consent of another type" in voice
    none_chosen = html(client.get(url, {**values, "consent": ""}))
    assert (
        "This use needs the performer&#x27;s consent (use an employment-based replica)"
        in none_chosen
    )
    assert f'value="{evidence.consent.pk}"' in none_chosen  # offered to choose


def test_a_use_is_edited_and_deleted_through_its_pages(client, cast, evidence):
    client = as_user(client, cast.pat)
    form = html(client.get(f"/uses/{evidence.entry.pk}/edit/"))
    assert PROMPT in form  # producers see and edit the prompt
    response = client.post(
        f"/uses/{evidence.entry.pk}/edit/",
        use_post(
            evidence.tool,
            performer=evidence.performer.pk,
            consent=evidence.consent.pk,
            description="Flashback, 1987, reshot",
            prompt_text=PROMPT,
            used_on="2025-03-01",
        ),
    )
    assert response.status_code == 302
    evidence.entry.refresh_from_db()
    assert evidence.entry.description == "Flashback, 1987, reshot"
    assert AuditEvent.objects.filter(action="usage.updated").count() == 1

    confirm = html(client.get(f"/uses/{evidence.entry.pk}/delete/"))
    assert "Delete de-aging on LN_SQ010_SH0010?" in confirm
    assert UsageEntry.objects.count() == 1  # a GET deletes nothing
    response = client.post(f"/uses/{evidence.entry.pk}/delete/")
    assert response["Location"] == f"/shots/{cast.shot_a.pk}/"
    assert UsageEntry.objects.count() == 0
    assert AuditEvent.objects.filter(action="usage.deleted").count() == 1


def test_a_coordinator_edits_a_use_without_seeing_or_losing_its_prompt(client, cast, evidence):
    client = as_user(client, cast.cora)
    form = html(client.get(f"/uses/{evidence.entry.pk}/edit/"))
    assert PROMPT not in form
    assert 'name="prompt_text"' not in form
    data = use_post(
        evidence.tool,
        performer=evidence.performer.pk,
        consent=evidence.consent.pk,
        description="Edited by cora",
    )
    del data["prompt_text"]
    assert client.post(f"/uses/{evidence.entry.pk}/edit/", data).status_code == 302
    evidence.entry.refresh_from_db()
    assert evidence.entry.description == "Edited by cora"
    assert evidence.entry.prompt_text == PROMPT


def test_a_use_is_copied_to_other_shots_by_code(client, cast, evidence):
    targets = add_shots(cast, 2)
    client = as_user(client, cast.cora)
    refused = html(
        client.post(f"/uses/{evidence.entry.pk}/copy/", {"codes": f"{targets[0].code}, NOPE_1"})
    )
    assert "This production has no shot NOPE_1." in refused
    response = client.post(
        f"/uses/{evidence.entry.pk}/copy/", {"codes": f"{targets[0].code}\n{targets[1].code}"}
    )
    assert response.status_code == 302
    copies = UsageEntry.objects.filter(shot__in=targets)
    assert copies.count() == 2
    assert all(copy.performer_links.get().consent == evidence.consent for copy in copies)
    assert AuditEvent.objects.filter(action="usage.bulk_created").count() == 1
    page = html(client.get(response["Location"]))
    assert f"Copied the use to 2 shots: {targets[0].code}, {targets[1].code}." in page


# --- One use on many shots --------------------------------------------------------------------


def test_one_use_is_logged_on_five_selected_shots(client, cast, evidence):
    shots = add_shots(cast, 6)
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/uses/bulk/"
    listed = html(client.get(url, {"code": "SQ020"}))
    assert all(shot.code in listed for shot in shots)
    assert cast.shot_a.code not in listed  # filtered by code
    data = use_post(evidence.tool, category="roto_cleanup_paint", replica_kind="none")
    data["shots"] = [shot.pk for shot in shots[:5]]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/productions/{cast.production_a.pk}/register/"
    assert UsageEntry.objects.filter(category="roto_cleanup_paint").count() == 5
    assert set(
        UsageEntry.objects.filter(category="roto_cleanup_paint").values_list("shot", flat=True)
    ) == {shot.pk for shot in shots[:5]}
    assert "Logged on 5 shots." in html(client.get(response["Location"]))
    assert AuditEvent.objects.filter(action="usage.bulk_created").count() == 1


def test_logging_on_no_shot_asks_for_one_and_keeps_the_fields(client, cast, evidence):
    add_shots(cast, 2)
    page = html(
        as_user(client, cast.cora).post(
            f"/productions/{cast.production_a.pk}/uses/bulk/",
            use_post(evidence.tool, description="many shots at once"),
        )
    )
    assert "Select at least one shot." in page
    assert "many shots at once" in page
    assert UsageEntry.objects.count() == 1


# --- The register -----------------------------------------------------------------------------


def log_on_new_shots(cast, evidence, count: int, **fields) -> list:
    data = {
        "tool": evidence.tool,
        "department": "vfx",
        "category": "deaging",
        "modality": "video",
        "disposition": "final_key",
        "replica_kind": "ebdr",
        "used_on": datetime.date(2025, 4, 1),
        **fields,
    }
    return entries.log_usage_on_shots(
        actor=cast.cora,
        production=cast.production_a,
        shots=add_shots(cast, count),
        performers=[{"performer": evidence.performer, "consent": evidence.consent}],
        **data,
    )


def test_the_register_makes_the_same_number_of_queries_for_10_and_60_uses(client, cast, evidence):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="EP1")
    changes.create_sequence(actor=None, production=cast.production_a, code="SQ020", episode=episode)
    client = as_user(client, cast.pat)
    url = f"/productions/{cast.production_a.pk}/register/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
        return len(captured)

    log_on_new_shots(cast, evidence, 9)
    assert UsageEntry.objects.count() == 10
    with_ten = queries()
    log_on_new_shots(cast, evidence, 50)
    assert UsageEntry.objects.count() == 60
    assert queries() == with_ten


def test_the_register_pages_fifty_uses_and_counts_them(client, cast, evidence):
    log_on_new_shots(cast, evidence, 59)
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/register/"
    first = html(client.get(url, {"sort": "shot"}))
    assert first.count("<code>LN_SQ0") == 50
    assert "<strong>60</strong> uses" in first
    assert "In the final picture: key element: 60" in first
    assert "?sort=shot&amp;page=2" in first
    assert html(client.get(url, {"sort": "shot", "page": 2})).count("<code>LN_SQ0") == 10


def test_the_register_filters_and_sorts(client, cast, evidence):
    log_on_new_shots(
        cast,
        evidence,
        2,
        category="roto_cleanup_paint",
        replica_kind="none",
        department="editorial",
    )
    other = add_tool(cast, name="CleanPlate", vendor="Plate Co")
    log_on_new_shots(cast, evidence, 1, tool=other, disposition="temp")
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/register/"

    def shown(**params) -> int:
        return len(re.findall(r"<code>LN_SQ0", html(client.get(url, params))))

    assert shown() == 4
    assert shown(category="roto_cleanup_paint") == 2
    assert shown(department="editorial") == 2
    assert shown(tool=other.pk) == 1
    assert shown(disposition="temp") == 1
    assert shown(performer=evidence.performer.pk) == 4
    assert shown(category="roto_cleanup_paint", disposition="temp") == 0
    assert "No uses match these filters" in html(client.get(url, {"disposition": "marketing"}))
    by_category = html(client.get(url, {"sort": "category"}))
    assert by_category.index("De-aging") < by_category.index("Roto, clean-up")
    newest = html(client.get(url, {"sort": "-used_on"}))
    assert newest.index("1 Apr 2025") < newest.index("1 Mar 2025")


# --- Performers -------------------------------------------------------------------------------


def test_producers_add_a_performer_and_similar_names_must_be_confirmed(client, cast, evidence):
    client = as_user(client, cast.pat)
    url = f"/organizations/{cast.northlight.pk}/performers/new/"
    data = {
        "professional_name": "Margaret Whitcombe",
        "legal_name": "Margaret Whitcombe",
        "category": "principal",
        "union": "sag_aftra",
        "estate_contact": "",
    }
    page = html(client.post(url, data))
    assert "Similar names already exist: Maggie Whitcombe." in page
    assert 'value="Margaret Whitcombe"' in page  # kept as typed
    assert Performer.objects.count() == 1
    response = client.post(url, {**data, "confirm_new": "on"})
    assert response.status_code == 302
    added = Performer.objects.get(professional_name="Margaret Whitcombe")
    assert response["Location"] == f"/performers/{added.pk}/"
    assert AuditEvent.objects.filter(action="performer.created", target_id=str(added.pk)).exists()


def test_the_similar_names_hint_answers_as_the_name_is_typed(client, cast, evidence):
    url = f"/organizations/{cast.northlight.pk}/performers/similar/"
    hint = html(as_user(client, cast.pat).get(url, {"professional_name": "M. Whitcombe"}))
    assert "Similar names already exist: <strong>Maggie Whitcombe</strong>" in hint
    assert html(client.get(url, {"professional_name": "Zed Quorum"})).strip() == ""


def test_a_performer_is_edited_by_a_producer(client, cast, evidence):
    client = as_user(client, cast.pat)
    response = client.post(
        f"/performers/{evidence.performer.pk}/edit/",
        {
            "professional_name": PROFESSIONAL_NAME,
            "legal_name": "Margarethe Whitcombe",
            "category": "principal",
            "union": "sag_aftra",
            "estate_contact": "",
        },
    )
    assert response.status_code == 302
    evidence.performer.refresh_from_db()
    assert evidence.performer.legal_name == "Margarethe Whitcombe"


def test_the_performer_list_searches_by_professional_name(client, cast, evidence):
    client = as_user(client, cast.cam)
    url = f"/organizations/{cast.northlight.pk}/performers/"
    assert PROFESSIONAL_NAME in html(client.get(url, {"q": "maggie"}))
    assert "No performer matches this search" in html(client.get(url, {"q": "nobody"}))


def test_compliance_admins_see_everywhere_a_performer_is_used(client, cast, evidence):
    shot_b_use = entries.log_usage(
        actor=cast.cam,
        production=cast.production_b,
        performers=[{"performer": evidence.performer}],
        shot=cast.shot_b,
        tool=evidence.tool,
        department="sound_dialogue",
        category="voice_clone_new_lines",
        modality="audio_voice",
        disposition="final_key",
        used_on=datetime.date(2025, 5, 1),
    )
    page = html(as_user(client, cast.cam).get(f"/performers/{evidence.performer.pk}/uses/"))
    assert "The Long Night" in page
    assert "Harbour Lights" in page
    assert shot_b_use.shot.code in page
    assert "Voice clone: lines never recorded" in page
    assert ">no consent<" in page
    assert ">covered<" in page


# --- Consents and their documents -------------------------------------------------------------


def consent_post(performer, **overrides) -> dict:
    return {
        "performer": performer.pk,
        "consent_type": "digital_alteration",
        "granted_by": "performer",
        "use_description": "Alteration of her lines in the courtroom scene",
        "territories": "us, fr",
        "languages": "",
        "signed_at": "2025-01-10",
        "valid_from": "2025-01-10",
        "valid_until": "",
        "compensation_terms": "Scale plus 10%",
        "is_separate_document": "on",
        **overrides,
    }


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_consent_is_recorded_with_its_signed_pdf(client, cast, evidence, media):
    import hashlib

    response = as_user(client, cast.pat).post(
        f"/productions/{cast.production_a.pk}/consents/new/",
        {**consent_post(evidence.performer), "document": upload("signed.pdf", PDF)},
    )
    assert response.status_code == 302
    consent = ConsentRecord.objects.latest("id")
    assert consent.document_sha256 == hashlib.sha256(PDF).hexdigest()
    assert consent.territories == ["US", "FR"]
    assert consent.compensation_terms == "Scale plus 10%"
    assert len(stored_files(media)) == 1
    assert not consent.document.name.startswith("signed")  # a random name, not the upload's
    assert AuditEvent.objects.filter(action="consent.created", target_id=str(consent.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.pdf", b"<html>not a pdf</html>", "Upload a PDF or an image"),
        ("empty.pdf", b"", "The file is empty."),
        (
            "big.pdf",
            PDF + b"0" * 600,
            f"The file is too large ({len(PDF) + 600} bytes; the limit is 512).",
        ),
    ],
)
def test_a_bad_document_is_refused_beside_the_field_and_nothing_is_stored(
    client, cast, evidence, media, settings, name, content, message
):
    settings.EVIDENCE_MAX_BYTES = 512
    response = as_user(client, cast.pat).post(
        f"/productions/{cast.production_a.pk}/consents/new/",
        {**consent_post(evidence.performer), "document": upload(name, content)},
    )
    assert response.status_code == 200
    page = html(response)
    field = re.search(
        r'<div class="field">(?:(?!<div class="field">).)*id="id_document".*?</div>', page, re.S
    )
    assert message in field.group(0)
    assert "Alteration of her lines in the courtroom scene" in page  # what was typed stays
    assert ConsentRecord.objects.count() == 1
    assert stored_files(media) == []


def test_the_consent_list_shows_status_and_pay_only_to_producers(client, cast, evidence, signed):
    from studio_tracker.usage import consents

    expired = consents.record_consent(
        actor=cast.pat,
        production=cast.production_a,
        performer=evidence.performer,
        consent_type="voice_clone",
        use_description="Temp lines",
        valid_until=datetime.date(2020, 1, 1),
    )
    revoked = consents.record_consent(
        actor=cast.pat,
        production=cast.production_a,
        performer=evidence.performer,
        consent_type="dub_language",
        use_description="French dub",
    )
    consents.revoke_consent(revoked, actor=cast.pat)
    url = f"/productions/{cast.production_a.pk}/consents/"
    producer = html(as_user(client, cast.pat).get(url))
    for text in ("Active", "Expired", "Revoked", PAY_TERMS, f"/consents/{signed.pk}/document/"):
        assert text in producer
    assert f"/consents/{expired.pk}/edit/" in producer
    assert f"/consents/{revoked.pk}/edit/" not in producer
    coordinator = html(as_user(client, cast.cora).get(url))
    assert "Active" in coordinator
    assert PAY_TERMS not in coordinator
    assert "/document/" not in coordinator
    assert "/edit/" not in coordinator


def test_a_consent_is_edited_and_revoked_by_a_producer(client, cast, evidence):
    client = as_user(client, cast.pat)
    edit_url = f"/consents/{evidence.consent.pk}/edit/"
    form = html(client.get(edit_url))
    assert 'enctype="multipart/form-data"' in form
    assert PAY_TERMS in form
    data = consent_post(evidence.performer, consent_type="ebdr_use", valid_until="2024-01-01")
    refused = html(client.post(edit_url, {**data, "valid_from": "2025-01-01"}))
    assert "The consent ends before it starts." in refused
    assert client.post(edit_url, {**data, "valid_until": "2026-12-31"}).status_code == 302
    evidence.consent.refresh_from_db()
    assert evidence.consent.valid_until == datetime.date(2026, 12, 31)

    assert "Revoke use an employment-based replica" in html(
        client.get(f"/consents/{evidence.consent.pk}/revoke/")
    )
    response = client.post(f"/consents/{evidence.consent.pk}/revoke/")
    assert response.status_code == 302
    evidence.consent.refresh_from_db()
    assert evidence.consent.revoked_at is not None
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1
    assert client.get(edit_url).status_code == 302  # a revoked consent is not edited


# --- Clearances -------------------------------------------------------------------------------


def test_a_clearance_is_recorded_with_the_uses_it_covers(client, cast, evidence, media):
    client = as_user(client, cast.pat)
    url = f"/productions/{cast.production_a.pk}/clearances/new/"
    assert "LN_SQ010_SH0010 — De-aging (FaceForge, 01 Mar 2025)" in html(client.get(url))
    response = client.post(
        url,
        {
            "kind": "director_consultation",
            "party": "Dana Director",
            "date": "2025-02-20",
            "note": "Agreed the flashback look",
            "usage_entries": [evidence.entry.pk],
            "document": upload("minutes.pdf", PDF),
        },
    )
    assert response.status_code == 302
    clearance = evidence.entry.clearances.get()
    assert clearance.party == "Dana Director"
    assert clearance.document_sha256
    listing = html(client.get(f"/productions/{cast.production_a.pk}/clearances/"))
    assert "Director consultation" in listing
    assert f"/clearances/{clearance.pk}/document/" in listing
    assert client.get(f"/clearances/{clearance.pk}/document/").status_code == 200
    as_user(client, cast.cora)
    assert client.get(f"/clearances/{clearance.pk}/document/").status_code == 404


def test_a_clearance_is_edited(client, cast, clearance):
    response = as_user(client, cast.cam).post(
        f"/clearances/{clearance.pk}/edit/",
        {"kind": "union_notice", "party": "SAG-AFTRA (LA)", "date": "2025-02-01", "note": ""},
    )
    assert response.status_code == 302
    clearance.refresh_from_db()
    assert clearance.party == "SAG-AFTRA (LA)"
    assert clearance.usage_entries.count() == 0


# --- The tool registry ------------------------------------------------------------------------


def test_the_registry_shows_statuses_with_their_reasons(client, cast, evidence):
    add_tool(
        cast, name="DeepSwap", vendor="Swap Co", status="banned", status_reason="No consent model."
    )
    page = html(as_user(client, cast.cora).get(f"/organizations/{cast.northlight.pk}/tools/"))
    assert "FaceForge" in page
    assert "Banned" in page
    assert "No consent model." in page
    assert "Add tool" not in page
    assert "Add tool" in html(
        as_user(client, cast.cam).get(f"/organizations/{cast.northlight.pk}/tools/")
    )


def test_a_compliance_admin_adds_a_tool_and_bans_it_with_a_reason(client, cast, evidence):
    client = as_user(client, cast.cam)
    data = {
        "name": "VoiceMint",
        "vendor": "Mint Audio",
        "modalities": ["audio_voice"],
        "kind": "generative",
        "training_data_claim": "undisclosed",
        "indemnity": "unknown",
        "trains_on_inputs": "unknown",
        "emits_c2pa": "no",
        "evidence_label": "U",
        "status": "approved",
        "status_reason": "",
    }
    assert client.post(f"/organizations/{cast.northlight.pk}/tools/new/", data).status_code == 302
    tool = Tool.objects.get(name="VoiceMint")
    assert tool.modalities == ["audio_voice"]
    url = f"/tools/{tool.pk}/edit/"
    refused = html(client.post(url, {**data, "status": "banned"}))
    assert "Say why, so whoever picks the tool knows what to do." in refused
    assert (
        client.post(
            url, {**data, "status": "banned", "status_reason": "Clones without consent."}
        ).status_code
        == 302
    )
    tool.refresh_from_db()
    assert (tool.status, tool.status_reason) == ("banned", "Clones without consent.")
    assert AuditEvent.objects.filter(action="tool.updated", target_id=str(tool.pk)).exists()


# --- No page breaks the content security policy -----------------------------------------------


def test_the_usage_pages_have_no_inline_script_style_or_handler(client, cast, evidence, clearance):
    client = as_user(client, cast.cam)
    urls = [url_of(cast, evidence) for url_of, *_ in PAGES.values()]
    for url in urls:
        response = client.get(url)
        if response["Content-Type"].startswith("text/html"):
            page = html(response)
            assert "<script>" not in page, url
            assert "<style" not in page, url
            assert " style=" not in page, url
            assert not re.search(r"\son[a-z]+=", page), url
            assert "hx-on" not in page, url
