"""FilterSets for the API. Related ids are plain numbers, not choices validated against every row,
so filtering by another production's id answers an empty list, like an id that never existed."""

import django_filters

from studio_tracker.audit.models import AuditEvent

from .models import Episode, Membership, Production, Sequence, Shot

# The largest id a database column holds (SQLite and PostgreSQL bigints): a bigger number cannot
# name a row, and on SQLite it crashed the query (a 500) instead of answering an empty list.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A related id, as a plain number; one past what a database holds is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", -MAX_ID)
        super().__init__(*args, **kwargs)


class ProductionFilterSet(django_filters.FilterSet):
    organization = IdFilter()

    class Meta:
        model = Production
        fields = ["organization", "kind"]


class EpisodeFilterSet(django_filters.FilterSet):
    production = IdFilter()

    class Meta:
        model = Episode
        fields = ["production", "code"]


class SequenceFilterSet(django_filters.FilterSet):
    production = IdFilter()
    episode = IdFilter()

    class Meta:
        model = Sequence
        fields = ["production", "episode", "code"]


class ShotFilterSet(django_filters.FilterSet):
    production = IdFilter()
    episode = IdFilter()
    sequence = IdFilter()
    code = django_filters.CharFilter(lookup_expr="icontains", label="Code contains")

    class Meta:
        model = Shot
        fields = ["production", "episode", "sequence", "code", "reel", "vendor", "locked_for_final"]


class MembershipFilterSet(django_filters.FilterSet):
    production = IdFilter()
    organization = IdFilter()
    user = IdFilter()

    class Meta:
        model = Membership
        fields = ["production", "organization", "role", "user"]


class AuditEventFilterSet(django_filters.FilterSet):
    production = IdFilter(field_name="production_id")
    report = IdFilter(field_name="report_id")

    class Meta:
        model = AuditEvent
        fields = ["production", "report", "action", "target_type"]
