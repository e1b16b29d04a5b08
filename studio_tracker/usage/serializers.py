from rest_framework import serializers

from studio_tracker.productions import access
from studio_tracker.productions.models import Episode, Production, Shot
from studio_tracker.productions.serializers import ScopedPrimaryKeyRelatedField

from .choices import IptcSourceType, Modality
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer


def _may_read_restricted(serializer, production) -> bool:
    request = serializer.context.get("request")
    return request is not None and access.rights_in(request.user, production).read_restricted


class ToolSerializer(serializers.ModelSerializer):
    modalities = serializers.ListField(child=serializers.ChoiceField(choices=Modality.choices))

    class Meta:
        model = Tool
        fields = [
            "id",
            "organization",
            "name",
            "vendor",
            "modalities",
            "kind",
            "training_data_claim",
            "indemnity",
            "trains_on_inputs",
            "emits_c2pa",
            "status",
            "status_reason",
            "consent_features",
            "known_litigation",
            "evidence_label",
        ]
        validators = []  # the unique name is checked by the model's full_clean, with a message


class PerformerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Performer
        fields = [
            "id",
            "organization",
            "legal_name",
            "professional_name",
            "category",
            "union",
            "is_deceased",
            "is_minor",
            "estate_contact",
            "erased_at",
        ]
        read_only_fields = ["erased_at"]


# The scopes of related ids below are the models' ``visible_to`` rows, decided from the user's
# roles loaded once per request (access.roles_of): ``IN (ids)`` rather than nested membership
# subqueries, which the ORM would build again for every field of every request.


def _in_productions_where(queryset, user, right: str):
    ids = access.roles_of(user).production_ids_with(right)
    return queryset if ids is None else queryset.filter(production_id__in=ids)


def _in_logging_organizations(queryset, user):
    """Rows of the organisations the user logs for or administers (Membership.LOGGERS)."""
    roles = access.roles_of(user)
    if roles.is_superuser:
        return queryset
    return queryset.filter(organization_id__in=roles.logging_organizations)


def _usage_productions(user):
    ids = access.roles_of(user).production_ids_with("read_usage")
    return Production.objects.all() if ids is None else Production.objects.filter(pk__in=ids)


class UsageProductionField(ScopedPrimaryKeyRelatedField):
    """A production whose usage the user may read. Fetched through ``access.production_with``,
    so the create's permission check (CreateInProductionMixin) and this field share one read."""

    def __init__(self, **kwargs):
        super().__init__(scope=_usage_productions, queryset=Production.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdecimal():
            return super().to_internal_value(data)  # DRF's own errors for what is not an id
        production = access.production_with(self.context["request"].user, int(data), "read_usage")
        if production is None:
            self.fail("does_not_exist", pk_value=data)
        return production


class ConsentSerializer(serializers.ModelSerializer):
    production = UsageProductionField()
    performer = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_logging_organizations(Performer.objects.all(), user),
        queryset=Performer.objects.all(),
    )
    episodes = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_productions_where(Episode.objects.all(), user, "read_structure"),
        queryset=Episode.objects.all(),
        many=True,
        required=False,
    )
    media = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    territories = serializers.ListField(
        child=serializers.RegexField(r"^(?:[A-Z]{2}|EU|WW)$"), required=False
    )
    languages = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    document = serializers.FileField(write_only=True, required=False)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "performer",
            "production",
            "consent_type",
            "granted_by",
            "use_description",
            "is_separate_document",
            "in_standard_terms",
            "clear_and_conspicuous_attested",
            "episodes",
            "media",
            "territories",
            "languages",
            "notice_given_at",
            "services_at",
            "engaged_less_than_48h",
            "signed_at",
            "valid_from",
            "valid_until",
            "revoked_at",
            "compensation_terms",
            "document",
            "has_document",
            "document_sha256",
        ]
        read_only_fields = ["document_sha256"]
        # Left out for readers who may not see pay or documents (union reps): not required.
        omitted_for_some_readers = ["compensation_terms", "document_sha256"]

    def get_has_document(self, consent) -> bool:
        return bool(consent.document)

    def to_representation(self, consent):
        data = super().to_representation(consent)
        if not _may_read_restricted(self, consent.production):
            data.pop("compensation_terms", None)
            data.pop("document_sha256", None)
        return data


class ClearanceSerializer(serializers.ModelSerializer):
    production = UsageProductionField()
    usage_entries = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_productions_where(UsageEntry.objects.all(), user, "read_usage"),
        queryset=UsageEntry.objects.all(),
        many=True,
        required=False,
    )
    document = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = Clearance
        fields = [
            "id",
            "production",
            "kind",
            "party",
            "date",
            "note",
            "usage_entries",
            "document",
            "document_sha256",
        ]
        read_only_fields = ["document_sha256"]
        omitted_for_some_readers = ["document_sha256"]  # not shown to union reps

    def to_representation(self, clearance):
        data = super().to_representation(clearance)
        if not _may_read_restricted(self, clearance.production):
            data.pop("document_sha256", None)
        return data


