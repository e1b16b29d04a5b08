"""A report goes from compile to credits in a real browser: the producer compiles and submits it;
the compliance admin is stopped by its blocking findings until she gives an override reason, then
approves it; the union rep raises an audit finding and the producer answers it; the distributor
downloads the credit text file, and the public verify page recognises that file, but not the same
file with one character changed. No page breaks a CSP rule along the way.

No worker runs here: the test compiles, renders and builds the credit package in its own thread,
as the workers would.
"""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler, credits
from studio_tracker.reports.models import AuditFinding, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My productions").wait_for()


def log_out(page, name: str) -> None:
    page.get_by_text(name, exact=True).click()  # the user menu shows the full name
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def test_a_report_is_reviewed_audited_and_its_credits_verified(
    live_server, page, browser_ready, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    production = Production.objects.get(title="The Long Night")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # The producer compiles the report and submits it.
    log_in(page, live_server.url, "pat")
    page.goto(f"{live_server.url}/productions/{production.pk}/")
    page.get_by_role("button", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Disclosure reports").wait_for()
    page.get_by_role("button", name="Compile report").click()
    page.get_by_text("is queued; it compiles shortly").wait_for()
    report = Report.objects.filter(production=production).order_by("-version").first()
    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)
    report.refresh_from_db()
    expect(page.locator("#report-digest")).to_have_text(report.digest, timeout=10_000)
    report_url = f"{live_server.url}/reports/{report.pk}/"
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text(f"Version {report.version} is submitted for review.")).to_be_visible()
    expect(page.get_by_text("Waiting for a compliance admin's review.")).to_be_visible()
    screenshot(page, "1-submitted")
    log_out(page, "Patrick Osei")

    # The compliance admin finds it in the review queue.
    log_in(page, live_server.url, "cam")
    page.goto(f"{live_server.url}/reviews/")
    queue = page.get_by_role("table", name="Reports waiting for review")
    entry = queue.get_by_role("link", name=f"The Long Night · version {report.version}")
    expect(entry).to_be_visible()
    screenshot(page, "2-review-queue")
    entry.click()
    page.get_by_role("heading", name="Review", exact=True).wait_for()

    # Approving without a reason is refused: the blocking findings need one.
    approve = page.get_by_role("button", name=f"Approve version {report.version}")
    approve.click()
    expect(
        page.get_by_text(re.compile(r"blocking findings? ha(s|ve) no override reason"))
    ).to_be_visible()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    screenshot(page, "3-approval-refused")

    page.get_by_label("Reason for all blocking findings left blank below").fill(
        "Theo Grant's agent confirmed consent in writing; the signed form follows."
    )
    page.get_by_label("Comment (optional)").fill("Approved with the overrides above.")
    approve.click()
    expect(page.get_by_text(f"Version {report.version} is approved.")).to_be_visible()
    overridden = page.get_by_role("table", name="Overridden findings")
    expect(overridden).to_contain_text("Theo Grant's agent confirmed consent in writing")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    screenshot(page, "4-approved")
    log_out(page, "Camille Ortega")
    assert {f.format for f in credits.build_package(report)} == {"txt", "tsv", "json", "pdf"}

    # The union rep reads the approved report and raises an audit finding.
    log_in(page, live_server.url, "uma")
    page.goto(report_url)
    page.get_by_role("heading", name=f"Report version {report.version}").wait_for()
    raise_form = page.locator("#raise-audit-finding")
    raise_form.get_by_label("Category").select_option(label="Compensation")
    raise_form.get_by_label("Severity").select_option(label="Warning")
    raise_form.get_by_label("Rule (optional)").fill("E01")
    raise_form.get_by_label("Description").fill("Theo Grant's replica fee is not on the sheet.")
    raise_form.get_by_role("button", name="Raise").click()
    expect(page.get_by_text("Audit finding raised on version")).to_be_visible()
    audit = page.locator("article.audit-finding")
    expect(audit).to_contain_text("Theo Grant's replica fee is not on the sheet.")
    screenshot(page, "5-audit-raised")
    log_out(page, "Uma Reyes")

    # The producer answers it.
    log_in(page, live_server.url, "pat")
    page.goto(f"{report_url}#audit-findings")
    page.get_by_label("Answer", exact=True).fill("The fee is on the revised sheet, line 14.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Answer sent to the union rep.")).to_be_visible()
    expect(audit).to_contain_text("The fee is on the revised sheet, line 14.")
    found = AuditFinding.objects.get(report=report)
    assert found.response == "The fee is on the revised sheet, line 14."
    screenshot(page, "6-audit-answered")
    log_out(page, "Patrick Osei")

    # The distributor downloads the credit block from the credits portal.
    log_in(page, live_server.url, "dina")
    page.goto(f"{live_server.url}/credits/")
    page.get_by_role("heading", name="Credit packages").wait_for()
    package = page.get_by_role("article").filter(has_text=f"report version {report.version}")
    expect(package).to_contain_text("The Long Night")
    screenshot(page, "7-credits-portal")
    with page.expect_download() as info:
        package.get_by_role("link", name="Credit block (text)").click()
    credit_text = Path(info.value.path()).read_bytes()
    stored = report.credit_files.get(format="txt").sha256
    assert hashlib.sha256(credit_text).hexdigest() == stored
    expect(package).to_contain_text(stored)

    # The public verify page recognises the file, and nothing else.
    page.get_by_role("link", name="verify a file").click()
    page.get_by_role("heading", name="Verify a file").wait_for()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "credits.txt", "mimeType": "text/plain", "buffer": credit_text}]
    )
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Match.")).to_be_visible()
    expect(page.locator("article")).to_contain_text(
        f"This is the credits.txt of The Long Night, report version {report.version}."
    )
    screenshot(page, "8-verified")

    index = next(i for i, byte in enumerate(credit_text) if chr(byte).isalpha())
    changed = bytearray(credit_text)
    changed[index] = ord("X") if changed[index] != ord("X") else ord("Y")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "credits.txt", "mimeType": "text/plain", "buffer": bytes(changed)}]
    )
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("No match.")).to_be_visible()
    screenshot(page, "9-no-match")
    assert problems == []
