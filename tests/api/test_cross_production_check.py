"""The fuzz run's cross-production check has teeth: it names what a user may not read."""

import pytest

from tests.api.fuzzing import Reader, trespasses

pytestmark = pytest.mark.django_db


def test_another_productions_shot_in_a_list_is_named(cast):
    pat = Reader.of(cast.pat, "producer", token="")
    body = {"results": [{"id": cast.shot_a.pk, "production": cast.production_a.pk}]}
    assert trespasses(pat, "/api/v1/shots/", body) == []
    body["results"].append({"id": cast.shot_c.pk, "production": cast.production_c.pk})
    assert trespasses(pat, "/api/v1/shots/", body) == [
        f"Shot {cast.shot_c.pk} of production {cast.production_c.pk}",
        f"Production {cast.production_c.pk} of production {cast.production_c.pk}",
    ]


def test_a_reference_inside_an_object_is_traced_to_its_production(cast):
    uma = Reader.of(cast.uma, "union rep", token="")
    entry = {"id": 10**9, "shot": cast.shot_b.pk}  # an id no row has: only the shot is traced
    assert trespasses(uma, "/api/v1/usage-entries/", {"results": [entry]}) == [
        f"Shot {cast.shot_b.pk} of production {cast.production_b.pk}"
    ]


def test_a_distributor_sees_titles_and_nothing_of_the_structure(cast):
    dina = Reader.of(cast.dina, "distributor", token="")
    title = {"id": cast.production_a.pk, "organization": cast.northlight.pk, "title": "A"}
    assert trespasses(dina, "/api/v1/productions/", {"results": [title]}) == []
    assert trespasses(dina, "/api/v1/productions/", {"results": [{**title, "guilds": []}]})
    shot = {"id": cast.shot_a.pk, "production": cast.production_a.pk}
    assert trespasses(dina, f"/api/v1/shots/{cast.shot_a.pk}/", shot) == [
        f"shots object {cast.shot_a.pk}"
    ]


def test_a_union_rep_is_never_shown_a_draft_report(cast):
    ugo = Reader.of(cast.ugo, "union rep", token="")
    assert trespasses(ugo, "/api/v1/reports/", {"results": [{"id": 1, "status": "compiled"}]})
    assert not trespasses(ugo, "/api/v1/reports/", {"results": [{"id": 1, "status": "approved"}]})
