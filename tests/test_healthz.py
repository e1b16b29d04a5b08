"""/healthz tells a load balancer whether this process can do its work."""

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_it_says_ok_when_the_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_it_says_503_when_the_broker_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }


@pytest.mark.django_db
def test_it_says_503_when_the_embedded_broker_folder_is_gone(client, tmp_path, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
def test_it_is_not_cached_and_needs_no_login(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
