"""HTML pages for logging AI use and keeping its evidence: the shot page with its uses, logging one
use on many shots, the production's AI-use register (and its CSV), performers, consents,
clearances and the tool registry.

Each view finds its object through ``productions.access`` (404 when the user may not read it, 403
when they may read it but not act), validates with a form, writes through this app's domain
modules (which record the audit events), then redirects with a message. The small htmx endpoints
(tool and performer search, consent coverage) answer fragments of the same templates, so every
form also works as a plain POST without JavaScript.
"""

import copy
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from studio_tracker.lib import safe_csv
from studio_tracker.productions import access
from studio_tracker.productions.models import Membership, Organization, Production, Shot

from . import clearances, consents, entries, performers, privacy, tools
from .choices import ConsentType, Disposition
from .coverage import (
    accepted_consent_types,
    consent_facts,
    coverage_gaps,
    medium_of,
    needs_consent,
    use_facts,
)
from .forms import (
    BulkUseForm,
    ClearanceForm,
    ConsentForm,
    CopyUseForm,
    PerformerForm,
    PerformerSearchForm,
    RegisterFilterForm,
    ShotPickerFilterForm,
    ToolFilterForm,
    ToolForm,
    UseForm,
    consent_status,
)
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer

PAGE_SIZE = 50
TOOL_MATCHES = 12
PERFORMER_MATCHES = 10
CONSENT_OPTIONS = 200
BULK_SHOTS = 500
Role = Membership.Role


def _page(request, items, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_string(request, keys) -> str:
    """The current filters, without the page number, for the pagination links."""
    params = QueryDict(mutable=True)
    for key in keys:
        value = request.GET.get(key, "").strip()
        if value:
            params[key] = value
    return params.urlencode()


def _add_domain_errors(form, error: ValidationError, aliases: dict | None = None) -> None:
    """Show a domain function's ValidationError beside the fields it names (else above them)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Who may see what -------------------------------------------------------------------------


def _usage_production(user, pk: int) -> tuple[Production, access.ProductionRights]:
    """The production, for users who may read its usage and evidence; 404 for everyone else."""
    production, rights = access.get_production_for_user(user, pk)
    if not rights.read_usage:
        raise Http404("No such production.")
    return production, rights


def _shot_for(user, pk: int) -> tuple[Shot, access.ProductionRights]:
    shot = (
        Shot.objects.select_related("production__organization", "episode", "sequence")
        .filter(pk=pk)
        .first()
    )
    if shot is None:
        raise Http404("No such shot.")
    rights = access.rights_in(user, shot.production)
    if not rights.read_structure:
        raise Http404("No such shot.")
    return shot, rights


def _entry_for(user, pk: int) -> tuple[UsageEntry, access.ProductionRights]:
    entry = (
        UsageEntry.objects.select_related(
            "production__organization", "shot__episode", "shot__sequence", "tool"
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("No such use.")
    rights = access.rights_in(user, entry.production)
    if not rights.read_usage:
        raise Http404("No such use.")
    return entry, rights


def _evidence_for(model, user, pk: int):
    """A consent or clearance, with the user's rights in its production; 404 unless readable."""
    item = model.objects.select_related("production__organization").filter(pk=pk).first()
    if item is None:
        raise Http404("Not found.")
    rights = access.rights_in(user, item.production)
    if not rights.read_usage:
        raise Http404("Not found.")
    return item, rights


def _organization_for_evidence(user, pk: int) -> Organization:
    """The organisation, for people who may read its performers: its compliance admins, and
    members of a production whose usage they may read. 404 for everyone else."""
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404("No such organisation.")
    if access.is_compliance_admin(user, organization):
        return organization
    if not Production.objects.usage_visible_to(user).filter(organization=organization).exists():
        raise Http404("No such organisation.")
    return organization


def _registry_organizations(user):
    """Organisations whose tool registry the user reads: those they log for or administer."""
    if access.roles_of(user).is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=Membership.objects.organizations_logged_by(user))


def _organization_for_registry(user, pk: int) -> Organization:
    organization = _registry_organizations(user).filter(pk=pk).first()
    if organization is None:
        raise Http404("No such organisation.")
    return organization


# --- Consent coverage, for lists and for the form ----------------------------------------------


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str  # ok, warning, danger or muted: the badge's colour


def coverage_badge(use: dict, consent: ConsentRecord | None) -> Badge:
    """What a performer link's consent says about the use, as a short badge."""
    if not needs_consent(use):
        return Badge("no consent needed", "muted")
    if consent is None:
        return Badge("no consent", "danger")
    gaps = coverage_gaps(consent_facts(consent), use)
    if gaps:
        return Badge(f"not covered: {gaps[0]}", "warning")
    return Badge("covered", "ok")


