"""The dashboard pages, role by role: who sees which figures, that every chart's link opens the
register filtered to the same count, that the studio overview is for compliance admins of the
organisation only, and that neither page's queries grow with the data."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler
from studio_tracker.usage.models import UsageEntry

from .build import grow

pytestmark = pytest.mark.django_db

GLANCE = "At a glance"
USES_FIGURE = "AI uses logged"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def home(production) -> str:
    return f"/productions/{production.pk}/"


def open_to_union_reps(production) -> None:
    """What submitting a report does: the production's usage opens to its union reps."""
    Production.objects.filter(pk=production.pk).update(union_visible_since=timezone.now())


def chart_rows(html: str, slug: str) -> list[tuple[str, str, int]]:
    """(link, label, count) of each bar of one chart, read from its table."""
    chart = re.search(rf'<figure class="bar-chart" id="chart-{slug}">(.*?)</figure>', html, re.S)
    assert chart, f"no {slug} chart"
    rows = re.findall(
        r'<th scope="row"><a href="([^"]+)">([^<]+)</a>.*?<td class="num"><strong>(\d+)</strong>',
        chart.group(1),
        re.S,
    )
    return [(link.replace("&amp;", "&"), label, int(count)) for link, label, count in rows]


def register_total(user, link: str) -> int:
    html = page(user, link)
    return int(re.search(r'<p class="register-counts"><strong>(\d+)</strong>', html).group(1))


# --- Who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cora", "pat", "cam"])
def test_members_who_log_and_compliance_admins_see_every_figure(cast, name):
    grow(cast)
    html = page(getattr(cast, name), home(cast.production_a))
    for heading in (GLANCE, USES_FIGURE, "Final runtime with generative content"):
        assert heading in html
    for slug in ("disposition", "department", "tool", "category", "episode"):
        assert f'id="chart-{slug}"' in html
    assert "Performers and consent" in html and "Ines Duarte" in html


def test_the_old_page_is_still_there_below_the_dashboard(cast):
    grow(cast)
    html = page(cast.pat, home(cast.production_a))
    # Every way on from the production's page is kept: register, evidence, members, reports,
    # editing, the episodes, the shots and their filters, adding shots and importing.
    for link in (
        f"/productions/{cast.production_a.pk}/register/",
        f"/productions/{cast.production_a.pk}/consents/",
        f"/productions/{cast.production_a.pk}/members/",
        f"/productions/{cast.production_a.pk}/reports/",
        f"/productions/{cast.production_a.pk}/edit/",
        f"/productions/{cast.production_a.pk}/shots/new/",
        f"/productions/{cast.production_a.pk}/imports/new/",
    ):
        assert link in html
    assert 'id="shot-results"' in html and "LN_DB0002_SH0010" in html
    assert html.index(GLANCE) < html.index('id="details-heading"')


def test_a_member_of_another_production_gets_404(cast):
    grow(cast)
    for user in (cast.olga, cast.ugo):
        response = client_for(user).get(home(cast.production_a))
        assert response.status_code == 404
        assert "Ines Duarte" not in response.content.decode()


def test_a_distributor_sees_the_title_and_no_figure(cast):
    grow(cast)
    html = page(cast.dina, home(cast.production_a))
    assert cast.production_a.title in html
    for hidden in (GLANCE, USES_FIGURE, "chart-", "Ines Duarte", "Final runtime"):
        assert hidden not in html


def test_a_union_rep_sees_usage_figures_only_once_a_report_was_submitted(cast):
    grow(cast)
    before = page(cast.uma, home(cast.production_a))
    assert GLANCE in before and "None submitted" in before
    for hidden in (USES_FIGURE, "chart-", "Ines Duarte", "Final runtime"):
        assert hidden not in before

    open_to_union_reps(cast.production_a)
    after = page(cast.uma, home(cast.production_a))
    assert USES_FIGURE in after and 'id="chart-department"' in after and "Ines Duarte" in after


def test_a_union_rep_sees_only_a_submitted_version_as_the_latest(cast, media):
    grow(cast)
    first = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(first.pk)
    compiler.submit(first, actor=cast.pat)
    draft = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(draft.pk)

    rep = page(cast.uma, home(cast.production_a))
    producer = page(cast.pat, home(cast.production_a))

    assert f"/reports/{first.pk}/" in rep and f"/reports/{draft.pk}/" not in rep
    assert f"/reports/{draft.pk}/" in producer


