"""Credit packages of approved reports: the wording for each trigger, the stored files and their
hashes, who may read and download them, and the email to distributors."""

import hashlib
import json

import pytest
from django.core import mail
from django.core.management import call_command

from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler, credits
from studio_tracker.reports.models import CreditDownload, CreditFile, Report

# --- The wording, from snapshots made by hand ---------------------------------------------------


def entry(n, **fields):
    base = {
        "id": n,
        "shot_id": 1,
        "department": "vfx",
        "category": "set_extension",
        "modality": "video",
        "generation_kind": "generative",
        "disposition": "final_key",
        "realism": "stylized",
        "depicts_real_person": False,
        "depicts_real_place_or_event": False,
        "replica_kind": "none",
        "vendor": "Lumen VFX",
        "tool_id": 1,
        "tool_version": "4",
        "iptc_source_type": "",
        "language": "",
        "performers": [],
    }
    return {**base, **fields}


def snapshot(
    entries, *, territories=("US",), release_date="2027-01-01", performers=(), consents=()
):
    return {
        "production": {
            "title": "Test Film",
            "territories": list(territories),
            "release_date": release_date,
            "is_factual": False,
        },
        "report": {"version": 3},
        "rule_sets": [],
        "shots": [{"id": 1, "code": "SH0010", "frames": 100, "record_in": "", "record_out": ""}],
        "tools": [{"id": 1, "name": "Gen-4", "vendor": "Runway"}],
        "performers": list(performers),
        "consents": list(consents),
        "clearances": [],
        "entries": entries,
    }


def texts(snap):
    return [line["text"] for line in credits.credit_lines(snap)]


REAL_PERSON = {"realism": "photoreal", "depicts_real_person": True}


@pytest.mark.parametrize(
    ("territories", "release_date", "expected"),
    [
        (["FR"], "2026-08-02", True),
        (["EU"], None, True),
        (["DE", "US"], "2027-03-12", True),
        (["FR"], "2026-08-01", False),  # released before the AI Act duty applies
        (["US", "GB"], "2027-03-12", False),  # not released in the EU
    ],
)
def test_the_eu_notice_follows_territory_and_release_date(territories, release_date, expected):
    snap = snapshot([entry(1, **REAL_PERSON)], territories=territories, release_date=release_date)
    assert (credits.EU_NOTICE in texts(snap)) is expected


def test_the_eu_notice_needs_realistic_content_of_real_people_places_or_events():
    stylised = snapshot([entry(1, depicts_real_person=True)], territories=["EU"])
    assert credits.EU_NOTICE not in texts(stylised)
    place = snapshot(
        [entry(1, realism="photoreal", depicts_real_place_or_event=True)], territories=["EU"]
    )
    assert credits.EU_NOTICE in texts(place)


def test_the_negative_statement_only_without_any_generative_use():
    assistive = snapshot([entry(1, generation_kind="assistive", category="upscale_restore")])
    lines = texts(assistive)
    assert credits.NEGATIVE_STATEMENT in lines
    assert credits.GENERAL_NOTICE not in lines

    # Generative use anywhere, even ideation that never reaches the screen, rules it out.
    ideation = snapshot(
        [
            entry(1, generation_kind="assistive"),
            entry(2, category="concept_art", disposition="ideation"),
        ]
    )
    assert credits.NEGATIVE_STATEMENT not in texts(ideation)

    final = snapshot([entry(1)])
    assert credits.NEGATIVE_STATEMENT not in texts(final)
    assert credits.GENERAL_NOTICE in texts(final)


def test_vendor_lines_name_the_vendor_of_final_picture_uses():
    snap = snapshot(
        [entry(1, category="deaging"), entry(2, category="concept_art", disposition="ideation")]
    )
    lines = texts(snap)
    assert "AI De-Aging by Lumen VFX" in lines
    assert not any("Concept" in line for line in lines)


def test_a_consenting_performer_is_named_on_the_likeness_line():
    performer = {"id": 7, "professional_name": "Marion Hale", "is_deceased": False}
    consent = {"id": 70, "performer_id": 7, "granted_by": "performer", "revoked_at": None}
    snap = snapshot(
        [
            entry(
                1,
                category="deaging",
                replica_kind="ebdr",
                performers=[{"performer_id": 7, "consent_id": 70, "aspect": "face"}],
            )
        ],
        performers=[performer],
        consents=[consent],
    )
    assert (
        "Digital likeness of Marion Hale created by Lumen VFX with the consent of Marion Hale."
        in texts(snap)
    )