def _links_prefetch() -> Prefetch:
    return Prefetch(
        "performer_links",
        queryset=UsagePerformer.objects.select_related("performer", "consent").prefetch_related(
            "consent__episodes"
        ),
    )


def _with_badges(entries_page, production: Production) -> None:
    """Give each performer link of each entry its coverage badge (no query: all prefetched)."""
    for entry in entries_page:
        use = use_facts(entry, territories=production.territories)
        for link in entry.performer_links.all():
            link.badge = coverage_badge(use, link.consent)


def _form_use_facts(production: Production, shot: Shot | None, values) -> dict:
    """The use side of ``coverage_gaps``, from a form's current (unsaved) values."""
    category = values.get("category") or ""
    try:
        used_on = parse_date(str(values.get("used_on") or ""))
    except ValueError:
        used_on = None
    return {
        "production_id": production.pk,
        "episode_id": shot.episode_id if shot else None,
        "category": category,
        "replica_kind": values.get("replica_kind") or "none",
        "medium": medium_of(category),
        "territories": list(production.territories or []),
        "language": str(values.get("language") or "").strip(),
        "used_on": used_on,
    }


def _coverage_context(production: Production, shot: Shot | None, values) -> dict:
    """The consent choices for the chosen performer, each with whether it covers the use, and
    a sentence about the chosen one."""
    use = _form_use_facts(production, shot, values)
    performer_id, consent_id = _int(values.get("performer")), _int(values.get("consent"))
    found = (
        ConsentRecord.objects.filter(production=production)
        .select_related("performer")
        .prefetch_related("episodes")
        .order_by("performer__professional_name", "-signed_at", "id")
    )
    if performer_id:
        found = found.filter(performer_id=performer_id)
    options = []
    for consent in found[:CONSENT_OPTIONS]:
        gaps = coverage_gaps(consent_facts(consent), use)
        if shot is None:  # many shots at once: the episode is checked shot by shot later
            gaps = [gap for gap in gaps if gap != "it does not cover this episode"]
        options.append(
            {
                "consent": consent,
                "gaps": gaps,
                "status": consent_status(consent),
                "selected": consent.pk == consent_id,
            }
        )
    chosen = next((option for option in options if option["selected"]), None)
    if not use["category"]:
        tone, note = "muted", "Choose what it was used for to see whether a consent covers it."
    elif not needs_consent(use):
        tone, note = "muted", "This use needs no performer consent by itself."
    elif chosen is None:
        wanted = ", ".join(
            sorted(ConsentType(value).label.lower() for value in accepted_consent_types(use))
        )
        tone, note = (
            "danger",
            f"This use needs the performer's consent ({wanted}). Choose the performer and the "
            "consent relied on.",
        )
    elif chosen["gaps"]:
        tone, note = (
            "warning",
            "This consent does not cover this use: " + "; ".join(chosen["gaps"]) + ".",
        )
    else:
        tone, note = "ok", "This consent covers this use."
    return {
        "consent_options": options,
        "consent_chosen": chosen,
        "performer_chosen": performer_id,
        "coverage_tone": tone,
        "coverage_note": note,
    }


def _tool_matches(production: Production, query: str, selected: int | None) -> dict:
    found = Tool.objects.filter(organization=production.organization_id)
    if query:
        found = found.filter(Q(name__icontains=query) | Q(vendor__icontains=query))
    matches = list(found.order_by("name", "id")[:TOOL_MATCHES])
    more = found.count() - len(matches) if len(matches) == TOOL_MATCHES else 0
    if selected and all(tool.pk != selected for tool in matches):
        chosen = Tool.objects.filter(organization=production.organization_id, pk=selected).first()
        if chosen is not None:
            matches.insert(0, chosen)
    return {"tools": matches, "tool_selected": selected, "tool_q": query, "tools_more": more}


def _performer_matches(production: Production, user, query: str, selected: int | None) -> dict:
    """Performers of the organisation by professional name; with no search, those with a
    consent for this production (the likeliest)."""
    names = Performer.objects.lookup_for(user).filter(organization=production.organization_id)
    found = (
        names.filter(professional_name__icontains=query)
        if query
        else names.filter(consents__production=production).distinct()
    )
    matches = list(found.order_by("professional_name", "id")[:PERFORMER_MATCHES])
    if selected and all(performer.pk != selected for performer in matches):
        chosen = names.filter(pk=selected).first()
        if chosen is not None:
            matches.insert(0, chosen)
    return {"performers": matches, "performer_selected": selected, "performer_q": query}


def _form_values(form) -> dict:
    if form.is_bound:
        return form.data
    return {key: value for key, value in form.initial.items() if value is not None}


