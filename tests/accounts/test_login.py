"""A person logs in, out, changes and resets their password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpRequest
from django.test import Client

PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user("ada", email="ada@example.com", password=PASSWORD)


def test_pages_behind_login_send_a_visitor_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_a_user_logs_in_with_the_right_password(client, ada):
    response = client.post(
        "/accounts/login/", {"username": "ada", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome, ada" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_username(client, ada):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html
    assert 'value="ada"' in html


def test_logging_out_ends_the_session(client, ada):
    client.force_login(ada)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_changing_the_password_ends_the_other_sessions_but_keeps_this_one(ada):
    laptop, phone = Client(), Client()
    laptop.force_login(ada)
    phone.force_login(ada)
    response = laptop.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, ada):
    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body
    ).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "brand-new-phrase-1", "new_password2": "brand-new-phrase-1"}
    )

    # django-axes wants the request that a login comes with.
    assert Client().login(request=HttpRequest(), username="ada", password="brand-new-phrase-1")
    assert not Client().login(request=HttpRequest(), username="ada", password=PASSWORD)
    # The link works once only.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(
        "/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []
