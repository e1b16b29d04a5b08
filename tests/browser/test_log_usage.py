"""A coordinator logs AI use in a real browser: finds a shot by code, logs a de-aging use with the
performer whose consent covers it, sees it in the register, then logs one use on five shots at
once. A union rep gets no editing page. No page breaks a CSP rule along the way."""

import re
import time

import pytest
from playwright.sync_api import expect

from studio_tracker.productions import changes
from tests.cast import PASSWORD
from tests.usage.conftest import PROFESSIONAL_NAME, add_tool, evidence, open_to_union_reps

__all__ = ["evidence"]  # the fixture, shared with the usage tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = "LN_SQ010_SH0020"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My productions").wait_for()


def log_out(page, username: str) -> None:
    page.get_by_text(username, exact=True).click()  # the user menu
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def watch_console(page) -> list:
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_a_coordinator_logs_a_use_with_covering_consent_and_then_on_five_shots(
    live_server, page, browser_ready, screenshot, cast, evidence
):
    production = cast.production_a
    changes.create_shot(actor=None, production=production, code=TARGET, description="Kitchen, 1987")
    for number in range(10, 60, 10):
        changes.create_shot(actor=None, production=production, code=f"LN_SQ050_SH{number:04d}")
    add_tool(
        cast,
        name="Midjourney",
        vendor="Midjourney",
        status="restricted",
        status_reason="Concept and moodboards only.",
    )
    add_tool(cast, name="CleanPlate", vendor="Plate Co", kind="assistive")
    problems = watch_console(page)

    # --- One use on one shot, timed from logging in to the confirmation --------------------
    started = time.monotonic()
    log_in(page, live_server.url, "cora")
    page.get_by_role("link", name="The Long Night").click()
    page.get_by_label("Code contains").fill("SH0020")
    page.get_by_role(
        "link", name=TARGET, exact=True
    ).click()  # the shot list narrows in place (htmx)
    page.get_by_role("heading", name=f"Shot {TARGET}").wait_for()
    screenshot(page, "1-shot-page")

    page.get_by_label("Search the registry").fill("mid")
    restricted = page.locator("#tool-options label", has_text="Midjourney")
    expect(restricted).to_contain_text("Restricted")
    expect(restricted).to_contain_text("Concept and moodboards only.")
    page.get_by_label("Search the registry").fill("face")
    expect(page.locator("#tool-options label")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("^FaceForge")).check()
    page.get_by_label("Category").select_option(label="De-aging")
    page.get_by_label("Department").select_option(label="VFX")
    page.get_by_label("Where it ended up").select_option(label="In the final picture: key element")
    page.get_by_label("Replica").select_option(label="Employment-based digital replica")
    page.get_by_label("What was done").fill("Flashback: her face at 25")
    page.get_by_label("Find a performer by professional name").fill("Maggie")
    page.get_by_role("radio", name=PROFESSIONAL_NAME).check()
    consent = page.get_by_label("Consent relied on")
    # Once the performer is chosen, her consents are listed without her name in front.
    expect(consent.locator("option").nth(1)).to_have_text(
        re.compile(r"^Use an employment-based replica, signed 1 Dec 2024 — covers this use$")
    )
    consent.select_option(str(evidence.consent.pk))
    expect(page.locator("#coverage-note")).to_have_text("This consent covers this use.")
    screenshot(page, "2-use-form-filled")
    page.get_by_role("button", name="Add use").click()
    page.get_by_text(f"Logged de-aging on {TARGET}.").wait_for()
    elapsed = time.monotonic() - started
    print(f"\nlogging one use took {elapsed:.1f} s")
    assert elapsed < 60
    uses = page.locator("#shot-uses tbody tr")
    expect(uses).to_have_count(1)
    expect(uses.first).to_contain_text("FaceForge")
    expect(uses.first).to_contain_text("covered")
    screenshot(page, "3-use-logged")

    # --- Copied to another shot, then edited there ------------------------------------------------
    page.get_by_role("link", name="Copy de-aging to other shots").click()
    page.get_by_label("Shot codes").fill("LN_SQ050_SH0010")
    screenshot(page, "3a-copy")
    page.get_by_role("button", name="Copy to these shots").click()
    page.get_by_text("Copied the use to 1 shot: LN_SQ050_SH0010.").wait_for()
    page.goto(f"{live_server.url}/shots/{production.shots.get(code='LN_SQ050_SH0010').pk}/")
    page.get_by_role("link", name="Edit de-aging").click()
    expect(page.get_by_label("What was done")).to_have_value("Flashback: her face at 25")
    expect(page.locator("#coverage-note")).to_have_text("This consent covers this use.")
    screenshot(page, "3b-edit")
    page.get_by_label("What was done").fill("Flashback: her face at 25, second angle")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved the use.").wait_for()
    page.get_by_role("link", name="Delete de-aging").click()
    screenshot(page, "3c-delete")
    page.get_by_role("button", name="Delete this use").click()
    page.get_by_text("Deleted De-aging on LN_SQ050_SH0010.").wait_for()
    page.goto(f"{live_server.url}/shots/{production.shots.get(code=TARGET).pk}/")

    # --- It is in the register ----------------------------------------------------------------
    page.get_by_role("button", name="AI-use register").click()  # a link styled as a button
    page.get_by_role("heading", name="AI-use register").wait_for()
    row = page.locator("tbody tr", has_text=TARGET)
    expect(row).to_contain_text("De-aging")
    expect(row).to_contain_text("covered")
    page.locator("form.filters #id_category").select_option(label="De-aging")
    page.wait_for_url(re.compile(r"category=deaging"))  # filtered in place (htmx)
    expect(page.get_by_text("2 uses match these filters")).to_be_visible()
    screenshot(page, "4-register")

    # --- One use on five shots at once ----------------------------------------------------------
    page.get_by_role("link", name="The Long Night").click()
    page.get_by_role("button", name="Log a use on many shots").click()
    page.get_by_role("heading", name="Log one use on many shots").wait_for()
    page.get_by_label("Code contains").fill("SQ050")
    expect(page.locator("#shot-choices input[type=checkbox]")).to_have_count(5)
    page.get_by_role("button", name="Tick all listed shots").click()
    page.get_by_label("Search the registry").fill("clean")
    expect(page.locator("#tool-options label")).to_have_count(1)
    page.get_by_role("radio", name=re.compile("^CleanPlate")).check()
    page.get_by_label("Category").select_option(label="Roto, clean-up, paint, generative fill")
    page.get_by_label("Department").select_option(label="VFX")
    page.get_by_label("Where it ended up").select_option(label="Temp (replaced before final)")
    expect(page.locator("#coverage-note")).to_have_text(
        "This use needs no performer consent by itself."
    )
    screenshot(page, "5-many-shots")
    page.get_by_role("button", name="Log on the ticked shots").click()
    page.get_by_text("Logged on 5 shots.").wait_for()
    expect(page.locator("#register-results tbody tr", has_text="CleanPlate")).to_have_count(5)
    screenshot(page, "6-register-after-many")

    assert problems == []


