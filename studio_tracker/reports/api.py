"""REST endpoints for disclosure reports: request (202), read, retry, submit, findings, download;
review (the queue, approve, request changes, decisions) and the union's audit findings."""

import django_filters
from django.db.models import Count, F, Min, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from studio_tracker.audit.models import AuditEvent
from studio_tracker.lib.pagination import PagePagination
from studio_tracker.productions import access
from studio_tracker.productions import api as productions_api
from studio_tracker.productions.api import ScopedViewSet
from studio_tracker.productions.filters import IdFilter
from studio_tracker.productions.models import Membership

from . import compiler, renderings, review
from .models import AuditFinding, Finding, Report, ReviewDecision
from .serializers import (
    FINDINGS_ON_REPORT,
    FindingGroupSerializer,
    FindingSerializer,
    ReportRequestSerializer,
    ReportSerializer,
)


def download_responses(content_types: dict[str, str]) -> dict:
    """A file in each format's own content type (JSON an object, the others bytes)."""
    responses = {}
    for content_type in content_types.values():
        media = content_type.split(";")[0]
        responses[(200, media)] = (
            OpenApiTypes.OBJECT if media == "application/json" else OpenApiTypes.BINARY
        )
    return responses


class FindingsPagination(PagePagination):
    page_size = 100


class ReviewQueueItemSerializer(serializers.ModelSerializer):
    open_blocking = serializers.IntegerField(
        read_only=True, help_text="Blocking findings without an override reason yet."
    )
    production_title = serializers.CharField(source="production.title", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "production",
            "production_title",
            "episode",
            "version",
            "digest",
            "findings_count",
            "blocking_count",
            "open_blocking",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields


class OverrideSerializer(serializers.Serializer):
    finding = serializers.IntegerField()
    reason = serializers.CharField()


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The reason for every blocking finding not given one in overrides.",
    )
    overrides = OverrideSerializer(many=True, required=False, default=list)
    digest = serializers.CharField(
        required=False, help_text="The digest you reviewed; 409 if the version differs."
    )


class RequestChangesSerializer(serializers.Serializer):
    comment = serializers.CharField()
    digest = serializers.CharField(
        required=False, help_text="The digest you reviewed; 409 if the version differs."
    )


class ReviewDecisionSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.get_username", read_only=True)

    class Meta:
        model = ReviewDecision
        fields = ["id", "decision", "reviewer", "reviewer_name", "comment", "digest", "decided_at"]
        read_only_fields = fields


CATEGORY_HELP = "One of: " + ", ".join(AuditFinding.Category.values) + "."


