"""Each role against each production endpoint: allowed and forbidden paths alike.

404 when the user may not read the object, 403 when they may read but not act (DESIGN.md).
"""

import pytest

from studio_tracker.productions.models import Shot

pytestmark = pytest.mark.django_db

ROLES = ["cora", "pat", "cam", "uma", "ugo", "dina", "olga"]


def status_for(expected: dict, name: str) -> int:
    return expected[name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 200),
        ("ugo", 404),
        ("dina", 200),
        ("olga", 404),
    ],
)
def test_reading_production_a(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).get(f"/api/v1/productions/{cast.production_a.pk}/")
    assert response.status_code == expected


def test_a_distributor_sees_only_the_title_of_a_shared_production(api, cast):
    body = api.as_user(cast.dina).get(f"/api/v1/productions/{cast.production_a.pk}/").json()
    assert body == {
        "id": cast.production_a.pk,
        "organization": cast.northlight.pk,
        "title": "The Long Night",
    }


def test_members_see_the_full_production(api, cast):
    body = api.as_user(cast.cora).get(f"/api/v1/productions/{cast.production_a.pk}/").json()
    assert body["guilds"] == ["sag_aftra", "wga"]
    assert body["territories"] == ["US", "FR"]
    assert body["kind"] == "feature"


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        ("cora", {"The Long Night"}),
        ("pat", {"The Long Night"}),
        ("cam", {"The Long Night", "Harbour Lights"}),
        ("uma", {"The Long Night"}),
        ("ugo", {"Harbour Lights"}),
        ("dina", {"The Long Night"}),
        ("olga", {"Far Shore"}),
    ],
)
def test_the_production_list_holds_only_what_the_user_may_see(api, cast, name, visible):
    body = api.as_user(getattr(cast, name)).get("/api/v1/productions/").json()
    assert {row["title"] for row in body["results"]} == visible


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 200),
        ("cam", 200),
        ("uma", 403),
        ("ugo", 404),
        ("dina", 403),
        ("olga", 404),
    ],
)
def test_editing_production_a(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).patch(
        f"/api/v1/productions/{cast.production_a.pk}/",
        {"title": "The Longest Night"},
        format="json",
    )
    assert response.status_code == expected
    cast.production_a.refresh_from_db()
    assert (cast.production_a.title == "The Longest Night") == (expected == 200)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 403),
        ("cam", 201),
        ("uma", 403),
        ("ugo", 403),
        ("dina", 403),
        ("olga", 403),
    ],
)
def test_creating_a_production_in_northlight(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).post(
        "/api/v1/productions/",
        {
            "organization": cast.northlight.pk,
            "title": "New Dawn",
            "kind": "series",
            "guilds": ["sag_aftra"],
        },
        format="json",
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 200),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_reading_a_shot_of_production_a(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).get(f"/api/v1/shots/{cast.shot_a.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 403),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_editing_a_shot_of_production_a(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"description": "Wide, night exterior"}, format="json"
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 204),
        ("cam", 204),
        ("uma", 403),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_deleting_a_shot_of_production_a(api, cast, name, expected):
    response = api.as_user(getattr(cast, name)).delete(f"/api/v1/shots/{cast.shot_a.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 201),
        ("pat", 201),
        ("cam", 201),
        ("uma", 403),
        ("ugo", 400),
        ("dina", 400),
        ("olga", 400),
    ],
)
def test_adding_a_shot_to_production_a(api, cast, name, expected):
    """Someone who cannot see the production gets the same answer as for an id never used."""
    response = api.as_user(getattr(cast, name)).post(
        "/api/v1/shots/",
        {
            "production": cast.production_a.pk,
            "code": "LN_SQ020_SH0010",
            "frame_in": 1001,
            "frame_out": 1100,
        },
        format="json",
    )
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["frames"] == 100
    if expected == 400:
        never_used = api.post(
            "/api/v1/shots/", {"production": 999999, "code": "X"}, format="json"
        ).json()
        assert str(response.json()).replace(str(cast.production_a.pk), "ID") == str(
            never_used
        ).replace("999999", "ID")


@pytest.mark.parametrize("name", ROLES)
def test_the_shot_list_holds_only_shots_the_user_may_see(api, cast, name):
    user = getattr(cast, name)
    codes = {row["code"] for row in api.as_user(user).get("/api/v1/shots/").json()["results"]}
    expected = {
        "cora": {"LN_SQ010_SH0010"},
        "pat": {"LN_SQ010_SH0010"},
        "cam": {"LN_SQ010_SH0010", "HL_SQ010_SH0010"},
        "uma": {"LN_SQ010_SH0010"},
        "ugo": {"HL_SQ010_SH0010"},
        "dina": set(),
        "olga": {"FS_SQ010_SH0010"},
    }[name]
    assert codes == expected


def test_filtering_by_another_productions_id_answers_an_empty_list(api, cast):
    body = api.as_user(cast.olga).get(f"/api/v1/shots/?production={cast.production_a.pk}").json()
    assert body["results"] == []


def test_an_anonymous_request_is_401(api, cast):
    assert api.get("/api/v1/productions/").status_code in (401, 403)
    response = api.get("/api/v1/shots/")
    assert response.json()["detail"]


def test_put_does_not_exist(api, cast):
    response = api.as_user(cast.pat).put(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"code": "X"}, format="json"
    )
    assert response.status_code == 405


def test_bad_input_is_a_400_with_errors_per_field(api, cast):
    response = api.as_user(cast.cora).post(
        "/api/v1/shots/",
        {"production": cast.production_a.pk, "code": "", "record_in": "25:99:00:00"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "code" in errors


def test_a_shot_code_is_unique_in_its_production(api, cast):
    response = api.as_user(cast.cora).post(
        "/api/v1/shots/",
        {"production": cast.production_a.pk, "code": "LN_SQ010_SH0010"},
        format="json",
    )
    assert response.status_code == 400
    assert "production, code must make a unique set" in str(response.json())
    assert Shot.objects.filter(production=cast.production_a, code="LN_SQ010_SH0010").count() == 1


def test_timecodes_are_checked_by_the_domain(api, cast):
    response = api.as_user(cast.cora).patch(
        f"/api/v1/shots/{cast.shot_a.pk}/", {"record_in": "01:00:00:99x"}, format="json"
    )
    assert response.status_code == 400
    assert "record_in" in response.json()