def test_a_union_rep_gets_no_editing_page(
    live_server, page, browser_ready, screenshot, cast, evidence
):
    problems = watch_console(page)
    base = live_server.url
    production = cast.production_a
    log_in(page, base, "uma")
    page.get_by_role("link", name="The Long Night").click()
    page.get_by_role("heading", name="The Long Night").wait_for()
    assert page.get_by_role("link", name=re.compile("register|many shots", re.I)).count() == 0
    assert page.get_by_role("link", name="Tools").count() == 0
    page.get_by_role("link", name="LN_SQ010_SH0010", exact=True).click()
    page.get_by_role("heading", name="Shot LN_SQ010_SH0010").wait_for()
    expect(page.get_by_text("open to union reps once a report on it is submitted")).to_be_visible()
    assert page.get_by_role("button", name="Add use").count() == 0
    screenshot(page, "1-before-a-report")
    assert page.request.get(f"{base}/productions/{production.pk}/register/").status == 404
    assert page.request.get(f"{base}/productions/{production.pk}/uses/bulk/").status == 404

    open_to_union_reps(production)
    page.reload()
    expect(page.locator("#shot-uses tbody tr")).to_have_count(1)
    assert page.get_by_role("button", name="Add use").count() == 0
    assert page.get_by_role("link", name=re.compile("^(Edit|Copy|Delete)")).count() == 0
    page.get_by_role("button", name="AI-use register").click()
    page.get_by_role("heading", name="AI-use register").wait_for()
    assert page.get_by_role("link", name=re.compile("^(Edit|Log)")).count() == 0
    screenshot(page, "2-reads-the-register")
    for path in (
        f"/productions/{production.pk}/uses/bulk/",
        f"/uses/{evidence.entry.pk}/edit/",
        f"/productions/{production.pk}/consents/new/",
    ):
        assert page.request.get(base + path).status == 403, path

    assert problems == []


