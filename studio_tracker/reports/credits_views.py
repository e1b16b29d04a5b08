"""HTML pages for credit packages: the portal (every package the user may read), one
production's packages, downloads (each recorded), and the public verify page (no login).

A package the user may not read is a 404, like a production they may not see: distributors of
another production, outsiders, and anyone asking for a report that is not approved.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from studio_tracker.lib import uploads
from studio_tracker.productions import access

from . import credits
from .models import CreditFile


@login_required
@require_GET
def portal(request):
    access.forget_roles(request.user)
    packages = credits.packages_visible_to(request.user).prefetch_related("credit_files")
    return render(request, "credits/portal.html", {"packages": packages})


@login_required
@require_GET
def production_credits(request, pk: int):
    packages = list(
        credits.packages_visible_to(request.user)
        .filter(production_id=pk)
        .prefetch_related("credit_files")
    )
    if not packages:
        # Readable production without a package yet, or not readable at all: the same answer
        # would leak nothing, but a member deserves to know there is nothing yet.
        production, _rights = access.get_production_for_user(request.user, pk)
    else:
        production = packages[0].production
    return render(
        request,
        "credits/production.html",
        {"production": production, "packages": packages},
    )


@login_required
@require_GET
def download(request, pk: int, fmt: str):
    report = credits.packages_visible_to(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such credit package.")
    credit = CreditFile.objects.filter(report=report, format=fmt).first()
    if credit is None:
        raise Http404("No such file in this package.")
    credit.report = report
    return credits.download_response(credit, user=request.user, via="page")


@require_http_methods(["GET", "POST"])
def verify_page(request):
    """Public: upload a file or paste a digest; say what it matches, or that it matches nothing."""
    result, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        digest = request.POST.get("digest", "").strip()
        if upload is not None:
            if upload.size > uploads.verify_max_bytes():
                error = "That file is too large to check here."
            else:
                result = credits.verify(digest=credits.hash_chunks(upload.chunks()))
        elif digest:
            try:
                result = credits.verify(digest=digest)
            except ValueError as problem:
                error = str(problem)
        else:
            error = "Choose a file or paste a digest."
    return render(request, "credits/verify.html", {"result": result, "error": error})
