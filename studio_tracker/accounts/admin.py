from axes.handlers.proxy import AxesProxyHandler
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from studio_tracker.audit.admin import AuditedAdmin

from . import two_factor
from .models import User


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's own login form, closed to accounts with an authenticator app: it asks for no
    code, so they sign in on the site's login page (password, then code) and open the admin."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if two_factor.has_device(user):
            raise ValidationError(
                "This account uses two-factor sign-in: log in on the site's login page, then "
                "open the admin.",
                code="two_factor",
            )


admin.site.login_form = StaffLoginForm


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Django's user admin, with the two-factor flag shown and an unlock action.

    Locked-out sign-ins can also be lifted under Axes → Access attempts (delete the rows, by
    username or IP address), and authenticator apps removed under OTP_TOTP → TOTP devices (a user
    who lost their phone).
    """

    actions = ["unlock_sign_in"]
    readonly_fields = ("must_use_two_factor",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Sign-in security", {"fields": ("must_use_two_factor",)}),
    )

    @admin.action(description="Unlock sign-in (forget failed attempts)")
    def unlock_sign_in(self, request, queryset):
        cleared = sum(
            AxesProxyHandler.reset_attempts(username=user.get_username()) for user in queryset
        )
        self.message_user(
            request,
            f"Sign-in unlocked for {queryset.count()} user(s); {cleared} failed-attempt "
            "record(s) cleared. A lock on an IP address is lifted under Axes → Access attempts.",
            messages.SUCCESS,
        )
