"""REST endpoints for the tool registry, performers, consents, clearances and usage entries.

Built on ``productions.api.ScopedViewSet``: rows outside the user's scope are 404, actions the
user may not take are 403, and every write goes through this app's domain functions.
"""

from django.db.models import Prefetch
from rest_framework import mixins, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from studio_tracker.lib.errors import StateConflict
from studio_tracker.lib.pagination import IdCursorPagination
from studio_tracker.productions import access
from studio_tracker.productions.api import PatchMixin, ScopedViewSet
from studio_tracker.productions.models import Production

from . import clearances, consents, entries, performers, tools
from .filters import (
    ClearanceFilterSet,
    ConsentFilterSet,
    PerformerFilterSet,
    ToolFilterSet,
    UsageEntryFilterSet,
)
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer
from .serializers import (
    ClearanceSerializer,
    ConsentSerializer,
    PerformerSerializer,
    ToolSerializer,
    UsageEntrySerializer,
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
        if isinstance(pk, int | str) and str(pk).isdecimal():
            production = Production.objects.usage_visible_to(request.user).filter(pk=pk).first()
            if production is not None:
                access.require(
                    getattr(self.rights(production), self.create_right), self.create_refusal
                )
        return super().create(request, *args, **kwargs)


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


class ConsentViewSet(CreateInProductionMixin, *READ_CREATE_PATCH, ScopedViewSet):
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


class ClearanceViewSet(CreateInProductionMixin, *READ_CREATE_PATCH, ScopedViewSet):
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
    CreateInProductionMixin, *READ_CREATE_PATCH, mixins.DestroyModelMixin, ScopedViewSet
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