def test_a_producer_records_consent_and_clearance_evidence(
    live_server, page, browser_ready, screenshot, cast, evidence, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the evidence folder follows it
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.4\n%%EOF\n")
    problems = watch_console(page)

    log_in(page, live_server.url, "pat")
    page.get_by_role("link", name="The Long Night").click()
    page.get_by_role("button", name="Consents").click()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_label("Performer").select_option(label=PROFESSIONAL_NAME)
    page.get_by_label("Consent type").select_option(label="Voice clone")
    page.get_by_label("The use consented to").fill("New lines in reel 3, English only")
    page.get_by_label("Signed document").set_input_files(str(fake))
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#id_document_error")).to_contain_text("Upload a PDF or an image")
    expect(page.get_by_label("The use consented to")).to_have_value(
        "New lines in reel 3, English only"
    )
    screenshot(page, "1-consent-refused")
    page.get_by_label("Signed document").set_input_files(str(signed))
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Recorded Voice clone — Maggie Whitcombe.").wait_for()
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_have_count(1)
    screenshot(page, "2-consents")

    page.get_by_role("link", name="The Long Night").click()
    page.get_by_role("button", name="Clearances").click()
    page.get_by_role("button", name="Record clearance").first.click()  # also in the empty state
    page.get_by_label("Kind").select_option(label="Union notice")
    page.get_by_label("Party").fill("SAG-AFTRA")
    page.get_by_label("Date").fill("2025-02-01")
    page.get_by_label("Uses it covers").select_option(index=0)
    screenshot(page, "3-clearance-form")
    page.get_by_role("button", name="Record clearance").click()
    page.get_by_text("Recorded union notice.").wait_for()
    screenshot(page, "4-clearances")

    page.get_by_role("link", name="The Long Night").click()
    page.get_by_role("button", name="Performers").click()
    page.get_by_role("button", name="Add performer").click()
    page.get_by_label("Professional name").fill("Margaret Whitcombe")
    expect(page.locator("#similar-names")).to_contain_text(
        "Similar names already exist: Maggie Whitcombe"
    )
    screenshot(page, "5-similar-names")
    page.get_by_role("link", name="Performers").click()
    page.get_by_role("link", name=PROFESSIONAL_NAME, exact=True).click()
    page.get_by_role("heading", name=PROFESSIONAL_NAME).wait_for()
    screenshot(page, "6-performer")

    log_out(page, "pat")
    log_in(page, live_server.url, "cam")
    page.get_by_role("link", name="Tools").click()
    page.get_by_role("heading", name="Tool registry").wait_for()
    page.get_by_role("link", name="Edit FaceForge").click()
    page.get_by_label("Status").select_option("banned")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#id_status_reason_error")).to_contain_text("Say why")
    screenshot(page, "7-tool-needs-reason")
    page.get_by_label("Reason").fill("Vendor trains on uploads.")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved FaceForge.").wait_for()
    screenshot(page, "8-tools")
    page.goto(f"{live_server.url}/performers/{evidence.performer.pk}/uses/")
    page.get_by_role("heading", name=f"Everywhere {PROFESSIONAL_NAME} is used").wait_for()
    screenshot(page, "9-everywhere-used")

    assert problems == []
