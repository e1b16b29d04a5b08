"""The report pages, for each member of the cast: who sees a production's versions and one
version's page, who may compile, retry and submit (403 otherwise), and who learns nothing (404)."""

import pytest
from django.test import Client

from studio_tracker.reports import compiler
from studio_tracker.reports.models import Report
from studio_tracker.usage import entries, performers
from studio_tracker.usage.models import Performer
from tests.usage.conftest import add_tool, use_data

pytestmark = pytest.mark.django_db

EVERYONE = ("cora", "pat", "cam", "uma", "ugo", "dina", "olga")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def replica_without_consent(cast):
    """A de-aging use of a performer with no consent on file: E01 fires, blocking."""
    performer = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Theodora Grant",
        professional_name="Theo Grant",
        category="principal",
        union="sag_aftra",
    )
    return entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        performers=[{"performer": performer, "consent": None, "aspect": "face"}],
        **use_data(cast, add_tool(cast)),
    )


def compiled(cast, **kwargs) -> Report:
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a, **kwargs)
    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)  # what the rendering task does next
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def report(cast, media, replica_without_consent) -> Report:
    return compiled(cast)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 200),  # the list, showing only versions open to her
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_the_list_of_versions(cast, report, name, expected):
    response = client_for(getattr(cast, name)).get(f"/productions/{cast.production_a.pk}/reports/")
    assert response.status_code == expected
    if expected == 200:
        text = response.content.decode()
        assert ("Version 1" in text) == (name != "uma")  # a draft is hidden from union reps
        assert ("Compile report" in text) == (name == "pat")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 200),
        ("pat", 200),
        ("cam", 200),
        ("uma", 404),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_a_compiled_version_before_it_is_submitted(cast, report, name, expected):
    client = client_for(getattr(cast, name))
    for url in (
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/progress/",
        f"/reports/{report.pk}/download/json/",
    ):
        assert client.get(url).status_code == expected, url


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
def test_a_submitted_version(cast, report, name, expected):
    compiler.submit(report, actor=cast.pat)
    response = client_for(getattr(cast, name)).get(f"/reports/{report.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert report.digest in response.content.decode()


def test_logged_out_visitors_are_sent_to_log_in(cast, report):
    response = Client().get(f"/reports/{report.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Compiling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cora", 403),
        ("pat", 302),
        ("cam", 403),
        ("uma", 403),
        ("ugo", 404),
        ("dina", 404),
        ("olga", 404),
    ],
)
def test_only_producers_compile(cast, media, name, expected):
    response = client_for(getattr(cast, name)).post(
        f"/productions/{cast.production_a.pk}/reports/compile/"
    )
    assert response.status_code == expected
    assert Report.objects.count() == (1 if expected == 302 else 0)


