"""Weak passwords are refused wherever a password is chosen: change, reset, and a new user."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

TOO_SHORT = "Short-pass1"  # 11 characters
COMMON = "password1234"
NUMERIC = "839201746512"


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        (TOO_SHORT, "at least 12 characters"),
        (COMMON, "too common"),
        (NUMERIC, "entirely numeric"),
        ("pat@example.com", "too similar"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(cast, weak, reason):
    client = Client()
    client.force_login(cast.pat)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    cast.pat.refresh_from_db()
    assert cast.pat.check_password(PASSWORD)


def test_a_twelve_character_password_is_accepted(cast):
    client = Client()
    client.force_login(cast.pat)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "lamp-river-9",
            "new_password2": "lamp-river-9",
        },
    )
    assert response.status_code == 302
    cast.pat.refresh_from_db()
    assert cast.pat.check_password("lamp-river-9")


def test_a_weak_password_is_refused_on_reset(cast):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "pat@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": COMMON, "new_password2": COMMON}
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    cast.pat.refresh_from_db()
    assert cast.pat.check_password(PASSWORD)


def test_a_weak_password_is_refused_for_a_new_user_over_the_api(api, cast):
    response = api.as_user(cast.cam).post(
        "/api/v1/users/",
        {
            "email": "newcomer@example.com",
            "password": TOO_SHORT,
            "organization": cast.northlight.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "at least 12 characters" in str(response.json())
    assert not get_user_model().objects.filter(email="newcomer@example.com").exists()
