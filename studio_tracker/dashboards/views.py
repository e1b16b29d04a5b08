"""The production dashboard (the production's home page) and the studio overview.

Thin: access comes from ``productions.access``, figures from ``figures``, drawing from
``charts`` and the templates.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from studio_tracker.productions import access
from studio_tracker.productions import views as production_views
from studio_tracker.reports.models import Report

from . import charts, figures


@login_required
@require_safe
def production_home(request, pk: int):
    """The production's page with its dashboard on top. The shot list's live filter (htmx)
    swaps the shot list only, so it skips the figures."""
    if request.htmx and request.htmx.target == "shot-results":
        return production_views.production_detail(request, pk)
    return production_views.production_detail(
        request, pk, template="dashboards/production.html", extra_context=dashboard_context
    )


def dashboard_context(request, production, rights) -> dict:
    """The figures this user may see. Union reps get usage figures once a report was submitted
    (``rights.read_usage``), and only the report versions open to them; distributors never get
    here (the productions view shows them the title only)."""
    report = figures.latest_report(production, Report.objects.visible_to(request.user))
    context = {
        "report": report,
        "findings_chart": charts.findings_chart(report) if report else None,
        "usage_figures": rights.read_usage,
    }
    if rights.read_usage:
        rows = figures.cached(production, "usage-rows", figures.usage_rows)
        breakdown = figures.usage_breakdown(production, rows)
        performers = figures.cached(production, "performers", figures.performer_coverage)
        context.update(
            breakdown=breakdown,
            charts=charts.usage_charts(production.pk, breakdown),
            runtime=figures.cached(production, "runtime", figures.runtime_share),
            performers=performers,
            performers_uncovered=sum(1 for p in performers if p.uncovered),
        )
    return context


@login_required
@require_safe
def studio_overview(request):
    """Every production of the organisations the user administers, for compliance admins; 404
    for everyone else (there is nothing of theirs here)."""
    roles = access.roles_of(request.user)
    if not (roles.is_superuser or roles.compliance_organizations):
        raise Http404("No studio overview here.")
    organizations = list(access.administered_organizations(request.user).order_by("name"))
    sort = figures.overview_sort(request.GET.get("sort"))
    productions = figures.studio_overview([o.pk for o in organizations], sort)
    weeks = figures.trend_weeks()
    for production in productions:
        production.spark = charts.sparkline(production.trend)
        production.trend_total = sum(production.trend)
        production.latest_status_label = (
            Report.Status(production.latest_status).label if production.latest_status else ""
        )
    return render(
        request,
        "dashboards/studio.html",
        {
            "organizations": organizations,
            "productions": productions,
            "columns": _sortable_columns(sort),
            "sort": sort,
            "first_week": weeks[0],
            "trend_weeks": figures.TREND_WEEKS,
        },
    )


# Columns whose first click sorts ascending (words); the others start with the largest.
ASCENDING_FIRST = {"title", "status"}


def _sortable_columns(sort: str) -> list[dict]:
    """Each sortable column's heading: its link (the other direction when it is the current
    sort) and its aria-sort value."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = []
    for key, label in figures.SORTS.items():
        if key == current:
            next_sort = key if descending else f"-{key}"
            aria = "descending" if descending else "ascending"
        else:
            next_sort = key if key in ASCENDING_FIRST else f"-{key}"
            aria = ""
        columns.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({"sort": next_sort}),
                "aria_sort": aria,
                "numeric": key not in ASCENDING_FIRST and key != "activity",
            }
        )
    return columns
