"""What a locked-out client is told, and failed second factors counted as failed logins.

django-axes counts failed logins per username (from any address) and per IP address (for any
username); settings.py sets the limit (``LOGIN_FAILURE_LIMIT``) and the cool-off
(``LOGIN_COOLOFF_MINUTES``). When either count reaches the limit, axes flags the request and its
middleware asks :func:`lockout_response` for the answer: HTTP 429 with a JSON ``detail`` on the API,
and a page that says when to try again and whom to ask everywhere else. Staff unlock a user in
the Django admin (Axes → Access attempts: delete the rows) or with ``manage.py
axes_reset_username NAME`` / ``axes_reset_ip ADDRESS``.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address failures count against (``AXES_CLIENT_IP_CALLABLE``).

    Behind the one TLS proxy that ``BEHIND_TLS_PROXY`` declares, it is the last X-Forwarded-For
    entry: the one that proxy appended. Earlier entries come from the client and could be forged
    to dodge the lockout by address (or to lock someone else out). Otherwise REMOTE_ADDR.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def cooloff_minutes(request=None) -> int:
    """Minutes a lockout lasts after the last failed attempt."""
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def lockout_message(request=None) -> str:
    minutes = cooloff_minutes(request)
    wait = (
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}"
        if minutes
        else "It stays locked"
    )
    return (
        "Too many failed sign-in attempts for this account or from this network. "
        f"{wait}, or ask a Studio Tracker administrator (staff) to unlock it."
    )


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out sign-in: JSON 429 on the API, the lockout page elsewhere.

    ``AXES_LOCKOUT_CALLABLE`` points here; the token endpoint raises the same answer itself.
    """
    status = settings.AXES_HTTP_RESPONSE_CODE
    minutes = cooloff_minutes(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(request)}, status=status)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message(request), "cooloff_minutes": minutes},
            status=status,
        )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


def is_locked_out(request, username: str) -> bool:
    """Whether sign-ins for this username, or from this request's address, are locked out."""
    if not settings.AXES_ENABLED:
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_failed_code(request, username: str) -> None:
    """Count a wrong two-factor code like a wrong password (towards the same lockout).

    ``request`` is the Django request (not DRF's wrapper): axes flags it when the limit is reached
    and its middleware then answers with :func:`lockout_response`.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
