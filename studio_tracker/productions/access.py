"""Who may see or do what in a production: the one place DESIGN.md's role table lives.

HTML views and the API ask the same questions here. The status codes follow one rule: an object
the user may not read is a 404 (``get_production_for_user`` raises ``Http404``); an action the user
may not take on an object they can read is a 403 (``require`` raises ``PermissionDenied``).
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, Organization, Production

Role = Membership.Role


@dataclass(frozen=True)
class ProductionRights:
    """What one user may do in one production, derived from their effective role."""

    role: str | None
    # Union reps read usage entries and evidence once a report has been submitted.
    union_reading_open: bool = False

    @property
    def read(self) -> bool:
        return self.role is not None

    @property
    def title_only(self) -> bool:
        return self.role == Role.DISTRIBUTOR

    @property
    def read_structure(self) -> bool:
        """Episodes, sequences and shots."""
        return self.role in (Role.COORDINATOR, Role.PRODUCER, Role.UNION_REP, Role.COMPLIANCE_ADMIN)

    @property
    def edit_production(self) -> bool:
        return self.role in (Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def edit_structure(self) -> bool:
        """Create and edit episodes, sequences and shots; import shot lists."""
        return self.role in (Role.COORDINATOR, Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def delete_structure(self) -> bool:
        return self.role in (Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def read_memberships(self) -> bool:
        return self.role in (Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def manage_memberships(self) -> bool:
        return self.role == Role.COMPLIANCE_ADMIN

    @property
    def read_audit_events(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def read_usage(self) -> bool:
        """Usage entries, performers linked here, consents and clearances."""
        if self.role == Role.UNION_REP:
            return self.union_reading_open
        return self.role in (Role.COORDINATOR, Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def edit_usage(self) -> bool:
        """Log, edit and delete usage entries; import usage CSV."""
        return self.role in (Role.COORDINATOR, Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def edit_evidence(self) -> bool:
        """Create and edit performers, consents and clearances; revoke consents."""
        return self.role in (Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    @property
    def request_report(self) -> bool:
        """Ask for a compile, retry a failed one, submit a compiled one (DESIGN.md: producers)."""
        return self.role == Role.PRODUCER

    @property
    def read_restricted(self) -> bool:
        """Prompt text, pay figures and signed documents."""
        return self.role in (Role.PRODUCER, Role.COMPLIANCE_ADMIN)


@dataclass(frozen=True)
class UserRoles:
    """All of a user's roles, loaded once per request: {production id: role}, compliance orgs."""

    production_roles: dict[int, str]
    compliance_organizations: frozenset[int]
    member_organizations: frozenset[int]
    is_superuser: bool
    # Organisations the user logs AI use for or administers (Membership.LOGGERS).
    logging_organizations: frozenset[int] = frozenset()

    def role_in(self, production: Production) -> str | None:
        if self.is_superuser or production.organization_id in self.compliance_organizations:
            return Role.COMPLIANCE_ADMIN
        return self.production_roles.get(production.pk)

    @cached_property
    def _candidate_productions(self) -> tuple[tuple[int, str, bool], ...]:
        """(production id, role, union reading open) for every production the user holds a
        role in, through a membership or as a compliance admin of its organisation."""
        union_rep = Role.UNION_REP in self.production_roles.values()
        if not (self.compliance_organizations or union_rep):
            # Only the role decides (union reading matters to union reps alone): no query.
            return tuple((pk, role, False) for pk, role in self.production_roles.items())
        rows = Production.objects.filter(
            Q(pk__in=list(self.production_roles))
            | Q(organization_id__in=list(self.compliance_organizations))
        ).values_list("pk", "organization_id", "union_visible_since")
        return tuple(
            (
                pk,
                Role.COMPLIANCE_ADMIN
                if organization_id in self.compliance_organizations
                else self.production_roles[pk],
                union_visible_since is not None,
            )
            for pk, organization_id, union_visible_since in rows
        )

    def production_ids_with(self, right: str) -> frozenset[int] | None:
        """Ids of the productions in which the user has ``right`` (a ProductionRights property),
        decided by the role table itself; None for a superuser, who has it everywhere. At most
        one query (for compliance admins and union reps), once per request."""
        if self.is_superuser:
            return None
        return frozenset(
            pk
            for pk, role, union_reading_open in self._candidate_productions
            if getattr(ProductionRights(role=role, union_reading_open=union_reading_open), right)
        )

    @cached_property
    def fetched_productions(self) -> dict[int, Production | None]:
        """Productions ``production_with`` read in this request, by pk."""
        return {}


