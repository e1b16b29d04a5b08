"""The organisation's people: invitations, deactivation and memberships.

Events about people record ids and which fields changed, never names or addresses, so personal
data stays out of the audit chain.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from studio_tracker.audit import trail

from . import access
from .changes import bump_change_counter
from .models import Membership, Organization, Production

User = get_user_model()


def _record_membership(membership: Membership, *, actor, action: str) -> None:
    trail.record(
        actor=actor,
        action=f"membership.{action}",
        organization_id=membership.organization_id,
        production_id=membership.production_id,
        target_type="membership",
        target_id=str(membership.pk),
        target_label=membership.role,
        changes={"user_id": membership.user_id, "role": membership.role},
    )


@transaction.atomic
def add_membership(
    *, actor, user, role: str, production: Production | None = None, organization=None
) -> Membership:
    """Give a user a role in a production, or an organisation-level role."""
    if production is not None:
        organization = production.organization
    if organization is None:
        raise ValidationError({"organization": "Name a production or an organisation."})
    membership = Membership(user=user, role=role, production=production, organization=organization)
    membership.full_clean()
    membership.save()
    access.forget_roles(user)
    if production is not None:
        bump_change_counter(production.pk)
    _record_membership(membership, actor=actor, action="created")
    if _is_compliance_admin_role(membership):
        sync_two_factor_flags([user.pk], actor=actor, organization=organization)
    return membership


@transaction.atomic
def remove_membership(membership: Membership, *, actor) -> None:
    pk = membership.pk
    membership.delete()
    membership.pk = pk
    access.forget_roles(membership.user)
    _record_membership(membership, actor=actor, action="deleted")
    if _is_compliance_admin_role(membership):
        sync_two_factor_flags(
            [membership.user_id], actor=actor, organization=membership.organization
        )


# --- Two-factor sign-in -----------------------------------------------------------------------
# The organisation owns the switch (Organization.require_two_factor); the user model owns the flag
# the login flow reads (User.must_use_two_factor), so `accounts` needs no import from here. The
# flag is derived: set exactly while the user is a compliance admin of at least one organisation
# that requires two factors. Every change of the switch or of a compliance-admin membership
# re-derives it for the people concerned.


def _is_compliance_admin_role(membership: Membership) -> bool:
    return membership.production_id is None and membership.role == Membership.Role.COMPLIANCE_ADMIN


def sync_two_factor_flags(user_ids, *, actor, organization: Organization) -> list[int]:
    """Re-derive ``must_use_two_factor`` for these users; record an event per user whose flag
    changed (in ``organization``'s chain) and return their ids."""
    required = set(
        Membership.objects.filter(
            user_id__in=user_ids,
            production=None,
            role=Membership.Role.COMPLIANCE_ADMIN,
            organization__require_two_factor=True,
        ).values_list("user_id", flat=True)
    )
    changed = []
    for user_id, flagged in User.objects.filter(pk__in=user_ids).values_list(
        "pk", "must_use_two_factor"
    ):
        should = user_id in required
        if flagged != should:
            User.objects.filter(pk=user_id).update(must_use_two_factor=should)
            changed.append((user_id, should))
    for user_id, should in changed:
        trail.record(
            actor=actor,
            action="user.two_factor_required" if should else "user.two_factor_lifted",
            organization_id=organization.pk,
            target_type="user",
            target_id=str(user_id),
            changes={"fields": ["must_use_two_factor"]},
        )
    return [user_id for user_id, _ in changed]


def compliance_admins_of(organization: Organization):
    return User.objects.filter(
        memberships__organization=organization,
        memberships__production=None,
        memberships__role=Membership.Role.COMPLIANCE_ADMIN,
    ).distinct()


@transaction.atomic
def set_two_factor_requirement(
    organization: Organization, *, actor, required: bool
) -> Organization:
    """Turn the organisation's two-factor requirement on or off and update the flag of its
    compliance admins. Only its compliance admins (checked by the caller) flip it.

    A compliance admin of another organisation that still requires two factors keeps the flag.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.require_two_factor == required:
        return organization
    organization.require_two_factor = required
    organization.save(update_fields=["require_two_factor"])
    trail.record(
        actor=actor,
        action="organization.updated",
        organization_id=organization.pk,
        target_type="organization",
        target_id=str(organization.pk),
        target_label=organization.name[:200],
        changes=trail.field_changes(
            {"require_two_factor": not required}, {"require_two_factor": required}
        ),
    )
    admin_ids = list(compliance_admins_of(organization).values_list("pk", flat=True))
    sync_two_factor_flags(admin_ids, actor=actor, organization=organization)
    return organization


def invitation_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


@transaction.atomic
def add_person(
    *,
    actor,
    organization: Organization,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
):
    """Add a user to the organisation: with the given password, or (without one) by emailing an
    invitation with a set-password link."""
    email = User.objects.normalize_email(email or "").strip()
    if not email:
        raise ValidationError({"email": "An email address is needed."})
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError({"email": "Someone with that address already has an account."})
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.MEMBER)
    if not password:
        _send_invitation(user, organization=organization, inviter=actor)
    trail.record(
        actor=actor,
        action="user.created" if password else "user.invited",
        organization_id=organization.pk,
        target_type="user",
        target_id=str(user.pk),
        changes={"fields": ["email", "first_name", "last_name"]},
    )
    return user


def _send_invitation(user, *, organization: Organization, inviter) -> None:
    context = {
        "user": user,
        "organization": organization,
        "inviter": inviter,
        "link": invitation_link(user),
    }
    subject = render_to_string("emails/invitation-subject.txt", context).strip()
    body = render_to_string("emails/invitation-body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def people_of(organization: Organization):
    """Everyone with a role in the organisation or one of its productions."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(organization=organization).values("user")
    ).order_by("username")


@transaction.atomic
def set_active(user, *, actor, organization: Organization, active: bool):
    """Deactivate (or reactivate) a person of the organisation: sessions and tokens stop working."""
    if user.is_superuser:
        raise ValidationError("Staff superusers are managed in the Django admin.")
    if user.pk == actor.pk and not active:
        raise ValidationError("You cannot deactivate yourself.")
    if not people_of(organization).filter(pk=user.pk).exists():
        raise ValidationError("That person is not in this organisation.")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    trail.record(
        actor=actor,
        action="user.activated" if active else "user.deactivated",
        organization_id=organization.pk,
        target_type="user",
        target_id=str(user.pk),
        changes={"fields": ["is_active"]},
    )
    return user
