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
        ]


def _usage_productions(user):
    return Production.objects.usage_visible_to(user)


class ConsentSerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_usage_productions, queryset=Production.objects.all()
    )
    performer = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Performer.objects.lookup_for(user), queryset=Performer.objects.all()
    )
    episodes = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Episode.objects.visible_to(user),
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

    def get_has_document(self, consent) -> bool:
        return bool(consent.document)

    def to_representation(self, consent):
        data = super().to_representation(consent)
        if not _may_read_restricted(self, consent.production):
            data.pop("compensation_terms", None)
            data.pop("document_sha256", None)
        return data


class ClearanceSerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_usage_productions, queryset=Production.objects.all()
    )
    usage_entries = ScopedPrimaryKeyRelatedField(
        scope=lambda user: UsageEntry.objects.visible_to(user),
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

    def to_representation(self, clearance):
        data = super().to_representation(clearance)
        if not _may_read_restricted(self, clearance.production):
            data.pop("document_sha256", None)
        return data


class UsagePerformerSerializer(serializers.ModelSerializer):
    performer = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Performer.objects.lookup_for(user), queryset=Performer.objects.all()
    )
    consent = ScopedPrimaryKeyRelatedField(
        scope=lambda user: ConsentRecord.objects.visible_to(user),
        queryset=ConsentRecord.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = UsagePerformer
        fields = ["performer", "consent", "aspect"]


class UsageEntrySerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_usage_productions, queryset=Production.objects.all()
    )
    shot = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Shot.objects.visible_to(user),
        queryset=Shot.objects.all(),
        required=False,
        allow_null=True,
    )
    episode = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Episode.objects.visible_to(user),
        queryset=Episode.objects.all(),
        required=False,
        allow_null=True,
    )
    tool = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Tool.objects.visible_to(user), queryset=Tool.objects.all()
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

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if not _may_read_restricted(self, entry.production):
            data.pop("prompt_text", None)
        return data
