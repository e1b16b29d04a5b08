"""One uploaded file, previewed then applied (DESIGN.md: Import).

The parsed rows are kept as JSON, so applying needs no second upload; the preview (``changes``,
``errors``, ``suggestions`` and the counts) is what the user confirmed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from studio_tracker.productions.models import Production


class ImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Shot-list imports of productions whose structure the user may read; usage imports
        only where the user may read usage (a usage preview lists uses, performers and prompts,
        so union reps see none before a report is submitted)."""
        return self.filter(
            Q(kind=Import.Kind.SHOTS, production__in=Production.objects.structure_visible_to(user))
            | Q(kind=Import.Kind.USAGE, production__in=Production.objects.usage_visible_to(user))
        )


class Import(models.Model):
    class Kind(models.TextChoices):
        SHOTS = "shots", "Shot list"
        USAGE = "usage", "Usage entries"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        EDL = "edl", "CMX 3600 EDL"
        FCP7XML = "fcp7xml", "Final Cut Pro 7 XML"
        OTIO = "otio", "OpenTimelineIO"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHOTS)
    format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True, help_text="Why the whole file was refused.")
    changes = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["production", "-id"], name="import_by_production")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.file_name} ({self.status})"
