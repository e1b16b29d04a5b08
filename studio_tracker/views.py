"""Site-wide views: the home page and the health check."""

import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from studio_tracker.productions import access
from studio_tracker.productions.models import Production


@login_required
def home(request):
    """The user's productions; a welcome page saying how to get in when there is nothing to show."""
    if (
        Production.objects.visible_to(request.user).exists()
        or access.administered_organizations(request.user).exists()
    ):
        return redirect("productions:list")
    return render(request, "home.html")


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_reachable() -> bool:
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # The embedded broker is a folder: it is "up" when the worker and the web can write there.
        return os.access(options.get("data_folder_in", "."), os.W_OK)
    timeout = settings.HEALTH_CHECK_TIMEOUT
    options.setdefault("socket_connect_timeout", timeout)
    options.setdefault("socket_timeout", timeout)
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer, 503 (with which failed) when either does not."""
    checks = {"database": _database_reachable(), "broker": _broker_reachable()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
