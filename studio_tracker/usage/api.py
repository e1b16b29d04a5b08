"""REST endpoints for the tool registry, performers, consents, clearances and usage entries.

Built on ``productions.api.ScopedViewSet``: rows outside the user's scope are 404, actions the
user may not take are 403, and every write goes through this app's domain functions.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from studio_tracker.lib.errors import StateConflict
from studio_tracker.lib.pagination import IdCursorPagination
from studio_tracker.productions import access
from studio_tracker.productions.api import PatchMixin, ScopedViewSet

from . import clearances, consents, entries, performers, privacy, tools
from .filters import (
    ClearanceFilterSet,
    ConsentFilterSet,
    PerformerFilterSet,
    ToolFilterSet,
    UsageEntryFilterSet,
)
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer
from .serializers import (
    ENTRY_VALUES,
    ClearanceSerializer,
    ConsentSerializer,
    PerformerSerializer,
    ToolSerializer,
    UsageEntrySerializer,
    entry_page_data,
)

READ_CREATE_PATCH = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    PatchMixin,
)


class CreateInProductionMixin:
    """Check the right to write in the named production before validating the rest of the body.

    Someone who may read the production's usage but not write there (a union rep once a report
    is submitted) gets a 403, not field errors calling ids they can read "does not exist" (tools
    and performers a rep may not pick). A production they may not read still fails validation.
    """

    create_right = ""
    create_refusal = "You may not do that here."

    def create(self, request, *args, **kwargs):
        get = getattr(request.data, "get", None)
        pk = get("production") if get else None
        if isinstance(pk, int | str) and not isinstance(pk, bool) and str(pk).isdecimal():
            # The serializer's production field reads the same cached row: one query in all.
            production = access.production_with(request.user, int(pk), "read_usage")
            if production is not None:
                access.require(
                    getattr(self.rights(production), self.create_right), self.create_refusal
                )
        return super().create(request, *args, **kwargs)


class UsageScopedViewSet(ScopedViewSet):
    """Rows of the productions whose usage the user may read (``UsageScopedQuerySet``'s
    ``visible_to``), as ``production_id IN (ids)`` from the roles already loaded for the request
    rather than nested membership subqueries built again on every request."""

    def get_queryset(self):
        ids = access.roles_of(self.request.user).production_ids_with("read_usage")
        rows = self.model.objects.all()
        return rows if ids is None else rows.filter(production_id__in=ids)


class ToolViewSet(*READ_CREATE_PATCH, ScopedViewSet):
    """The tool registry. Members read it; compliance admins add tools and set their status."""

    model = Tool
    serializer_class = ToolSerializer
    filterset_class = ToolFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not access.is_compliance_admin(self.request.user, organization):
            raise PermissionDenied("Only compliance admins edit the tool registry.")
        serializer.instance = tools.add_tool(
            actor=self.request.user, organization=organization, **data
        )

    def check_may_edit(self, tool):
        if not access.is_compliance_admin(self.request.user, tool.organization_id):
            raise PermissionDenied("Only compliance admins edit the tool registry.")

    def perform_patch(self, tool, data):
        data.pop("organization", None)
        return tools.update_tool(tool, actor=self.request.user, **data)


class ErasureRequestSerializer(serializers.Serializer):
    confirmation = serializers.CharField(
        max_length=200, help_text="The performer's professional name, typed to confirm."
    )


class PerformerViewSet(*READ_CREATE_PATCH, ScopedViewSet):
    """Performers linked to productions the user may read (all of them for compliance admins)."""

    model = Performer
    serializer_class = PerformerSerializer
    filterset_class = PerformerFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not access.may_edit_evidence_in(self.request.user, organization.pk):
            raise PermissionDenied("Only producers and compliance admins add performers.")
        serializer.instance = performers.create_performer(
            actor=self.request.user, organization=organization, **data
        )

    def check_may_edit(self, performer):
        if not access.may_edit_evidence_in(self.request.user, performer.organization_id):
            raise PermissionDenied("Only producers and compliance admins edit performers.")

    def perform_patch(self, performer, data):
        data.pop("organization", None)
        return performers.update_performer(performer, actor=self.request.user, **data)

    def _managed_performer(self) -> Performer:
        performer = self.get_object()
        if not privacy.may_manage_personal_data(self.request.user, performer):
            raise PermissionDenied("Only compliance admins export or erase personal data.")
        return performer

    @extend_schema(
        summary="Export a performer's personal data (JSON download)",
        request=None,
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Everything the live records hold about the performer: the "
                "performer, consents, usage links, clearances naming them. Recorded in the "
                "audit trail without the data itself.",
            ),
            403: OpenApiResponse(description="Only compliance admins export personal data."),
            404: OpenApiResponse(description="No such performer."),
        },
    )
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        performer = self._managed_performer()
        response = HttpResponse(
            privacy.export_personal_data(performer, actor=request.user),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{privacy.export_filename(performer)}"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        summary="Erase a performer's personal data from the live records",
        request=ErasureRequestSerializer,
        responses={
            200: PerformerSerializer,
            400: OpenApiResponse(description="The confirmation is not their professional name."),
            403: OpenApiResponse(description="Only compliance admins erase personal data."),
            404: OpenApiResponse(description="No such performer."),
            409: OpenApiResponse(description="Already erased."),
        },
    )
    @action(detail=True, methods=["post"], url_path="erase")
    def erase(self, request, pk=None):
        performer = self._managed_performer()
        form = ErasureRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        performer = privacy.erase_performer(
            performer, actor=request.user, confirmation=form.validated_data["confirmation"]
        )
        return Response(PerformerSerializer(performer).data)


class ConsentViewSet(CreateInProductionMixin, *READ_CREATE_PATCH, UsageScopedViewSet):
    """Consents; revoked with PATCH `revoked_at`, never deleted."""

    create_right = "edit_evidence"
    create_refusal = "Only producers and compliance admins record consents."
    model = ConsentRecord
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("production", "performer")
            .prefetch_related("episodes")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        production = data.pop("production")
        access.require(
            self.rights(production).edit_evidence,
            "Only producers and compliance admins record consents.",
        )
        data.pop("revoked_at", None)
        serializer.instance = consents.record_consent(
            actor=self.request.user, production=production, **data
        )

    def check_may_edit(self, consent):
        access.require(self.rights(consent.production).edit_evidence)

    def perform_patch(self, consent, data):
        if consent.revoked_at is not None:
            # The consent's state forbids any change: 409, like any illegal transition.
            if set(data) == {"revoked_at"}:
                raise StateConflict("This consent was already revoked.")
            raise StateConflict("A revoked consent cannot be edited; record a new one.")
        if data.pop("production", consent.production) != consent.production:
            raise serializers.ValidationError({"production": "A consent stays in its production."})
        revoked_at = data.pop("revoked_at", None)
        if data:
            consent = consents.update_consent(consent, actor=self.request.user, **data)
        if revoked_at is not None:
            consent = consents.revoke_consent(
                consent, actor=self.request.user, revoked_at=revoked_at
            )
        return consent


class ClearanceViewSet(CreateInProductionMixin, *READ_CREATE_PATCH, UsageScopedViewSet):
    create_right = "edit_evidence"
    create_refusal = "Only producers and compliance admins record clearances."
    model = Clearance
    serializer_class = ClearanceSerializer
    filterset_class = ClearanceFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return super().get_queryset().select_related("production").prefetch_related("usage_entries")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        production = data.pop("production")
        access.require(
            self.rights(production).edit_evidence,
            "Only producers and compliance admins record clearances.",
        )
        serializer.instance = clearances.record_clearance(
            actor=self.request.user, production=production, **data
        )

    def check_may_edit(self, clearance):
        access.require(self.rights(clearance.production).edit_evidence)

    def perform_patch(self, clearance, data):
        if data.pop("production", clearance.production) != clearance.production:
            raise serializers.ValidationError(
                {"production": "A clearance stays in its production."}
            )
        return clearances.update_clearance(clearance, actor=self.request.user, **data)


def _performer_links(data: dict) -> list[dict] | None:
    links = data.pop("performer_links", None)
    return None if links is None else [dict(link) for link in links]


class UsageEntryViewSet(
    CreateInProductionMixin, *READ_CREATE_PATCH, mixins.DestroyModelMixin, UsageScopedViewSet
):
    """Uses of AI, paged by cursor: a big production has hundreds of thousands."""

    create_right = "edit_usage"
    create_refusal = "You may not log uses here."
    model = UsageEntry
    serializer_class = UsageEntrySerializer
    filterset_class = UsageEntryFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("production")
            .prefetch_related(
                Prefetch("performer_links", queryset=UsagePerformer.objects.order_by("id"))
            )
        )

    def list(self, request, *args, **kwargs):
        """The page from ``.values()`` rows rather than model instances and serializer fields:
        the same JSON at about three times the speed (bench/api_throughput.py)."""
        rows = self.filter_queryset(super().get_queryset()).values(*ENTRY_VALUES)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(entry_page_data(page, request.user))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        production = data.pop("production")
        access.require(self.rights(production).edit_usage, "You may not log uses here.")
        serializer.instance = entries.log_usage(
            actor=self.request.user,
            production=production,
            performers=_performer_links(data) or [],
            **data,
        )

    def check_may_edit(self, entry):
        access.require(self.rights(entry.production).edit_usage)

    def perform_patch(self, entry, data):
        if data.pop("production", entry.production) != entry.production:
            raise serializers.ValidationError({"production": "A use stays in its production."})
        return entries.update_usage(
            entry, actor=self.request.user, performers=_performer_links(data), **data
        )

    def perform_destroy(self, entry):
        access.require(self.rights(entry.production).edit_usage)
        entries.remove_usage(entry, actor=self.request.user)
