"""Sign-in in two steps when the user has an authenticator app, and the page to set one up.

Step one is Django's password form (django-axes counts its failures). A user with a confirmed
device is not logged in yet: the session remembers who passed the password for a few minutes and
step two asks for the code. Wrong codes count as failed logins toward the same lockout.
"""

import time

from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from . import lockout, two_factor
from .forms import CodeForm, RemoveDeviceForm

PENDING_SESSION_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60  # time to type the code after the password


class LoginView(auth_views.LoginView):
    """The password step; with a confirmed device, hands over to :func:`login_code`."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_device(user):
            return super().form_valid(form)
        self.request.session[PENDING_SESSION_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
        }
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None, None
    user = auth.get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Step two: the code from the authenticator app, then the user is logged in."""
    user, pending = _pending_user(request)
    device = two_factor.confirmed_device(user) if user else None
    if device is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.info(request, "Please log in again.")
        return redirect("login")
    if lockout.is_locked_out(request, user.get_username()):
        request.session.pop(PENDING_SESSION_KEY, None)
        return lockout.lockout_response(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_code(device, form.cleaned_data["code"]):
            del request.session[PENDING_SESSION_KEY]
            user.otp_device = device  # django-otp marks the new session as verified
            auth.login(request, user, backend=pending["backend"])
            next_url = pending["next"]
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = reverse("home")
            return redirect(next_url)
        lockout.record_failed_code(request, user.get_username())
        form.add_error("code", "That code is wrong or has expired. Type the code shown now.")
    return render(request, "registration/login_code.html", {"form": form}, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show the state of two-factor sign-in; set up an authenticator app with a QR code."""
    device = two_factor.confirmed_device(request.user)
    if device is not None:
        return render(
            request,
            "accounts/two_factor.html",
            {"device": device, "remove_form": RemoveDeviceForm(user=request.user)},
        )
    pending = two_factor.start_enrolment(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_enrolment(request, pending, form.cleaned_data["code"]):
            messages.success(request, "Two-factor sign-in is on: the next login asks for a code.")
            return redirect("two_factor_setup")
        form.add_error("code", "That code is wrong or has expired. Type the code shown now.")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(pending),
            "secret": two_factor.secret_for_typing(pending),
            "required": request.user.must_use_two_factor,
        },
    )


@sensitive_post_parameters("password")
@login_required
@require_POST
def two_factor_remove(request):
    """Remove the authenticator app after the password is given again."""
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor_setup")
    form = RemoveDeviceForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "accounts/two_factor.html",
            {"device": device, "remove_form": form},
            status=400,
        )
    two_factor.remove_device(request.user)
    if request.user.must_use_two_factor:
        messages.warning(
            request,
            "Authenticator app removed. Your organisation requires one: set up a new one now.",
        )
    else:
        messages.success(request, "Authenticator app removed: logins ask for the password only.")
    return redirect("two_factor_setup")