class UsagePerformerSerializer(serializers.ModelSerializer):
    performer = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_logging_organizations(Performer.objects.all(), user),
        queryset=Performer.objects.all(),
    )
    consent = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_productions_where(ConsentRecord.objects.all(), user, "read_usage"),
        queryset=ConsentRecord.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = UsagePerformer
        fields = ["performer", "consent", "aspect"]


class UsageEntrySerializer(serializers.ModelSerializer):
    production = UsageProductionField()
    shot = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_productions_where(Shot.objects.all(), user, "read_structure"),
        queryset=Shot.objects.all(),
        required=False,
        allow_null=True,
    )
    episode = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_productions_where(Episode.objects.all(), user, "read_structure"),
        queryset=Episode.objects.all(),
        required=False,
        allow_null=True,
    )
    tool = ScopedPrimaryKeyRelatedField(
        scope=lambda user: _in_logging_organizations(Tool.objects.all(), user),
        queryset=Tool.objects.all(),
    )
    performers = UsagePerformerSerializer(many=True, required=False, source="performer_links")
    input_sources = serializers.ListField(child=serializers.DictField(), required=False)
    iptc_source_type = serializers.ChoiceField(
        choices=IptcSourceType.choices,
        required=False,
        help_text="Derived from category and generation kind unless given.",
    )

    class Meta:
        model = UsageEntry
        fields = [
            "id",
            "production",
            "episode",
            "shot",
            "department",
            "category",
            "modality",
            "tool",
            "tool_version",
            "generation_kind",
            "disposition",
            "description",
            "human_contribution",
            "depicts_real_person",
            "depicts_real_place_or_event",
            "realism",
            "replica_kind",
            "performance_altered",
            "alteration_purpose",
            "synthetic_replaces_performer",
            "prompt_names_performer",
            "prompt_uses_facial_feature",
            "language",
            "performers",
            "iptc_source_type",
            "iptc_source_type_overridden",
            "used_on",
            "operator",
            "vendor",
            "input_sources",
            "prompt_text",
            "external_ref",
        ]
        read_only_fields = ["iptc_source_type_overridden"]
        omitted_for_some_readers = ["prompt_text"]  # not shown to union reps

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if not _may_read_restricted(self, entry.production):
            data.pop("prompt_text", None)
        return data


def _entry_columns() -> list[tuple[str, str | None]]:
    """(JSON name, ``.values()`` column) for each UsageEntrySerializer field, in its order;
    None for performers, which come from their own table."""
    model_fields = {field.name: field for field in UsageEntry._meta.concrete_fields}
    return [
        (name, model_fields[name].attname if name in model_fields else None)
        for name in UsageEntrySerializer.Meta.fields
    ]


ENTRY_COLUMNS = _entry_columns()
# What rights_in needs of the production rides along with each row: no query of its own.
PRODUCTION_COLUMNS = ("production__organization_id", "production__union_visible_since")
ENTRY_VALUES = [column for _, column in ENTRY_COLUMNS if column] + list(PRODUCTION_COLUMNS)


def entry_page_data(rows: list[dict], user) -> list[dict]:
    """A page of usage entries from ``.values(*ENTRY_VALUES)`` rows, as UsageEntrySerializer
    writes them (same fields, order and formats; tests/api_perf checks they stay equal).

    Pipeline tools read the 150,000 entries of a feature page after page; building model
    instances and running DRF's field machinery on each cost three times the query itself.
    Performer links come in one query and restricted fields are decided once per production,
    from the production's columns joined to the rows.
    """
    links: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    for link in (
        UsagePerformer.objects.filter(usage_entry_id__in=links)
        .order_by("id")
        .values("usage_entry_id", "performer_id", "consent_id", "aspect")
    ):
        links[link["usage_entry_id"]].append(
            {
                "performer": link["performer_id"],
                "consent": link["consent_id"],
                "aspect": link["aspect"],
            }
        )
    restricted = {}
    for row in rows:
        if row["production_id"] not in restricted:
            production = Production(
                pk=row["production_id"],
                organization_id=row["production__organization_id"],
                union_visible_since=row["production__union_visible_since"],
            )
            restricted[production.pk] = access.rights_in(user, production).read_restricted
    page = []
    for row in rows:
        data = {name: row[column] if column else links[row["id"]] for name, column in ENTRY_COLUMNS}
        data["used_on"] = data["used_on"].isoformat()
        if not restricted[row["production_id"]]:
            del data["prompt_text"]
        page.append(data)
    return page
