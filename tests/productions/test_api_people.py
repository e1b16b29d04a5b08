"""Memberships, users, organisations and audit events over the API, per role."""

import pytest
from django.core import mail
from django.http import HttpRequest

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions.models import Membership

pytestmark = pytest.mark.django_db


def test_a_compliance_admin_assigns_a_union_rep_and_the_rep_then_reads_the_production(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/memberships/",
        {"user": cast.ugo.pk, "production": cast.production_a.pk, "role": "union_rep"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["organization"] == cast.northlight.pk
    api.force_authenticate(cast.ugo)
    assert api.get(f"/api/v1/productions/{cast.production_a.pk}/").status_code == 200
    assert (
        api.patch(
            f"/api/v1/shots/{cast.shot_a.pk}/", {"description": "x"}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("name", "expected"), [("pat", 403), ("cora", 403), ("uma", 403), ("olga", 400)]
)
def test_only_compliance_admins_manage_memberships(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).post(
        "/api/v1/memberships/",
        {"user": cast.olga.pk, "production": cast.production_a.pk, "role": "coordinator"},
        format="json",
    )
    assert response.status_code == expected
    assert not Membership.objects.filter(user=cast.olga, production=cast.production_a).exists()


def test_a_compliance_admin_makes_another_compliance_admin(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/memberships/",
        {"user": cast.pat.pk, "organization": cast.northlight.pk, "role": "compliance_admin"},
        format="json",
    )
    assert response.status_code == 201
    api.force_authenticate(cast.pat)
    assert api.get(f"/api/v1/productions/{cast.production_b.pk}/").status_code == 200


def test_a_role_held_twice_is_refused_with_a_message(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/memberships/",
        {"user": cast.pat.pk, "production": cast.production_a.pk, "role": "coordinator"},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "sees_a_members"),
    [("pat", True), ("cam", True), ("cora", False), ("uma", False), ("olga", False)],
)
def test_producers_read_their_productions_memberships(api, cast, name, sees_a_members):
    user = getattr(cast, name)
    rows = api.as_user(user).get("/api/v1/memberships/").json()["results"]
    users_seen = {row["user"] for row in rows}
    assert (cast.dina.pk in users_seen) == sees_a_members
    assert user.pk in users_seen  # everyone sees their own


def test_removing_a_membership_closes_the_production(api, cast):
    membership = Membership.objects.get(user=cast.uma, production=cast.production_a)
    assert api.as_user(cast.pat).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 403
    assert api.as_user(cast.cam).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    api.force_authenticate(cast.uma)
    assert api.get(f"/api/v1/productions/{cast.production_a.pk}/").status_code == 404


def test_a_compliance_admin_invites_a_user_by_email(api, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.cam).post(
            "/api/v1/users/",
            {
                "email": "newbie@example.com",
                "first_name": "New",
                "organization": cast.northlight.pk,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="user.invited")
    assert "newbie" not in str(event.changes)  # no personal data in the chain


def test_a_user_can_be_created_with_a_password(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/users/",
        {
            "email": "direct@example.com",
            "password": "a-long-pass-phrase-3",
            "organization": cast.northlight.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert mail.outbox == []
    # django-axes (sign-in lockout) wants the request that a login comes with.
    assert api.login(
        request=HttpRequest(), username="direct@example.com", password="a-long-pass-phrase-3"
    )


@pytest.mark.parametrize("name", ["pat", "cora", "uma", "olga"])
def test_only_compliance_admins_add_people(api, cast, name):
    response = api.as_user(getattr(cast, name)).post(
        "/api/v1/users/",
        {"email": "x@example.com", "organization": cast.northlight.pk},
        format="json",
    )
    assert response.status_code == 403


def test_users_are_scoped(api, cast):
    seen_by_olga = {
        row["username"] for row in api.as_user(cast.olga).get("/api/v1/users/").json()["results"]
    }
    assert seen_by_olga == {"olga"}
    seen_by_cam = {
        row["username"] for row in api.as_user(cast.cam).get("/api/v1/users/").json()["results"]
    }
    assert {"cora", "pat", "uma", "ugo", "dina", "cam"} <= seen_by_cam
    assert "olga" not in seen_by_cam
    assert api.as_user(cast.olga).get(f"/api/v1/users/{cast.pat.pk}/").status_code == 404


def test_organizations_are_scoped_and_only_staff_create_them(api, cast):
    names = [
        row["name"]
        for row in api.as_user(cast.olga).get("/api/v1/organizations/").json()["results"]
    ]
    assert names == ["Elsewhere Films"]
    response = api.as_user(cast.cam).post(
        "/api/v1/organizations/", {"name": "X", "slug": "x"}, format="json"
    )
    assert response.status_code == 403
    cast.cam.is_staff = True
    cast.cam.save()
    response = api.as_user(cast.cam).post(
        "/api/v1/organizations/", {"name": "X", "slug": "x"}, format="json"
    )
    assert response.status_code == 201


def test_audit_events_are_scoped_per_role(api, cast):
    api.as_user(cast.cora).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"description": "rain"}, format="json"
    )

    def productions_seen(user):
        rows = api.as_user(user).get("/api/v1/audit-events/").json()["results"]
        return {row["production"] for row in rows}

    assert productions_seen(cast.cam) >= {cast.production_a.pk, cast.production_b.pk}
    assert cast.production_c.pk not in productions_seen(cast.cam)
    assert productions_seen(cast.pat) == {cast.production_a.pk}
    assert productions_seen(cast.cora) == {cast.production_a.pk}
    assert productions_seen(cast.uma) == set()
    assert productions_seen(cast.dina) == set()
    assert productions_seen(cast.olga) == {cast.production_c.pk}


def test_an_edit_is_an_audit_event_with_before_and_after(api, cast):
    api.as_user(cast.cora).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"description": "rain"}, format="json"
    )
    rows = api.get(
        f"/api/v1/audit-events/?production={cast.production_a.pk}&action=shot.updated"
    ).json()["results"]
    assert len(rows) == 1
    assert rows[0]["changes"] == {"description": ["", "rain"]}
    assert rows[0]["actor"] == cast.cora.pk
    assert rows[0]["target_label"] == "LN_SQ010_SH0010"


def test_every_write_bumps_the_change_counter(api, cast):
    production = cast.production_a
    production.refresh_from_db()
    before = production.change_counter
    api.as_user(cast.cora).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"description": "rain"}, format="json"
    )
    api.post("/api/v1/shots/", {"production": production.pk, "code": "LN_X"}, format="json")
    api.as_user(cast.pat).patch(
        f"/api/v1/productions/{production.pk}/", {"commissioner": "netflix"}, format="json"
    )
    production.refresh_from_db()
    assert production.change_counter == before + 3


def test_an_edit_that_changes_nothing_writes_nothing(api, cast):
    count = lambda: AuditEvent.objects.count()  # noqa: E731
    before = count()
    api.as_user(cast.cora).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"code": "LN_SQ010_SH0010"}, format="json"
    )
    assert count() == before


def test_a_new_organisation_starts_its_audit_chain(api, cast):
    cast.cam.is_staff = True
    cast.cam.save()
    response = api.as_user(cast.cam).post(
        "/api/v1/organizations/", {"name": "Nova", "slug": "nova"}, format="json"
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(
        action="organization.created", organization_id=response.json()["id"]
    )
    assert (event.seq, event.actor_id) == (1, cast.cam.pk)
