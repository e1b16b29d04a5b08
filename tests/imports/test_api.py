"""The import API end to end: preview, apply, re-import, bad input, roles, suggestions."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.audit.models import AuditEvent
from studio_tracker.imports.models import Import
from studio_tracker.productions import changes
from studio_tracker.productions.models import Episode, Production, Sequence, Shot
from studio_tracker.usage import performers, tools
from studio_tracker.usage.models import UsageEntry

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def upload(name: str, data: bytes | None = None):
    return SimpleUploadedFile(name, data if data is not None else (FIXTURES / name).read_bytes())


def post(api, user, production, name, data=None, **fields):
    return api.as_user(user).post(
        f"/api/v1/productions/{production.pk}/imports/",
        {"file": upload(name, data), **fields},
        format="multipart",
    )


@pytest.fixture
def edl_production(cast):
    return changes.update_production(
        cast.production_a, actor=None, frame_rate="29.97", shot_code_pattern=r"^LN_SQ\d{3}_SH\d{4}$"
    )


def shot_values(production):
    return {
        s.code: s
        for s in Shot.objects.filter(production=production).select_related("episode", "sequence")
    }


def test_edl_preview_writes_nothing_then_apply_writes_once(api, cast, edl_production):
    events_before = AuditEvent.objects.count()
    response = post(api, cast.cora, edl_production, "avid_drop_frame.edl")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "previewed" and body["format"] == "edl"
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 1, 0)  # SH0010 exists
    update = next(c for c in body["changes"] if c["action"] == "update")
    assert update["code"] == "LN_SQ010_SH0010"
    assert update["fields"]["record_in"] == ["", "01:00:00;00"]
    assert [e["line"] for e in body["errors"]] == [24, 26, 28]
    assert [s["code"] for s in body["suggestions"]] == ["LN_SQ010_SH0010", "LN_SQ020_SH0030"]
    assert Shot.objects.filter(production=edl_production).count() == 1
    assert AuditEvent.objects.count() == events_before

    counter = Production.objects.get(pk=edl_production.pk).change_counter
    applied = api.post(f"/api/v1/imports/{body['id']}/apply/")
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    shots = shot_values(edl_production)
    assert set(shots) == {"LN_SQ010_SH0010", "LN_SQ010_SH0020", "LN_SQ020_SH0030"}
    sh30 = shots["LN_SQ020_SH0030"]
    assert (sh30.record_in, sh30.record_out, sh30.source_in, sh30.source_out) == (
        "01:00:04;06",
        "01:00:05;06",
        "05:00:00;00",
        "05:00:01;18",
    )
    assert sh30.frames == 30 and sh30.reel == "A003C010" and sh30.sequence.code == "SQ020"
    assert shots["LN_SQ010_SH0010"].sequence.code == "SQ010"
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "import.applied"
    assert event.changes["counts"]["created"] == 2 if "counts" in event.changes else True
    assert Production.objects.get(pk=edl_production.pk).change_counter == counter + 1

    # Applying twice is a state conflict.
    assert api.post(f"/api/v1/imports/{body['id']}/apply/").status_code == 409

    # Re-import: everything unchanged, nothing written.
    again = post(api, cast.cora, edl_production, "avid_drop_frame.edl", dry_run="false")
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0,
        0,
        3,
    )
    assert again.json()["status"] == "applied"
    assert AuditEvent.objects.count() == events_before + 1
    assert Production.objects.get(pk=edl_production.pk).change_counter == counter + 1
    record = Import.objects.get(pk=again.json()["id"])
    assert record.created_by == cast.cora and len(record.sha256) == 64
    assert record.file_name == "avid_drop_frame.edl"


def test_excel_csv_applies_good_lines_and_creates_episodes_and_sequences(api, cast):
    response = post(api, cast.cam, cast.production_b, "excel_shots_semicolon.csv", dry_run="false")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "applied" and body["format"] == "csv"
    assert [e["line"] for e in body["errors"]] == [4, 5, 7]
    shots = shot_values(cast.production_b)
    assert set(shots) == {"HL_SQ010_SH0010", "001", "EP101_SQ010_SH0020", "EP101_SQ020_SH0010"}
    assert shots["001"].frames == 48 and shots["001"].episode.code == "EP101"
    assert shots["001"].sequence.episode.code == "EP101"
    assert Episode.objects.filter(production=cast.production_b, code="EP101").count() == 1
    assert set(
        Sequence.objects.filter(production=cast.production_b).values_list("code", flat=True)
    ) == {"SQ010", "SQ020"}


def test_changed_csv_reports_the_changed_fields(api, cast):
    post(
        api,
        cast.cora,
        cast.production_a,
        "s.csv",
        b"Code,In,Out\nLN_SQ010_SH0010,1001,1010\n",
        dry_run="false",
    )
    response = post(
        api, cast.cora, cast.production_a, "s.csv", b"Code,In,Out\nLN_SQ010_SH0010,1001,1020\n"
    )
    assert response.json()["changes"] == [
        {
            "line": 2,
            "code": "LN_SQ010_SH0010",
            "action": "update",
            "fields": {"frame_out": [1010, 1020]},
        }
    ]
    api.post(f"/api/v1/imports/{response.json()['id']}/apply/")
    assert Shot.objects.get(pk=cast.shot_a.pk).frames == 20


@pytest.mark.parametrize(
    ("name", "data", "fields", "message"),
    [
        ("junk.csv", b"\x00\x01binary", {}, "not a text file"),
        ("empty.edl", b"TITLE: NOTHING\n", {}, "no events"),
        ("cut.fcpxml", b"<fcpxml/>", {}, "Final Cut Pro 7 XML"),
        ("bomb.xml", b'<!DOCTYPE x [<!ENTITY a "a">]><xmeml>&a;</xmeml>', {}, "entities"),
        ("cut.mov", b"whatever", {}, "Cannot tell the format"),
        ("df.edl", (FIXTURES / "avid_drop_frame.edl").read_bytes(), {}, "drop-frame"),
    ],
)
def test_file_level_problems_fail_and_write_nothing(api, cast, name, data, fields, message):
    before = Shot.objects.count(), AuditEvent.objects.count()
    response = post(api, cast.cora, cast.production_a, name, data, dry_run="false", **fields)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert response.json()["status"] == "failed"
    assert (Shot.objects.count(), AuditEvent.objects.count()) == before
    assert Import.objects.get(pk=response.json()["id"]).status == "failed"


def test_fcpx_format_parameter_is_refused(api, cast):
    response = post(api, cast.cora, cast.production_a, "x.xml", b"<x/>", format="fcpxml")
    assert response.status_code == 400
    assert "Final Cut Pro 7 XML" in str(response.json())


def test_a_file_over_the_limit_is_413(api, cast, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = post(api, cast.cora, cast.production_a, "big.csv", b"Code\n" + b"A\n" * 200)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert Import.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("name", "status"),
    [("cora", 201), ("pat", 201), ("cam", 201), ("uma", 403), ("dina", 404), ("olga", 404)],
)
def test_who_may_import(api, cast, name, status):
    response = post(
        api, getattr(cast, name), cast.production_a, "s.csv", b"Code\nLN_SQ010_SH0099\n"
    )
    assert response.status_code == status


@pytest.mark.parametrize(("name", "status"), [("uma", 200), ("dina", 404), ("olga", 404)])
def test_who_may_read_imports(api, cast, name, status):
    record = post(api, cast.cora, cast.production_a, "s.csv", b"Code\nLN_SQ010_SH0099\n").json()
    api.force_authenticate(None)
    user = getattr(cast, name)
    assert api.as_user(user).get(f"/api/v1/imports/{record['id']}/").status_code == status
    listing = api.as_user(user).get(f"/api/v1/productions/{cast.production_a.pk}/imports/")
    assert listing.status_code == status
    if status == 200:
        assert api.as_user(user).post(f"/api/v1/imports/{record['id']}/apply/").status_code == 403


@pytest.fixture
def registry(cast):
    tool = tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name="FaceForge",
        vendor="Forge Labs",
        modalities=["video"],
        kind="generative",
    )
    performer = performers.create_performer(
        actor=cast.cam,
        organization=cast.northlight,
        legal_name="Margaret W",
        professional_name="Maggie Whitcombe",
    )
    return tool, performer


def test_usage_csv_imports_good_lines_and_reimport_is_a_no_op(api, cast, registry):
    _tool, performer = registry
    response = post(
        api, cast.cora, cast.production_a, "usage_register.csv", kind="usage", dry_run="false"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "usage" and body["created"] == 3
    assert [(e["line"], e["message"]) for e in body["errors"]] == [
        (4, "Unknown tool 'NoSuchTool'."),
        (5, "Unknown performer 'Nobody Known'."),
    ]
    entries = UsageEntry.objects.filter(production=cast.production_a).order_by("external_ref")
    assert [e.external_ref for e in entries] == ["REG-0001", "REG-0002", "REG-0005"]
    assert entries[1].description == "=cmd|' /C calc'!A0"  # the export's guard undone
    assert entries[1].category == "set_extension"
    assert entries[2].shot_id is None
    if performer is not None:
        assert list(entries[0].performer_links.values_list("performer_id", flat=True)) == [
            performer.pk
        ]
    events = AuditEvent.objects.count()
    again = post(
        api, cast.cora, cast.production_a, "usage_register.csv", kind="usage", dry_run="false"
    )
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)
    assert AuditEvent.objects.count() == events


def test_union_rep_cannot_import_usage(api, cast):
    response = post(api, cast.uma, cast.production_a, "usage_register.csv", kind="usage")
    assert response.status_code == 403


def test_a_coordinator_confirms_and_dismisses_suggestions(api, cast, edl_production, registry):
    tool, _ = registry
    body = post(api, cast.cora, edl_production, "avid_drop_frame.edl").json()
    url = f"/api/v1/imports/{body['id']}/suggestions/1/"
    use = {
        "decision": "confirm",
        "tool": tool.pk,
        "category": "environment_gen",
        "department": "vfx",
        "modality": "video",
        "disposition": "final_background",
        "used_on": "2025-04-01",
    }
    # SH0030 is only in the preview: it cannot carry a use until the import is applied.
    early = api.post(f"/api/v1/imports/{body['id']}/suggestions/2/", use, format="json")
    assert early.status_code == 409
    api.post(f"/api/v1/imports/{body['id']}/apply/")
    confirmed = api.post(url, use, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    suggestion = confirmed.json()["suggestions"][0]
    assert suggestion["status"] == "confirmed"
    entry = UsageEntry.objects.get(pk=suggestion["usage_entry"])
    assert entry.shot.code == "LN_SQ010_SH0010" and entry.description == "GENAI SKY REPLACEMENT"
    assert entry.used_on == datetime.date(2025, 4, 1)
    assert api.post(url, use, format="json").status_code == 409
    dismissed = api.post(
        f"/api/v1/imports/{body['id']}/suggestions/2/", {"decision": "dismiss"}, format="json"
    )
    assert dismissed.json()["suggestions"][1]["status"] == "dismissed"
    api.force_authenticate(None)
    assert (
        api.as_user(cast.uma).post(url, {"decision": "dismiss"}, format="json").status_code == 403
    )
