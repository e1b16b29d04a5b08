"""The production pages, role by role: who sees what, who may change what, and that every form
saves through the domain functions (the row changes and an audit event is written).

404 when the user may not read the object, 403 when they may read it but not act (DESIGN.md).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes, people
from studio_tracker.productions.forms import ShotForm
from studio_tracker.productions.models import Episode, Membership, Production, Sequence, Shot

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# --- My productions ---------------------------------------------------------------------------


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
def test_my_productions_lists_only_the_productions_the_user_may_see(client, cast, name, visible):
    response = as_user(client, getattr(cast, name)).get("/productions/")
    assert response.status_code == 200
    shown = {
        title
        for title in ("The Long Night", "Harbour Lights", "Far Shore")
        if title in html(response)
    }
    assert shown == visible


def test_my_productions_shows_the_users_role_in_each(client, cast):
    page = html(as_user(client, cast.uma).get("/productions/"))
    assert "Union rep" in page


def test_a_distributor_sees_only_the_title_in_the_list(client, cast):
    page = html(as_user(client, cast.dina).get("/productions/"))
    assert "The Long Night" in page
    assert "Feature film" not in page
    assert "Title only" in page


def test_only_compliance_admins_get_the_new_production_button(client, cast):
    assert "New production" in html(as_user(client, cast.cam).get("/productions/"))
    assert "New production" not in html(as_user(client, cast.pat).get("/productions/"))


def test_someone_on_no_production_is_told_what_to_do(client, cast):
    loner = get_user_model().objects.create_user("loner", password="x-long-pass-phrase")
    page = html(as_user(client, loner).get("/productions/"))
    assert "You are not on any production yet" in page
    assert "Ask them to add you" in page


def test_the_production_pages_send_a_visitor_to_the_login_page(client, cast):
    response = client.get(f"/productions/{cast.production_a.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_takes_members_to_their_productions(client, cast):
    response = as_user(client, cast.cora).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/productions/"


def test_the_navigation_offers_people_to_compliance_admins_only(client, cast):
    page = html(as_user(client, cast.cam).get("/productions/"))
    assert f'href="/organizations/{cast.northlight.pk}/people/"' in page
    assert re.search(r'href="/productions/"\s+aria-current="page"', page)
    assert "/people/" not in html(as_user(client, cast.pat).get("/productions/"))


# --- The production page ----------------------------------------------------------------------


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
def test_the_production_page_answers_each_role(client, cast, name, expected):
    response = as_user(client, getattr(cast, name)).get(f"/productions/{cast.production_a.pk}/")
    assert response.status_code == expected


def test_the_production_page_shows_the_details_and_the_shots(client, cast):
    changes.update_production(
        cast.production_a,
        actor=None,
        commissioner="netflix",
        shot_code_pattern=r"^LN_",
        release_date="2026-09-01",
    )
    page = html(as_user(client, cast.cora).get(f"/productions/{cast.production_a.pk}/"))
    for text in ("SAG-AFTRA, WGA", "US, FR", "netflix", "1 September 2026", "24 fps", "^LN_"):
        assert text in page
    assert cast.shot_a.code in page


def test_a_distributor_sees_the_title_and_no_shot_codes(client, cast):
    page = html(as_user(client, cast.dina).get(f"/productions/{cast.production_a.pk}/"))
    assert "The Long Night" in page
    assert cast.shot_a.code not in page
    assert "SAG-AFTRA" not in page
    assert "/edit/" not in page


def test_a_union_rep_reads_the_shots_without_any_edit_link(client, cast):
    page = html(as_user(client, cast.uma).get(f"/productions/{cast.production_a.pk}/"))
    assert cast.shot_a.code in page
    assert "/edit/" not in page
    assert "/new/" not in page
    assert "/members/" not in page


def test_a_coordinator_gets_add_and_edit_links_but_no_delete_links(client, cast):
    page = html(as_user(client, cast.cora).get(f"/productions/{cast.production_a.pk}/"))
    assert f"/shots/{cast.shot_a.pk}/edit/" in page
    assert f"/productions/{cast.production_a.pk}/shots/new/" in page
    assert "/delete/" not in page
    assert f"/productions/{cast.production_a.pk}/edit/" not in page


def test_a_producer_gets_edit_delete_and_members_links(client, cast):
    page = html(as_user(client, cast.pat).get(f"/productions/{cast.production_a.pk}/"))
    assert f"/shots/{cast.shot_a.pk}/delete/" in page
    assert f"/productions/{cast.production_a.pk}/edit/" in page
    assert f"/productions/{cast.production_a.pk}/members/" in page


def make_shots(production, count: int, *, start: int = 0, **fields):
    for number in range(start, start + count):
        changes.create_shot(
            actor=None, production=production, code=f"LN_SQ020_SH{number:04d}", **fields
        )


def test_shots_are_paginated_fifty_to_a_page_and_the_links_keep_the_filter(client, cast):
    make_shots(cast.production_a, 60)
    client = as_user(client, cast.cora)
    page = html(client.get(f"/productions/{cast.production_a.pk}/?code=SQ020"))
    assert page.count("<code>LN_SQ020_SH") == 50
    assert "?code=SQ020&amp;page=2" in page
    second = html(client.get(f"/productions/{cast.production_a.pk}/?code=SQ020&page=2"))
    assert second.count("<code>LN_SQ020_SH") == 10


def test_shots_are_filtered_by_code_episode_and_sequence(client, cast):
    production = cast.production_a
    episode = changes.create_episode(actor=None, production=production, code="EP101")
    sequence = changes.create_sequence(
        actor=None, production=production, episode=episode, code="SQ030"
    )
    changes.create_shot(
        actor=None,
        production=production,
        code="EP101_SQ030_SH0010",
        episode=episode,
        sequence=sequence,
    )
    changes.create_shot(actor=None, production=production, code="LN_SQ040_SH0010")
    client = as_user(client, cast.cora)
    url = f"/productions/{production.pk}/"

    by_code = html(client.get(url, {"code": "sq040"}))
    assert "LN_SQ040_SH0010" in by_code
    assert "EP101_SQ030_SH0010" not in by_code
    by_episode = html(client.get(url, {"episode": episode.pk}))
    assert "EP101_SQ030_SH0010" in by_episode
    assert "LN_SQ040_SH0010" not in by_episode
    by_sequence = html(client.get(url, {"sequence": sequence.pk}))
    assert "EP101_SQ030_SH0010" in by_sequence
    assert cast.shot_a.code not in by_sequence
    assert "No shots match these filters" in html(client.get(url, {"code": "nothing-like-it"}))


def test_the_shot_list_makes_the_same_number_of_queries_for_10_and_40_shots(client, cast):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="EP101")
    sequence = changes.create_sequence(
        actor=None, production=cast.production_a, episode=episode, code="SQ020"
    )
    client = as_user(client, cast.cora)
    url = f"/productions/{cast.production_a.pk}/"

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make_shots(cast.production_a, 9, episode=episode, sequence=sequence)
    with_ten = queries_for_page()
    make_shots(cast.production_a, 30, start=100, episode=episode, sequence=sequence)
    assert Shot.objects.filter(production=cast.production_a).count() == 40
    assert queries_for_page() == with_ten


# --- Creating and editing productions ---------------------------------------------------------


def production_data(**overrides) -> dict:
    data = {
        "title": "Night Shift",
        "kind": "series",
        "guilds": ["sag_aftra", "iatse"],
        "territories": "gb, fr eu",
        "commissioner": "bbc",
        "frame_rate": "25",
        "release_date": "2027-03-01",
        "principal_photography_start": "2026-06-01",
        "shot_code_pattern": "",
    }
    return {**data, **overrides}


def test_a_compliance_admin_creates_a_production_through_the_form(client, cast):
    response = as_user(client, cast.cam).post("/productions/new/", production_data())
    production = Production.objects.get(title="Night Shift")
    assert response.status_code == 302
    assert response["Location"] == f"/productions/{production.pk}/"
    assert production.organization == cast.northlight
    assert production.guilds == ["sag_aftra", "iatse"]
    assert production.territories == ["GB", "FR", "EU"]
    assert str(production.release_date) == "2027-03-01"
    event = events("production.created").get(production_id=production.pk)
    assert event.actor_id == cast.cam.pk


@pytest.mark.parametrize("name", ["cora", "pat", "uma", "dina", "olga"])
def test_only_compliance_admins_may_create_a_production(client, cast, name):
    client = as_user(client, getattr(cast, name))
    assert client.get("/productions/new/").status_code == 403
    assert client.post("/productions/new/", production_data()).status_code == 403
    assert not Production.objects.filter(title="Night Shift").exists()


def test_a_compliance_admin_of_two_organisations_picks_one(client, cast):
    people.add_membership(
        actor=None,
        user=cast.cam,
        role=Membership.Role.COMPLIANCE_ADMIN,
        organization=cast.elsewhere,
    )
    client = as_user(client, cast.cam)
    assert 'name="organization"' in html(client.get("/productions/new/"))
    missing = client.post("/productions/new/", production_data())
    assert missing.status_code == 200
    assert "This field is required" in html(missing)
    client.post("/productions/new/", production_data(organization=cast.elsewhere.pk))
    assert Production.objects.get(title="Night Shift").organization == cast.elsewhere


def test_an_invalid_production_form_shows_the_error_and_keeps_what_was_typed(client, cast):
    response = as_user(client, cast.cam).post(
        "/productions/new/", production_data(territories="US, USA", shot_code_pattern="([")
    )
    page = html(response)
    assert response.status_code == 200
    assert "Use two-letter ISO 3166 codes" in page
    assert "Not a valid regular expression" in page
    assert 'value="Night Shift"' in page
    assert 'value="bbc"' in page
    assert not Production.objects.filter(title="Night Shift").exists()


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
def test_the_production_edit_page_answers_each_role(client, cast, name, expected):
    client = as_user(client, getattr(cast, name))
    url = f"/productions/{cast.production_a.pk}/edit/"
    assert client.get(url).status_code == expected
    posted = client.post(url, production_data(title="Renamed"))
    assert posted.status_code == (302 if expected == 200 else expected)


def test_a_producer_edits_the_production_and_the_change_is_recorded(client, cast):
    client = as_user(client, cast.pat)
    form = html(client.get(f"/productions/{cast.production_a.pk}/edit/"))
    assert 'value="US, FR"' in form
    response = client.post(
        f"/productions/{cast.production_a.pk}/edit/",
        production_data(title="The Longest Night", territories="US, FR, DE"),
    )
    assert response.status_code == 302
    cast.production_a.refresh_from_db()
    assert cast.production_a.title == "The Longest Night"
    assert cast.production_a.territories == ["US", "FR", "DE"]
    event = events("production.updated").get(production_id=cast.production_a.pk)
    assert event.actor_id == cast.pat.pk
    assert "title" in event.changes


# --- Episodes, sequences and shots ------------------------------------------------------------


def shot_data(**overrides) -> dict:
    data = {
        "code": "LN_SQ010_SH0020",
        "episode": "",
        "sequence": "",
        "description": "Sky replacement",
        "frame_in": "1001",
        "frame_out": "1048",
        "record_in": "01:00:10:00",
        "record_out": "01:00:12:00",
        "source_in": "",
        "source_out": "",
        "reel": "A001",
        "vendor": "Northlight VFX",
    }
    return {**data, **overrides}


def test_a_coordinator_adds_a_shot_and_the_event_is_recorded(client, cast):
    response = as_user(client, cast.cora).post(
        f"/productions/{cast.production_a.pk}/shots/new/", shot_data()
    )
    assert response.status_code == 302
    shot = Shot.objects.get(production=cast.production_a, code="LN_SQ010_SH0020")
    assert shot.frames == 48
    assert shot.vendor == "Northlight VFX"
    event = events("shot.created").get(target_id=str(shot.pk))
    assert event.actor_id == cast.cora.pk
    assert event.production_id == cast.production_a.pk


def test_add_and_add_another_returns_to_an_empty_shot_form(client, cast):
    response = as_user(client, cast.cora).post(
        f"/productions/{cast.production_a.pk}/shots/new/", shot_data(add_another="1")
    )
    assert response["Location"] == f"/productions/{cast.production_a.pk}/shots/new/"


def test_a_duplicate_shot_code_is_refused_beside_the_field_and_the_typing_is_kept(client, cast):
    response = as_user(client, cast.cora).post(
        f"/productions/{cast.production_a.pk}/shots/new/",
        shot_data(code=cast.shot_a.code, description="Crowd extension"),
    )
    page = html(response)
    assert response.status_code == 200
    assert "This production already has a shot with this code." in page
    assert "Crowd extension" in page
    assert 'value="1048"' in page
    assert Shot.objects.filter(production=cast.production_a).count() == 1


def test_a_bad_timecode_and_a_code_outside_the_naming_convention_are_explained(client, cast):
    changes.update_production(
        cast.production_a, actor=None, shot_code_pattern=r"^LN_SQ\d{3}_SH\d{4}$"
    )
    response = as_user(client, cast.cora).post(
        f"/productions/{cast.production_a.pk}/shots/new/",
        shot_data(code="shot-1", record_in="1:00:10"),
    )
    page = html(response)
    assert "Use SMPTE HH:MM:SS:FF" in page
    assert "naming convention" in page
    assert 'value="1:00:10"' in page
    assert 'value="shot-1"' in page


def test_a_shot_cannot_be_put_in_another_productions_episode(client, cast):
    other_episode = changes.create_episode(actor=None, production=cast.production_b, code="EP101")
    response = as_user(client, cast.cam).post(
        f"/productions/{cast.production_a.pk}/shots/new/", shot_data(episode=other_episode.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in html(response)
    assert not Shot.objects.filter(code="LN_SQ010_SH0020").exists()


def test_a_producer_edits_a_shot_and_the_change_is_recorded(client, cast):
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_a.pk}/edit/"
    client = as_user(client, cast.pat)
    assert cast.shot_a.code in html(client.get(url))
    response = client.post(url, shot_data(code=cast.shot_a.code, description="Face replacement"))
    assert response.status_code == 302
    cast.shot_a.refresh_from_db()
    assert cast.shot_a.description == "Face replacement"
    event = events("shot.updated").get(target_id=str(cast.shot_a.pk))
    assert event.actor_id == cast.pat.pk
    assert "description" in event.changes


def test_saving_a_shot_unchanged_writes_no_event(client, cast):
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_a.pk}/edit/"
    unchanged = shot_data(
        code=cast.shot_a.code,
        description="",
        frame_in="",
        frame_out="",
        record_in="",
        record_out="",
        reel="",
        vendor="",
    )
    response = as_user(client, cast.pat).post(url, unchanged, follow=True)
    assert "Nothing changed." in html(response)
    assert not events("shot.updated").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 403),
        ("ugo", 404),
        ("dina", 403),
        ("olga", 404),
    ],
)
def test_the_shot_edit_page_answers_each_role(client, cast, name, expected):
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_a.pk}/edit/"
    client = as_user(client, getattr(cast, name))
    assert client.get(url).status_code == expected
    assert client.get(f"/productions/{cast.production_a.pk}/shots/new/").status_code == expected
    if expected != 200:
        assert client.post(url, shot_data(code="CHANGED")).status_code == expected
        assert not Shot.objects.filter(code="CHANGED").exists()


def test_another_productions_shot_is_not_found_under_this_production(client, cast):
    client = as_user(client, cast.cam)
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_b.pk}/edit/"
    assert client.get(url).status_code == 404
    assert (
        client.get(f"/productions/{cast.production_c.pk}/shots/{cast.shot_c.pk}/edit/").status_code
        == 404
    )


def test_a_distributor_gets_403_for_any_shot_url_so_nothing_is_confirmed(client, cast):
    client = as_user(client, cast.dina)
    assert client.get(f"/productions/{cast.production_a.pk}/shots/999999/edit/").status_code == 403


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
def test_the_shot_delete_page_answers_each_role(client, cast, name, expected):
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_a.pk}/delete/"
    client = as_user(client, getattr(cast, name))
    assert client.get(url).status_code == expected
    if expected != 200:
        assert client.post(url).status_code == expected
        assert Shot.objects.filter(pk=cast.shot_a.pk).exists()


def test_a_producer_deletes_a_shot_after_confirming(client, cast):
    url = f"/productions/{cast.production_a.pk}/shots/{cast.shot_a.pk}/delete/"
    client = as_user(client, cast.pat)
    confirm = html(client.get(url))
    assert f"Delete shot {cast.shot_a.code}?" in confirm
    assert Shot.objects.filter(pk=cast.shot_a.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Shot.objects.filter(pk=cast.shot_a.pk).exists()
    assert events("shot.deleted").get(target_id=str(cast.shot_a.pk)).actor_id == cast.pat.pk


def test_a_coordinator_adds_an_episode_then_a_sequence_in_it(client, cast):
    client = as_user(client, cast.cora)
    base = f"/productions/{cast.production_a.pk}"
    assert (
        client.post(f"{base}/episodes/new/", {"code": "EP101", "title": "Pilot"}).status_code == 302
    )
    episode = Episode.objects.get(production=cast.production_a, code="EP101")
    assert events("episode.created").get(target_id=str(episode.pk)).actor_id == cast.cora.pk
    response = client.post(
        f"{base}/sequences/new/", {"episode": episode.pk, "code": "SQ010", "title": "Opening"}
    )
    assert response.status_code == 302
    sequence = Sequence.objects.get(production=cast.production_a, code="SQ010")
    assert sequence.episode == episode
    assert events("sequence.created").get(target_id=str(sequence.pk)).actor_id == cast.cora.pk
    page = html(client.get(f"{base}/"))
    assert "Pilot" in page
    assert "Opening" in page


def test_episode_and_sequence_codes_must_be_unique_where_they_live(client, cast):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="EP101")
    changes.create_sequence(actor=None, production=cast.production_a, episode=episode, code="SQ010")
    client = as_user(client, cast.cora)
    base = f"/productions/{cast.production_a.pk}"
    duplicate_episode = html(
        client.post(f"{base}/episodes/new/", {"code": "EP101", "title": "Again"})
    )
    assert "already has an episode with this code" in duplicate_episode
    assert 'value="Again"' in duplicate_episode
    duplicate = client.post(f"{base}/sequences/new/", {"episode": episode.pk, "code": "SQ010"})
    assert "This episode already has a sequence with this code." in html(duplicate)
    elsewhere = client.post(f"{base}/sequences/new/", {"episode": "", "code": "SQ010"})
    assert elsewhere.status_code == 302


def test_a_shot_in_a_sequence_of_another_episode_is_refused(client, cast):
    production = cast.production_a
    first = changes.create_episode(actor=None, production=production, code="EP101")
    second = changes.create_episode(actor=None, production=production, code="EP102")
    sequence = changes.create_sequence(
        actor=None, production=production, episode=first, code="SQ010"
    )
    response = as_user(client, cast.cora).post(
        f"/productions/{production.pk}/shots/new/",
        shot_data(episode=second.pk, sequence=sequence.pk),
    )
    assert "That sequence belongs to another episode." in html(response)


def test_editing_and_deleting_an_episode(client, cast):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="EP101")
    base = f"/productions/{cast.production_a.pk}/episodes/{episode.pk}"
    client = as_user(client, cast.cora)
    assert client.post(f"{base}/edit/", {"code": "EP101", "title": "Pilot"}).status_code == 302
    episode.refresh_from_db()
    assert episode.title == "Pilot"
    assert events("episode.updated").filter(target_id=str(episode.pk)).exists()
    assert client.post(f"{base}/delete/").status_code == 403
    client = as_user(client, cast.pat)
    assert "Its sequences are deleted too" in html(client.get(f"{base}/delete/"))
    assert client.post(f"{base}/delete/").status_code == 302
    assert not Episode.objects.filter(pk=episode.pk).exists()
    assert events("episode.deleted").filter(target_id=str(episode.pk)).exists()


def test_editing_and_deleting_a_sequence(client, cast):
    sequence = changes.create_sequence(actor=None, production=cast.production_a, code="SQ010")
    base = f"/productions/{cast.production_a.pk}/sequences/{sequence.pk}"
    client = as_user(client, cast.cam)
    assert client.post(f"{base}/edit/", {"episode": "", "code": "SQ015"}).status_code == 302
    sequence.refresh_from_db()
    assert sequence.code == "SQ015"
    assert client.post(f"{base}/delete/").status_code == 302
    assert events("sequence.deleted").filter(target_id=str(sequence.pk)).exists()


def test_the_shot_form_has_a_field_for_every_field_the_domain_saves():
    assert set(ShotForm._meta.fields) == set(changes.SHOT_FIELDS)


# --- Members of a production ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "may_manage"),
    [
        ("cora", 403, False),
        ("pat", 200, False),
        ("cam", 200, True),
        ("uma", 403, False),
        ("ugo", 404, False),
        ("dina", 403, False),
        ("olga", 404, False),
    ],
)
def test_the_members_page_answers_each_role(client, cast, name, expected, may_manage):
    response = as_user(client, getattr(cast, name)).get(
        f"/productions/{cast.production_a.pk}/members/"
    )
    assert response.status_code == expected
    if expected == 200:
        page = html(response)
        assert "cora@example.com" in page
        assert ("Add member" in page) is may_manage
        assert ("/remove/" in page) is may_manage


def test_a_producer_may_not_add_members(client, cast):
    response = as_user(client, cast.pat).post(
        f"/productions/{cast.production_a.pk}/members/", {"user": cast.ugo.pk, "role": "union_rep"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=cast.ugo, production=cast.production_a).exists()


def test_a_compliance_admin_assigns_a_union_rep_who_then_reads_the_production(client, cast):
    response = as_user(client, cast.cam).post(
        f"/productions/{cast.production_a.pk}/members/",
        {"user": cast.ugo.pk, "role": "union_rep"},
        follow=True,
    )
    assert "is now union rep here" in html(response)
    membership = Membership.objects.get(user=cast.ugo, production=cast.production_a)
    assert membership.role == "union_rep"
    assert events("membership.created").get(target_id=str(membership.pk)).actor_id == cast.cam.pk
    client = as_user(client, cast.ugo)
    assert client.get(f"/productions/{cast.production_a.pk}/").status_code == 200
    assert client.get(f"/productions/{cast.production_a.pk}/edit/").status_code == 403


def test_a_compliance_admin_shares_a_production_with_a_distributor(client, cast):
    as_user(client, cast.cam).post(
        f"/productions/{cast.production_b.pk}/members/",
        {"user": cast.dina.pk, "role": "distributor"},
    )
    page = html(as_user(client, cast.dina).get(f"/productions/{cast.production_b.pk}/"))
    assert "Harbour Lights" in page
    assert cast.shot_b.code not in page


def test_only_people_of_the_organisation_can_be_added(client, cast):
    response = as_user(client, cast.cam).post(
        f"/productions/{cast.production_a.pk}/members/",
        {"user": cast.olga.pk, "role": "coordinator"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in html(response)
    assert "olga@example.com" not in html(response).split("Add a member")[1]
    assert not Membership.objects.filter(user=cast.olga, production=cast.production_a).exists()


def test_a_second_role_in_the_same_production_is_refused_with_a_message(client, cast):
    response = as_user(client, cast.cam).post(
        f"/productions/{cast.production_a.pk}/members/",
        {"user": cast.pat.pk, "role": "coordinator"},
    )
    assert "is already producer here" in html(response)
    assert Membership.objects.get(user=cast.pat, production=cast.production_a).role == "producer"


def test_a_compliance_admin_removes_a_membership(client, cast):
    membership = Membership.objects.get(user=cast.uma, production=cast.production_a)
    url = f"/productions/{cast.production_a.pk}/members/{membership.pk}/remove/"
    assert as_user(client, cast.pat).post(url).status_code == 403
    client = as_user(client, cast.cam)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert events("membership.deleted").filter(target_id=str(membership.pk)).exists()
    assert as_user(client, cast.uma).get(f"/productions/{cast.production_a.pk}/").status_code == 404


def test_a_membership_of_another_production_is_not_removed_through_this_one(client, cast):
    membership = Membership.objects.get(user=cast.ugo, production=cast.production_b)
    url = f"/productions/{cast.production_a.pk}/members/{membership.pk}/remove/"
    assert as_user(client, cast.cam).post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- People of an organisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 403),
        ("cam", 200),
        ("uma", 403),
        ("ugo", 403),
        ("dina", 403),
        ("olga", 404),
    ],
)
def test_the_people_page_answers_each_role(client, cast, name, expected):
    url = f"/organizations/{cast.northlight.pk}/people/"
    client = as_user(client, getattr(cast, name))
    assert client.get(url).status_code == expected
    if expected != 200:
        assert client.post(url, {"email": "new@example.com"}).status_code == expected
        assert not get_user_model().objects.filter(email="new@example.com").exists()


def test_the_people_page_lists_everyone_with_their_roles(client, cast):
    page = html(as_user(client, cast.cam).get(f"/organizations/{cast.northlight.pk}/people/"))
    for name in ("cora", "pat", "cam", "uma", "ugo", "dina"):
        assert f"{name}@example.com" in page
    assert "olga@example.com" not in page
    assert "Coordinator of" in page
    assert "Compliance admin" in page


def test_an_unknown_organisation_is_not_found(client, cast):
    assert as_user(client, cast.cam).get("/organizations/999999/people/").status_code == 404


def test_inviting_someone_sends_one_email_with_a_set_password_link(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, cast.cam).post(
            f"/organizations/{cast.northlight.pk}/people/",
            {"email": "nia@example.com", "first_name": "Nia", "last_name": "Okafor"},
            follow=True,
        )
    assert "Invitation sent to nia@example.com" in html(response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia@example.com"]
    assert re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", mail.outbox[0].body)
    nia = get_user_model().objects.get(email="nia@example.com")
    assert not nia.has_usable_password()
    assert Membership.objects.filter(user=nia, organization=cast.northlight, role="member").exists()
    assert events("user.invited").filter(target_id=str(nia.pk)).exists()
    assert "Invited" in html(response)


def test_inviting_an_address_already_known_is_refused_and_keeps_the_typing(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, cast.cam).post(
            f"/organizations/{cast.northlight.pk}/people/",
            {"email": "olga@example.com", "first_name": "Olga", "last_name": "Second"},
        )
    page = html(response)
    assert response.status_code == 200
    assert "Someone with that address already has an account." in page
    assert 'value="Second"' in page
    assert mail.outbox == []


def test_a_compliance_admin_deactivates_and_reactivates_someone(client, cast):
    url = f"/organizations/{cast.northlight.pk}/people/{cast.cora.pk}/active/"
    client = as_user(client, cast.cam)
    response = client.post(url, {"active": "0"}, follow=True)
    assert "is deactivated" in html(response)
    cast.cora.refresh_from_db()
    assert not cast.cora.is_active
    assert events("user.deactivated").filter(target_id=str(cast.cora.pk)).exists()
    client.post(url, {"active": "1"})
    cast.cora.refresh_from_db()
    assert cast.cora.is_active


def test_nobody_deactivates_themselves_or_people_of_another_organisation(client, cast):
    client = as_user(client, cast.cam)
    base = f"/organizations/{cast.northlight.pk}/people"
    response = client.post(f"{base}/{cast.cam.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate yourself." in html(response)
    assert client.post(f"{base}/{cast.olga.pk}/active/", {"active": "0"}).status_code == 404
    cast.olga.refresh_from_db()
    assert cast.olga.is_active


def test_only_compliance_admins_deactivate_people(client, cast):
    url = f"/organizations/{cast.northlight.pk}/people/{cast.cora.pk}/active/"
    assert as_user(client, cast.pat).post(url, {"active": "0"}).status_code == 403
    assert as_user(client, cast.olga).post(url, {"active": "0"}).status_code == 404
    cast.cora.refresh_from_db()
    assert cast.cora.is_active


def test_a_compliance_admin_makes_and_unmakes_another_compliance_admin(client, cast):
    url = f"/organizations/{cast.northlight.pk}/people/{cast.pat.pk}/compliance-admin/"
    client = as_user(client, cast.cam)
    client.post(url, {"grant": "1"})
    assert Membership.objects.filter(
        user=cast.pat, organization=cast.northlight, production=None, role="compliance_admin"
    ).exists()
    assert as_user(client, cast.pat).get(f"/productions/{cast.production_b.pk}/").status_code == 200
    as_user(client, cast.cam).post(url, {"grant": "0"})
    assert as_user(client, cast.pat).get(f"/productions/{cast.production_b.pk}/").status_code == 404


def test_a_compliance_admin_cannot_remove_their_own_role(client, cast):
    url = f"/organizations/{cast.northlight.pk}/people/{cast.cam.pk}/compliance-admin/"
    response = as_user(client, cast.cam).post(url, {"grant": "0"}, follow=True)
    assert "Ask another compliance admin" in html(response)
    assert Membership.objects.filter(user=cast.cam, role="compliance_admin").exists()


def test_only_compliance_admins_make_compliance_admins(client, cast):
    url = f"/organizations/{cast.northlight.pk}/people/{cast.cora.pk}/compliance-admin/"
    assert as_user(client, cast.pat).post(url, {"grant": "1"}).status_code == 403
    assert not Membership.objects.filter(user=cast.cora, role="compliance_admin").exists()


def test_a_filter_naming_another_productions_episode_is_dropped_and_the_others_still_apply(
    client, cast
):
    other_episode = changes.create_episode(actor=None, production=cast.production_b, code="EP101")
    make_shots(cast.production_a, 2)
    page = html(
        as_user(client, cast.cora).get(
            f"/productions/{cast.production_a.pk}/",
            {"code": "SQ020", "episode": other_episode.pk},
        )
    )
    assert page.count("<code>LN_SQ020_SH") == 2
    assert f"<code>{cast.shot_a.code}" not in page
