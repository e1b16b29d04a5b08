"""HTML pages: productions, their episodes, sequences and shots, their members, and the people of
an organisation.

Each view is a short sequence: find the object through ``access`` (404 when the user may not read
it, 403 when they may read it but not act), validate with a form, write through ``changes`` or
``people`` (which record the audit events), then redirect with a message.
"""

import copy
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from studio_tracker.accounts import two_factor

from . import access, changes, people
from .forms import (
    EpisodeForm,
    InviteForm,
    MembershipForm,
    ProductionForm,
    SequenceForm,
    ShotFilterForm,
    ShotForm,
    person_label,
)
from .models import Episode, Guild, Membership, Organization, Production, Sequence, Shot

PAGE_SIZE = 50
Role = Membership.Role


def _page(request, items, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_string(request, keys) -> str:
    """The current filters, without the page number, for the pagination links."""
    params = QueryDict(mutable=True)
    for key in keys:
        value = request.GET.get(key, "").strip()
        if value:
            params[key] = value
    return params.urlencode()


def _add_domain_errors(form, error: ValidationError) -> None:
    """Show a domain function's ValidationError beside the fields it names (else above them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _role_label(rights: access.ProductionRights) -> str:
    return Role(rights.role).label.lower() if rights.role else ""


# --- Productions ------------------------------------------------------------------------------


@login_required
def production_list(request):
    productions = Production.objects.visible_to(request.user).select_related("organization")
    page_obj = _page(request, productions.order_by("title", "id"))
    for production in page_obj:
        production.rights = access.rights_in(request.user, production)
        production.role_label = Role(production.rights.role).label
    return render(
        request,
        "productions/production_list.html",
        {
            "page_obj": page_obj,
            "organizations": list(access.administered_organizations(request.user)),
            "query_string": "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def production_create(request):
    organizations = list(access.administered_organizations(request.user))
    access.require(bool(organizations), "Only compliance admins create productions.")
    form = ProductionForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations,
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization", None) or organizations[0]
        try:
            production = changes.create_production(
                actor=request.user, organization=organization, **data
            )
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(request, f"Created {production.title}. Add its episodes and shots.")
            return redirect("productions:detail", production.pk)
    return render(
        request,
        "productions/production_form.html",
        {"form": form, "production": None, "organizations": organizations},
    )


@login_required
@require_http_methods(["GET", "POST"])
def production_edit(request, pk: int):
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.edit_production, "Only producers and compliance admins edit this.")
    form = ProductionForm(
        request.POST if request.method == "POST" else None, instance=copy.copy(production)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes.update_production(production, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            _saved_message(request, form, f"Saved {production.title}.")
            return redirect("productions:detail", production.pk)
    return render(
        request, "productions/production_form.html", {"form": form, "production": production}
    )


def _saved_message(request, form, text: str) -> None:
    if form.has_changed():
        messages.success(request, text)
    else:
        messages.info(request, "Nothing changed.")


SHOT_FILTERS = ("code", "episode", "sequence")


@login_required
def production_detail(
    request,
    pk: int,
    *,
    template: str = "productions/production_detail.html",
    extra_context=None,
):
    """The production's page: details, episodes, sequences and the filtered shot list.

    A higher app (dashboards) shows it as the production's home: it passes a template that
    extends this one and ``extra_context(request, production, rights)``, called once the user's
    rights are known, so this app need not import it.
    """
    production, rights = access.get_production_for_user(request.user, pk)
    if not rights.read_structure:
        # A distributor: the title of a production shared with them, nothing else.
        return render(request, "productions/production_title_only.html", {"production": production})
    episodes = list(production.episodes.all())
    sequences = list(production.sequences.select_related("episode"))
    filters = ShotFilterForm(request.GET, episodes=episodes, sequences=sequences)
    shots = production.shots.select_related("episode", "sequence").order_by("code", "id")
    filters.is_valid()  # a stale episode or sequence id drops that filter, not the others
    wanted = filters.cleaned_data
    if wanted.get("code"):
        shots = shots.filter(code__icontains=wanted["code"])
    if wanted.get("episode"):
        shots = shots.filter(episode_id=wanted["episode"])
    if wanted.get("sequence"):
        shots = shots.filter(sequence_id=wanted["sequence"])
    context = {
        "production": production,
        "rights": rights,
        "role_label": _role_label(rights),
        "guilds": [Guild(g).label for g in production.guilds if g in Guild.values],
        "episodes": episodes,
        "sequences": sequences,
        "filters": filters,
        "filtered": any(request.GET.get(key) for key in SHOT_FILTERS),
        "page_obj": _page(request, shots),
        "query_string": _query_string(request, SHOT_FILTERS),
    }
    if extra_context is not None:
        context.update(extra_context(request, production, rights))
    return render(request, template, context)


# --- Episodes, sequences and shots ------------------------------------------------------------


@dataclass(frozen=True)
class StructureKind:
    """What the create, edit and delete pages need to know about one kind of object."""

    model: type
    form: type
    create: Any
    update: Any
    delete: Any
    noun: str
    delete_note: str = ""


STRUCTURE = {
    "episode": StructureKind(
        Episode,
        EpisodeForm,
        changes.create_episode,
        changes.update_episode,
        changes.delete_episode,
        "episode",
        "Its sequences are deleted too; its shots stay in the production, without an episode.",
    ),
    "sequence": StructureKind(
        Sequence,
        SequenceForm,
        changes.create_sequence,
        changes.update_sequence,
        changes.delete_sequence,
        "sequence",
        "Its shots stay in the production, without a sequence.",
    ),
    "shot": StructureKind(
        Shot,
        ShotForm,
        changes.create_shot,
        changes.update_shot,
        changes.delete_shot,
        "shot",
    ),
}


def _structure_object(production: Production, kind: StructureKind, object_pk: int):
    # Looked up only after the rights check, so a 403 never confirms that the object exists.
    instance = get_object_or_404(kind.model, production=production, pk=object_pk)
    instance.production = production
    return instance


@login_required
@require_http_methods(["GET", "POST"])
def structure_create(request, pk: int, kind: str):
    kind = STRUCTURE[kind]
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.edit_structure, f"You may not add a {kind.noun} to this production.")
    form = kind.form(request.POST if request.method == "POST" else None, production=production)
    if request.method == "POST" and form.is_valid():
        try:
            instance = kind.create(actor=request.user, production=production, **form.cleaned_data)
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(request, f"Added {kind.noun} {instance.code}.")
            if "add_another" in request.POST:
                return redirect(f"productions:{kind.noun}_create", production.pk)
            return redirect("productions:detail", production.pk)
    return render(
        request,
        "productions/structure_form.html",
        {"form": form, "production": production, "kind": kind, "instance": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_edit(request, pk: int, kind: str, object_pk: int):
    kind = STRUCTURE[kind]
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.edit_structure, f"You may not edit this production's {kind.noun}s.")
    instance = _structure_object(production, kind, object_pk)
    form = kind.form(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(instance),
        production=production,
    )
    if request.method == "POST" and form.is_valid():
        try:
            kind.update(instance, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            _saved_message(request, form, f"Saved {kind.noun} {instance.code}.")
            return redirect("productions:detail", production.pk)
    return render(
        request,
        "productions/structure_form.html",
        {
            "form": form,
            "production": production,
            "kind": kind,
            "instance": instance,
            "may_delete": rights.delete_structure,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_delete(request, pk: int, kind: str, object_pk: int):
    kind = STRUCTURE[kind]
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.delete_structure, "Only producers and compliance admins delete.")
    instance = _structure_object(production, kind, object_pk)
    if request.method == "POST":
        kind.delete(instance, actor=request.user)
        messages.success(request, f"Deleted {kind.noun} {instance.code}.")
        return redirect("productions:detail", production.pk)
    return render(
        request,
        "productions/confirm_delete.html",
        {"production": production, "kind": kind, "instance": instance},
    )


# --- Members of a production ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def members(request, pk: int):
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.read_memberships, "Only producers and compliance admins see members.")
    form = None
    if rights.manage_memberships:
        form = MembershipForm(
            request.POST if request.method == "POST" else None, production=production
        )
    elif request.method == "POST":
        access.require(False, "Only compliance admins manage members.")
    if form is not None and form.is_bound and form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            people.add_membership(actor=request.user, user=user, role=role, production=production)
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(
                request, f"{person_label(user)} is now {Role(role).label.lower()} here."
            )
            return redirect("productions:members", production.pk)
    memberships = production.memberships.select_related("user").order_by(
        "role", "user__username", "id"
    )
    return render(
        request,
        "productions/members.html",
        {
            "production": production,
            "rights": rights,
            "form": form,
            "page_obj": _page(request, memberships),
            "query_string": "",
        },
    )


@login_required
@require_POST
def member_remove(request, pk: int, membership_pk: int):
    production, rights = access.get_production_for_user(request.user, pk)
    access.require(rights.manage_memberships, "Only compliance admins manage members.")
    membership = get_object_or_404(
        Membership.objects.select_related("user"), production=production, pk=membership_pk
    )
    people.remove_membership(membership, actor=request.user)
    messages.success(
        request,
        f"{person_label(membership.user)} is no longer {membership.get_role_display().lower()} "
        "here.",
    )
    return redirect("productions:members", production.pk)


# --- People of an organisation ----------------------------------------------------------------


def _organization_for_admin(user, pk: int) -> Organization:
    """The organisation, for its compliance admins: 404 to outsiders, 403 to its other people."""
    organization = Organization.objects.filter(pk=pk).first()
    roles = access.roles_of(user)
    if organization is None or not (roles.is_superuser or pk in roles.member_organizations):
        raise Http404("No such organisation.")
    access.require(
        access.is_compliance_admin(user, organization), "Only compliance admins manage people."
    )
    return organization


def _person_of(organization: Organization, user_pk: int):
    return get_object_or_404(people.people_of(organization), pk=user_pk)


@login_required
@require_http_methods(["GET", "POST"])
def organization_people(request, pk: int):
    organization = _organization_for_admin(request.user, pk)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.add_person(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("productions:people", organization.pk)
    people_in_org = two_factor.annotate_has_device(people.people_of(organization))
    people_in_org = people_in_org.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(organization=organization)
            .select_related("production")
            .order_by("production__title", "role"),
            to_attr="roles_here",
        )
    )
    page_obj = _page(request, people_in_org)
    for person in page_obj:
        person.is_compliance_admin = any(
            m.role == Role.COMPLIANCE_ADMIN and m.production_id is None for m in person.roles_here
        )
    return render(
        request,
        "productions/people.html",
        {
            "organization": organization,
            "form": form,
            "page_obj": page_obj,
            "query_string": "",
        },
    )


@login_required
@require_POST
def person_set_active(request, pk: int, user_pk: int):
    organization = _organization_for_admin(request.user, pk)
    person = _person_of(organization, user_pk)
    active = request.POST.get("active") == "1"
    try:
        people.set_active(person, actor=request.user, organization=organization, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{person_label(person)} can log in again."
            if active
            else f"{person_label(person)} is deactivated: they can no longer log in and their "
            "API tokens stop working.",
        )
    return redirect("productions:people", organization.pk)


@login_required
@require_POST
def organization_two_factor(request, pk: int):
    """Turn the organisation's two-factor requirement for compliance admins on or off."""
    organization = _organization_for_admin(request.user, pk)
    required = request.POST.get("required") == "1"
    people.set_two_factor_requirement(organization, actor=request.user, required=required)
    messages.success(
        request,
        "Compliance admins must now sign in with an authenticator app code; those without one "
        "set it up at their next page."
        if required
        else "Two-factor sign-in is no longer required (those who set it up keep using it).",
    )
    return redirect("productions:people", organization.pk)


@login_required
@require_POST
def person_compliance_admin(request, pk: int, user_pk: int):
    organization = _organization_for_admin(request.user, pk)
    person = _person_of(organization, user_pk)
    held = Membership.objects.filter(
        user=person, organization=organization, production=None, role=Role.COMPLIANCE_ADMIN
    ).first()
    if request.POST.get("grant") == "1":
        if held is None:
            people.add_membership(
                actor=request.user,
                user=person,
                role=Role.COMPLIANCE_ADMIN,
                organization=organization,
            )
        messages.success(request, f"{person_label(person)} is now a compliance admin.")
    elif person.pk == request.user.pk:
        # Leaving would lock the last admin out as easily as anyone: another admin does it.
        messages.error(request, "Ask another compliance admin to remove your own role.")
    else:
        if held is not None:
            people.remove_membership(held, actor=request.user)
        messages.success(request, f"{person_label(person)} is no longer a compliance admin.")
    return redirect("productions:people", organization.pk)
