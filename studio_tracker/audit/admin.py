from django.contrib import admin

from .models import AuditEvent, ChainHead


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows and changes nothing: the log is written only by ``trail.record``."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
