"""HTML pages: upload a file, read its preview, apply it, decide its suggestions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions import access

from . import flow
from .api import may_import
from .forms import ConfirmSuggestionForm, UploadForm
from .models import Import

PREVIEW_LIMIT = 500


def _production(user, pk):
    production, rights = access.get_production_for_user(user, pk)
    if not rights.read_structure:
        raise Http404("No such production.")
    return production, rights


def _import(user, pk) -> tuple[Import, access.ProductionRights]:
    record = Import.objects.visible_to(user).select_related("production").filter(pk=pk).first()
    if record is None:
        raise Http404("No such import.")
    return record, access.rights_in(user, record.production)


@login_required
def import_list(request, pk: int):
    production, rights = _production(request.user, pk)
    imports = (
        Import.objects.visible_to(request.user)
        .filter(production=production)
        .select_related("created_by")[:100]
    )
    return render(
        request,
        "imports/import_list.html",
        {"production": production, "rights": rights, "imports": imports},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request, pk: int):
    production, rights = _production(request.user, pk)
    access.require(rights.edit_structure or rights.edit_usage, "You may not import here.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        access.require(may_import(rights, kind), "You may not import that here.")
        try:
            record = flow.start(
                actor=request.user,
                production=production,
                upload=form.cleaned_data["file"],
                kind=kind,
                fmt=form.cleaned_data["format"],
            )
        except flow.TooLarge as error:
            form.add_error("file", str(error))
        else:
            if record.status == Import.Status.FAILED:
                form.add_error("file", record.failure)
            else:
                return redirect("imports:detail", record.pk)
    return render(
        request,
        "imports/import_new.html",
        {"production": production, "rights": rights, "form": form},
        status=413 if form.errors and "too large" in str(form.errors) else 200,
    )


@login_required
def import_detail(request, pk: int):
    record, rights = _import(request.user, pk)
    creates = [c for c in record.changes if c["action"] == "create"]
    updates = [c for c in record.changes if c["action"] == "update"]
    suggestions = [
        (
            suggestion,
            ConfirmSuggestionForm(production=record.production, auto_id=f"s{suggestion['id']}_%s")
            if rights.edit_usage and suggestion["status"] == "pending"
            else None,
        )
        for suggestion in record.suggestions
    ]
    return render(
        request,
        "imports/import_detail.html",
        {
            "record": record,
            "production": record.production,
            "rights": rights,
            "may_apply": may_import(rights, record.kind)
            and record.status == Import.Status.PREVIEWED,
            "creates": creates[:PREVIEW_LIMIT],
            "updates": updates[:PREVIEW_LIMIT],
            "errors": record.errors[:PREVIEW_LIMIT],
            "limit": PREVIEW_LIMIT,
            "more_creates": max(0, len(creates) - PREVIEW_LIMIT),
            "more_updates": max(0, len(updates) - PREVIEW_LIMIT),
            "more_errors": max(0, len(record.errors) - PREVIEW_LIMIT),
            "suggestions": suggestions,
            "applied": record.status == Import.Status.APPLIED,
        },
    )


@login_required
@require_POST
def import_apply(request, pk: int):
    record, rights = _import(request.user, pk)
    access.require(may_import(rights, record.kind), "You may not apply this import.")
    try:
        record = flow.apply(record, actor=request.user)
    except StateConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Imported {record.file_name}: {record.created} created, {record.updated} updated, "
            f"{record.unchanged} unchanged, {record.rejected} lines rejected.",
        )
    return redirect("imports:detail", record.pk)


@login_required
@require_POST
def suggestion_decide(request, pk: int, number: int):
    record, rights = _import(request.user, pk)
    access.require(rights.edit_usage, "You may not log usage in this production.")
    try:
        if request.POST.get("decision") == "dismiss":
            flow.dismiss_suggestion(record, number, actor=request.user)
            messages.success(request, "Suggestion dismissed.")
        else:
            form = ConfirmSuggestionForm(request.POST, production=record.production)
            if not form.is_valid():
                messages.error(
                    request,
                    "To confirm, fill in "
                    + ", ".join(form.fields[name].label.lower() for name in form.errors)
                    + ".",
                )
                return redirect("imports:detail", record.pk)
            flow.confirm_suggestion(record, number, actor=request.user, **form.cleaned_data)
            messages.success(request, "Logged the suggested AI use.")
    except (StateConflict, ValidationError) as error:
        messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
    return redirect("imports:detail", record.pk)
