"""REST endpoints for disclosure reports: request (202), read, retry, submit, findings, download."""

import django_filters
from django.db.models import Count, F, Min, Prefetch, Window
from django.db.models.functions import RowNumber
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from studio_tracker.lib.pagination import PagePagination
from studio_tracker.productions import access
from studio_tracker.productions.api import ScopedViewSet
from studio_tracker.productions.filters import IdFilter

from . import compiler, renderings
from .models import Finding, Report
from .serializers import (
    FINDINGS_ON_REPORT,
    FindingGroupSerializer,
    FindingSerializer,
    ReportRequestSerializer,
    ReportSerializer,
)


class FindingsPagination(PagePagination):
    page_size = 100


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
        return self._act(compiler.submit, "Only producers submit a report.")

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
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
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