def test_a_deceased_performer_is_credited_with_the_estates_permission():
    performer = {"id": 8, "professional_name": "Otto Brandt", "is_deceased": True}
    consent = {"id": 80, "performer_id": 8, "granted_by": "estate_rep", "revoked_at": None}
    face = snapshot(
        [
            entry(
                1,
                category="face_replacement",
                replica_kind="deceased_replica",
                performers=[{"performer_id": 8, "consent_id": 80, "aspect": "face"}],
            )
        ],
        performers=[performer],
        consents=[consent],
    )
    assert (
        "Digital likeness of Otto Brandt used with the permission of the Estate of Otto Brandt."
        in texts(face)
    )
    voice = snapshot(
        [
            entry(
                1,
                category="voice_clone_new_lines",
                vendor="Respeecher",
                performers=[{"performer_id": 8, "consent_id": 80, "aspect": "voice"}],
            )
        ],
        performers=[performer],
        consents=[consent],
    )
    assert (
        "Voice of Otto Brandt created with Respeecher voice technology with the permission of "
        "the Estate of Otto Brandt." in texts(voice)
    )
    assert not any("consent of Otto Brandt" in line for line in texts(voice))


def test_no_consent_line_is_claimed_without_a_consent_on_file():
    performer = {"id": 9, "professional_name": "Theo Grant", "is_deceased": False}
    snap = snapshot(
        [
            entry(
                1,
                category="face_replacement",
                performers=[{"performer_id": 9, "consent_id": None, "aspect": "face"}],
            )
        ],
        performers=[performer],
    )
    assert not any("Theo Grant" in line for line in texts(snap))


def test_a_synthetic_character_gets_its_line():
    snap = snapshot([entry(1, category="synthetic_character_human")])
    assert any("digitally created synthetic character" in line for line in texts(snap))


def test_the_json_gives_an_iptc_source_type_per_final_picture_use():
    snap = snapshot(
        [
            entry(1),
            entry(2, generation_kind="assistive", category="upscale_restore"),
            entry(3, iptc_source_type="digitalCreation"),
            entry(4, disposition="temp"),
        ]
    )
    data = credits.disclosure(snap, "sha256:" + "0" * 64, credits.credit_lines(snap), {})
    types = {asset["entry"]: asset["digital_source_type"] for asset in data["assets"]}
    base = credits.IPTC_BASE
    assert types == {
        1: base + "compositeWithTrainedAlgorithmicMedia",
        2: base + "algorithmicallyEnhanced",
        3: base + "digitalCreation",
    }
    assert data["production"]["report_hash"] == "sha256:" + "0" * 64
    assert "prompt" not in json.dumps(data)


# --- Packages built from a compiled demo report ---------------------------------------------


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    return Production.objects.get(title="The Long Night")


def user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def compiled(production) -> Report:
    report = compiler.request_compile(actor=user("pat"), production=production)
    assert compiler.compile_report(report.pk) is True
    return Report.objects.get(pk=report.pk)


def approved(production) -> Report:
    report = compiled(production)
    Report.objects.filter(pk=report.pk).update(status="approved")
    return Report.objects.get(pk=report.pk)


def test_a_package_stores_each_file_with_its_sha256(demo):
    report = approved(demo)
    files = credits.build_package(report)
    formats = {f.format for f in files}
    assert {"txt", "tsv", "json"} <= formats
    for credit in files:
        with credit.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == credit.sha256
        assert credit.size == len(data)
        if credit.format != "pdf":
            assert report.digest in data.decode("utf-8")
    # Idempotent: a second build writes nothing new.
    again = credits.build_package(report)
    assert sorted(c.pk for c in again) == sorted(c.pk for c in files)
    assert CreditFile.objects.filter(report=report).count() == len(files)


def test_the_demo_credit_block(demo):
    report = approved(demo)
    credits.build_package(report)
    txt = report.credit_files.get(format="txt")
    with txt.file.open("rb") as handle:
        text = handle.read().decode("utf-8")
    assert credits.GENERAL_NOTICE in text
    assert credits.NEGATIVE_STATEMENT not in text
    data = json.loads(report.credit_files.get(format="json").file.open("rb").read())
    assert data["schema"] == "studio-ai-disclosure/1.0"
    assert data["production"]["report_version"] == report.version


