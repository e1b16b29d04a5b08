"""The figures of the dashboards, computed with database aggregates.

Each function runs a fixed number of queries whatever the size of the production (grouped counts,
sums and correlated subqueries), so the 150,000-entry production costs what the demo costs, in
queries if not in milliseconds. The functions return plain data; the views decide who may see
which, and the templates draw it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions.models import Episode, Production, Shot
from studio_tracker.reports.models import AuditFinding, Finding, Report
from studio_tracker.usage.choices import (
    FINAL_DISPOSITIONS,
    Category,
    Department,
    Disposition,
    GenerationKind,
    ReplicaKind,
)
from studio_tracker.usage.coverage import coverage_gaps, medium_of, needs_consent
from studio_tracker.usage.models import ConsentRecord, Tool, UsageEntry, UsagePerformer

Severity = Finding.Severity
OPEN_AUDIT_STATUSES = (
    AuditFinding.Status.RAISED,
    AuditFinding.Status.ANSWERED,
    AuditFinding.Status.ESCALATED,
)
TREND_WEEKS = 12
BLOCKING_RANK = 0  # Finding.rank: 0 blocking, 1 warning, 2 info


def count_of(queryset) -> Coalesce:
    """COUNT(*) of a correlated queryset, as a subquery usable in annotate() (0, never NULL)."""
    counted = queryset.order_by().annotate(_n=Func("pk", function="COUNT")).values("_n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


# Figures of a production are kept until its change counter moves (every domain write moves it:
# uses, shots, consents, performers, clearances, imports), so a dashboard looked at again costs
# a cache lookup instead of counting 150,000 rows. The expiry is only a safety net for writes
# that bypass the domain functions.
CACHE_SECONDS = 15 * 60


def cached(production: Production, part: str, compute):
    """``compute(production)``, kept in the cache under the production's change counter."""
    key = f"dashboards:v1:{part}:{production.pk}:{production.change_counter}"
    value = cache.get(key)
    if value is None:
        value = compute(production)
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- Uses, broken down -------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """One bar of a breakdown: what it counts (``key``, the register's filter value), its label
    and the number of uses."""

    key: str | int | None
    label: str
    uses: int
    note: str = ""  # e.g. "banned" for a tool, shown beside the label


@dataclass
class UsageBreakdown:
    total: int = 0
    production_level: int = 0  # uses on the production rather than a shot
    by_department: list[Slice] = field(default_factory=list)
    by_category: list[Slice] = field(default_factory=list)
    by_tool: list[Slice] = field(default_factory=list)
    by_disposition: list[Slice] = field(default_factory=list)
    by_episode: list[Slice] = field(default_factory=list)


def _largest_first(counts: dict, label) -> list[Slice]:
    slices = [Slice(key, label(key), uses) for key, uses in counts.items() if uses]
    return sorted(slices, key=lambda s: (-s.uses, s.label))


def usage_rows(production: Production) -> list[dict]:
    """The production's uses counted per (department, category, disposition, tool, episode): one
    GROUP BY over the five dimensions at once, a few hundred rows on the largest production."""
    return list(
        UsageEntry.objects.filter(production=production)
        .values("department", "category", "disposition", "tool_id", "episode_id")
        .annotate(uses=Count("id"), on_shots=Count("shot_id"))
        .order_by()
    )


def usage_breakdown(production: Production, rows: list[dict] | None = None) -> UsageBreakdown:
    """The production's uses counted by department, category, tool, disposition and episode,
    from ``usage_rows`` (given, when the caller has them cached, or queried here).

    Two more queries: the names of the tools counted, and the episode list, so that episodes
    with no use show as zero (names are read fresh: renaming a tool moves no change counter).
    """
    if rows is None:
        rows = usage_rows(production)
    departments, categories, dispositions = defaultdict(int), defaultdict(int), defaultdict(int)
    tools, episodes = defaultdict(int), defaultdict(int)
    breakdown = UsageBreakdown()
    for row in rows:
        uses = row["uses"]
        breakdown.total += uses
        breakdown.production_level += uses - row["on_shots"]
        departments[row["department"]] += uses
        categories[row["category"]] += uses
        dispositions[row["disposition"]] += uses
        tools[row["tool_id"]] += uses
        episodes[row["episode_id"]] += uses
    tool_rows = {
        tool.pk: tool for tool in Tool.objects.filter(pk__in=list(tools)).only("name", "status")
    }
    breakdown.by_department = _largest_first(departments, _label(Department))
    breakdown.by_category = _largest_first(categories, _label(Category))
    breakdown.by_tool = sorted(
        (
            Slice(
                tool_id,
                tool_rows[tool_id].name,
                uses,
                note=""
                if tool_rows[tool_id].status == Tool.Status.APPROVED
                else (tool_rows[tool_id].get_status_display().split(" (")[0].lower()),
            )
            for tool_id, uses in tools.items()
        ),
        key=lambda s: (-s.uses, s.label),
    )
    # Dispositions keep the lifecycle's order (ideation, temp, final…), not the largest first.
    breakdown.by_disposition = [
        Slice(value, label, dispositions[value])
        for value, label in Disposition.choices
        if dispositions.get(value)
    ]
    breakdown.by_episode = [
        Slice(episode.pk, f"{episode.code} {episode.title}".strip(), episodes.get(episode.pk, 0))
        for episode in Episode.objects.filter(production=production).order_by("code")
    ]
    if episodes.get(None) and breakdown.by_episode:
        breakdown.by_episode.append(Slice(None, "No episode (production-wide)", episodes[None]))
    return breakdown


def _label(choices):
    labels = dict(choices.choices)
    return lambda value: labels.get(value, value)


# --- Share of the final runtime ----------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeShare:
    shots: int
    frames: int
    generative_shots: int
    generative_frames: int
    shots_without_frames: int

    @property
    def percent(self) -> float:
        return 100 * self.generative_frames / self.frames if self.frames else 0.0


def runtime_share(production: Production) -> RuntimeShare:
    """Frames of shots with a generative use in the final picture, over all the production's
    frames (the same measure as the report summary's ``runtime_share_pct``). Two queries: the
    totals, and the shots with such a use (a semi-join the database hashes once)."""
    shots = Shot.objects.filter(production=production)
    totals = shots.aggregate(
        all_shots=Count("id"),
        all_frames=Coalesce(Sum("frames"), 0),
        unmeasured=Count("id", filter=Q(frames__isnull=True)),
    )
    final_generative = UsageEntry.objects.filter(
        production=production,
        shot__isnull=False,
        disposition__in=FINAL_DISPOSITIONS,
        generation_kind=GenerationKind.GENERATIVE,
    ).values("shot_id")
    in_final = shots.filter(pk__in=final_generative).aggregate(
        in_final_shots=Count("id"), in_final_frames=Coalesce(Sum("frames"), 0)
    )
    return RuntimeShare(
        shots=totals["all_shots"],
        frames=totals["all_frames"],
        generative_shots=in_final["in_final_shots"],
        generative_frames=in_final["in_final_frames"],
        shots_without_frames=totals["unmeasured"],
    )


# --- Performers and consent --------------------------------------------------------------------

REPLICA_OR_ALTERATION = ~Q(usage_entry__replica_kind=ReplicaKind.NONE) | Q(
    usage_entry__performance_altered=True
)


@dataclass
class PerformerCoverage:
    """A performer whose replica or altered performance the production uses, and how many of
    those uses a consent on file covers."""

    performer_id: int
    name: str
    uses: int = 0
    covered: int = 0
    not_needed: int = 0
    no_consent: int = 0
    gaps: int = 0  # a consent is linked but does not cover the use
    kinds: set = field(default_factory=set)
    first_gap: str = ""

    @property
    def uncovered(self) -> int:
        return self.no_consent + self.gaps

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(ReplicaKind.choices)
        return sorted(labels.get(kind, "Altered performance") for kind in self.kinds)


