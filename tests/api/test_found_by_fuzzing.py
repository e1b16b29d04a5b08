"""What the Schemathesis run found, each pinned by a plain case: the answer must be what the
schema says (status, body, content type), never a 500.

Each case is sent through the same in-process app and validated with Schemathesis' own checks
against the generated schema, so a fix in the view and a fix in the schema are both held.
"""

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from studio_tracker.accounts import tokens
from tests.api.fuzzing import APP, SCHEMA_PATH
from tests.usage.conftest import open_to_union_reps

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, APP)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def call(user, method, path, **parts):
    """Send one request as ``user`` (by token) and validate the answer against the schema."""
    template = parts.pop("template", path)
    operation = schema[template][method]
    _, key = tokens.issue_token(user)
    case = operation.Case(headers={"Authorization": f"Token {key}"}, **parts)
    return case.call_and_validate(checks=CHECKS)


def test_a_union_rep_reads_consents_without_pay_or_document_hashes(cast, evidence):
    open_to_union_reps(cast.production_a)
    response = call(
        cast.uma,
        "GET",
        f"/api/v1/consents/{evidence.consent.pk}/",
        template="/api/v1/consents/{id}/",
        path_parameters={"id": evidence.consent.pk},
    )
    assert response.status_code == 200
    assert "document_sha256" not in response.json()
    assert "compensation_terms" not in response.json()


def test_a_union_rep_reads_uses_without_prompts(cast, evidence):
    open_to_union_reps(cast.production_a)
    response = call(
        cast.uma, "GET", "/api/v1/usage-entries/", query={"production": cast.production_a.pk}
    )
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [evidence.entry.pk]
    assert "prompt_text" not in response.json()["results"][0]


def test_a_distributor_reads_a_shared_production_as_its_title_alone(cast):
    response = call(cast.dina, "GET", "/api/v1/productions/")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": cast.production_a.pk, "organization": cast.northlight.pk, "title": "The Long Night"}
    ]


def test_an_import_whose_file_is_not_a_file_is_a_documented_400(cast):
    response = call(
        cast.pat,
        "POST",
        f"/api/v1/productions/{cast.production_a.pk}/imports/",
        template="/api/v1/productions/{production_pk}/imports/",
        path_parameters={"production_pk": cast.production_a.pk},
        body={"file": "HH:MM:SS:FF", "kind": "shots"},
        media_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_api_url_no_route_matches_answers_404_in_json(api, cast):
    response = api.as_user(cast.pat).get("/api/v1/shots/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_filters_that_call_a_method_of_their_filterset_answer(cast, evidence):
    """`?production=` on performers and `?modality=` on tools are method filters: a FilterSet
    copy that kept the method bound to the class's filter answered 500."""
    response = call(
        cast.pat, "GET", "/api/v1/performers/", query={"production": cast.production_a.pk}
    )
    assert [p["id"] for p in response.json()["results"]] == [evidence.performer.pk]
    response = call(cast.pat, "GET", "/api/v1/tools/", query={"modality": "video"})
    assert response.status_code == 200
