from django.urls import reverse
from rest_framework import serializers

from studio_tracker.productions.models import Episode, Production
from studio_tracker.productions.serializers import ScopedPrimaryKeyRelatedField

from .models import Finding, Report

FINDINGS_ON_REPORT = 100


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "severity",
            "message",
            "entity_type",
            "entity_id",
            "trigger",
            "clause",
            "rule_set",
            "evidence",
            "override_reason",
        ]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    stale = serializers.BooleanField(read_only=True)
    findings = serializers.SerializerMethodField()
    findings_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "production",
            "episode",
            "version",
            "status",
            "stale",
            "superseded_by",
            "digest",
            "counts",
            "findings",
            "findings_count",
            "blocking_count",
            "findings_url",
            "progress",
            "error",
            "requested_at",
            "compiled_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_findings(self, report) -> list[dict]:
        """The first 100 findings, blocking first; the rest are at findings_url."""
        top = getattr(report, "top_findings", None)
        if top is None:
            top = report.findings.order_by("rank", "rule", "id")[:FINDINGS_ON_REPORT]
        return [
            {
                "id": f.id,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "entity_type": f.entity_type,
                "entity_id": f.entity_id,
            }
            for f in top
        ]

    def get_findings_url(self, report) -> str:
        url = reverse("report-findings", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Production.objects.usage_visible_to(user),
        queryset=Production.objects.all(),
    )
    episode = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Episode.objects.visible_to(user),
        queryset=Episode.objects.all(),
        required=False,
        allow_null=True,
    )

    def validate(self, data):
        episode = data.get("episode")
        if episode is not None and episode.production_id != data["production"].pk:
            raise serializers.ValidationError(
                {"episode": "That episode is not part of this production."}
            )
        return data


class FindingGroupSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField()
    count = serializers.IntegerField()
