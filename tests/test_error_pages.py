"""Error pages speak to people and keep the site's layout and headers."""

import pytest


@pytest.mark.django_db
def test_a_missing_page_says_so_in_plain_words(client, cast):
    client.force_login(cast.olga)
    response = client.get(f"/productions/{cast.production_a.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "not shared with you" in html
    assert "Studio Tracker" in html


@pytest.mark.django_db
def test_a_forbidden_action_explains_and_changes_nothing(client, cast):
    client.force_login(cast.uma)
    response = client.get(f"/productions/{cast.production_a.pk}/edit/")
    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()