def roles_of(user) -> UserRoles:
    """The user's roles, cached on the user object for the rest of the request."""
    cached = getattr(user, "_studio_roles", None)
    if cached is not None:
        return cached
    production_roles: dict[int, str] = {}
    compliance: set[int] = set()
    organizations: set[int] = set()
    logging: set[int] = set()
    if user.is_authenticated and user.is_active:
        # .order_by(): no need for the model's ordering (a sort on every request).
        memberships = Membership.objects.filter(user=user).order_by()
        for role, production_id, organization_id in memberships.values_list(
            "role", "production_id", "organization_id"
        ):
            organizations.add(organization_id)
            if role in Membership.LOGGERS:
                logging.add(organization_id)
            if production_id is not None:
                production_roles[production_id] = role
            elif role == Role.COMPLIANCE_ADMIN:
                compliance.add(organization_id)
    roles = UserRoles(
        production_roles=production_roles,
        compliance_organizations=frozenset(compliance),
        member_organizations=frozenset(organizations),
        logging_organizations=frozenset(logging),
        is_superuser=bool(user.is_authenticated and user.is_active and user.is_superuser),
    )
    user._studio_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles (after the user's memberships changed within one request)."""
    if hasattr(user, "_studio_roles"):
        del user._studio_roles


def rights_in(user, production: Production) -> ProductionRights:
    return ProductionRights(
        role=roles_of(user).role_in(production),
        union_reading_open=production.union_visible_since is not None,
    )


def get_production_for_user(user, pk) -> tuple[Production, ProductionRights]:
    """The production and the user's rights in it; 404 when the user may not read it at all."""
    production = Production.objects.filter(pk=pk).select_related("organization").first()
    if production is None:
        raise Http404("No such production.")
    rights = rights_in(user, production)
    if not rights.read:
        raise Http404("No such production.")
    return production, rights


def production_with(user, pk: int, right: str) -> Production | None:
    """The production if the user has ``right`` in it (a ProductionRights property), else None.

    Read once per request, cached with the roles: the permission check before a create and
    the serializer validating the same id share one query, and an id the user has no right in
    costs none.
    """
    roles = roles_of(user)
    ids = roles.production_ids_with(right)
    if ids is not None and pk not in ids:
        return None
    if pk not in roles.fetched_productions:
        roles.fetched_productions[pk] = Production.objects.filter(pk=pk).first()
    return roles.fetched_productions[pk]


def require(allowed: bool, message: str = "You may not do that here.") -> None:
    """403 for an action the user may not take on something they can see."""
    if not allowed:
        raise PermissionDenied(message)


def is_compliance_admin(user, organization: Organization | int) -> bool:
    organization_id = organization if isinstance(organization, int) else organization.pk
    roles = roles_of(user)
    return roles.is_superuser or organization_id in roles.compliance_organizations


def may_edit_evidence_in(user, organization_id: int) -> bool:
    """Performers belong to the organisation: its compliance admins and the producers of any of
    its productions add and edit them."""
    if is_compliance_admin(user, organization_id):
        return True
    produced = [
        pid for pid, role in roles_of(user).production_roles.items() if role == Role.PRODUCER
    ]
    return Production.objects.filter(pk__in=produced, organization_id=organization_id).exists()


def can_create_production(user, organization: Organization) -> bool:
    return is_compliance_admin(user, organization)


def administered_organizations(user):
    """Organisations in which the user is a compliance admin."""
    if roles_of(user).is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=roles_of(user).compliance_organizations)


def visible_organizations(user):
    """Organisations the user belongs to in any role."""
    if roles_of(user).is_superuser:
        return Organization.objects.all()
    roles = roles_of(user)
    return Organization.objects.filter(pk__in=roles.member_organizations)
