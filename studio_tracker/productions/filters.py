"""FilterSets for the API. Related ids are plain numbers, not choices validated against every row,
so filtering by another production's id answers an empty list, like an id that never existed."""

import django_filters

from studio_tracker.audit.models import AuditEvent

from .models import Episode, Membership, Production, Sequence, Shot


class ProductionFilterSet(django_filters.FilterSet):
    organization = django_filters.NumberFilter()

    class Meta:
        model = Production
        fields = ["organization", "kind"]


class EpisodeFilterSet(django_filters.FilterSet):
    production = django_filters.NumberFilter()

    class Meta:
        model = Episode
        fields = ["production", "code"]


class SequenceFilterSet(django_filters.FilterSet):
    production = django_filters.NumberFilter()
    episode = django_filters.NumberFilter()

    class Meta:
        model = Sequence
        fields = ["production", "episode", "code"]


class ShotFilterSet(django_filters.FilterSet):
    production = django_filters.NumberFilter()
    episode = django_filters.NumberFilter()
    sequence = django_filters.NumberFilter()
    code = django_filters.CharFilter(lookup_expr="icontains", label="Code contains")

    class Meta:
        model = Shot
        fields = ["production", "episode", "sequence", "code", "reel", "vendor", "locked_for_final"]


class MembershipFilterSet(django_filters.FilterSet):
    production = django_filters.NumberFilter()
    organization = django_filters.NumberFilter()
    user = django_filters.NumberFilter()

    class Meta:
        model = Membership
        fields = ["production", "organization", "role", "user"]


class AuditEventFilterSet(django_filters.FilterSet):
    production = django_filters.NumberFilter(field_name="production_id")
    report = django_filters.NumberFilter(field_name="report_id")

    class Meta:
        model = AuditEvent
        fields = ["production", "report", "action", "target_type"]
