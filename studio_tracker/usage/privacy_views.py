"""Pages for a performer's personal data: export it, or erase it (compliance admins only).

Someone who may read the performer but not manage their data gets 403; anyone else 404, as
everywhere (DESIGN.md). The work is in ``usage.privacy``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from studio_tracker.lib.errors import StateConflict
from studio_tracker.productions import access

from . import privacy
from .models import ConsentRecord, Performer, UsagePerformer


def _managed_performer(user, pk: int) -> Performer:
    performer = (
        Performer.objects.visible_to(user).select_related("organization").filter(pk=pk).first()
    )
    if performer is None:
        raise Http404("No such performer.")
    access.require(
        privacy.may_manage_personal_data(user, performer),
        "Only compliance admins export or erase a performer's personal data.",
    )
    return performer


@login_required
@require_GET
def personal_data_download(request, pk: int):
    performer = _managed_performer(request.user, pk)
    response = HttpResponse(
        privacy.export_personal_data(performer, actor=request.user),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{privacy.export_filename(performer)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request, pk: int):
    """The export link, and the erasure form that asks for the professional name."""
    performer = _managed_performer(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            privacy.erase_performer(
                performer,
                actor=request.user,
                confirmation=request.POST.get("confirmation", ""),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        except StateConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("usage:performer", performer.pk)
        else:
            messages.success(
                request,
                "Their personal data was erased from the live records. Report versions frozen "
                "before now are kept as the legal record, for compliance admins only.",
            )
            return redirect("usage:performer", performer.pk)
    return render(
        request,
        "usage/performer_personal_data.html",
        {
            "performer": performer,
            "organization": performer.organization,
            "consents": ConsentRecord.objects.filter(performer=performer).count(),
            "documents": ConsentRecord.objects.filter(performer=performer)
            .exclude(document="")
            .count(),
            "uses": UsagePerformer.objects.filter(performer=performer).count(),
            "error": error,
        },
        status=400 if error else 200,
    )