def test_the_dashboard_shows_the_figures_of_the_database(cast):
    grow(cast, rounds=2)
    html = page(cast.pat, home(cast.production_a))
    total = UsageEntry.objects.filter(production=cast.production_a).count()
    assert re.search(
        rf'<h3 id="glance-uses">AI uses logged</h3>\s*<p class="glance-figure">{total}</p>', html
    )
    departments = {label: count for _, label, count in chart_rows(html, "department")}
    assert departments == {
        "VFX": UsageEntry.objects.filter(production=cast.production_a, department="vfx").count(),
        "Sound: dialogue": 2,
        "Editorial": 2,
        "Development / writing": 2,
    }


def test_each_chart_links_to_the_register_showing_the_same_count(cast):
    grow(cast)
    html = page(cast.pat, home(cast.production_a))
    register = f"/productions/{cast.production_a.pk}/register/?"
    checked = 0
    for slug, param in [
        ("department", "department"),
        ("category", "category"),
        ("tool", "tool"),
        ("disposition", "disposition"),
        ("episode", "episode"),
    ]:
        for link, label, count in chart_rows(html, slug):
            assert link.startswith(register + param + "="), link
            assert register_total(cast.pat, link) == count, (slug, label)
            checked += 1
    assert checked >= 15
    performers = re.findall(r'href="(/productions/\d+/register/\?performer=\d+)"', html)
    assert len(performers) == 3
    assert all(register_total(cast.pat, link) == 1 for link in performers)


def test_an_empty_production_says_what_to_do(cast):
    html = page(cast.cora, home(cast.production_a))
    assert "No AI use logged yet" in html
    assert f"/productions/{cast.production_a.pk}/uses/bulk/" in html
    assert "A producer compiles the first report" in html


def test_the_shot_filter_swap_skips_the_figures(cast):
    grow(cast)
    response = client_for(cast.pat).get(
        home(cast.production_a),
        {"code": "DB0002"},
        headers={"HX-Request": "true", "HX-Target": "shot-results"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "LN_DB0002_SH0010" in html
    assert GLANCE not in html


def _page_queries(user, url: str) -> int:
    client = client_for(user)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_takes_the_same_queries_for_more_data(cast, media):
    grow(cast)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    small = _page_queries(cast.pat, home(cast.production_a))
    grow(cast, rounds=4)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    assert _page_queries(cast.pat, home(cast.production_a)) == small
    # A second look, nothing changed: the counts come from the cache, in fewer queries.
    client = client_for(cast.pat)
    client.get(home(cast.production_a))
    with CaptureQueriesContext(connection) as warm:
        client.get(home(cast.production_a))
    assert len(warm) == small - 6  # the uses grouped (1), the runtime (2), the performers (3)


# --- The studio overview -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cora", "pat", "uma", "ugo", "dina", "olga"])
def test_the_studio_overview_is_for_compliance_admins_only(cast, name):
    user = getattr(cast, name)
    assert client_for(user).get("/studio/").status_code == 404
    assert 'href="/studio/"' not in page(user, "/productions/")


def test_the_studio_overview_lists_the_organisations_productions_only(cast, media):
    grow(cast)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    html = page(cast.cam, "/studio/")
    assert 'href="/studio/"' in html  # in the navigation
    assert "The Long Night" in html and "Harbour Lights" in html
    assert "Far Shore" not in html
    assert f"/reports/{report.pk}/" in html
    other = page(cast.olga, "/productions/")
    assert "Far Shore" in other


def test_the_studio_overview_sorts_by_links_with_aria_sort(cast):
    grow(cast)
    client = client_for(cast.cam)
    html = client.get("/studio/?sort=-uses").content.decode()
    assert html.index("The Long Night") < html.index("Harbour Lights")
    assert re.search(r'<th scope="col" aria-sort="descending"[^>]*><a href="\?sort=uses">', html)
    ascending = client.get("/studio/?sort=uses").content.decode()
    assert ascending.index("Harbour Lights") < ascending.index("The Long Night")
    assert 'aria-sort="ascending"' in ascending
    by_title = client.get("/studio/?sort=title").content.decode()
    assert by_title.index("Harbour Lights") < by_title.index("The Long Night")
    assert client.get("/studio/?sort=nonsense").status_code == 200


def test_the_studio_overview_takes_the_same_queries_for_more_productions(cast):
    from studio_tracker.productions import changes

    grow(cast)
    few = _page_queries(cast.cam, "/studio/")
    for n in range(4):
        changes.create_production(
            actor=None, organization=cast.northlight, title=f"Extra {n}", kind="short"
        )
    grow(cast)
    assert _page_queries(cast.cam, "/studio/") == few
