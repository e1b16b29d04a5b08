"""The Django admin: the audit log read-only, and every other admin write recorded in it.

Staff superusers use the admin (DESIGN.md). Domain models are not registered, or are registered
read-only (frozen reports, imports); what staff can change there — users, groups, authenticator
devices, sign-in lockouts — goes through ``AuditedAdmin``, so every add, change and delete made
in the admin leaves an event (tests/audit/test_admin.py keeps every registration in one of the
two kinds). Objects that belong to no organisation are recorded in the site chain
(``SITE_CHAIN``, organisation id 0), which ``verify_audit_log`` walks like any other.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import trail
from .models import AuditEvent, ChainHead

SITE_CHAIN = 0


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows and changes nothing: the log is written only by ``trail.record``."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Records an event for each object added, changed or deleted through this admin.

    The event names the model, the object's id and the names of the fields the form changed;
    never their values (a user's name or email, a device's key). It is written in the same
    transaction as the change.
    """

    def audit_scope(self, obj) -> tuple[int, int | None]:
        """(organisation id, production id) of the chain the object's events belong to."""
        production_id = getattr(obj, "production_id", None)
        organization_id = getattr(obj, "organization_id", None)
        if organization_id is None and production_id is not None:
            organization_id = obj.production.organization_id
        return (SITE_CHAIN if organization_id is None else organization_id), production_id

    def _record(self, request, pk, scope, verb: str, fields=()) -> None:
        organization_id, production_id = scope
        meta = self.model._meta
        trail.record(
            actor=request.user,
            action=f"admin.{meta.app_label}.{meta.model_name}.{verb}",
            organization_id=organization_id,
            production_id=production_id,
            target_type=meta.model_name,
            target_id=str(pk),
            changes={"fields": sorted(fields)},
        )

    def save_model(self, request, obj, form, change):
        # changeform_view runs this inside its transaction: the event commits with the row.
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "added"
        self._record(request, obj.pk, self.audit_scope(obj), verb, form.changed_data)

    def delete_model(self, request, obj):
        pk, scope = obj.pk, self.audit_scope(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            self._record(request, pk, scope, "deleted")

    def delete_queryset(self, request, queryset):
        doomed = [(obj.pk, self.audit_scope(obj)) for obj in queryset]
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for pk, scope in doomed:
                self._record(request, pk, scope, "deleted")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "organization_id",
        "seq",
        "created_at",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "actor_id",
        "production_id",
        "report_id",
    )
    search_fields = ("action", "target_type", "=target_id", "target_label")
    ordering = ("organization_id", "-seq")
    # Counting a long log on every page load is the slowest part of the page; skip it.
    show_full_result_count = False


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("organization_id", "seq", "hash")


# The admins that django.contrib.auth, django-otp and django-axes register (their apps come
# before this one in INSTALLED_APPS), again with every write recorded. Deleting an access
# attempt is how staff lift a lockout; deleting a device removes someone's second factor.
for _model, _original in (
    (Group, GroupAdmin),
    (TOTPDevice, TOTPDeviceAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Audited{_original.__name__}", (AuditedAdmin, _original), {}))