class AuditFindingSerializer(serializers.ModelSerializer):
    # A plain string in the schema: "category" already names the usage entries' enum.
    category = serializers.CharField(read_only=True, help_text=CATEGORY_HELP)

    class Meta:
        model = AuditFinding
        fields = [
            "id",
            "report",
            "raised_by",
            "category",
            "severity",
            "description",
            "rule",
            "entity_type",
            "entity_id",
            "status",
            "response",
            "responded_by",
            "responded_at",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class AuditFindingCreateSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=CATEGORY_HELP)  # checked by review
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    description = serializers.CharField()
    rule = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    entity_type = serializers.ChoiceField(
        choices=[(t, t) for t in review.AUDIT_ENTITY_TYPES], required=False, default=""
    )
    entity_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class AuditFindingUpdateSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, help_text="The producers' answer.")
    status = serializers.ChoiceField(
        choices=[("resolved", "Resolved"), ("escalated", "Escalated")],
        required=False,
        help_text="The rep who raised it resolves or escalates it.",
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError("Give a response or a status.")
        return data


class ReportFilterSet(django_filters.FilterSet):
    """Related ids are plain numbers (see productions.filters): another production's id answers
    an empty list, like an id that never existed, not "not one of the available choices"."""

    production = IdFilter()
    episode = IdFilter()

    class Meta:
        model = Report
        fields = ["production", "status", "episode"]


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Disclosure reports. POST asks for a new version, compiled by a worker (202)."""

    model = Report
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet

    def get_queryset(self):
        top = (
            Finding.objects.annotate(
                position=Window(
                    RowNumber(),
                    partition_by=[F("report")],
                    order_by=[F("rank"), F("rule"), F("id")],
                )
            )
            .filter(position__lte=FINDINGS_ON_REPORT)
            .order_by("rank", "rule", "id")
        )
        return (
            super()
            .get_queryset()
            .select_related("production", "episode")
            .prefetch_related(Prefetch("findings", queryset=top, to_attr="top_findings"))
            .order_by("production_id", "-version")
        )

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request):
        form = ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        production = form.validated_data["production"]
        access.require(self.rights(production).request_report, "Only producers ask for a report.")
        report = compiler.request_compile(
            actor=request.user, production=production, episode=form.validated_data.get("episode")
        )
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    def _act(self, report_function, message):
        report = self.get_object()
        access.require(self.rights(report.production).request_report, message)
        report_function(report, actor=self.request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Requeue a failed report: the same row, the same version."""
        return self._act(compiler.retry, "Only producers retry a report.")

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a compiled report for review."""
        return self._act(review.submit, "Only producers submit a report.")

    @extend_schema(
        parameters=[OpenApiParameter("rule", str, description="Only this check, e.g. E01")],
        responses=inline_serializer(
            "PaginatedFindingList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "groups": FindingGroupSerializer(many=True),
                "results": FindingSerializer(many=True),
            },
        ),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=FindingsPagination)
    def findings(self, request, pk=None):
        """All findings, grouped by rule with counts, blocking first, paginated."""
        report = self.get_object()
        findings = report.findings.order_by("rank", "rule", "id")
        groups = (
            report.findings.values("rule", "severity")
            .annotate(count=Count("id"), first=Min("rank"))
            .order_by("first", "rule", "severity")
        )
        if request.query_params.get("rule"):
            findings = findings.filter(rule=request.query_params["rule"])
        page = self.paginate_queryset(findings)
        response = self.get_paginated_response(FindingSerializer(page, many=True).data)
        response.data["groups"] = [
            {"rule": g["rule"], "severity": g["severity"], "count": g["count"]} for g in groups
        ]
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "csv", "html", "pdf"], description="default json"
            )
        ],
        responses=download_responses(renderings.CONTENT_TYPES),
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The frozen snapshot's exact bytes (hash them to check the digest), or a stored
        rendering (CSV, HTML, PDF); every one names the digest in ``X-Report-Digest``."""
        report = self.get_object()
        wanted = request.query_params.get("format", "json")
        if wanted not in renderings.CONTENT_TYPES:
            return Response({"detail": "format must be json, csv, html or pdf."}, status=400)
        if not report.digest:
            return Response({"detail": "This report is not compiled yet."}, status=409)
        return renderings.download_response(report, wanted)

    # --- Review -------------------------------------------------------------------------------

    def _report_response(self, report):
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        responses=ReviewQueueItemSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="review-queue")
    def review_queue(self, request):
        """Submitted reports waiting for the user's review, oldest submission first, with their
        blocking findings and how many of them still lack an override reason."""
        page = self.paginate_queryset(review.review_queue(request.user))
        return self.get_paginated_response(ReviewQueueItemSerializer(page, many=True).data)

    @extend_schema(request=ApproveSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted report (compliance admins; never the person who submitted it).
        Every blocking finding needs an override reason: ``override_reason`` covers all still
        without one, ``overrides`` gives one per finding. 409 while any remains without."""
        report = self.get_object()
        form = ApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = review.approve(report, actor=request.user, **form.validated_data)
        return self._report_response(report)

    @extend_schema(request=RequestChangesSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        """Send a submitted report back to its producers with a comment (compliance admins)."""
        report = self.get_object()
        form = RequestChangesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = review.request_changes(report, actor=request.user, **form.validated_data)
        return self._report_response(report)

    @extend_schema(responses=ReviewDecisionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def decisions(self, request, pk=None):
        """The review decisions on this version, oldest first, each binding the digest."""
        report = self.get_object()
        decisions = report.decisions.select_related("reviewer").order_by("decided_at", "id")
        return Response(ReviewDecisionSerializer(decisions, many=True).data)

    # --- The union's audit --------------------------------------------------------------------

    @extend_schema(methods=["get"], responses=AuditFindingSerializer(many=True), filters=False)
    @extend_schema(
        methods=["post"],
        request=AuditFindingCreateSerializer,
        responses={201: AuditFindingSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="audit-findings", pagination_class=None)
    def audit_findings(self, request, pk=None):
        """The union's audit findings on this version. Union reps of the production raise them."""
        report = self.get_object()
        if request.method == "POST":
            form = AuditFindingCreateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            found = review.raise_audit_finding(report, actor=request.user, **form.validated_data)
            return Response(AuditFindingSerializer(found).data, status=status.HTTP_201_CREATED)
        found = report.audit_findings.select_related("raised_by", "responded_by")
        return Response(AuditFindingSerializer(found, many=True).data)

    @extend_schema(methods=["get"], responses=AuditFindingSerializer, filters=False)
    @extend_schema(
        methods=["patch"], request=AuditFindingUpdateSerializer, responses=AuditFindingSerializer
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"audit-findings/(?P<fid>\d+)",
        url_name="audit-finding",
        pagination_class=None,
    )
    def audit_finding(self, request, pk=None, fid=None):
        """One audit finding. PATCH ``response`` (producers) answers it; PATCH ``status``
        resolved or escalated (the union rep who raised it) closes it."""
        report = self.get_object()
        found = AuditFinding.objects.filter(report=report, pk=fid).first()
        if found is None:
            raise Http404("No such audit finding.")
        if request.method == "PATCH":
            form = AuditFindingUpdateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            if "response" in form.validated_data:
                found = review.answer_audit_finding(
                    found, actor=request.user, response=form.validated_data["response"]
                )
            if "status" in form.validated_data:
                found = review.close_audit_finding(
                    found, actor=request.user, status=form.validated_data["status"]
                )
        found = AuditFinding.objects.select_related("raised_by", "responded_by").get(pk=found.pk)
        return Response(AuditFindingSerializer(found).data)


class AuditEventViewSet(productions_api.AuditEventViewSet):
    """The audit trail, newest first, scoped like everything else; union reps see the events of
    the reports they may read (submitted, approved, changes requested, of their productions)."""

    def get_queryset(self):
        events = super().get_queryset()
        user = self.request.user
        if not user.is_authenticated or user.is_superuser:
            return events
        represented = [
            pid
            for pid, role in access.roles_of(user).production_roles.items()
            if role == Membership.Role.UNION_REP
        ]
        if not represented:
            return events
        reports = Report.objects.visible_to(user).filter(production_id__in=represented)
        return events | AuditEvent.objects.filter(report_id__in=reports.values("pk"))
