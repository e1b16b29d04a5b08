"""A compliance admin sets up a production in a real browser; the union rep they assign then sees
it read-only. No page breaks a CSP rule along the way."""

import re

import pytest

from tests.cast import PASSWORD

FRAMES = "1001\N{EN DASH}1048 (48)"  # first to last frame (count), as the shot list shows them

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_a_compliance_admin_sets_up_a_production_and_the_union_rep_reads_it(
    live_server, page, browser_ready, screenshot, cast
):
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, live_server.url, "cam")
    assert page.get_by_role("link", name="Productions").get_attribute("aria-current") == "page"
    screenshot(page, "1-my-productions")

    page.get_by_role("button", name="New production").click()  # a link styled as a button
    page.get_by_label("Title").fill("Night Shift")
    page.get_by_label("Kind").select_option("series")
    page.get_by_label("SAG-AFTRA").check()
    page.get_by_label("WGA").check()
    page.get_by_label("Territories").fill("gb, fr")
    page.get_by_label("Commissioner").fill("bbc")
    page.get_by_label("Release date").fill("2027-03-01")
    screenshot(page, "2-new-production")
    page.get_by_role("button", name="Create production").click()

    page.get_by_role("heading", name="Night Shift").wait_for()
    assert page.get_by_text("Created Night Shift.").is_visible()
    assert page.get_by_text("GB, FR").is_visible()
    production_url = page.url
    screenshot(page, "3-production")

    page.get_by_role("button", name="Add shot").first.click()
    page.get_by_label("Code").fill("NS_SQ010_SH0010")
    page.get_by_label("Description").fill("Sky replacement over the harbour")
    page.get_by_label("First frame").fill("1001")
    page.get_by_label("Last frame").fill("1048")
    page.get_by_role("button", name="Add shot", exact=True).click()
    page.get_by_text("Added shot NS_SQ010_SH0010.").wait_for()
    assert page.get_by_role("cell", name=FRAMES).is_visible()
    screenshot(page, "4-shot-added")

    # The filter narrows the list in place (htmx) and keeps the filter in the address bar.
    page.get_by_label("Code contains").fill("nothing-like-it")
    page.get_by_text("No shots match these filters").wait_for()
    page.get_by_label("Code contains").fill("SH0010")
    page.get_by_role("cell", name=FRAMES).wait_for()
    assert "code=SH0010" in page.url

    page.goto(production_url)
    page.get_by_role("button", name="Members").click()
    page.get_by_label("Person").select_option(label="uma@example.com")
    page.get_by_label("Role").select_option("union_rep")
    page.get_by_role("button", name="Add member").click()
    page.get_by_text("uma@example.com is now union rep here.").wait_for()
    screenshot(page, "5-members")

    log_out(page, "cam")
    log_in(page, live_server.url, "uma")
    page.get_by_role("link", name="Night Shift").click()
    page.get_by_role("heading", name="Night Shift").wait_for()
    assert page.get_by_text("NS_SQ010_SH0010", exact=True).is_visible()
    assert page.get_by_role("link", name=re.compile(r"^(Edit|Add|Delete|Members)")).count() == 0
    assert page.get_by_role("button", name=re.compile(r"^(Edit|Add|Delete|Members)")).count() == 0
    screenshot(page, "6-union-rep-reads")

    # The edit pages exist for her, but she may not use them.
    assert page.request.get(f"{production_url}edit/").status == 403
    assert page.request.get(f"{production_url}shots/new/").status == 403

    assert problems == []