def test_a_report_that_is_not_approved_gets_no_package(demo):
    report = compiled(demo)
    assert credits.build_package(report) == []
    assert not CreditFile.objects.exists()


def test_the_package_emails_the_productions_distributors(demo, django_capture_on_commit_callbacks):
    report = approved(demo)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        credits.build_package(report)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [user("dina").email]  # dex distributes Harbour Lights, not this one
    message = mail.outbox[0]
    assert "The Long Night" in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert f"/productions/{demo.pk}/credits/" in message.body
    # Rebuilding an existing package sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        credits.build_package(report)
    assert len(mail.outbox) == 1


def test_request_package_dispatches_the_task_after_commit(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    report = approved(demo)
    sent = []
    monkeypatch.setattr(compiler, "dispatch", lambda pk, task: sent.append((pk, task)))
    with django_capture_on_commit_callbacks(execute=True):
        credits.request_package(report)
    assert sent == [(report.pk, credits.CREDITS_TASK)]


def test_the_task_builds_the_package(demo):
    from studio_tracker.reports.tasks import build_credits_task

    report = approved(demo)
    assert "txt" in build_credits_task(report.pk)


# --- Who sees credits ---------------------------------------------------------------------------


def test_each_roles_view_of_credits(demo, api):
    draft = compiled(demo)
    report = approved(demo)
    credits.build_package(report)
    harbour = Production.objects.get(title="Harbour Lights")

    dina = api.as_user(user("dina"))
    listed = dina.get("/api/v1/credits/").json()["results"]
    assert [p["id"] for p in listed] == [report.pk]
    body = listed[0]
    assert set(body) == {"id", "report", "production", "digest", "formats"}
    assert body["production"] == demo.pk and body["digest"] == report.digest
    assert dina.get(f"/api/v1/credits/?production={demo.pk}").json()["count"] == 1
    assert dina.get(f"/api/v1/credits/?production={harbour.pk}").json()["count"] == 0
    assert dina.get(f"/api/v1/credits/{draft.pk}/").status_code == 404  # not approved

    for outsider in ("dex", "olga"):
        client = api.as_user(user(outsider))
        assert client.get(f"/api/v1/credits/{report.pk}/").status_code == 404
        assert client.get(f"/api/v1/credits/{report.pk}/download/?format=txt").status_code == 404
        assert client.get("/api/v1/credits/").json()["count"] == 0

    for member in ("pat", "cora", "uma", "cam"):
        assert api.as_user(user(member)).get(f"/api/v1/credits/{report.pk}/").status_code == 200


def test_every_download_is_recorded(demo, api, client):
    report = approved(demo)
    credits.build_package(report)
    dina = user("dina")
    response = api.as_user(dina).get(f"/api/v1/credits/{report.pk}/download/?format=tsv")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == report.credit_files.get(format="tsv").sha256
    assert response["X-Report-Digest"] == report.digest

    client.force_login(dina)
    page = client.get(f"/credits/{report.pk}/download/json/")
    assert page.status_code == 200
    b"".join(page.streaming_content)
    downloads = list(CreditDownload.objects.order_by("id").values_list("via", "user__username"))
    assert downloads == [("api", "dina"), ("page", "dina")]
    assert api.get(f"/api/v1/credits/{report.pk}/download/?format=doc").status_code == 400


def test_the_portal_pages(demo, client):
    draft = compiled(demo)
    report = approved(demo)
    credits.build_package(report)
    client.force_login(user("dina"))
    portal = client.get("/credits/")
    assert portal.status_code == 200
    assert f"/credits/{report.pk}/download/txt/" in portal.content.decode()
    assert f"/credits/{draft.pk}/" not in portal.content.decode()
    assert client.get(f"/productions/{demo.pk}/credits/").status_code == 200

    client.force_login(user("olga"))
    assert client.get(f"/productions/{demo.pk}/credits/").status_code == 404
    assert client.get(f"/credits/{report.pk}/download/txt/").status_code == 404
    assert "No credit packages" in client.get("/credits/").content.decode()
