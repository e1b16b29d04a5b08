"""REST endpoints for organisations, users, memberships, the production hierarchy and audit events.

``ScopedViewSet`` is the base every later endpoint builds on: its queryset is the model's
``visible_to(user)``, so what a user may not read is a 404; writes check ``access`` rights (403)
and go through the domain functions, which write the audit events.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from studio_tracker.audit.models import AuditEvent
from studio_tracker.lib.pagination import (
    CodeCursorPagination,
    NewestFirstCursorPagination,
    PagePagination,
)

from . import access, changes, people
from .filters import (
    AuditEventFilterSet,
    EpisodeFilterSet,
    MembershipFilterSet,
    ProductionFilterSet,
    SequenceFilterSet,
    ShotFilterSet,
)
from .models import Episode, Membership, Production, Sequence, Shot
from .serializers import (
    EpisodeSerializer,
    MembershipSerializer,
    OrganizationSerializer,
    ProductionSerializer,
    ProductionTitleSerializer,
    SequenceSerializer,
    ShotSerializer,
    UserSerializer,
)

User = get_user_model()


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset whose rows are only those the requesting user may read."""

    model = None
    pagination_class = PagePagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Roles are cached on the user object for one request; a reused object (tests,
        # force_authenticate) must not carry them into the next.
        access.forget_roles(request.user)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def rights(self, production: Production) -> access.ProductionRights:
        return access.rights_in(self.request.user, production)


class PatchMixin:
    """PATCH only: there is no PUT in this API."""

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_may_edit(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_patch(instance, serializer.validated_data)
        return Response(self.get_serializer(instance).data)


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Organisations the user belongs to. Staff create them."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return access.visible_organizations(self.request.user)

    def perform_create(self, serializer):
        if not self.request.user.is_staff:
            raise PermissionDenied("Only staff create organisations.")
        serializer.instance = changes.create_organization(
            actor=self.request.user, **serializer.validated_data
        )


def _production_read(many: bool = False) -> PolymorphicProxySerializer:
    """In the schema: members read the full production, distributors its title alone."""
    return PolymorphicProxySerializer(
        component_name="ProductionRead",
        serializers=[ProductionSerializer, ProductionTitleSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema_view(
    list=extend_schema(responses=_production_read(many=True)),
    retrieve=extend_schema(responses=_production_read()),
)
class ProductionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    PatchMixin,
    ScopedViewSet,
):
    """Productions; a distributor sees only the titles of productions shared with them."""

    model = Production
    serializer_class = ProductionSerializer
    filterset_class = ProductionFilterSet

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and not getattr(self, "swagger_fake_view", False):
            return _ProductionReadSerializer
        return ProductionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not access.can_create_production(self.request.user, organization):
            raise PermissionDenied("Only compliance admins of the organisation create productions.")
        serializer.instance = changes.create_production(
            actor=self.request.user, organization=organization, **data
        )

    def check_may_edit(self, production):
        access.require(self.rights(production).edit_production, "You may not edit this production.")

    def perform_patch(self, production, data):
        data.pop("organization", None)
        return changes.update_production(production, actor=self.request.user, **data)


class _ProductionReadSerializer(serializers.BaseSerializer):
    """Full fields for members, the title alone for distributors."""

    def to_representation(self, production):
        user = self.context["request"].user
        if access.rights_in(user, production).title_only:
            return ProductionTitleSerializer(production, context=self.context).data
        return ProductionSerializer(production, context=self.context).data


class StructureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    PatchMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Episodes, sequences and shots: read by members, written by coordinators and up."""

    create_function = update_function = delete_function = None

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        production = data.pop("production")
        access.require(
            self.rights(production).edit_structure, "You may not add to this production."
        )
        serializer.instance = type(self).create_function(
            actor=self.request.user, production=production, **data
        )

    def check_may_edit(self, instance):
        access.require(self.rights(instance.production).edit_structure)

    def perform_patch(self, instance, data):
        if "production" in data and data.pop("production") != instance.production:
            raise serializers.ValidationError(
                {"production": "This cannot move to another production."}
            )
        return type(self).update_function(instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        access.require(
            self.rights(instance.production).delete_structure,
            "Only producers and compliance admins delete.",
        )
        type(self).delete_function(instance, actor=self.request.user)


class EpisodeViewSet(StructureViewSet):
    model = Episode
    serializer_class = EpisodeSerializer
    filterset_class = EpisodeFilterSet
    create_function = staticmethod(changes.create_episode)
    update_function = staticmethod(changes.update_episode)
    delete_function = staticmethod(changes.delete_episode)

    def get_queryset(self):
        return super().get_queryset().select_related("production")


class SequenceViewSet(StructureViewSet):
    model = Sequence
    serializer_class = SequenceSerializer
    filterset_class = SequenceFilterSet
    create_function = staticmethod(changes.create_sequence)
    update_function = staticmethod(changes.update_sequence)
    delete_function = staticmethod(changes.delete_sequence)

    def get_queryset(self):
        return super().get_queryset().select_related("production")


class ShotViewSet(StructureViewSet):
    """Shots, paged by cursor in code order: a production can have tens of thousands."""

    model = Shot
    serializer_class = ShotSerializer
    filterset_class = ShotFilterSet
    pagination_class = CodeCursorPagination
    create_function = staticmethod(changes.create_shot)
    update_function = staticmethod(changes.update_shot)
    delete_function = staticmethod(changes.delete_shot)

    def get_queryset(self):
        return super().get_queryset().select_related("production")


class MembershipViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Who holds which role. Producers read their production's; compliance admins manage."""

    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("production", "organization")

    def perform_create(self, serializer):
        data = serializer.validated_data
        production = data.get("production")
        organization = production.organization if production else data.get("organization")
        if organization is None:
            raise serializers.ValidationError(
                {"organization": "Name a production, or an organisation for an organisation role."}
            )
        if production is not None and not self.rights(production).read:
            raise serializers.ValidationError({"production": "No such production."})
        if not access.is_compliance_admin(self.request.user, organization):
            raise PermissionDenied("Only compliance admins manage memberships.")
        if not people.people_of(organization).filter(pk=data["user"].pk).exists():
            # Like the members page: people of the organisation only, and an outsider's id
            # reads as one that was never used.
            field = serializer.fields["user"]
            raise serializers.ValidationError(
                {"user": [field.error_messages["does_not_exist"].format(pk_value=data["user"].pk)]}
            )
        serializer.instance = people.add_membership(
            actor=self.request.user,
            user=data["user"],
            role=data["role"],
            production=production,
            organization=organization,
        )

    def perform_destroy(self, membership):
        if not access.is_compliance_admin(self.request.user, membership.organization_id):
            raise PermissionDenied("Only compliance admins manage memberships.")
        people.remove_membership(membership, actor=self.request.user)


def users_visible_to(user):
    """The user, people of organisations they administer, members of productions they produce."""
    if not user.is_authenticated:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    roles = access.roles_of(user)
    produced = [
        pid for pid, role in roles.production_roles.items() if role == Membership.Role.PRODUCER
    ]
    others = Membership.objects.filter(
        Q(organization__in=roles.compliance_organizations) | Q(production__in=produced)
    ).values("user")
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=others))


class UserViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """People. Compliance admins (and staff) add a user with a password or an emailed invitation."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return users_visible_to(self.request.user).order_by("username", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not access.is_compliance_admin(self.request.user, organization):
            raise PermissionDenied("Only compliance admins of the organisation add people.")
        serializer.instance = people.add_person(
            actor=self.request.user, organization=organization, **data
        )


class AuditEventSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id")
    production = serializers.IntegerField(source="production_id", allow_null=True)
    report = serializers.IntegerField(source="report_id", allow_null=True)
    actor = serializers.IntegerField(source="actor_id", allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "organization",
            "seq",
            "production",
            "report",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "created_at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


def audit_events_visible_to(user):
    """All events of organisations the user administers; a coordinator's or producer's own
    production's events."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_superuser:
        return AuditEvent.objects.all()
    roles = access.roles_of(user)
    readable = [
        pid
        for pid, role in roles.production_roles.items()
        if access.ProductionRights(role).read_audit_events
    ]
    return AuditEvent.objects.filter(
        Q(organization_id__in=roles.compliance_organizations) | Q(production_id__in=readable)
    )


class AuditEventViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The audit trail, newest first, scoped like everything else."""

    serializer_class = AuditEventSerializer
    pagination_class = NewestFirstCursorPagination
    filterset_class = AuditEventFilterSet

    def get_queryset(self):
        return audit_events_visible_to(self.request.user)
