"""The API is DESIGN.md's contract, all of it and nothing else, as the generated schema tells it.

The contract table is held here as data: a path DESIGN.md lists is served with exactly its
methods; paths later issues added are listed apart, each with the reason; anything else (a PUT,
a DELETE on consents) fails the test. The schema is generated from the URL configuration, so it
lists what the router really serves; a few requests confirm that.
"""

import re

import django_filters
import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.pagination import CursorPagination

API = "/api/v1/"

# DESIGN.md, "API contract": path -> methods.
CONTRACT = {
    "auth/token/": {"post"},
    "auth/tokens/": {"get"},
    "auth/tokens/{}/": {"delete"},
    "organizations/": {"get", "post"},
    "users/": {"get", "post"},
    "memberships/": {"get", "post"},
    "memberships/{}/": {"delete"},
    "productions/": {"get", "post"},
    "productions/{}/": {"get", "patch"},
    "episodes/": {"get", "post"},
    "episodes/{}/": {"get", "patch", "delete"},
    "sequences/": {"get", "post"},
    "sequences/{}/": {"get", "patch", "delete"},
    "shots/": {"get", "post"},
    "shots/{}/": {"get", "patch", "delete"},
    "productions/{}/imports/": {"get", "post"},
    "imports/{}/": {"get"},
    "imports/{}/apply/": {"post"},
    "tools/": {"get", "post"},
    "tools/{}/": {"get", "patch"},
    "performers/": {"get", "post"},
    "performers/{}/": {"get", "patch"},
    "consents/": {"get", "post"},
    "consents/{}/": {"get", "patch"},
    "clearances/": {"get", "post"},
    "clearances/{}/": {"get", "patch"},
    "usage-entries/": {"get", "post"},
    "usage-entries/{}/": {"get", "patch", "delete"},
    "reports/": {"get", "post"},
    "reports/{}/": {"get"},
    "reports/{}/retry/": {"post"},
    "reports/{}/submit/": {"post"},
    "reports/{}/approve/": {"post"},
    "reports/{}/request-changes/": {"post"},
    "reports/{}/findings/": {"get"},
    "reports/{}/download/": {"get"},
    "reports/{}/audit-findings/": {"get", "post"},
    "reports/{}/audit-findings/{}/": {"get", "patch"},
    "credits/": {"get"},
    "credits/{}/": {"get"},
    "credits/{}/download/": {"get"},
    "credits/verify/": {"post"},
    "audit-events/": {"get"},
}

# Read-only or action endpoints later issues added beyond DESIGN.md's table, with the reason.
EXTENSIONS = {
    "organizations/{}/": ({"get"}, "one organisation, as the list shows it"),
    "users/{}/": ({"get"}, "one person, as the list shows them"),
    "imports/{}/suggestions/{}/": ({"post"}, "confirm or dismiss an import's suggestion"),
    "reports/review-queue/": ({"get"}, "the review queue, oldest submission first"),
    "reports/{}/decisions/": ({"get"}, "the review decisions binding a version's digest"),
    "performers/{}/erase/": ({"post"}, "erase a performer's personal data"),
    "performers/{}/personal-data/": ({"get"}, "a performer's personal data, for a request"),
}

# DESIGN.md's filters, per list: each one a declared filter of an explicit FilterSet.
FILTERS = {
    "productions/": {"organization"},
    "episodes/": {"production", "code"},
    "sequences/": {"production", "episode", "code"},
    "shots/": {"production", "episode", "sequence", "code"},
    "tools/": {"modality", "status"},
    "performers/": {"production"},
    "consents/": {"production", "performer"},
    "clearances/": {"production"},
    "usage-entries/": {"production", "shot", "category", "department", "tool", "disposition"},
    "reports/": {"production", "status"},
    "credits/": {"production"},
}

# Big lists page by cursor, ordered by (field, id) so a page boundary never repeats or skips.
CURSOR_LISTS = ["usage-entries/", "shots/", "audit-events/"]

