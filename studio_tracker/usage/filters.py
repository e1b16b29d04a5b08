"""FilterSets for the usage API. Related ids are plain numbers (see productions.filters); each
is a LeanFilterSet, whose per-request cost is a fraction of django-filter's (lib/filtering.py)."""

import django_filters

from studio_tracker.lib.filtering import LeanFilterSet
from studio_tracker.productions.filters import IdFilter

from .choices import Modality
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry


class ToolFilterSet(LeanFilterSet):
    modality = django_filters.ChoiceFilter(
        choices=Modality.choices, method="filter_modality", label="Has this modality"
    )

    class Meta:
        model = Tool
        fields = ["status", "kind", "modality"]

    def filter_modality(self, queryset, name, value):
        # The list is JSON; matching the quoted value works the same on SQLite and PostgreSQL.
        return queryset.filter(modalities__icontains=f'"{value}"')


class PerformerFilterSet(LeanFilterSet):
    production = IdFilter(method="filter_production")
    professional_name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Performer
        fields = ["production", "professional_name", "union", "category"]

    def filter_production(self, queryset, name, value):
        return queryset.filter(Performer.objects.linked_to([value]))


class ConsentFilterSet(LeanFilterSet):
    production = IdFilter()
    performer = IdFilter()

    class Meta:
        model = ConsentRecord
        fields = ["production", "performer", "consent_type"]


class ClearanceFilterSet(LeanFilterSet):
    production = IdFilter()

    class Meta:
        model = Clearance
        fields = ["production", "kind"]


class UsageEntryFilterSet(LeanFilterSet):
    production = IdFilter()
    shot = IdFilter()
    episode = IdFilter()
    tool = IdFilter()
    performer = IdFilter(field_name="performer_links__performer")

    class Meta:
        model = UsageEntry
        fields = [
            "production",
            "shot",
            "episode",
            "category",
            "department",
            "tool",
            "disposition",
            "replica_kind",
            "performer",
        ]
