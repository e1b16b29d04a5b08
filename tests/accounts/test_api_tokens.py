"""API tokens: obtained with a password, expire, are listed and revoked, and die with the password."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from studio_tracker.accounts.models import ApiToken
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def obtain(username, password=PASSWORD):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_obtained_with_the_password_and_opens_the_api(cast):
    response = obtain("pat")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("st_")
    assert body["expires"]
    productions = with_token(body["token"]).get("/api/v1/productions/")
    assert productions.status_code == 200
    assert [row["title"] for row in productions.json()["results"]] == ["The Long Night"]


def test_only_the_hash_of_a_token_is_stored(cast):
    key = obtain("pat").json()["token"]
    stored = ApiToken.objects.get(user=cast.pat)
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.prefix == key[:10]


def test_a_wrong_password_gets_no_token(cast):
    response = obtain("pat", "wrong")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert not ApiToken.objects.exists()


def test_an_unknown_token_is_refused(cast):
    assert with_token("st_not-a-real-token").get("/api/v1/productions/").status_code == 401


def test_a_token_expires(cast):
    key = obtain("pat").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_token(key).get("/api/v1/productions/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_user_lists_their_own_tokens_and_revokes_one(cast):
    first = obtain("pat").json()
    second = obtain("pat").json()
    obtain("cora")
    client = with_token(first["token"])
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert {row["id"] for row in listed} == {first["id"], second["id"]}
    assert all("token" not in row for row in listed)

    assert client.delete(f"/api/v1/auth/tokens/{second['id']}/").status_code == 204
    assert with_token(second["token"]).get("/api/v1/productions/").status_code == 401
    assert client.get("/api/v1/productions/").status_code == 200


def test_nobody_revokes_someone_elses_token(cast):
    pats = obtain("pat").json()
    coras = obtain("cora").json()
    assert (
        with_token(coras["token"]).delete(f"/api/v1/auth/tokens/{pats['id']}/").status_code == 404
    )
    assert with_token(pats["token"]).get("/api/v1/productions/").status_code == 200


def test_a_password_change_ends_every_token(cast):
    key = obtain("pat").json()["token"]
    cast.pat.set_password("a-new-pass-phrase-2")
    cast.pat.save()
    assert with_token(key).get("/api/v1/productions/").status_code == 401


def test_a_password_change_in_the_browser_ends_every_token(cast, client):
    key = obtain("pat").json()["token"]
    client.force_login(cast.pat)
    client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-pass-phrase-2",
            "new_password2": "a-new-pass-phrase-2",
        },
    )
    assert with_token(key).get("/api/v1/productions/").status_code == 401


def test_deactivation_ends_every_token(cast):
    key = obtain("pat").json()["token"]
    cast.pat.is_active = False
    cast.pat.save()
    assert with_token(key).get("/api/v1/productions/").status_code == 401
    assert obtain("pat").status_code in (401, 403)


def test_obtaining_tokens_is_throttled(cast, settings):
    responses = [obtain("pat", "wrong").status_code for _ in range(12)]
    assert responses[-1] == 429
