"""A producer compiles the demo production's report in a real browser: the page shows the queued
version's progress, turns into the compiled report by itself (the E01 blocking findings first),
and the JSON download hashes to the digest shown. No page breaks a CSP rule along the way.

No worker runs here: the test compiles in its own thread once the button has queued the version.
"""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler
from studio_tracker.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def test_a_producer_compiles_a_report_and_downloads_its_json(
    live_server, page, browser_ready, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--no-reports")
    production = Production.objects.get(title="The Long Night")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My productions").wait_for()
    page.goto(f"{live_server.url}/productions/{production.pk}/")
    page.get_by_role("button", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Disclosure reports").wait_for()
    page.get_by_role("button", name="Compile report").click()

    page.get_by_text("is queued; it compiles shortly").wait_for()
    progress = page.get_by_role("progressbar", name="Compile progress")
    expect(progress).to_be_visible()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    screenshot(page, "1-queued")

    report = Report.objects.filter(production=production).order_by("-version").first()
    assert report.status == "queued"
    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)  # what the rendering task does next
    report.refresh_from_db()

    # The page polls once a second and becomes the report.
    expect(page.locator("#report-digest")).to_have_text(report.digest, timeout=10_000)
    expect(progress).to_have_count(0)
    versions = page.locator("section[aria-labelledby=versions-heading]")
    expect(versions).to_contain_text("Compiled")
    rules = page.get_by_role("table", name="Findings by rule")
    e01 = rules.get_by_role("row").filter(has_text="E01")
    expect(e01).to_contain_text("Blocking")
    expect(page.get_by_text("Digital replica of Theo Grant").first).to_be_visible()
    screenshot(page, "2-compiled")

    with page.expect_download() as info:
        page.get_by_role("link", name="JSON (the frozen snapshot)").click()
    body = Path(info.value.path()).read_bytes()
    assert "sha256:" + hashlib.sha256(body).hexdigest() == report.digest

    page.get_by_role("link", name="E01", exact=True).click()
    expect(page.get_by_role("heading", name="E01 findings")).to_be_visible()
    page.locator("#findings-list tbody").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Shot LN_SQ", exact=False)).to_be_visible()
    assert problems == []
