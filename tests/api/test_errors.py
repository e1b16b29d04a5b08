"""Every API error is a JSON object with DESIGN.md's status: ``{"detail": …}`` or messages per
field, never a bare list, an HTML page or a 500."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import override_settings
from rest_framework.exceptions import ValidationError

from studio_tracker.lib.errors import StateConflict, api_exception_handler


def test_a_domain_validation_error_without_fields_is_one_detail_sentence():
    response = api_exception_handler(
        DjangoValidationError(["The shot is locked.", "Unlock it first."]), {}
    )
    assert response.status_code == 400
    assert response.data == {"detail": "The shot is locked. Unlock it first."}


def test_a_domain_validation_error_per_field_keeps_its_fields():
    response = api_exception_handler(DjangoValidationError({"code": ["Taken."]}), {})
    assert response.status_code == 400
    assert response.data == {"code": ["Taken."]}


def test_a_bare_list_of_messages_becomes_a_detail():
    response = api_exception_handler(ValidationError("Use confirm or dismiss."), {})
    assert response.data == {"detail": "Use confirm or dismiss."}


def test_a_state_conflict_is_409():
    response = api_exception_handler(StateConflict("Submitted already."), {})
    assert (response.status_code, response.data) == (409, {"detail": "Submitted already."})


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413_in_json(api, cast):
    response = api.as_user(cast.pat).post(
        "/api/v1/consents/", {"use_description": "x" * 5000}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404_and_a_page_url_the_sites_page(api, client, cast):
    response = api.as_user(cast.pat).get("/api/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
