from django.contrib import admin

from .models import Finding, Rendering, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reports are frozen: the admin shows them, never edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["production", "version", "episode", "status", "findings_count", "compiled_at"]
    list_filter = ["status"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["report", "rule", "severity", "message"]
    list_filter = ["severity", "rule"]


@admin.register(Rendering)
class RenderingAdmin(ReadOnlyAdmin):
    list_display = ["report", "format", "sha256", "size"]
