"""The dashboard figures against the database: each figure is recomputed here another way (one
ORM filter per bar, one coverage question per performer link, frames summed in Python) and must
agree; and the number of queries does not grow with the data."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.dashboards import figures
from studio_tracker.productions import changes
from studio_tracker.reports import compiler
from studio_tracker.reports.models import AuditFinding, Finding, Report
from studio_tracker.usage.choices import FINAL_DISPOSITIONS
from studio_tracker.usage.coverage import consent_facts, coverage_gaps, needs_consent, use_facts
from studio_tracker.usage.models import UsageEntry, UsagePerformer

from .build import grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_uses_by_department_category_tool_disposition_and_episode_match_the_rows(cast):
    built = grow(cast, rounds=2)
    production = cast.production_a
    breakdown = figures.usage_breakdown(production)
    rows = UsageEntry.objects.filter(production=production)

    assert breakdown.total == rows.count() == 14
    assert breakdown.production_level == rows.filter(shot__isnull=True).count() == 2
    for field, slices in [
        ("department", breakdown.by_department),
        ("category", breakdown.by_category),
        ("tool_id", breakdown.by_tool),
        ("disposition", breakdown.by_disposition),
    ]:
        expected = {
            value: rows.filter(**{field: value}).count() for value in {s.key for s in slices}
        }
        assert {s.key: s.uses for s in slices} == expected
        assert sum(s.uses for s in slices) == rows.count()
    assert breakdown.by_department[0].uses >= breakdown.by_department[-1].uses  # largest first
    by_episode = {s.key: s.uses for s in breakdown.by_episode}
    for episode in built.episodes:
        assert by_episode[episode.pk] == rows.filter(episode=episode).count()
    assert by_episode[None] == rows.filter(episode__isnull=True).count()
    voice = next(s for s in breakdown.by_tool if s.key == built.tools["voice"].pk)
    assert voice.note == "restricted"


def test_an_episode_without_uses_shows_as_zero(cast):
    grow(cast)
    empty = changes.create_episode(actor=cast.pat, production=cast.production_a, code="E09")
    slices = {s.key: s.uses for s in figures.usage_breakdown(cast.production_a).by_episode}
    assert slices[empty.pk] == 0


def test_runtime_share_counts_frames_of_shots_with_a_final_generative_use(cast):
    grow(cast, rounds=2)
    production = cast.production_a
    shots = list(production.shots.all())
    generative = {
        entry.shot_id
        for entry in UsageEntry.objects.filter(production=production, shot__isnull=False)
        if entry.disposition in FINAL_DISPOSITIONS and entry.generation_kind == "generative"
    }
    total = sum(shot.frames or 0 for shot in shots)
    in_final = sum(shot.frames or 0 for shot in shots if shot.pk in generative)

    share = figures.runtime_share(production)

    assert (share.frames, share.generative_frames) == (total, in_final)
    assert share.shots == len(shots)
    assert share.generative_shots == len(generative)
    assert share.shots_without_frames == sum(1 for shot in shots if shot.frames is None)
    assert share.percent == pytest.approx(100 * in_final / total)
    assert 0 < share.percent < 100


def test_performer_coverage_agrees_with_asking_each_link(cast):
    built = grow(cast, rounds=2)
    production = cast.production_a
    expected = Counter()
    for link in UsagePerformer.objects.filter(usage_entry__production=production).select_related(
        "usage_entry__shot", "usage_entry__production", "consent"
    ):
        use = use_facts(link.usage_entry)
        if not needs_consent(use):
            verdict = "not_needed"
        elif link.consent is None:
            verdict = "no_consent"
        elif coverage_gaps(consent_facts(link.consent), use):
            verdict = "gaps"
        else:
            verdict = "covered"
        expected[(link.performer_id, verdict)] += 1

    found = figures.performer_coverage(production)

    got = Counter()
    for performer in found:
        for verdict in ("covered", "not_needed", "no_consent", "gaps"):
            if getattr(performer, verdict):
                got[(performer.performer_id, verdict)] = getattr(performer, verdict)
    assert got == expected
    by_id = {p.performer_id: p for p in found}
    assert by_id[built.performers["marion"].pk].uncovered == 0
    assert by_id[built.performers["ines"].pk].first_gap == "no consent on file"
    assert by_id[built.performers["lena"].pk].first_gap == "it is a consent of another type"
    assert [p.uncovered > 0 for p in found] == [True, True, False]  # the uncovered first


def test_the_latest_report_counts_its_open_findings_by_severity(cast, media):
    grow(cast)
    older = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(older.pk)
    latest = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    assert compiler.compile_report(latest.pk) is True
    blocking = Finding.objects.filter(report=latest, severity="blocking")
    assert blocking.count() >= 2  # the stunt replica with no consent, the wrong-type consent
    blocking.filter(pk=blocking.first().pk).update(override_reason="Consent is being re-signed.")
    cast.production_a.refresh_from_db()  # its change counter, as a page loads it

    report = figures.latest_report(cast.production_a, Report.objects.all())

    assert report.pk == latest.pk
    findings = Finding.objects.filter(report=latest)
    assert report.open_blocking == blocking.filter(override_reason="").count()
    assert report.overridden_blocking == 1
    assert report.warnings == findings.filter(severity="warning").count()
    assert report.infos == findings.filter(severity="info").count()
    assert report.open_audit == 0
    assert report.stale is False
    grow(cast)  # a change after the compile
    cast.production_a.refresh_from_db()
    assert figures.latest_report(cast.production_a, Report.objects.all()).stale is True


def test_open_audit_findings_leave_out_the_resolved_ones(cast, media):
    grow(cast)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    for status in ("raised", "answered", "resolved", "escalated"):
        AuditFinding.objects.create(
            report_id=report.pk,
            raised_by=cast.uma,
            category="missing_consent",
            severity="blocking",
            description="Where is the stunt double's consent?",
            status=status,
        )
    found = figures.latest_report(cast.production_a, Report.objects.all())
    assert found.open_audit == 3


def _queries(function, *args) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_the_figures_take_the_same_queries_for_more_data(cast, media):
    grow(cast)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    production = cast.production_a
    small = [
        _queries(figures.usage_breakdown, production),
        _queries(figures.runtime_share, production),
        _queries(figures.performer_coverage, production),
        _queries(figures.latest_report, production, Report.objects.all()),
    ]
    grow(cast, rounds=4)
    large = [
        _queries(figures.usage_breakdown, production),
        _queries(figures.runtime_share, production),
        _queries(figures.performer_coverage, production),
        _queries(figures.latest_report, production, Report.objects.all()),
    ]
    assert small == large == [3, 2, 3, 1]


def test_studio_overview_rows_and_their_figures(cast, media):
    grow(cast)
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)

    rows = {p.pk: p for p in figures.studio_overview([cast.northlight.pk], "title")}

    assert set(rows) == {cast.production_a.pk, cast.production_b.pk}  # not Far Shore
    a, b = rows[cast.production_a.pk], rows[cast.production_b.pk]
    assert a.latest_id == report.pk and a.latest_status == "compiled"
    assert (
        a.open_blocking
        == Finding.objects.filter(report=report, severity="blocking", override_reason="").count()
    )
    assert a.uses == UsageEntry.objects.filter(production=cast.production_a).count()
    assert sum(a.trend) == a.uses  # all logged this week
    assert a.trend[-1] == a.uses
    assert a.last_activity is not None and a.stale is False
    assert b.latest_id is None and b.uses == 0 and b.trend == [0] * figures.TREND_WEEKS


def test_studio_overview_sorts_on_each_column(cast):
    grow(cast)
    for key in figures.SORTS:
        for sort in (key, f"-{key}"):
            assert len(figures.studio_overview([cast.northlight.pk], sort)) == 2
    by_uses = figures.studio_overview([cast.northlight.pk], "-uses")
    assert [p.pk for p in by_uses] == [cast.production_a.pk, cast.production_b.pk]
    assert figures.overview_sort("; drop table") == figures.DEFAULT_SORT
    assert figures.overview_sort("-uses") == "-uses"


def test_studio_overview_takes_the_same_queries_for_more_productions(cast):
    from django.core.cache import cache

    grow(cast)
    few = _queries(figures.studio_overview, [cast.northlight.pk], "title")
    for n in range(5):
        changes.create_production(
            actor=None, organization=cast.northlight, title=f"Extra {n}", kind="short"
        )
    grow(cast, rounds=2)
    cache.clear()
    assert _queries(figures.studio_overview, [cast.northlight.pk], "title") == few == 2
    # Looked at again with nothing changed: the usage counts come from the cache.
    assert _queries(figures.studio_overview, [cast.northlight.pk], "title") == 1


def test_the_weekly_trend_puts_each_use_in_the_week_it_was_logged(cast):
    import datetime

    from django.utils import timezone

    grow(cast)
    entries = list(UsageEntry.objects.filter(production=cast.production_a).order_by("id"))
    today = timezone.localdate()
    for weeks_ago, entry in zip([0, 0, 1, 3, 11, 12, 30], entries, strict=True):
        logged = timezone.now() - datetime.timedelta(weeks=weeks_ago)
        UsageEntry.objects.filter(pk=entry.pk).update(created_at=logged)
    cast.production_a.refresh_from_db()

    uses, trend = figures.weekly_uses([cast.production_a], today)[cast.production_a.pk]

    assert uses == 7
    expected = [0] * figures.TREND_WEEKS
    for entry in UsageEntry.objects.filter(production=cast.production_a):
        logged = timezone.localdate(entry.created_at)
        week = logged - datetime.timedelta(days=logged.weekday())
        if week in figures.trend_weeks(today):
            expected[figures.trend_weeks(today).index(week)] += 1
    assert trend == expected
    assert sum(trend) == 5  # twelve and thirty weeks ago fall outside
