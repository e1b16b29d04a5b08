"""The API describes itself: a valid OpenAPI schema, Swagger UI and ReDoc from local assets."""

import pytest
from django.core.management import call_command
from django.test import override_settings


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in [
        "/api/v1/shots/",
        "/api/v1/auth/token/",
        "/api/v1/audit-events/",
        "/api/v1/memberships/{id}/",
    ]:
        assert f"{path}:" in text


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_load_local_assets_only(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://" not in html
    assert "<style" not in html
    assert "<script>" not in html


@pytest.mark.django_db
def test_swagger_ui_keeps_the_strict_policy(client):
    policy = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