# DESIGN.md, "Field names": the fields each resource's JSON always has.
FIELDS = {
    "Production": "id organization title kind is_factual guilds territories commissioner "
    "frame_rate release_date principal_photography_start",
    "Episode": "id production code title",
    "Sequence": "id production episode code title",
    "Shot": "id production episode sequence code description record_in record_out source_in "
    "source_out frame_in frame_out frames reel vendor",
    "Tool": "id name vendor modalities kind training_data_claim indemnity trains_on_inputs "
    "emits_c2pa status",
    "Performer": "id organization legal_name professional_name category union is_deceased is_minor",
    "Consent": "id performer production consent_type granted_by use_description "
    "is_separate_document in_standard_terms clear_and_conspicuous_attested episodes media "
    "territories languages notice_given_at services_at engaged_less_than_48h signed_at "
    "valid_from valid_until revoked_at",
    "Clearance": "id production kind party date note usage_entries",
    "UsageEntry": "id production episode shot department category modality tool tool_version "
    "generation_kind disposition description human_contribution depicts_real_person "
    "depicts_real_place_or_event realism replica_kind performance_altered alteration_purpose "
    "synthetic_replaces_performer prompt_names_performer prompt_uses_facial_feature language "
    "performers iptc_source_type used_on external_ref",
    "Import": "id production kind format status created updated unchanged changes errors "
    "suggestions",
    "Report": "id production episode version status stale superseded_by digest counts findings "
    "findings_count findings_url progress",
    "AuditFinding": "id report category severity description status response",
    "CreditPackage": "id report production digest formats",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def served(schema) -> dict[str, set[str]]:
    """Path template (parameters as {}) -> methods, for everything under /api/v1/."""
    operations = {}
    for path, item in schema["paths"].items():
        key = re.sub(r"\{[^}]+\}", "{}", path.removeprefix(API))
        methods = {m for m in item if m in ("get", "post", "put", "patch", "delete")}
        operations.setdefault(key, set()).update(methods)
    return operations


def test_every_contract_path_is_served_with_exactly_its_methods(schema):
    operations = served(schema)
    for path, methods in CONTRACT.items():
        assert operations.get(path) == methods, f"{path}: {operations.get(path)} != {methods}"


def test_nothing_is_served_beyond_the_contract_and_its_listed_extensions(schema):
    allowed = {**CONTRACT, **{path: methods for path, (methods, _) in EXTENSIONS.items()}}
    extra = {
        path: methods - allowed.get(path, set())
        for path, methods in served(schema).items()
        if methods - allowed.get(path, set())
    }
    assert extra == {}


def test_no_put_anywhere_and_no_delete_of_evidence(schema):
    operations = served(schema)
    assert not [path for path, methods in operations.items() if "put" in methods]
    for path in ["consents/{}/", "clearances/{}/", "performers/{}/", "productions/{}/"]:
        assert "delete" not in operations[path]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "shots/1/"),
        ("put", "usage-entries/1/"),
        ("delete", "consents/1/"),
        ("delete", "reports/1/"),
        ("post", "audit-events/"),
    ],
)
def test_a_method_outside_the_contract_answers_405_in_json(api, cast, method, path):
    response = getattr(api.as_user(cast.pat), method)(API + path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def _view_class(path: str):
    return resolve(API + path.replace("{}", "1")).func.cls


@pytest.mark.parametrize("path", sorted(FILTERS))
def test_lists_filter_through_an_explicit_filterset_with_designs_filters(schema, path):
    filterset = _view_class(path).filterset_class
    assert issubclass(filterset, django_filters.FilterSet)
    assert FILTERS[path] <= set(filterset.base_filters)
    documented = {p["name"] for p in schema["paths"][API + path]["get"].get("parameters", [])}
    assert FILTERS[path] <= documented


@pytest.mark.parametrize("path", CURSOR_LISTS)
def test_big_lists_page_by_cursor_ordered_down_to_the_id(schema, path):
    paginator = _view_class(path).pagination_class
    assert issubclass(paginator, CursorPagination)
    ordering = [paginator.ordering] if isinstance(paginator.ordering, str) else paginator.ordering
    assert ordering[-1].lstrip("-") == "id"
    parameters = {p["name"] for p in schema["paths"][API + path]["get"]["parameters"]}
    assert "cursor" in parameters
    assert "page" not in parameters


@pytest.mark.parametrize("component", sorted(FIELDS))
def test_each_resource_has_designs_field_names(schema, component):
    properties = schema["components"]["schemas"][component]["properties"]
    assert set(FIELDS[component].split()) <= set(properties)


def test_every_operation_documents_its_success_and_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "delete"):
                continue
            codes = set(operation["responses"])
            success = {c for c in codes if c.startswith("2")}
            assert success, f"{method} {path} documents no success"
            assert "404" in codes or "{" not in path, f"{method} {path} without 404"
            if method in ("post", "patch"):
                assert "400" in codes, f"{method} {path} without 400"
            if method != "get" and "{" in path and path != API + "credits/verify/":
                assert {"403", "409"} <= codes, f"{method} {path} without 403/409"
            for code in codes - success:
                content = operation["responses"][code].get("content", {})
                assert "application/json" in content, f"{method} {path} {code} is not JSON"


def test_enumerations_are_listed_in_the_schema(schema):
    enums = schema["components"]["schemas"]
    assert enums["ProductionKindEnum"]["enum"] == [
        "feature",
        "series",
        "limited",
        "documentary",
        "commercial",
        "game_cinematic",
        "short",
    ]
    assert "trainedAlgorithmicMedia" in str(schema["components"]["schemas"]["UsageEntry"])
