from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Import


class LineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number in the file (0: the whole file).")
    message = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    code = serializers.CharField()
    action = serializers.CharField(help_text="create or update")
    fields = serializers.DictField(
        help_text="create: the values; update: {field: [old, new]}", child=serializers.JSONField()
    )


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line = serializers.IntegerField()
    code = serializers.CharField(help_text="The shot the locator or marker sits on.")
    text = serializers.CharField()
    status = serializers.CharField(help_text="pending, confirmed or dismissed")
    usage_entry = serializers.IntegerField(allow_null=True)


class ImportSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="shots or usage")
    format = serializers.CharField(read_only=True, help_text="csv, edl, fcp7xml or otio")
    status = serializers.CharField(read_only=True, help_text="previewed, applied or failed")
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    changes = serializers.SerializerMethodField()
    errors = LineErrorSerializer(many=True, read_only=True)
    suggestions = SuggestionSerializer(many=True, read_only=True)

    class Meta:
        model = Import
        fields = (
            "id",
            "production",
            "kind",
            "format",
            "status",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "changes",
            "errors",
            "suggestions",
            "failure",
            "file_name",
            "file_size",
            "sha256",
            "created_by",
            "created_at",
            "applied_at",
        )
        read_only_fields = fields

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, record):
        return record.changes


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField(default="shots", required=False, help_text="shots or usage")
    format = serializers.CharField(
        required=False, allow_blank=True, help_text="csv, edl, fcp7xml or otio; else from the name"
    )
    dry_run = serializers.BooleanField(default=True, required=False)


class ApplySerializer(serializers.Serializer):
    pass


class SuggestionDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text="confirm or dismiss")
    tool = serializers.IntegerField(required=False)
    category = serializers.CharField(required=False)
    department = serializers.CharField(required=False)
    modality = serializers.CharField(required=False)
    disposition = serializers.CharField(required=False)
    used_on = serializers.DateField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