def _picker_context(form, production: Production, user, shot: Shot | None) -> dict:
    values = _form_values(form)
    return {
        **_tool_matches(
            production, str(values.get("tool_q", "")).strip(), _int(values.get("tool"))
        ),
        **_performer_matches(
            production,
            user,
            str(values.get("performer_q", "")).strip(),
            _int(values.get("performer")),
        ),
        **_coverage_context(production, shot, values),
        "coverage_url": reverse("usage:coverage", args=[production.pk])
        + (f"?shot={shot.pk}" if shot else ""),
    }


def _use_form_errors(form, error: ValidationError) -> None:
    _add_domain_errors(form, error, aliases={"performers": "performer"})


def _check_searches(form) -> None:
    """Without JavaScript, Enter in a search box submits the form: show the matches and ask for
    a choice rather than saving a use without the tool or performer the user was looking for."""
    if form.data.get("performer_q", "").strip() and not form.data.get("performer"):
        form.add_error(
            "performer",
            "Choose one of the performers found, or clear the search to log the use without one.",
        )


# --- The shot page ----------------------------------------------------------------------------


def _shot_uses(shot: Shot):
    uses = list(
        shot.usage_entries.select_related("tool")
        .prefetch_related(_links_prefetch())
        .order_by("-used_on", "-id")
    )
    for entry in uses:
        entry.shot = shot
    _with_badges(uses, shot.production)
    return uses


def _shot_uses_context(request, shot, rights, form=None, logged=None) -> dict:
    context = {
        "shot": shot,
        "production": shot.production,
        "rights": rights,
        "uses": _shot_uses(shot) if rights.read_usage else [],
        "logged": logged,
    }
    if rights.edit_usage:
        form = form or UseForm(production=shot.production, user=request.user)
        context.update(form=form, **_picker_context(form, shot.production, request.user, shot))
    return context


@login_required
@require_http_methods(["GET", "POST"])
def shot_detail(request, pk: int):
    shot, rights = _shot_for(request.user, pk)
    production = shot.production
    form, logged = None, None
    if request.method == "POST":
        access.require(rights.edit_usage, "You may not log uses on this production.")
        form = UseForm(request.POST, production=production, user=request.user)
        _check_searches(form)
        if form.is_valid():
            try:
                entry = entries.log_usage(
                    actor=request.user,
                    production=production,
                    shot=shot,
                    performers=form.performer_links(),
                    **form.use_fields(),
                )
            except ValidationError as error:
                _use_form_errors(form, error)
            else:
                logged = f"Logged {entry.get_category_display().lower()} on {shot.code}."
                if not request.htmx:
                    messages.success(request, logged)
                    return redirect("usage:shot", shot.pk)
                form = None
    context = _shot_uses_context(request, shot, rights, form=form, logged=logged)
    if request.htmx and request.method == "POST":
        return render(request, "usage/_shot_uses.html", context)
    return render(request, "usage/shot_detail.html", context)


def _editable_production(request, pk: int) -> Production:
    production, rights = _usage_production(request.user, pk)
    access.require(rights.edit_usage, "You may not log uses on this production.")
    return production


@login_required
@require_GET
def tool_options(request, pk: int):
    """The registry's tools matching what was typed, as radio buttons (htmx)."""
    production = _editable_production(request, pk)
    context = _tool_matches(
        production, request.GET.get("tool_q", "").strip(), _int(request.GET.get("tool"))
    )
    return render(request, "usage/_tool_options.html", context)


@login_required
@require_GET
def performer_options(request, pk: int):
    """The organisation's performers matching what was typed, as radio buttons (htmx)."""
    production = _editable_production(request, pk)
    context = _performer_matches(
        production,
        request.user,
        request.GET.get("performer_q", "").strip(),
        _int(request.GET.get("performer")),
    )
    return render(request, "usage/_performer_options.html", context)


@login_required
@require_GET
def coverage(request, pk: int):
    """The chosen performer's consents and whether the chosen one covers the use as the form
    stands (htmx): the use's category, replica, date and language, and the shot's episode."""
    production = _editable_production(request, pk)
    shot = None
    if request.GET.get("shot"):
        shot = Shot.objects.filter(production=production, pk=_int(request.GET["shot"])).first()
    return render(
        request,
        "usage/_consent_coverage.html",
        _coverage_context(production, shot, request.GET),
    )


# --- One use: edit, delete, copy --------------------------------------------------------------


def _back_to(entry: UsageEntry) -> str:
    if entry.shot_id:
        return reverse("usage:shot", args=[entry.shot_id])
    return reverse("usage:register", args=[entry.production_id])


