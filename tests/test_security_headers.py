"""Every page carries the security headers, logged in or not."""

import pytest
from django.contrib.auth import get_user_model

PUBLIC_PAGES = ["/accounts/login/", "/accounts/password/reset/", "/healthz", "/no-such-page/"]
PRIVATE_PAGES = ["/", "/accounts/password/"]


def assert_secure_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_security_headers(client, path):
    assert_secure_headers(client.get(path))


@pytest.mark.django_db
@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_pages_behind_login_carry_the_security_headers(client, path):
    user = get_user_model().objects.create_user("ada", password="a-long-pass-phrase")
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert_secure_headers(response)


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client):
    user = get_user_model().objects.create_user("ada", password="a-long-pass-phrase")
    client.force_login(user)
    for path in ["/", "/accounts/login/"]:
        html = client.get(path).content.decode()
        assert "<script>" not in html
        assert "<style" not in html
        assert " style=" not in html
        assert " onclick=" not in html


@pytest.mark.django_db
def test_the_session_cookie_is_http_only_and_same_site(client):
    get_user_model().objects.create_user("ada", password="a-long-pass-phrase")
    response = client.post(
        "/accounts/login/", {"username": "ada", "password": "a-long-pass-phrase"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_make_cookies_secure_and_send_hsts(tmp_path):
    from tests.test_settings import run_django

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = run_django(
        ["-c", script],
        {
            "DEBUG": "false",
            "SECRET_KEY": "k" * 60,
            "DJANGO_SETTINGS_MODULE": "studio_tracker.settings",
        },
        tmp_path,
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr
