"""Turn figures into what the templates draw: bars with their lengths, shares and register links.

The charts are server-side SVG inside a table: each row prints its label and its number, so the
figure reads without colour and without the picture, and screen readers get a plain table.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from studio_tracker.usage.choices import FINAL_DISPOSITIONS

from .figures import Slice, UsageBreakdown


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    length: float  # 0 to 100: the bar's length against the chart's largest bar
    percent: float  # 0 to 100: the share of all the chart's uses
    url: str | None
    note: str = ""
    hatched: bool = False  # in the final picture (the chart's legend says so in words)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    dimension: str  # the first column's heading
    bars: list[Bar]
    total: int
    legend: str = ""

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bars(slices: list[Slice], *, register_url: str, param: str | None, hatch=frozenset()):
    """Bars for the slices; each links to ``register_url`` filtered on ``param`` = the slice's key
    (no link when the slice cannot be filtered on, like "no episode")."""
    total = sum(s.uses for s in slices)
    largest = max((s.uses for s in slices), default=0)
    return [
        Bar(
            label=s.label,
            value=s.uses,
            length=round(100 * s.uses / largest, 2) if largest else 0,
            percent=round(100 * s.uses / total, 1) if total else 0,
            url=(
                f"{register_url}?{urlencode({param: s.key})}"
                if param and s.key is not None
                else None
            ),
            note=s.note,
            hatched=s.key in hatch,
        )
        for s in slices
    ]


def usage_charts(production_id: int, breakdown: UsageBreakdown) -> list[Chart]:
    register_url = reverse("usage:register", args=[production_id])

    def chart(slug, title, dimension, slices, param, legend="", hatch=frozenset()):
        return Chart(
            slug=slug,
            title=title,
            dimension=dimension,
            bars=bars(slices, register_url=register_url, param=param, hatch=hatch),
            total=sum(s.uses for s in slices),
            legend=legend,
        )

    charts = [
        chart(
            "disposition",
            "Temp or final",
            "Where the output ended up",
            breakdown.by_disposition,
            "disposition",
            legend="Hatched bars: in the final picture.",
            hatch=FINAL_DISPOSITIONS,
        ),
        chart("department", "By department", "Department", breakdown.by_department, "department"),
        chart("tool", "By tool", "Tool", breakdown.by_tool, "tool"),
        chart("category", "By category", "Category", breakdown.by_category, "category"),
    ]
    if breakdown.by_episode:
        charts.append(chart("episode", "Per episode", "Episode", breakdown.by_episode, "episode"))
    return charts


def sparkline(counts: list[int], *, width: int = 96, height: int = 24) -> list[dict]:
    """The columns of a weekly sparkline: x, y and height of each week's bar in an SVG of
    ``width`` by ``height``; an empty week gets a one-unit stub so the baseline shows."""
    largest = max(counts, default=0)
    step = width / max(len(counts), 1)
    columns = []
    for n, count in enumerate(counts):
        tall = max(1.0, (height - 2) * count / largest) if largest and count else 1.0
        # Strings, so the SVG attributes never pass through the template's number localisation.
        columns.append(
            {
                "x": f"{n * step + 1:.2f}",
                "y": f"{height - tall:.2f}",
                "width": f"{step - 2:.2f}",
                "height": f"{tall:.2f}",
                "count": count,
                "empty": count == 0,
            }
        )
    return columns


def findings_chart(report) -> Chart:
    """The latest report's findings by severity (blocking split into open and overridden), each
    bar linking to the report page's findings of that severity."""
    slices = [
        Slice("blocking", "Blocking, open", report.open_blocking),
        Slice("blocking", "Blocking, overridden with a reason", report.overridden_blocking),
        Slice("warning", "Warnings", report.warnings),
        Slice("info", "Information", report.infos),
    ]
    return Chart(
        slug="findings",
        title="By severity",
        dimension="Severity",
        bars=bars(
            slices,
            register_url=reverse("reports:detail", args=[report.pk]),
            param="severity",
        ),
        total=sum(s.uses for s in slices),
    )
