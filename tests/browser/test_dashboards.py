"""The dashboards in a real browser, on the demo: the producer opens The Long Night and reads its
state from the top of the page (uses, runtime share, performers and consent, the latest report);
the figures shown are the database's; a chart's label opens the register filtered to the same
count. The compliance admin opens the studio overview from the navigation, sorts it with the
keyboard, and sees every production of Northlight and none of another organisation. No page
breaks a CSP rule along the way. Screenshots land in var/screenshots/.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from studio_tracker.productions.models import Production
from studio_tracker.reports.models import Report
from studio_tracker.usage.models import UsageEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My productions").wait_for()


def watch_console(page) -> list:
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def chart_counts(page, slug: str) -> dict[str, int]:
    """Label → count of each bar of a chart, as a reader sees them."""
    rows = page.locator(f"#chart-{slug} tbody tr")
    counts = {}
    for n in range(rows.count()):
        row = rows.nth(n)
        label = row.locator("th").inner_text().split("\n")[0].strip()
        counts[label] = int(row.locator("td.num strong").inner_text())
    return counts


def test_the_production_dashboard_and_the_studio_overview_on_the_demo(
    live_server, page, browser_ready, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    feature = Production.objects.get(title="The Long Night")
    problems = watch_console(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The producer's home page of the feature: the state at a glance, then the charts.
    log_in(page, live_server.url, "pat")
    page.goto(f"{live_server.url}/productions/{feature.pk}/")
    glance = page.get_by_role("region", name="At a glance")
    expect(glance).to_be_visible()
    uses = UsageEntry.objects.filter(production=feature)
    expect(page.locator("#glance-uses + .glance-figure")).to_have_text(str(uses.count()))
    report = Report.objects.filter(production=feature).order_by("-version").first()
    expect(glance.get_by_text(report.get_status_display())).to_be_visible()
    shown = chart_counts(page, "department")
    assert shown == {
        label: uses.filter(department=value).count()
        for value, label in UsageEntry._meta.get_field("department").choices
        if uses.filter(department=value).exists()
    }
    assert sum(chart_counts(page, "disposition").values()) == uses.count()
    performers = page.get_by_role("table", name=re.compile("Performers with replica"))
    expect(performers.get_by_role("link", name="Ines Duarte")).to_be_visible()
    expect(performers.get_by_text(re.compile(r"not covered"))).not_to_have_count(0)
    screenshot(page, "1-production")

    # A bar's label opens the register filtered to it, with the same count.
    vfx = shown["VFX"]
    page.locator("#chart-department").get_by_role("link", name="VFX").click()
    expect(page.locator(".register-counts strong")).to_have_text(str(vfx))
    assert "department=vfx" in page.url

    # The compliance admin finds the studio overview in the navigation.
    page.context.clear_cookies()
    log_in(page, live_server.url, "cam")
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_role("link", name="Studio", exact=True).click()
    page.get_by_role("heading", name="Studio overview").wait_for()
    table = page.get_by_role("table", name=re.compile("Productions"))
    expect(table.get_by_role("link", name="The Long Night")).to_be_visible()
    expect(table.get_by_role("link", name="Harbour Lights")).to_be_visible()
    expect(table.get_by_text("Far Shore")).to_have_count(0)
    series = Production.objects.get(title="Harbour Lights")
    series_row = table.get_by_role("row").filter(has_text="Harbour Lights")
    expect(series_row.get_by_text("Submitted for review")).to_be_visible()
    expect(series_row.locator("td").nth(5)).to_have_text(
        str(UsageEntry.objects.filter(production=series).count())
    )
    screenshot(page, "2-studio")

    # Sorting by keyboard: focus the "Uses logged" heading's link and press Enter.
    page.locator("th a", has_text="Uses logged").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=-uses"))
    header = page.locator("th", has=page.locator("a", has_text="Uses logged"))
    expect(header).to_have_attribute("aria-sort", "descending")
    titles = page.locator("tbody th[scope=row] a").all_inner_texts()
    counts = {p.title: UsageEntry.objects.filter(production=p).count() for p in [feature, series]}
    assert titles == sorted(counts, key=counts.get, reverse=True)
    screenshot(page, "3-studio-sorted")

    # From the overview to the series' dashboard: per episode, and the union's open finding.
    page.get_by_role("link", name="Harbour Lights").click()
    glance = page.get_by_role("region", name="At a glance")
    expect(glance.get_by_text("1 open audit finding")).to_be_visible()
    by_episode = chart_counts(page, "episode")
    for episode in series.episodes.all():
        label = f"{episode.code} {episode.title}".strip()
        assert by_episode[label] == UsageEntry.objects.filter(episode=episode).count()
    screenshot(page, "4-series")
    assert problems == []
