"""Repeated failed sign-ins lock out the username (from any address) and the address (for any
username), on the login page and the token endpoint alike, until the cool-off or staff unlock."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT


def page_login(username, password, ip, client=None):
    return (client or Client()).post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def token_login(username, password, ip):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_the_login_page_locks_a_username_out_whatever_the_address(cast):
    answers = [page_login("pat", "wrong", f"10.0.0.{n}").status_code for n in range(1, LIMIT)]
    assert answers == [200] * (LIMIT - 1)  # the form again, with its error
    locked = page_login("pat", "wrong", "10.0.0.99")
    assert locked.status_code == 429
    # The right password from yet another address does not get in either.
    refused = page_login("pat", PASSWORD, "10.0.1.1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in Client().session
    # Someone else, from a fresh address, is not affected.
    assert page_login("cora", PASSWORD, "10.0.2.1").status_code == 302


def test_the_login_page_locks_an_address_out_whatever_the_username(cast):
    for name in ("pat", "cora"):
        assert page_login(name, "wrong", "203.0.113.7").status_code == 200
    assert page_login("nobody", "wrong", "203.0.113.7").status_code == 429
    # The right password of a user nobody guessed at, from that address: still locked.
    assert page_login("cam", PASSWORD, "203.0.113.7").status_code == 429
    # The same user from another address gets in.
    assert page_login("cam", PASSWORD, "198.51.100.1").status_code == 302


def test_the_lockout_page_says_when_to_try_again_and_whom_to_ask(cast, settings):
    for n in range(LIMIT):
        response = page_login("pat", "wrong", f"10.0.0.{n}")
    html = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Sign-in locked</h1>" in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in html
    assert "administrator" in html
    assert response["Retry-After"] == str(minutes * 60)
    assert 'href="/static/css/app.css"' in html  # the site's own look, not a bare text reply


def test_the_token_endpoint_locks_a_username_out_whatever_the_address(cast):
    answers = [token_login("pat", "wrong", f"10.1.0.{n}").status_code for n in range(1, LIMIT)]
    assert answers == [401] * (LIMIT - 1)
    locked = token_login("pat", "wrong", "10.1.0.99")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]
    refused = token_login("pat", PASSWORD, "10.1.1.1")
    assert refused.status_code == 429
    assert "token" not in refused.json()
    assert refused["Content-Type"] == "application/json"
    assert token_login("cora", PASSWORD, "10.1.2.1").status_code == 201


def test_the_token_endpoint_locks_an_address_out_whatever_the_username(cast):
    for name in ("pat", "cora"):
        assert token_login(name, "wrong", "203.0.113.8").status_code == 401
    assert token_login("nobody", "wrong", "203.0.113.8").status_code == 429
    assert token_login("cam", PASSWORD, "203.0.113.8").status_code == 429
    assert token_login("cam", PASSWORD, "198.51.100.2").status_code == 201


def test_failures_on_the_page_and_the_api_add_up(cast):
    page_login("pat", "wrong", "10.2.0.1")
    token_login("pat", "wrong", "10.2.0.2")
    assert token_login("pat", "wrong", "10.2.0.3").status_code == 429
    assert page_login("pat", PASSWORD, "10.2.0.4").status_code == 429


def test_a_successful_login_clears_earlier_failures(cast):
    for _ in range(LIMIT - 1):
        page_login("pat", "wrong", "10.3.0.1")
    assert page_login("pat", PASSWORD, "10.3.0.1").status_code == 302
    # A fresh allowance: the next mistake does not lock the account.
    assert page_login("pat", "wrong", "10.3.0.1").status_code == 200


def test_staff_unlock_a_user_in_the_admin_and_the_user_gets_in_again(cast, django_user_model):
    for n in range(LIMIT):
        token_login("pat", "wrong", f"10.4.0.{n}")
    assert page_login("pat", PASSWORD, "10.4.1.1").status_code == 429

    staff = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.force_login(staff)
    changelist = admin.get("/admin/accounts/user/")
    assert "Unlock sign-in" in changelist.content.decode()
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "unlock_sign_in", "_selected_action": [cast.pat.pk]},
        follow=True,
    )
    assert "Sign-in unlocked for 1 user(s)" in response.content.decode()

    assert page_login("pat", PASSWORD, "10.4.1.1").status_code == 302


def test_staff_unlock_an_address_by_deleting_its_access_attempts(cast, django_user_model):
    for name in ("pat", "cora", "uma"):
        page_login(name, "wrong", "203.0.113.9")
    assert page_login("cam", PASSWORD, "203.0.113.9").status_code == 429

    staff = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.force_login(staff)
    attempts = list(AccessAttempt.objects.filter(ip_address="203.0.113.9"))
    assert attempts
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "203.0.113.9" in listing.content.decode()
    admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()
    assert page_login("cam", PASSWORD, "203.0.113.9").status_code == 302


def test_lockout_can_be_switched_off(cast, settings):
    settings.AXES_ENABLED = False
    for _ in range(LIMIT + 2):
        assert token_login("pat", "wrong", "10.5.0.1").status_code == 401
    assert token_login("pat", PASSWORD, "10.5.0.1").status_code == 201
    assert not AccessAttempt.objects.exists()


def test_behind_the_tls_proxy_the_address_it_appended_counts_not_a_forged_one(cast, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for n, name in enumerate(("pat", "cora", "uma")):
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"username": name, "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.9.9.9",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.50",  # forged entry, real client
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}
