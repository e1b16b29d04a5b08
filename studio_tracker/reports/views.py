"""HTML pages for disclosure reports: a production's versions, asking for a new one, one version's
page (live progress while it compiles, then its summary, findings, files and digest), retry and
submit, review (the compliance admins' queue, approve, request changes) and the union's audit
findings, and what changed between two versions.

Each view finds its object through ``Report.objects.visible_to`` and ``productions.access``: a
report the user may not read is a 404 (a draft to a union rep, any report to a distributor), an
action they may not take on one they can read is a 403, and an action the report's state forbids
(submitting twice) comes back as a message. Compiling happens in a worker; the page polls a small
block with htmx until the version is done, then that block is the report.
"""

import gzip
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studio_tracker.lib.canonical import canonical_json
from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions import access
from studio_tracker.productions.models import Episode

from . import compiler, renderings, review, rule_choices, rulesets
from .findings import RULES
from .models import (
    AuditFinding,
    Finding,
    ProductionRuleSet,
    Rendering,
    Report,
    RuleSet,
)

PAGE_SIZE = 50
DIFF_LIMIT = 200  # rows per list on the diff page; the counts are always complete
VERSIONS_LISTED = 50
Status = Report.Status
IN_PROGRESS = (Status.QUEUED, Status.COMPILING)
STAGES = {
    "queued": "Waiting for a worker",
    "requeued": "Waiting for a worker (the previous one stopped)",
    "claimed": "Starting",
    "snapshot": "Freezing the snapshot",
    "rules": "Running the checks",
    "renderings": "Writing the CSV, HTML and PDF",
    "saving": "Saving the findings",
    "done": "Done",
    "failed": "Failed",
}