@login_required
@require_http_methods(["GET", "POST"])
def use_edit(request, pk: int):
    entry, rights = _entry_for(request.user, pk)
    access.require(rights.edit_usage, "You may not edit this production's uses.")
    production = entry.production
    links = list(entry.performer_links.select_related("performer", "consent"))
    several = len(links) > 1
    initial = UseForm.initial_for(entry)
    if not rights.read_restricted:
        del initial["prompt_text"]
    form = UseForm(
        request.POST if request.method == "POST" else None,
        production=production,
        user=request.user,
        with_prompt=rights.read_restricted,
        initial=initial,
    )
    if request.method == "POST":
        _check_searches(form)
        if form.is_valid():
            try:
                entries.update_usage(
                    entry,
                    actor=request.user,
                    performers=None if several else form.performer_links(),
                    **form.use_fields(),
                )
            except ValidationError as error:
                _use_form_errors(form, error)
            else:
                messages.success(
                    request, "Saved the use." if form.has_changed() else "Nothing changed."
                )
                return redirect(_back_to(entry))
    return render(
        request,
        "usage/use_form.html",
        {
            "form": form,
            "entry": entry,
            "production": production,
            "shot": entry.shot,
            "several_links": links if several else None,
            "back_url": _back_to(entry),
            **_picker_context(form, production, request.user, entry.shot),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_delete(request, pk: int):
    entry, rights = _entry_for(request.user, pk)
    access.require(rights.edit_usage, "You may not delete this production's uses.")
    back = _back_to(entry)
    if request.method == "POST":
        label = str(entry)
        entries.remove_usage(entry, actor=request.user)
        messages.success(request, f"Deleted {label}.")
        return redirect(back)
    return render(
        request,
        "usage/use_confirm_delete.html",
        {"entry": entry, "production": entry.production, "back_url": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_copy(request, pk: int):
    entry, rights = _entry_for(request.user, pk)
    access.require(rights.edit_usage, "You may not log uses on this production.")
    form = CopyUseForm(request.POST if request.method == "POST" else None, entry=entry)
    if request.method == "POST" and form.is_valid():
        shots = form.cleaned_data["codes"]
        try:
            copies = entries.copy_usage(entry, actor=request.user, shots=shots)
        except ValidationError as error:
            _add_domain_errors(form, error, aliases={"shots": "codes", "tool": "codes"})
        else:
            codes = ", ".join(shot.code for shot in shots)
            messages.success(
                request,
                f"Copied the use to {len(copies)} shot{'s' if len(copies) != 1 else ''}: {codes}.",
            )
            return redirect(_back_to(entry))
    siblings = []
    if entry.shot_id and entry.shot.sequence_id:
        siblings = list(
            Shot.objects.filter(sequence_id=entry.shot.sequence_id)
            .exclude(pk=entry.shot_id)
            .order_by("code")
            .values_list("code", flat=True)[:40]
        )
    return render(
        request,
        "usage/use_copy.html",
        {
            "form": form,
            "entry": entry,
            "production": entry.production,
            "back_url": _back_to(entry),
            "siblings": siblings,
        },
    )


# --- One use on many shots --------------------------------------------------------------------

SHOT_FILTERS = ("code", "episode", "sequence")


@login_required
@require_http_methods(["GET", "POST"])
def bulk_log(request, pk: int):
    production, rights = _usage_production(request.user, pk)
    access.require(rights.edit_usage, "You may not log uses on this production.")
    episodes = list(production.episodes.all())
    sequences = list(production.sequences.select_related("episode"))
    filters = ShotPickerFilterForm(request.GET, episodes=episodes, sequences=sequences)
    filters.is_valid()
    wanted = filters.cleaned_data
    shots = production.shots.select_related("episode", "sequence").order_by("code", "id")
    if wanted.get("code"):
        shots = shots.filter(code__icontains=wanted["code"])
    if wanted.get("episode"):
        shots = shots.filter(episode_id=wanted["episode"])
    if wanted.get("sequence"):
        shots = shots.filter(sequence_id=wanted["sequence"])
    listed = list(shots[: BULK_SHOTS + 1])
    form = BulkUseForm(
        request.POST if request.method == "POST" else None,
        production=production,
        user=request.user,
    )
    if request.method == "POST":
        _check_searches(form)
        if form.is_valid():
            chosen = list(form.cleaned_data["shots"].order_by("code"))
            try:
                logged = entries.log_usage_on_shots(
                    actor=request.user,
                    production=production,
                    shots=chosen,
                    performers=form.performer_links(),
                    **form.use_fields(),
                )
            except ValidationError as error:
                _use_form_errors(form, error)
            else:
                messages.success(
                    request, f"Logged on {len(logged)} shot{'s' if len(logged) != 1 else ''}."
                )
                return redirect("usage:register", production.pk)
    selected = {str(value) for value in form.data.getlist("shots")} if form.is_bound else set()
    query = _query_string(request, SHOT_FILTERS)
    return render(
        request,
        "usage/bulk_log.html",
        {
            "production": production,
            "rights": rights,
            "filters": filters,
            "filtered": any(request.GET.get(key) for key in SHOT_FILTERS),
            "shots": listed[:BULK_SHOTS],
            "too_many": len(listed) > BULK_SHOTS,
            "selected": selected,
            "form": form,
            "form_action": request.path + (f"?{query}" if query else ""),
            **_picker_context(form, production, request.user, None),
        },
    )


# --- The register -----------------------------------------------------------------------------

REGISTER_FILTERS = (
    "episode",
    "sequence",
    "department",
    "category",
    "tool",
    "disposition",
    "performer",
    "sort",
)


@login_required
@require_GET
def register(request, pk: int, as_csv: bool = False):
    """Every use in the production, filtered and sorted; as CSV with ?format=csv."""
    production, rights = _usage_production(request.user, pk)
    filters = RegisterFilterForm(
        request.GET,
        episodes=list(production.episodes.all()),
        sequences=list(production.sequences.select_related("episode")),
        tools=list(Tool.objects.filter(usage_entries__production=production).distinct()),
        performers=list(
            Performer.objects.filter(usage_links__usage_entry__production=production)
            .distinct()
            .order_by("professional_name", "id")
        ),
    )
    found = production.usage_entries.filter(**filters.filters()).order_by(*filters.ordering())
    rows = found.select_related("shot__sequence", "shot__episode", "episode", "tool")
    rows = rows.prefetch_related(_links_prefetch())
    if as_csv or request.GET.get("format") == "csv":
        return _register_csv(production, rows, with_prompt=rights.read_restricted)
    page_obj = _page(request, rows)
    _with_badges(page_obj, production)
    by_disposition = {
        row["disposition"]: row["count"]
        for row in found.order_by().values("disposition").annotate(count=Count("id"))
    }
    query = _query_string(request, REGISTER_FILTERS)
    return render(
        request,
        "usage/register.html",
        {
            "production": production,
            "rights": rights,
            "filters": filters,
            "filtered": any(request.GET.get(key) for key in REGISTER_FILTERS if key != "sort"),
            "page_obj": page_obj,
            "query_string": query,
            "csv_query": f"?{query}&format=csv" if query else "?format=csv",
            "by_disposition": [
                (label, by_disposition[value])
                for value, label in Disposition.choices
                if value in by_disposition
            ],
            "total": sum(by_disposition.values()),
        },
    )


REGISTER_COLUMNS = [
    "id",
    "shot",
    "episode",
    "sequence",
    "used on",
    "department",
    "category",
    "medium",
    "tool",
    "tool version",
    "generative or assistive",
    "where it ended up",
    "replica",
    "language",
    "performers",
    "description",
    "human contribution",
    "IPTC digital source type",
    "external ref",
]


def _register_csv(production: Production, rows, *, with_prompt: bool):
    def lines():
        yield [*REGISTER_COLUMNS, "prompt"] if with_prompt else REGISTER_COLUMNS
        for entry in rows.iterator(chunk_size=2000):
            use = use_facts(entry, territories=production.territories)
            people = "; ".join(
                f"{link.performer.professional_name} ({link.get_aspect_display().lower()}, "
                f"{coverage_badge(use, link.consent).label})"
                for link in entry.performer_links.all()
            )
            episode = entry.shot.episode if entry.shot_id else entry.episode
            row = [
                entry.pk,
                entry.shot.code if entry.shot_id else "",
                episode.code if episode else "",
                entry.shot.sequence.code if entry.shot_id and entry.shot.sequence_id else "",
                entry.used_on,
                entry.get_department_display(),
                entry.get_category_display(),
                entry.get_modality_display(),
                entry.tool.name,
                entry.tool_version,
                entry.get_generation_kind_display(),
                entry.get_disposition_display(),
                entry.get_replica_kind_display(),
                entry.language,
                people,
                entry.description,
                entry.human_contribution,
                entry.iptc_source_type,
                entry.external_ref,
            ]
            yield [*row, entry.prompt_text] if with_prompt else row

    name = slugify(production.title) or f"production-{production.pk}"
    return safe_csv.download(f"{name}-ai-register.csv", lines())


# --- Performers -------------------------------------------------------------------------------


def similar_names(user, organization: Organization, name: str, exclude: int | None = None):
    """Professional names in the organisation that look like this one: containing it, or
    sharing its last word (a surname) — so nobody adds a performer twice."""
    name = " ".join(name.split())
    if len(name) < 3:
        return []
    match = Q(professional_name__icontains=name)
    last = name.split()[-1]
    if len(last) >= 3:
        match |= Q(professional_name__icontains=last)
    found = Performer.objects.lookup_for(user).filter(organization=organization).filter(match)
    if exclude:
        found = found.exclude(pk=exclude)
    return [p.professional_name for p in found.order_by("professional_name", "id")[:6]]


@login_required
@require_GET
def performer_list(request, pk: int):
    organization = _organization_for_evidence(request.user, pk)
    search = PerformerSearchForm(request.GET)
    search.is_valid()
    found = Performer.objects.visible_to(request.user).filter(organization=organization)
    query = search.cleaned_data.get("q", "").strip()
    if query:
        found = found.filter(professional_name__icontains=query)
    return render(
        request,
        "usage/performer_list.html",
        {
            "organization": organization,
            "search": search,
            "filtered": bool(query),
            "page_obj": _page(request, found.order_by("professional_name", "id")),
            "query_string": _query_string(request, ("q",)),
            "may_edit": access.may_edit_evidence_in(request.user, organization.pk),
            "is_admin": access.is_compliance_admin(request.user, organization),
        },
    )


@login_required
@require_GET
def performer_similar(request, pk: int):
    """The "similar names already exist" hint beside the name field (htmx)."""
    organization = _organization_for_evidence(request.user, pk)
    access.require(access.may_edit_evidence_in(request.user, organization.pk))
    return render(
        request,
        "usage/_similar_names.html",
        {
            "similar": similar_names(
                request.user,
                organization,
                request.GET.get("professional_name", ""),
                exclude=_int(request.GET.get("performer")),
            )
        },
    )


def _performer_form_page(request, organization, performer=None):
    data = request.POST if request.method == "POST" else None
    similar = []
    if data is not None:
        name = data.get("professional_name", "")
        if performer is None or " ".join(name.split()) != performer.professional_name:
            similar = similar_names(
                request.user, organization, name, exclude=performer.pk if performer else None
            )
    form = PerformerForm(
        data,
        instance=copy.copy(performer) if performer else None,
        organization=organization,
        similar_names=similar,
    )
    if data is not None and form.is_valid():
        try:
            if performer is None:
                performer = performers.create_performer(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
                messages.success(request, f"Added {performer.professional_name}.")
            else:
                performers.update_performer(performer, actor=request.user, **form.cleaned_data)
                messages.success(request, f"Saved {performer.professional_name}.")
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            return redirect("usage:performer", performer.pk)
    return render(
        request,
        "usage/performer_form.html",
        {"form": form, "organization": organization, "performer": performer},
    )


@login_required
@require_http_methods(["GET", "POST"])
def performer_create(request, pk: int):
    organization = _organization_for_evidence(request.user, pk)
    access.require(
        access.may_edit_evidence_in(request.user, organization.pk),
        "Only producers and compliance admins add performers.",
    )
    return _performer_form_page(request, organization)


def _performer_for(user, pk: int) -> Performer:
    performer = (
        Performer.objects.visible_to(user).select_related("organization").filter(pk=pk).first()
    )
    if performer is None:
        raise Http404("No such performer.")
    return performer


@login_required
@require_http_methods(["GET", "POST"])
def performer_edit(request, pk: int):
    performer = _performer_for(request.user, pk)
    access.require(
        access.may_edit_evidence_in(request.user, performer.organization_id),
        "Only producers and compliance admins edit performers.",
    )
    if performer.erased_at is not None:
        messages.error(request, "This performer's personal data was erased; the record is closed.")
        return redirect("usage:performer", performer.pk)
    return _performer_form_page(request, performer.organization, performer)


@login_required
@require_GET
def performer_detail(request, pk: int):
    performer = _performer_for(request.user, pk)
    readable = Production.objects.usage_visible_to(request.user)
    performer_consents = list(
        ConsentRecord.objects.filter(performer=performer, production__in=readable)
        .select_related("production")
        .order_by("production__title", "-signed_at", "id")
    )
    for consent in performer_consents:
        consent.status = consent_status(consent)
    uses = UsagePerformer.objects.filter(
        performer=performer, usage_entry__production__in=readable
    ).count()
    return render(
        request,
        "usage/performer_detail.html",
        {
            "performer": performer,
            "organization": performer.organization,
            "consents": performer_consents,
            "uses": uses,
            "may_edit": access.may_edit_evidence_in(request.user, performer.organization_id),
            "is_admin": access.is_compliance_admin(request.user, performer.organization_id),
        },
    )


@login_required
@require_GET
def performer_uses(request, pk: int):
    """Everywhere one performer's likeness or voice is used, across productions."""
    performer = _performer_for(request.user, pk)
    access.require(
        access.is_compliance_admin(request.user, performer.organization_id),
        "Only compliance admins see a performer's uses across productions.",
    )
    links = (
        UsagePerformer.objects.filter(performer=performer)
        .select_related(
            "usage_entry__production",
            "usage_entry__shot__episode",
            "usage_entry__tool",
            "consent",
        )
        .prefetch_related("consent__episodes")
        .order_by("usage_entry__production__title", "usage_entry__shot__code", "usage_entry_id")
    )
    page_obj = _page(request, links)
    for link in page_obj:
        entry = link.usage_entry
        link.badge = coverage_badge(use_facts(entry), link.consent)
    productions = (
        Production.objects.filter(usage_entries__performer_links__performer=performer)
        .annotate(uses=Count("usage_entries"))
        .order_by("title")
    )
    return render(
        request,
        "usage/performer_uses.html",
        {
            "performer": performer,
            "organization": performer.organization,
            "page_obj": page_obj,
            "productions": productions,
            "query_string": "",
        },
    )


# --- Consents ---------------------------------------------------------------------------------


@login_required
@require_GET
def consent_list(request, pk: int):
    production, rights = _usage_production(request.user, pk)
    found = (
        production.consents.select_related("performer")
        .prefetch_related("episodes")
        .annotate(uses=Count("usage_links"))
        .order_by("performer__professional_name", "-signed_at", "id")
    )
    page_obj = _page(request, found)
    today = timezone.localdate()
    for consent in page_obj:
        consent.status = consent_status(consent, today)
    return render(
        request,
        "usage/consent_list.html",
        {
            "production": production,
            "rights": rights,
            "page_obj": page_obj,
            "query_string": "",
        },
    )


def _consent_form_page(request, production, rights, consent=None):
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=copy.copy(consent) if consent else None,
        production=production,
        user=request.user,
        initial={"performer": _int(request.GET.get("performer"))} if consent is None else None,
    )
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data.get("document") or None
        episodes = form.cleaned_data.get("episodes")
        try:
            if consent is None:
                consent = consents.record_consent(
                    actor=request.user,
                    production=production,
                    episodes=list(episodes or []),
                    document=document,
                    **form.consent_fields(),
                )
                messages.success(request, f"Recorded {consent}.")
            else:
                consents.update_consent(
                    consent,
                    actor=request.user,
                    episodes=list(episodes) if episodes is not None else None,
                    document=document,
                    **form.consent_fields(),
                )
                messages.success(request, f"Saved {consent}.")
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            return redirect("usage:consents", production.pk)
    return render(
        request,
        "usage/consent_form.html",
        {"form": form, "production": production, "consent": consent, "rights": rights},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_create(request, pk: int):
    production, rights = _usage_production(request.user, pk)
    access.require(rights.edit_evidence, "Only producers and compliance admins record consents.")
    return _consent_form_page(request, production, rights)


@login_required
@require_http_methods(["GET", "POST"])
def consent_edit(request, pk: int):
    consent, rights = _evidence_for(ConsentRecord, request.user, pk)
    access.require(rights.edit_evidence, "Only producers and compliance admins edit consents.")
    if consent.revoked_at is not None:
        messages.error(request, "A revoked consent cannot be edited; record a new one.")
        return redirect("usage:consents", consent.production_id)
    return _consent_form_page(request, consent.production, rights, consent)


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request, pk: int):
    consent, rights = _evidence_for(ConsentRecord, request.user, pk)
    access.require(rights.edit_evidence, "Only producers and compliance admins revoke consents.")
    if request.method == "POST":
        try:
            consents.revoke_consent(consent, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Revoked {consent}. It stays on file; uses after today lose its cover."
            )
        return redirect("usage:consents", consent.production_id)
    uses = consent.usage_links.count()
    return render(
        request,
        "usage/consent_revoke.html",
        {"consent": consent, "production": consent.production, "uses": uses},
    )


def _document_response(item, rights, label: str, user):
    """The signed document, to producers and compliance admins only; 404 for everyone else,
    so the page does not even confirm that a document exists. Each read is audited."""
    if not rights.read_restricted or not item.document:
        raise Http404("No document.")
    try:
        handle = item.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404("No document.") from missing
    privacy.record_document_read(item, actor=user)
    suffix = Path(item.document.name).suffix.lower()
    response = FileResponse(handle, as_attachment=True, filename=f"{label}-{item.pk}{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def consent_document(request, pk: int):
    consent, rights = _evidence_for(ConsentRecord, request.user, pk)
    return _document_response(consent, rights, "consent", request.user)


# --- Clearances -------------------------------------------------------------------------------


@login_required
@require_GET
def clearance_list(request, pk: int):
    production, rights = _usage_production(request.user, pk)
    found = production.clearances.prefetch_related(
        Prefetch(
            "usage_entries",
            queryset=UsageEntry.objects.select_related("shot").order_by("shot__code", "id"),
        )
    ).order_by("-date", "id")
    return render(
        request,
        "usage/clearance_list.html",
        {
            "production": production,
            "rights": rights,
            "page_obj": _page(request, found),
            "query_string": "",
        },
    )


def _clearance_form_page(request, production, clearance=None):
    form = ClearanceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=copy.copy(clearance) if clearance else None,
        production=production,
    )
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data.get("document") or None
        covered = list(form.cleaned_data["usage_entries"])
        try:
            if clearance is None:
                clearance = clearances.record_clearance(
                    actor=request.user,
                    production=production,
                    usage_entries=covered,
                    document=document,
                    **form.clearance_fields(),
                )
                messages.success(request, f"Recorded {clearance.get_kind_display().lower()}.")
            else:
                clearances.update_clearance(
                    clearance,
                    actor=request.user,
                    usage_entries=covered,
                    document=document,
                    **form.clearance_fields(),
                )
                messages.success(request, f"Saved {clearance.get_kind_display().lower()}.")
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            return redirect("usage:clearances", production.pk)
    return render(
        request,
        "usage/clearance_form.html",
        {"form": form, "production": production, "clearance": clearance},
    )


@login_required
@require_http_methods(["GET", "POST"])
def clearance_create(request, pk: int):
    production, rights = _usage_production(request.user, pk)
    access.require(rights.edit_evidence, "Only producers and compliance admins record clearances.")
    return _clearance_form_page(request, production)


@login_required
@require_http_methods(["GET", "POST"])
def clearance_edit(request, pk: int):
    clearance, rights = _evidence_for(Clearance, request.user, pk)
    access.require(rights.edit_evidence, "Only producers and compliance admins edit clearances.")
    return _clearance_form_page(request, clearance.production, clearance)


@login_required
@require_GET
def clearance_document(request, pk: int):
    clearance, rights = _evidence_for(Clearance, request.user, pk)
    return _document_response(clearance, rights, "clearance", request.user)


# --- The tool registry ------------------------------------------------------------------------


@login_required
@require_GET
def tools_home(request):
    """The navigation's "Tools": straight to the registry when the user has one."""
    organizations = list(_registry_organizations(request.user))
    if not organizations:
        raise Http404("No tool registry.")
    if len(organizations) == 1:
        return redirect("usage:tools", organizations[0].pk)
    return render(request, "usage/tools_home.html", {"organizations": organizations})


@login_required
@require_GET
def tool_list(request, pk: int):
    organization = _organization_for_registry(request.user, pk)
    filters = ToolFilterForm(request.GET)
    filters.is_valid()
    found = Tool.objects.filter(organization=organization)
    query = filters.cleaned_data.get("q", "").strip()
    if query:
        found = found.filter(Q(name__icontains=query) | Q(vendor__icontains=query))
    if filters.cleaned_data.get("status"):
        found = found.filter(status=filters.cleaned_data["status"])
    return render(
        request,
        "usage/tool_list.html",
        {
            "organization": organization,
            "filters": filters,
            "filtered": any(request.GET.get(key) for key in ("q", "status")),
            "page_obj": _page(request, found.order_by("name", "id")),
            "query_string": _query_string(request, ("q", "status")),
            "may_edit": access.is_compliance_admin(request.user, organization),
        },
    )


def _tool_form_page(request, organization, tool=None):
    form = ToolForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(tool) if tool else None,
        organization=organization,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if tool is None:
                tool = tools.add_tool(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
                messages.success(request, f"Added {tool.name} to the registry.")
            else:
                tools.update_tool(tool, actor=request.user, **form.cleaned_data)
                messages.success(request, f"Saved {tool.name}.")
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            return redirect("usage:tools", organization.pk)
    return render(
        request,
        "usage/tool_form.html",
        {"form": form, "organization": organization, "tool": tool},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tool_create(request, pk: int):
    organization = _organization_for_registry(request.user, pk)
    access.require(
        access.is_compliance_admin(request.user, organization),
        "Only compliance admins edit the tool registry.",
    )
    return _tool_form_page(request, organization)


@login_required
@require_http_methods(["GET", "POST"])
def tool_edit(request, pk: int):
    tool = (
        Tool.objects.visible_to(request.user).select_related("organization").filter(pk=pk).first()
    )
    if tool is None:
        raise Http404("No such tool.")
    access.require(
        access.is_compliance_admin(request.user, tool.organization_id),
        "Only compliance admins edit the tool registry.",
    )
    return _tool_form_page(request, tool.organization, tool)
