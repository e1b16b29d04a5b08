"""Hold users who must use two factors to the enrolment page until they have a device."""

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor

ENROLMENT_REQUIRED = (
    "Your organisation requires two-factor sign-in for compliance admins: set up an "
    "authenticator app first."
)


class TwoFactorRequiredMiddleware:
    """For a signed-in user with ``must_use_two_factor`` set:

    - without a confirmed device, every page redirects to the enrolment page (the API answers 403)
      except enrolment itself, logout and static files;
    - with a device but a session that never gave a code (it began before the device or the
      requirement), the session ends and the login page asks for password and code.

    Runs after django-otp's OTPMiddleware (which tells whether the session gave a code).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_use_two_factor", False)
            and not self._exempt(request.path)
        ):
            if two_factor.needs_enrolment(user):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": ENROLMENT_REQUIRED}, status=403)
                return redirect("two_factor_setup")
            if not user.is_verified():
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("two_factor_setup"),
            reverse("logout"),
            reverse("login"),
            reverse("login_code"),
        )
        return path in allowed or path.startswith(("/static/", "/healthz"))
