"""List endpoints answer in a fixed number of queries, however many rows they return."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.productions import changes

pytestmark = pytest.mark.django_db


def queries_for(api, user, url) -> int:
    api.as_user(user)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def add_shots(production, count, start):
    for number in range(start, start + count):
        changes.create_shot(actor=None, production=production, code=f"LN_SQ900_SH{number:04d}")


@pytest.mark.parametrize(
    "url",
    ["/api/v1/shots/", "/api/v1/productions/", "/api/v1/memberships/", "/api/v1/audit-events/"],
)
def test_lists_do_not_query_per_row(api, cast, url):
    add_shots(cast.production_a, 10, 0)
    few = queries_for(api, cast.cam, url)
    add_shots(cast.production_a, 30, 100)
    for number in range(5):
        changes.create_production(actor=None, organization=cast.northlight, title=f"Extra {number}")
    assert queries_for(api, cast.cam, url) == few


def test_shots_page_by_cursor_in_code_order(api, cast):
    add_shots(cast.production_a, 25, 0)
    api.as_user(cast.cora)
    codes = []
    url = f"/api/v1/shots/?production={cast.production_a.pk}&page_size=10"
    while url:
        body = api.get(url).json()
        codes += [row["code"] for row in body["results"]]
        url = body["next"]
    assert len(codes) == 26
    assert codes == sorted(codes)
