"""A coordinator imports an EDL in a real browser: reads the preview, applies it and confirms a
suggested AI use. No page breaks a CSP rule along the way."""

from pathlib import Path

import pytest

from studio_tracker.productions import changes
from studio_tracker.usage import tools
from studio_tracker.usage.models import UsageEntry
from tests.browser.test_manage_production import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_coordinator_imports_a_timeline_and_confirms_a_suggestion(
    live_server, page, browser_ready, screenshot, cast
):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    production = changes.update_production(
        cast.production_a, actor=None, frame_rate="29.97", shot_code_pattern=r"^LN_SQ\d{3}_SH\d{4}$"
    )
    tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name="SkyGen",
        vendor="Sky Labs",
        modalities=["video"],
        kind="generative",
    )

    log_in(page, live_server.url, "cora")
    page.goto(f"{live_server.url}/productions/{production.pk}/")
    page.get_by_role("button", name="Import shot list").click()
    page.get_by_label("File").set_input_files(str(FIXTURES / "avid_drop_frame.edl"))
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("heading", name="Preview of avid_drop_frame.edl").wait_for()
    assert page.locator("#count-created").inner_text() == "2"
    assert page.locator("#count-updated").inner_text() == "1"
    assert page.get_by_text("Unreadable timecode '07:00:0X;00' in event 007.").is_visible()
    assert page.get_by_role("rowheader", name="LN_SQ020_SH0030").is_visible()
    screenshot(page, "1-preview")

    page.get_by_role("button", name="Apply import").click()
    page.get_by_text("Imported avid_drop_frame.edl: 2 created, 1 updated").wait_for()
    screenshot(page, "2-applied")

    suggestion = page.get_by_role("article", name="Suggestion 1")
    suggestion.get_by_label("Tool").select_option(label="SkyGen (Sky Labs)")
    suggestion.get_by_label("Category").select_option("environment_gen")
    suggestion.get_by_label("Disposition").select_option("final_background")
    suggestion.get_by_label("Used on").fill("2025-04-01")
    suggestion.get_by_role("button", name="Confirm AI use").click()
    page.get_by_text("Logged the suggested AI use.").wait_for()
    screenshot(page, "3-confirmed")
    entry = UsageEntry.objects.get()
    assert entry.shot.code == "LN_SQ010_SH0010" and entry.tool.name == "SkyGen"
    assert problems == []
