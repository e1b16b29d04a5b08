from django.contrib import admin

from .models import Import


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "production",
        "kind",
        "format",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "format", "status")
    exclude = ("rows",)
    readonly_fields = [f.name for f in Import._meta.fields if f.name != "rows"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # An import is the record of what entered the production; nothing removes it quietly.
        return False