def performer_coverage(production: Production) -> list[PerformerCoverage]:
    """Each performer with replica or alteration uses, uncovered first. Three queries whatever the
    number of uses: the uses grouped by everything coverage depends on, the consents they rely
    on, and those consents' episodes; ``coverage_gaps`` then runs once per group, not per use."""
    groups = (
        UsagePerformer.objects.filter(usage_entry__production=production)
        .filter(REPLICA_OR_ALTERATION)
        .values(
            "performer_id",
            "performer__professional_name",
            "consent_id",
            "usage_entry__category",
            "usage_entry__replica_kind",
            "usage_entry__language",
            "usage_entry__used_on",
        )
        .annotate(
            episode=Coalesce("usage_entry__episode_id", "usage_entry__shot__episode_id"),
            uses=Count("id"),
        )
        .order_by()
    )
    groups = list(groups)
    consent_ids = {row["consent_id"] for row in groups if row["consent_id"]}
    consents = {
        row["id"]: {**row, "episode_ids": []}
        for row in ConsentRecord.objects.filter(pk__in=consent_ids).values(
            "id",
            "production_id",
            "consent_type",
            "media",
            "territories",
            "languages",
            "valid_from",
            "valid_until",
            "revoked_at",
        )
    }
    for consent_id, episode_id in ConsentRecord.episodes.through.objects.filter(
        consentrecord_id__in=consent_ids
    ).values_list("consentrecord_id", "episode_id"):
        consents[consent_id]["episode_ids"].append(episode_id)
    territories = list(production.territories or [])
    performers: dict[int, PerformerCoverage] = {}
    for row in groups:
        performer = performers.setdefault(
            row["performer_id"],
            PerformerCoverage(row["performer_id"], row["performer__professional_name"]),
        )
        category, replica_kind = row["usage_entry__category"], row["usage_entry__replica_kind"]
        use = {
            "production_id": production.pk,
            "episode_id": row["episode"],
            "category": category,
            "replica_kind": replica_kind,
            "medium": medium_of(category),
            "territories": territories,
            "language": row["usage_entry__language"],
            "used_on": row["usage_entry__used_on"],
        }
        uses = row["uses"]
        performer.uses += uses
        performer.kinds.add(replica_kind if replica_kind != ReplicaKind.NONE else "altered")
        if not needs_consent(use):
            performer.not_needed += uses
        elif row["consent_id"] is None:
            performer.no_consent += uses
            performer.first_gap = performer.first_gap or "no consent on file"
        else:
            gaps = coverage_gaps(consents[row["consent_id"]], use)
            if gaps:
                performer.gaps += uses
                performer.first_gap = performer.first_gap or gaps[0]
            else:
                performer.covered += uses
    return sorted(performers.values(), key=lambda p: (p.uncovered == 0, p.name.lower()))


# --- The latest report -------------------------------------------------------------------------


def latest_report(production: Production, reports) -> Report | None:
    """The newest version among ``reports`` (already scoped to what the user may read), with its
    findings by severity and the open audit findings of the production. One query.

    Findings are frozen at compile time, so warnings and information come from the counts the
    compile stored; only the blocking ones change afterwards (an override gives them a reason),
    so they alone are counted, through the (report, rank) index: rank 0 is blocking. That keeps
    a report with 190,000 warnings as cheap as one with none."""
    blocking = Finding.objects.filter(
        report=OuterRef("pk"), rank=BLOCKING_RANK, severity=Severity.BLOCKING
    )
    report = (
        reports.filter(production=production)
        .select_related("episode")
        .annotate(
            overridden_blocking=count_of(blocking.exclude(override_reason="")),
            open_audit=count_of(
                AuditFinding.objects.filter(
                    report__production=OuterRef("production_id"),
                    status__in=OPEN_AUDIT_STATUSES,
                )
            ),
        )
        .order_by("-version")
        .first()
    )
    if report is not None:
        report.production = production  # `stale` compares with the production's counter
        by_severity = (report.counts or {}).get("findings_by_severity", {})
        report.open_blocking = report.blocking_count - report.overridden_blocking
        report.warnings = by_severity.get(Severity.WARNING, 0)
        report.infos = by_severity.get(Severity.INFO, 0)
    return report


# --- The studio overview -----------------------------------------------------------------------

SORTS = {
    # ?sort= value: label of the column
    "title": "Production",
    "status": "Latest report",
    "blocking": "Blocking findings",
    "audit": "Open audit findings",
    "stale": "Stale",
    "activity": "Last activity",
    "uses": "Uses logged",
}
DEFAULT_SORT = "-blocking"
# The order of report statuses from "needs the most attention" to "settled", for sorting.
STATUS_ORDER = [
    Report.Status.FAILED,
    Report.Status.CHANGES_REQUESTED,
    Report.Status.QUEUED,
    Report.Status.COMPILING,
    Report.Status.COMPILED,
    Report.Status.SUBMITTED,
    Report.Status.APPROVED,
]


def overview_sort(value: str | None) -> str:
    """A valid ?sort= value (a SORTS key, descending with a leading "-"), else the default."""
    if value and value.lstrip("-") in SORTS:
        return value
    return DEFAULT_SORT