def _page(request, items, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- Who may see what -------------------------------------------------------------------------


def _report_for(user, pk: int) -> tuple[Report, access.ProductionRights]:
    """The report and the user's rights in its production; 404 unless they may read it."""
    report = (
        Report.objects.visible_to(user)
        .select_related("production__organization", "episode", "requested_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report, access.rights_in(user, report.production)


def _reports_production(user, pk: int):
    """The production, for users who may see its reports at all (not distributors)."""
    production, rights = access.get_production_for_user(user, pk)
    if rights.title_only:
        raise Http404("No such production.")
    return production, rights


# --- A production's versions ------------------------------------------------------------------


@login_required
@require_GET
def report_list(request, pk: int):
    production, rights = _reports_production(request.user, pk)
    reports = (
        Report.objects.visible_to(request.user)
        .filter(production=production)
        .select_related("episode")
        .order_by("-version")
    )
    page_obj = _page(request, reports)
    for report in page_obj:
        report.production = production  # `stale` reads the production's counter
    return render(
        request,
        "reports/report_list.html",
        {
            "production": production,
            "rights": rights,
            "page_obj": page_obj,
            "episodes": list(production.episodes.order_by("code")) if rights.request_report else [],
            "query_string": "",
        },
    )


@login_required
@require_POST
def report_compile(request, pk: int):
    production, rights = _reports_production(request.user, pk)
    access.require(rights.request_report, "Only producers ask for a report.")
    episode = None
    if request.POST.get("episode"):
        episode = Episode.objects.filter(
            production=production, pk=_int(request.POST["episode"])
        ).first()
        if episode is None:
            messages.error(request, "That episode is not part of this production.")
            return redirect("reports:list", production.pk)
    report = compiler.request_compile(actor=request.user, production=production, episode=episode)
    scope = f" of episode {episode.code}" if episode else ""
    messages.success(request, f"Version {report.version}{scope} is queued; it compiles shortly.")
    return redirect("reports:detail", report.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- One version ------------------------------------------------------------------------------


FINDING_FILTERS = ("rule", "severity")


def _body_context(request, report: Report, rights) -> dict:
    """What the report's main block shows: progress while it compiles, then its contents."""
    context = {
        "report": report,
        "production": report.production,
        "rights": rights,
        "in_progress": report.status in IN_PROGRESS,
        "stage": STAGES.get(report.progress.get("stage", ""), report.progress.get("stage", "")),
    }
    progress = report.progress or {}
    context["done"], context["total"] = progress.get("done") or 0, progress.get("total") or 0
    versions = list(
        Report.objects.visible_to(request.user)
        .filter(production=report.production)
        .select_related("episode")
        .order_by("-version")[:VERSIONS_LISTED]
    )
    for version in versions:
        version.production = report.production
    context["versions"] = versions
    if not report.digest:
        return context
    # Only compliance admins reach such a version (Report.objects.visible_to); say why.
    context["holds_erased_data"] = (
        Report.objects.filter(pk=report.pk).holding_erased_data().exists()
    )
    groups = list(
        report.findings.values("rule", "severity")
        .annotate(count=Count("id"), first=Min("rank"))
        .order_by("first", "rule", "severity")
    )
    for group in groups:
        rule = RULES.get(group["rule"])
        group["title"] = rule.title if rule else ""
    findings = report.findings.order_by("rank", "rule", "id")
    wanted = {key: request.GET.get(key, "").strip() for key in FINDING_FILTERS}
    if wanted["rule"]:
        findings = findings.filter(rule=wanted["rule"])
    if wanted["severity"] in Finding.Severity.values:
        findings = findings.filter(severity=wanted["severity"])
    page_obj = _page(request, findings)
    _link_findings(report, list(page_obj))
    params = QueryDict(mutable=True)
    for key, value in wanted.items():
        if value:
            params[key] = value
    renderings_by_format = {r.format: r for r in report.renderings.all()}
    context.update(_review_context(request.user, report))
    context.update(
        {
            "groups": groups,
            "page_obj": page_obj,
            "query_string": params.urlencode(),
            "filtered": any(wanted.values()),
            "wanted": wanted,
            "downloads": [
                {
                    "format": fmt,
                    "label": label,
                    "rendering": renderings_by_format.get(fmt),
                    "url": reverse("reports:download", args=[report.pk, fmt]),
                }
                for fmt, label in Rendering.Format.choices
            ],
            "by_severity": report.counts.get("findings_by_severity", {}),
        }
    )
    return context


OPEN_BLOCKING_LISTED = 200


def _review_context(user, report: Report) -> dict:
    """The review block: decisions, overrides, the approve form's open blocking findings, and
    the union's audit findings with what this user may do to them."""
    decisions = list(report.decisions.select_related("reviewer").order_by("decided_at", "id"))
    overridden = list(
        report.findings.exclude(override_reason="")
        .select_related("overridden_by")
        .order_by("rank", "rule", "id")
    )
    reviewing = report.status == Status.SUBMITTED and review.may_review(user, report)
    open_blocking = []
    if reviewing:
        open_blocking = list(
            report.findings.filter(severity=Finding.Severity.BLOCKING, override_reason="").order_by(
                "rule", "id"
            )[:OPEN_BLOCKING_LISTED]
        )
        _link_findings(report, open_blocking)
    audit_findings = list(
        report.audit_findings.select_related("raised_by", "responded_by").order_by(
            "created_at", "id"
        )
    )
    may_answer = review.may_answer(user, report)
    for found in audit_findings:
        found.label = (
            renderings.entity_label(
                {"entity_type": found.entity_type, "entity_id": found.entity_id}
            )
            if found.entity_type
            else ""
        )
        found.url = _entity_url(report, found.entity_type, found.entity_id)
        found.may_answer = (
            may_answer and AuditFinding.Status.ANSWERED in (review.AUDIT_TRANSITIONS[found.status])
        )
        found.may_close = found.raised_by_id == user.pk and bool(
            review.AUDIT_TRANSITIONS[found.status] - {AuditFinding.Status.ANSWERED}
        )
    return {
        "decisions": decisions,
        "overridden": overridden,
        "reviewing": reviewing,
        "may_approve": reviewing and report.submitted_by_id != user.pk,
        "open_blocking": open_blocking,
        "open_blocking_count": (
            report.findings.filter(severity=Finding.Severity.BLOCKING, override_reason="").count()
            if reviewing
            else 0
        ),
        "audit_findings": audit_findings,
        "may_raise": review.may_raise(user, report),
        "audit_categories": AuditFinding.Category.choices,
        "audit_severities": Finding.Severity.choices,
        "audit_entity_types": review.AUDIT_ENTITY_TYPES,
    }


def _entity_url(report: Report, entity_type: str, entity_id) -> str | None:
    """The read-only page behind an audit finding (those pages check who may read them)."""
    if entity_type == "usage_entry":
        shot_id = _entry_shots(report).get(entity_id) if entity_id else None
        if shot_id:
            return reverse("usage:shot", args=[shot_id])
        return reverse("usage:register", args=[report.production_id])
    if entity_type == "consent":
        return reverse("usage:consents", args=[report.production_id])
    if entity_type == "clearance":
        return reverse("usage:clearances", args=[report.production_id])
    if entity_type == "performer" and entity_id:
        return reverse("usage:performer", args=[entity_id])
    if entity_type == "production":
        return reverse("productions:detail", args=[report.production_id])
    return None


def _entry_shots(report: Report) -> dict[int, int | None]:
    """{usage entry id: shot id} as frozen in the snapshot, cached by digest (it never changes)."""
    key = f"report-entry-shots:{report.digest}"
    found = cache.get(key)
    if found is None:
        found = {e["id"]: e["shot_id"] for e in _snapshot(report)["entries"]}
        cache.set(key, found, 3600)
    return found


def _link_findings(report: Report, findings: list[Finding]) -> None:
    """Link each finding to its page: a use's shot, the consents, the production."""
    shots = _entry_shots(report) if any(f.entity_type == "usage_entry" for f in findings) else {}
    for finding in findings:
        finding.label = renderings.entity_label(
            {"entity_type": finding.entity_type, "entity_id": finding.entity_id}
        )
        finding.url = None
        if finding.entity_type == "usage_entry":
            shot_id = shots.get(finding.entity_id)
            finding.url = (
                reverse("usage:shot", args=[shot_id])
                if shot_id
                else reverse("usage:register", args=[report.production_id])
            )
        elif finding.entity_type == "consent":
            finding.url = reverse("usage:consents", args=[report.production_id])
        elif finding.entity_type == "production":
            finding.url = reverse("productions:detail", args=[report.production_id])


def _snapshot(report: Report) -> dict:
    with report.snapshot.open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


@login_required
@require_GET
def report_detail(request, pk: int):
    report, rights = _report_for(request.user, pk)
    return render(request, "reports/report_detail.html", _body_context(request, report, rights))


@login_required
@require_GET
def report_progress(request, pk: int):
    """The report's main block: polled every second while it compiles, the report once done."""
    report, rights = _report_for(request.user, pk)
    return render(request, "reports/_report_body.html", _body_context(request, report, rights))


@login_required
@require_GET
def report_download(request, pk: int, fmt: str):
    report, _rights = _report_for(request.user, pk)
    return renderings.download_response(report, fmt)


def _act(request, pk: int, action, done: str, refused: str):
    report, rights = _report_for(request.user, pk)
    access.require(rights.request_report, refused)
    try:
        action(report, actor=request.user)
    except StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, done.format(version=report.version))
    return redirect("reports:detail", report.pk)


@login_required
@require_POST
def report_retry(request, pk: int):
    return _act(
        request,
        pk,
        compiler.retry,
        "Version {version} is queued again.",
        "Only producers retry a report.",
    )


@login_required
@require_POST
def report_submit(request, pk: int):
    return _act(
        request,
        pk,
        review.submit,
        "Version {version} is submitted for review.",
        "Only producers submit a report.",
    )


# --- Review -----------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    """Submitted reports waiting for review in the organisations the user administers."""
    roles = access.roles_of(request.user)
    if not (roles.is_superuser or roles.compliance_organizations):
        raise Http404("No review queue here.")
    page_obj = _page(request, review.review_queue(request.user))
    return render(request, "reports/review_queue.html", {"page_obj": page_obj, "query_string": ""})


def _decide(request, pk: int, decide, done: str):
    report, _rights = _report_for(request.user, pk)
    try:
        decide(report)
    except StateConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(version=report.version))
    return redirect("reports:detail", report.pk)


@login_required
@require_POST
def report_approve(request, pk: int):
    overrides = [
        {"finding": key.removeprefix("override_"), "reason": value}
        for key, value in request.POST.items()
        if key.startswith("override_") and key != "override_reason" and value.strip()
    ]
    return _decide(
        request,
        pk,
        lambda report: review.approve(
            report,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            override_reason=request.POST.get("override_reason", ""),
            overrides=overrides,
            digest=request.POST.get("digest") or None,
        ),
        "Version {version} is approved.",
    )


@login_required
@require_POST
def report_request_changes(request, pk: int):
    return _decide(
        request,
        pk,
        lambda report: review.request_changes(
            report,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            digest=request.POST.get("digest") or None,
        ),
        "Changes requested on version {version}; its producers are told.",
    )


@login_required
@require_POST
def audit_finding_raise(request, pk: int):
    entity_type = request.POST.get("entity_type", "").strip()
    return _decide(
        request,
        pk,
        lambda report: review.raise_audit_finding(
            report,
            actor=request.user,
            category=request.POST.get("category", ""),
            severity=request.POST.get("severity", ""),
            description=request.POST.get("description", ""),
            rule=request.POST.get("rule", ""),
            entity_type=entity_type,
            entity_id=_int(request.POST.get("entity_id")) if entity_type else None,
        ),
        "Audit finding raised on version {version}; the producers are told.",
    )


@login_required
@require_POST
def audit_finding_update(request, pk: int, fid: int):
    report, _rights = _report_for(request.user, pk)
    found = AuditFinding.objects.filter(report=report, pk=fid).first()
    if found is None:
        raise Http404("No such audit finding.")
    wanted = request.POST.get("status", "")

    def act(_report):
        if wanted:
            return review.close_audit_finding(found, actor=request.user, status=wanted)
        return review.answer_audit_finding(
            found, actor=request.user, response=request.POST.get("response", "")
        )

    done = {"resolved": "Audit finding resolved.", "escalated": "Audit finding escalated."}
    return _decide(request, pk, act, done.get(wanted, "Answer sent to the union rep."))


# --- What changed between two versions --------------------------------------------------------


@login_required
@require_GET
def report_diff(request, pk: int, other_pk: int):
    report, rights = _report_for(request.user, pk)
    other, _ = _report_for(request.user, other_pk)
    if other.production_id != report.production_id:
        raise Http404("Those reports belong to different productions.")
    if not (report.digest and other.digest):
        messages.info(request, "Both versions must be compiled before they can be compared.")
        return redirect("reports:detail", report.pk)
    other.production = report.production
    old, new = sorted((report, other), key=lambda r: r.version)
    old_snapshot, new_snapshot = _snapshot(old), _snapshot(new)
    entries = _diff_entries(old_snapshot, new_snapshot)
    findings = _diff_findings(old, new)
    return render(
        request,
        "reports/report_diff.html",
        {
            "report": report,
            "production": report.production,
            "rights": rights,
            "old": old,
            "new": new,
            "entries": entries,
            "findings": findings,
            "production_changed": old_snapshot["production"] != new_snapshot["production"],
            "limit": DIFF_LIMIT,
        },
    )


def _entry_rows(snapshot: dict) -> tuple[dict, dict, dict]:
    shots = {shot["id"]: shot["code"] for shot in snapshot["shots"]}
    tools = {tool["id"]: tool["name"] for tool in snapshot["tools"]}
    return {e["id"]: e for e in snapshot["entries"]}, shots, tools


def _describe(entry: dict, shots: dict, tools: dict) -> dict:
    return {
        "id": entry["id"],
        "shot_id": entry["shot_id"],
        "shot": shots.get(entry["shot_id"], "") if entry["shot_id"] else "",
        "tool": tools.get(entry["tool_id"], ""),
        "category": entry["category"],
        "disposition": entry["disposition"],
    }


def _diff_entries(old_snapshot: dict, new_snapshot: dict) -> dict:
    """Uses added, changed and removed, compared by id; a changed use names its fields."""
    old, old_shots, old_tools = _entry_rows(old_snapshot)
    new, new_shots, new_tools = _entry_rows(new_snapshot)
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    changed = [i for i in sorted(old.keys() & new.keys()) if old[i] != new[i]]
    return {
        "added": [_describe(new[i], new_shots, new_tools) for i in added[:DIFF_LIMIT]],
        "added_count": len(added),
        "removed": [_describe(old[i], old_shots, old_tools) for i in removed[:DIFF_LIMIT]],
        "removed_count": len(removed),
        "changed": [
            {
                **_describe(new[i], new_shots, new_tools),
                "fields": sorted(
                    k for k in new[i].keys() | old[i].keys() if old[i].get(k) != new[i].get(k)
                ),
            }
            for i in changed[:DIFF_LIMIT]
        ],
        "changed_count": len(changed),
    }


def _diff_findings(old: Report, new: Report) -> dict:
    """Findings new in the later version and gone from it, by (rule, entity type, entity id)."""

    def keyed(report):
        rows = report.findings.order_by("rank", "rule", "id").values(
            "rule", "severity", "message", "entity_type", "entity_id"
        )
        keyed_rows = {}
        for row in rows:
            keyed_rows.setdefault((row["rule"], row["entity_type"], row["entity_id"]), row)
        return keyed_rows

    before, after = keyed(old), keyed(new)
    appeared = [after[k] for k in after if k not in before]
    gone = [before[k] for k in before if k not in after]
    for row in appeared + gone:
        row["label"] = renderings.entity_label(row)
    return {
        "new": appeared[:DIFF_LIMIT],
        "new_count": len(appeared),
        "gone": gone[:DIFF_LIMIT],
        "gone_count": len(gone),
    }


# --- Which rule sets a production answers to ---------------------------------------------------


def _rule_set_rows(production) -> list[dict]:
    facts = json.loads(canonical_json(compiler.production_facts_of(production)))
    automatic = {rs["code"]: rs["reason"] for rs in rulesets.applicable_rule_sets(facts)}
    choices = {
        choice.rule_set_id: choice
        for choice in ProductionRuleSet.objects.filter(production=production).select_related(
            "decided_by"
        )
    }
    rows = []
    for rule_set in RuleSet.objects.order_by("family", "effective_from", "code"):
        choice = choices.get(rule_set.pk)
        if choice is not None:
            applies = choice.include
            verb = "Added" if choice.include else "Taken out"
            why = f"{verb} by {choice.decided_by}: {choice.reason}"
        else:
            applies = rule_set.code in automatic
            why = f"Automatic ({automatic[rule_set.code]})" if applies else "Does not apply"
        rows.append({"rule_set": rule_set, "applies": applies, "why": why, "choice": choice})
    return rows


@login_required
def rule_sets(request, pk: int):
    """The rule sets this production's reports compile under; compliance admins change them."""
    production, rights = access.get_production_for_user(request.user, pk)
    if not rights.read_usage:
        raise Http404("No such production.")
    if request.method == "POST":
        access.require(
            rights.manage_memberships, "Only compliance admins change a production's rule sets."
        )
        rule_set = RuleSet.objects.filter(pk=_int(request.POST.get("rule_set"))).first()
        if rule_set is None:
            raise Http404("No such rule set.")
        include = {"add": True, "remove": False, "automatic": None}.get(request.POST.get("choice"))
        try:
            rule_choices.choose(
                production,
                actor=request.user,
                rule_set=rule_set,
                include=include,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            messages.error(request, f"{rule_set.name}: {' '.join(error.messages)}")
        else:
            messages.success(
                request, f"{rule_set.name} saved. Reports compiled before this are now stale."
            )
        return redirect("reports:rule_sets", production.pk)
    return render(
        request,
        "reports/rule_sets.html",
        {"production": production, "rights": rights, "rows": _rule_set_rows(production)},
    )
