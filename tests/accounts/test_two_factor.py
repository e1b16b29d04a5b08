"""A user sets up an authenticator app, then logs in (page and API) with its code, and removes it."""

import re
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.accounts.totp import enrol, next_code, wrong_code
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_code_throttle(settings):
    # django-otp makes a device wait 2^n seconds after n wrong codes; these tests type the right
    # code straight after a wrong one. The lockout (counted by django-axes) stays on.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.AXES_ENABLED = True


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def password_step(client, username="pat", password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def test_a_user_sets_up_an_app_by_scanning_the_qr_code_and_typing_a_code(cast):
    client = Client()
    client.force_login(cast.pat)
    page = client.get("/accounts/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in html
    qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', html)
    assert qr, "the QR code is an inline SVG image"
    device = TOTPDevice.objects.get(user=cast.pat)
    assert not device.confirmed
    # The typed key is the device's secret.
    typed = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert b32decode(typed.replace(" ", "") + "=" * (-len(typed.replace(" ", "")) % 8)) == (
        device.bin_key
    )
    # A reload shows the same device (the code already scanned keeps working).
    client.get("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=cast.pat).count() == 1

    wrong = client.post("/accounts/two-factor/", {"code": wrong_code(device)})
    assert "That code is wrong" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    confirmed = client.post("/accounts/two-factor/", {"code": next_code(device)}, follow=True)
    html = confirmed.content.decode()
    assert "Two-factor sign-in is on" in html
    assert "Remove the authenticator app" in html
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_the_setup_page_keeps_to_the_content_security_policy(cast):
    client = Client()
    client.force_login(cast.pat)
    response = client.get("/accounts/two-factor/")
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html


def test_login_asks_for_the_code_after_the_password(cast):
    device = enrol(cast.pat)
    client = Client()
    response = password_step(client, next_url="/productions/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert not logged_in_as(client), "the password alone does not log in"
    assert client.get("/productions/")["Location"].startswith("/accounts/login/")

    form = client.get("/accounts/login/code/")
    assert "Enter your code" in form.content.decode()
    done = client.post("/accounts/login/code/", {"code": next_code(device)})
    assert done.status_code == 302
    assert done["Location"] == "/productions/"
    assert logged_in_as(client) == str(cast.pat.pk)
    assert client.get("/productions/").status_code == 200


def test_a_wrong_code_is_refused_and_counts_toward_the_lockout(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = enrol(cast.pat)
    client = Client()
    password_step(client)
    refused = client.post("/accounts/login/code/", {"code": wrong_code(device)})
    assert refused.status_code == 200
    assert "That code is wrong or has expired" in refused.content.decode()
    assert not logged_in_as(client)
    assert AccessAttempt.objects.get(username="pat").failures_since_start == 1

    client.post("/accounts/login/code/", {"code": wrong_code(device)})
    locked = client.post("/accounts/login/code/", {"code": wrong_code(device)})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    # Even the right password and code now wait for the cool-off.
    fresh = Client()
    assert password_step(fresh).status_code == 429
    assert not logged_in_as(fresh)


def test_the_code_step_needs_a_recent_password_step(cast):
    enrol(cast.pat)
    client = Client()
    response = client.get("/accounts/login/code/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Please log in again" in response.content.decode()


def test_a_code_is_used_once(cast):
    device = enrol(cast.pat)
    first = Client()
    password_step(first)
    code = next_code(device)
    first.post("/accounts/login/code/", {"code": code})
    assert logged_in_as(first)
    replay = Client()
    password_step(replay)
    assert (
        "That code is wrong"
        in replay.post("/accounts/login/code/", {"code": code}).content.decode()
    )
    assert not logged_in_as(replay)


def test_users_without_an_app_log_in_with_the_password_alone(cast):
    client = Client()
    response = password_step(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == str(cast.pat.pk)


def obtain(username="pat", password=PASSWORD, **extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )


def test_the_token_endpoint_wants_the_code_in_otp(cast):
    device = enrol(cast.pat)
    missing = obtain()
    assert missing.status_code == 400
    assert "two-factor" in missing.json()["otp"][0]
    wrong = obtain(otp=wrong_code(device))
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Wrong or expired two-factor code."
    assert AccessAttempt.objects.get(username="pat").failures_since_start == 1
    right = obtain(otp=next_code(device))
    assert right.status_code == 201
    assert right.json()["token"].startswith("st_")


def test_a_wrong_password_with_a_right_code_gets_nothing(cast):
    device = enrol(cast.pat)
    response = obtain(password="wrong", otp=next_code(device))
    assert response.status_code == 401
    assert "password" in response.json()["detail"]


def test_wrong_codes_on_the_token_endpoint_lock_out(cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    device = enrol(cast.pat)
    assert obtain(otp=wrong_code(device)).status_code == 401
    locked = obtain(otp=wrong_code(device))
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]
    assert obtain(otp=next_code(device)).status_code == 429


def test_removing_the_app_needs_the_password(cast):
    enrol(cast.pat)
    client = Client()
    client.force_login(cast.pat)
    refused = client.post("/accounts/two-factor/remove/", {"password": "wrong"})
    assert refused.status_code == 400
    assert "That is not your password" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=cast.pat).exists()

    removed = client.post("/accounts/two-factor/remove/", {"password": PASSWORD}, follow=True)
    assert "Authenticator app removed" in removed.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.pat, confirmed=True).exists()
    assert obtain().status_code == 201  # the password alone is enough again


def test_the_admin_login_does_not_skip_the_code(cast, django_user_model):
    staff = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    device = enrol(staff)
    client = Client()
    refused = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert refused.status_code == 200
    assert "This account uses two-factor sign-in" in refused.content.decode()
    assert not logged_in_as(client)
    # Through the site's login, with the code, the admin opens.
    password_step(client, username="root", next_url="/admin/")
    client.post("/accounts/login/code/", {"code": next_code(device)})
    assert client.get("/admin/").status_code == 200