def _sort_key(key: str):
    """The value a row sorts on; rows without one (no report, no activity) go last either way."""
    return {
        "title": lambda p: p.title.lower(),
        "status": lambda p: STATUS_ORDER.index(p.latest_status) if p.latest_status else None,
        "blocking": lambda p: p.open_blocking if p.latest_id else None,
        "audit": lambda p: p.open_audit,
        "stale": lambda p: p.stale if p.latest_id else None,
        "activity": lambda p: p.last_activity,
        "uses": lambda p: p.uses,
    }[key]


def studio_overview(organization_ids, sort: str = DEFAULT_SORT, today=None) -> list[Production]:
    """Every production of these organisations with its latest report's status and open blocking
    findings, its open audit findings, whether the report is stale, the last activity (the newest
    audit event), its uses and their weekly trend, sorted by ``sort``.

    One query for the productions and their report figures (correlated subqueries), and one pass
    over the usage rows of the productions whose counts are not cached under their change
    counter (a few dozen rows per production, whatever the number of uses)."""
    latest = Report.objects.filter(production=OuterRef("pk")).order_by("-version")
    productions = list(
        Production.objects.filter(organization__in=organization_ids)
        .select_related("organization")
        .annotate(
            latest_id=Subquery(latest.values("pk")[:1]),
            latest_version=Subquery(latest.values("version")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_counter=Subquery(latest.values("compiled_counter")[:1]),
            open_blocking=count_of(
                Finding.objects.filter(
                    report_id=OuterRef("latest_id"),
                    rank=BLOCKING_RANK,
                    severity=Severity.BLOCKING,
                    override_reason="",
                )
            ),
            open_audit=count_of(
                AuditFinding.objects.filter(
                    report__production=OuterRef("pk"), status__in=OPEN_AUDIT_STATUSES
                )
            ),
            last_activity=Subquery(
                AuditEvent.objects.filter(production_id=OuterRef("pk"))
                .order_by("-seq")
                .values("created_at")[:1]
            ),
        )
        .order_by("title", "id")
    )
    trends = weekly_uses(productions, today)
    for production in productions:
        production.stale = (
            production.latest_counter is not None
            and production.latest_counter != production.change_counter
        )
        production.uses, production.trend = trends[production.pk]
    sort = overview_sort(sort)
    key = _sort_key(sort.lstrip("-"))
    present = [p for p in productions if key(p) is not None]
    missing = [p for p in productions if key(p) is None]
    # Stable sorts: ties keep the title order.
    present.sort(key=key, reverse=sort.startswith("-"))
    return present + missing


def trend_weeks(today: date | None = None) -> list[date]:
    """The Mondays of the last TREND_WEEKS weeks, oldest first, this week last."""
    today = today or timezone.localdate()
    this_week = today - timedelta(days=today.weekday())
    return [this_week - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]


def weekly_uses(productions, today: date | None = None) -> dict[int, tuple[int, list[int]]]:
    """For each production: its uses, and those logged (entered) in each of the last twelve weeks,
    oldest first. The counts not in the cache come from one grouped query with a filtered count
    per week; they are kept under the production's change counter and the current week."""
    weeks = trend_weeks(today)
    starts = [timezone.make_aware(datetime.combine(week, datetime.min.time())) for week in weeks]
    ends = [*starts[1:], starts[-1] + timedelta(weeks=1)]
    keys = {
        p.pk: f"dashboards:v1:weekly:{p.pk}:{p.change_counter}:{weeks[-1].isoformat()}"
        for p in productions
    }
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in result]
    if missing:
        per_week = {
            f"week_{n}": Count("id", filter=Q(created_at__gte=start, created_at__lt=end))
            for n, (start, end) in enumerate(zip(starts, ends, strict=True))
        }
        rows = (
            UsageEntry.objects.filter(production__in=missing)
            .values("production_id")
            .annotate(total=Count("id"), **per_week)
            .order_by()
        )
        counted = {
            row["production_id"]: (row["total"], [row[f"week_{n}"] for n in range(TREND_WEEKS)])
            for row in rows
        }
        fresh = {pk: counted.get(pk, (0, [0] * TREND_WEEKS)) for pk in missing}
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, CACHE_SECONDS)
        result.update(fresh)
    return result