def test_the_compile_button_queues_a_version_whose_page_polls_its_progress(cast, media):
    from studio_tracker.productions import changes

    episode = changes.create_episode(actor=cast.pat, production=cast.production_a, code="E01")
    client = client_for(cast.pat)
    page = client.get(f"/productions/{cast.production_a.pk}/reports/").content.decode()
    assert f'value="{episode.pk}"' in page  # the production or one episode

    response = client.post(
        f"/productions/{cast.production_a.pk}/reports/compile/",
        {"episode": episode.pk},
        follow=True,
    )
    report = Report.objects.get()
    assert (report.status, report.version, report.episode) == ("queued", 1, episode)
    text = response.content.decode()
    assert "Version 1 of episode E01 is queued" in text
    assert 'hx-trigger="every 1s"' in text and "<progress" in text

    partial = client.get(f"/reports/{report.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    assert "<html" not in partial.content.decode()

    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)  # what the rendering task does next
    done = client.get(f"/reports/{report.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "<progress" not in done
    assert Report.objects.get().digest in done


def test_another_productions_episode_is_refused(cast, media):
    from studio_tracker.productions import changes

    elsewhere = changes.create_episode(actor=None, production=cast.production_b, code="HL1")
    response = client_for(cast.pat).post(
        f"/productions/{cast.production_a.pk}/reports/compile/",
        {"episode": elsewhere.pk},
        follow=True,
    )
    assert "not part of this production" in response.content.decode()
    assert not Report.objects.exists()


# --- The report page --------------------------------------------------------------------------


def test_the_report_page_groups_findings_and_links_each_to_its_shot(cast, report):
    text = client_for(cast.cora).get(f"/reports/{report.pk}/").content.decode()
    assert report.digest in text
    assert "E01" in text and "Blocking" in text
    assert f'href="/shots/{cast.shot_a.pk}/"' in text
    for fmt in ("json", "csv", "html", "pdf"):
        assert f"/reports/{report.pk}/download/{fmt}/" in text
    for rendering in report.renderings.all():
        assert rendering.sha256 in text
    assert "Submit for review" not in text  # only producers submit

    only_e01 = client_for(cast.cora).get(f"/reports/{report.pk}/?rule=E01").content.decode()
    assert "E01 findings" in only_e01


def test_findings_are_paginated_fifty_a_page(cast, report):
    from studio_tracker.reports.models import Finding

    Finding.objects.bulk_create(
        Finding(report=report, rule="E42", severity="warning", rank=1, message=f"Note {n}")
        for n in range(120)
    )
    page = client_for(cast.pat).get(f"/reports/{report.pk}/?rule=E42&page=3")
    assert page.context["page_obj"].paginator.num_pages == 3
    assert len(page.context["page_obj"]) == 20


def test_downloads_send_the_digest(cast, report):
    client = client_for(cast.pat)
    for fmt in ("json", "csv", "html", "pdf"):
        response = client.get(f"/reports/{report.pk}/download/{fmt}/")
        assert response.status_code == 200, fmt
        assert response["X-Report-Digest"] == report.digest
    assert client.get(f"/reports/{report.pk}/download/exe/").status_code == 404


def test_a_producer_submits_once_then_sees_a_conflict_message(cast, report):
    client = client_for(cast.pat)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Submit for review" in page
    first = client.post(f"/reports/{report.pk}/submit/", follow=True)
    assert "submitted for review" in first.content.decode()
    second = client.post(f"/reports/{report.pk}/submit/", follow=True)
    assert second.status_code == 200
    assert "cannot become submitted" in second.content.decode()
    assert Report.objects.get(pk=report.pk).status == "submitted"


@pytest.mark.parametrize(("name", "expected"), [("cora", 403), ("cam", 403), ("dina", 404)])
def test_others_may_not_submit_or_retry(cast, report, name, expected):
    client = client_for(getattr(cast, name))
    assert client.post(f"/reports/{report.pk}/submit/").status_code == expected
    assert client.post(f"/reports/{report.pk}/retry/").status_code == expected
    assert Report.objects.get(pk=report.pk).status == "compiled"


def test_a_union_rep_may_read_a_submitted_report_but_not_act_on_it(cast, report):
    compiler.submit(report, actor=cast.pat)
    client = client_for(cast.uma)
    assert client.post(f"/reports/{report.pk}/retry/").status_code == 403
    assert "Retry" not in client.get(f"/reports/{report.pk}/").content.decode()


def test_a_failed_version_can_be_retried_by_its_producer(cast, media):
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    Report.objects.filter(pk=report.pk).update(status="failed", error="ValueError: boom")
    client = client_for(cast.pat)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "ValueError: boom" in page and "Retry" in page
    response = client.post(f"/reports/{report.pk}/retry/", follow=True)
    assert "queued again" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "queued"
    again = client.post(f"/reports/{report.pk}/retry/", follow=True)
    assert "cannot become queued" in again.content.decode()


def test_stale_is_shown_wherever_a_version_is_listed(cast, report):
    from studio_tracker.productions import changes

    changes.update_shot(cast.shot_a, actor=cast.pat, description="Changed after compile")
    client = client_for(cast.pat)
    assert "Stale" in client.get(f"/productions/{cast.production_a.pk}/reports/").content.decode()
    assert "Stale" in client.get(f"/reports/{report.pk}/").content.decode()


def test_the_production_page_links_to_its_reports(cast, report):
    url = f"/productions/{cast.production_a.pk}/reports/"
    assert (
        url in client_for(cast.cora).get(f"/productions/{cast.production_a.pk}/").content.decode()
    )
    uma_page = client_for(cast.uma).get(f"/productions/{cast.production_a.pk}/").content.decode()
    assert url not in uma_page  # nothing submitted yet


# --- Comparing versions -----------------------------------------------------------------------


def test_the_diff_shows_a_use_added_and_findings_new(cast, report, replica_without_consent):
    second_use = entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        performers=[{"performer": Performer.objects.get(), "consent": None, "aspect": "face"}],
        **use_data(cast, replica_without_consent.tool, category="face_replacement"),
    )
    newer = compiled(cast)
    response = client_for(cast.pat).get(f"/reports/{newer.pk}/diff/{report.pk}/")
    assert response.status_code == 200
    entries_diff = response.context["entries"]
    assert [row["id"] for row in entries_diff["added"]] == [second_use.pk]
    assert entries_diff["removed_count"] == 0 and entries_diff["changed_count"] == 0
    new_findings = response.context["findings"]["new"]
    assert any(f["rule"] == "E01" and f["entity_id"] == second_use.pk for f in new_findings)
    assert response.context["findings"]["gone_count"] == 0
    text = response.content.decode()
    assert "What changed from version 1 to version 2" in text
    assert f"#{second_use.pk}" in text


def test_the_diff_of_two_productions_reports_is_not_found(cast, report, settings):
    other = compiler.request_compile(actor=None, production=cast.production_b)
    compiler.compile_report(other.pk)
    assert client_for(cast.cam).get(f"/reports/{report.pk}/diff/{other.pk}/").status_code == 404


@pytest.mark.parametrize(("name", "expected"), [("uma", 404), ("dina", 404), ("olga", 404)])
def test_the_diff_is_hidden_from_those_who_cannot_see_both(cast, report, name, expected):
    newer = compiled(cast)
    client = client_for(getattr(cast, name))
    assert client.get(f"/reports/{newer.pk}/diff/{report.pk}/").status_code == expected
