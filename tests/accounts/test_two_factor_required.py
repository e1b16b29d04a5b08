"""An organisation requires two factors of its compliance admins: the switch flags them, and a
flagged user without an authenticator app can only set one up (pages, API session, tokens)."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import people
from studio_tracker.productions.models import Membership
from tests.accounts.totp import enrol, log_in_with_code, next_code
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def flag_of(user) -> bool:
    user.refresh_from_db(fields=["must_use_two_factor"])
    return user.must_use_two_factor


def switch(cast, required: bool, *, as_user=None):
    client = Client()
    log_in_with_code(client, as_user or cast.cam)
    return client.post(
        f"/organizations/{cast.northlight.pk}/two-factor/", {"required": "1" if required else "0"}
    )


def test_a_compliance_admin_turns_the_requirement_on_from_the_people_page(cast):
    client = Client()
    client.force_login(cast.cam)
    page = client.get(f"/organizations/{cast.northlight.pk}/people/").content.decode()
    assert "Require two-factor sign-in for compliance admins" in page

    response = switch(cast, True)
    assert response.status_code == 302
    cast.northlight.refresh_from_db()
    assert cast.northlight.require_two_factor
    assert flag_of(cast.cam)
    assert not any(flag_of(user) for user in (cast.pat, cast.cora, cast.uma, cast.olga))

    events = AuditEvent.objects.filter(organization_id=cast.northlight.pk).order_by("seq")
    switched = events.get(action="organization.updated", target_id=str(cast.northlight.pk))
    assert switched.changes == {"require_two_factor": [False, True]}
    flagged = events.get(action="user.two_factor_required")
    assert flagged.target_id == str(cast.cam.pk)
    assert flagged.changes == {"fields": ["must_use_two_factor"]}


def test_turning_it_off_lifts_the_flag(cast):
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=True)
    switch(cast, False)
    cast.northlight.refresh_from_db()
    assert not cast.northlight.require_two_factor
    assert not flag_of(cast.cam)
    assert AuditEvent.objects.filter(action="user.two_factor_lifted").count() == 1


def test_an_admin_of_another_organisation_that_requires_it_keeps_the_flag(cast):
    people.add_membership(
        actor=None,
        user=cast.cam,
        role=Membership.Role.COMPLIANCE_ADMIN,
        organization=cast.elsewhere,
    )
    people.set_two_factor_requirement(cast.elsewhere, actor=None, required=True)
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=True)
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=False)
    assert flag_of(cast.cam)


def test_granting_and_removing_the_role_keeps_the_flag_right(cast):
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=True)
    client = Client()
    log_in_with_code(client, cast.cam)

    url = f"/organizations/{cast.northlight.pk}/people/{cast.pat.pk}/compliance-admin/"
    client.post(url, {"grant": "1"})
    assert flag_of(cast.pat)
    client.post(url, {"grant": "0"})
    assert not flag_of(cast.pat)
    assert list(
        AuditEvent.objects.filter(target_id=str(cast.pat.pk), action__startswith="user.two_factor")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["user.two_factor_required", "user.two_factor_lifted"]


@pytest.mark.parametrize(("name", "status"), [("pat", 403), ("olga", 404)])
def test_only_the_organisations_compliance_admins_flip_the_switch(cast, name, status):
    response = switch(cast, True, as_user=getattr(cast, name))
    assert response.status_code == status
    cast.northlight.refresh_from_db()
    assert not cast.northlight.require_two_factor


@pytest.fixture
def required(cast):
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=True)
    cast.cam.refresh_from_db()
    return cast


def test_after_login_a_flagged_user_without_an_app_is_sent_to_set_one_up(required):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "cam", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/"
    html = response.content.decode()
    assert "Your organisation requires two-factor sign-in" in html
    for path in ("/productions/", f"/organizations/{required.northlight.pk}/people/", "/"):
        assert client.get(path)["Location"] == "/accounts/two-factor/", path
    api = client.get("/api/v1/productions/")
    assert api.status_code == 403
    assert "authenticator app" in api.json()["detail"]
    # Logging out still works.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_once_enrolled_the_flagged_user_carries_on(required):
    client = Client()
    client.post("/accounts/login/", {"username": "cam", "password": PASSWORD})
    client.get("/accounts/two-factor/")
    device = required.cam.totpdevice_set.get()
    client.post("/accounts/two-factor/", {"code": next_code(device)})
    assert client.get("/productions/").status_code == 200
    assert client.get("/api/v1/productions/").status_code == 200


def test_a_session_that_never_gave_a_code_ends_when_two_factors_are_required(required):
    enrol(required.cam)
    client = Client()
    client.force_login(required.cam)  # a session from before the app or the requirement
    response = client.get("/productions/")
    assert response["Location"] == "/accounts/login/?next=/productions/"
    assert "_auth_user_id" not in client.session


def obtain(**extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": "cam", "password": PASSWORD, **extra}, format="json"
    )


def test_the_token_endpoint_refuses_a_flagged_user_without_an_app(required):
    response = obtain()
    assert response.status_code == 403
    assert "set up an authenticator app" in response.json()["detail"]


def test_a_token_from_before_the_requirement_stops_working_until_enrolment(cast):
    key = obtain().json()["token"]
    people.set_two_factor_requirement(cast.northlight, actor=cast.cam, required=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = api.get("/api/v1/productions/")
    assert refused.status_code == 401
    assert "two-factor" in refused.json()["detail"]
    enrol(cast.cam)
    assert api.get("/api/v1/productions/").status_code == 200


def test_a_flagged_user_with_an_app_gets_a_token_with_the_code(required):
    device = enrol(required.cam)
    assert obtain().status_code == 400
    assert obtain(otp=next_code(device)).status_code == 201


def test_the_people_page_shows_who_signs_in_with_two_factors(required):
    enrol(required.pat)
    client = Client()
    log_in_with_code(client, required.cam)
    html = client.get(f"/organizations/{required.northlight.pk}/people/").content.decode()
    rows = {
        name: re.search(rf"{name}@example.com.*?</tr>", html, re.S).group(0)
        for name in ("cam", "pat", "cora")
    }
    assert "Two-factor" in rows["cam"] and "Two-factor" in rows["pat"]
    assert "Two-factor" not in rows["cora"]
    assert "Stop requiring two-factor sign-in" in html
