"""The fast paths of a large import: plain-row inserts (COPY on PostgreSQL), the compact stored
rows, the usage reader's memory of combinations it has taken, and the summary it leaves."""

import datetime

import pytest
from django.utils import timezone

from studio_tracker.audit.models import AuditEvent
from studio_tracker.imports import flow, usage_rows
from studio_tracker.imports.models import Import
from studio_tracker.lib import bulk
from studio_tracker.productions.models import Production, Shot
from studio_tracker.usage import tools
from studio_tracker.usage.models import UsageEntry, UsagePerformer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tool(cast):
    return tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name="FaceForge",
        vendor="Forge Labs",
        modalities=["video"],
        kind="generative",
    )


def test_insert_rows_returns_keys_in_order_and_fills_defaults(cast):
    production = cast.production_a
    rows = [(production.pk, f"BULK_{i:03d}", "", 1001, 1010 + i) for i in range(5)]
    pks = bulk.insert_rows(
        Shot, ("production_id", "code", "description", "frame_in", "frame_out"), rows
    )
    assert len(pks) == 5 and len(set(pks)) == 5
    shots = {s.pk: s for s in Shot.objects.filter(pk__in=pks)}
    for pk, row in zip(pks, rows, strict=True):
        shot = shots[pk]
        assert (shot.code, shot.frame_out) == (row[1], row[4])
        assert shot.locked_for_final is False and shot.reel == "" and shot.episode_id is None
        assert shot.created_at is not None and shot.updated_at is not None
    assert bulk.insert_rows(Shot, ("production_id", "code"), []) == []


def test_insert_rows_writes_json_defaults_and_refuses_a_primary_key(cast, tool):
    production = cast.production_a
    fields = (
        "production_id",
        "department",
        "category",
        "modality",
        "tool_id",
        "disposition",
        "iptc_source_type",
        "used_on",
    )
    values = (
        production.pk,
        "vfx",
        "deaging",
        "video",
        tool.pk,
        "final_key",
        "compositeWithTrainedAlgorithmicMedia",
        datetime.date(2025, 3, 1),
    )
    (pk,) = bulk.insert_rows(UsageEntry, fields, [values])
    entry = UsageEntry.objects.get(pk=pk)
    assert entry.input_sources == [] and entry.used_on == datetime.date(2025, 3, 1)
    with pytest.raises(ValueError):
        bulk.insert_rows(UsageEntry, ("id", *fields), [(1, *values)])


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"line": 2, "code": "A"}],
        [{"line": 2, "code": "A", "events": [2, 5]}, {"code": "B", "line": 3, "events": []}],
        [{"line": 2, "code": "A", "episode": "EP1"}, {"line": 3, "code": "B"}],
    ],
)
def test_stored_rows_come_back_as_they_went_in(rows):
    assert flow.unpack_rows(flow.pack_rows(rows)) == rows
    assert flow.unpack_rows(rows) == rows  # as imports stored them before


def test_usage_reader_remembers_combinations_but_still_checks_every_line(cast, tool):
    Shot.objects.create(production=cast.production_a, code="SH0010")
    text = "\n".join(
        [
            "Shot,Department,Category,Tool,Disposition,Performers,External ref,Used on",
            "SH0010,vfx,deaging,FaceForge,final_key,,R1,2025-03-01",
            "SH0010,vfx,deaging,FaceForge,final_key,,R2,",
            "SH0099,vfx,deaging,FaceForge,final_key,,R3,2025-03-01",
            "SH0010,vfx,deaging,FaceForge,final_key,,R4,March",
            "SH0010,vfx,deaging,FaceForge,final_key,Nobody,R5,2025-03-01",
            "SH0010,vfx,deaging,FaceForge,nonsense,,R6,2025-03-01",
            "SH0010,vfx,deaging,FaceForge,final_key,,R1,2025-03-01",
            "SH0010,VFX,De-aging,faceforge,final_key,,R7,2025-03-02",
        ]
    )
    result = usage_rows.read(text.encode(), cast.production_a)
    assert [(e["line"], e["message"]) for e in result.errors] == [
        (4, "Unknown shot 'SH0099'."),
        (5, "'March' is not a date (use YYYY-MM-DD)."),
        (6, "Unknown performer 'Nobody'."),
        (7, "Unknown disposition 'nonsense'."),
        (8, "Reference R1 is already on line 2."),
    ]
    first, today, last = result.rows
    assert first == {**last, "line": 2, "external_ref": "R1", "used_on": "2025-03-01"}
    assert today["used_on"] == timezone.localdate().isoformat()
    assert last["category"] == "deaging" and last["department"] == "vfx"


def test_usage_import_leaves_one_summary_event_and_bumps_the_counter(cast, tool):
    production = cast.production_a
    counter = Production.objects.get(pk=production.pk).change_counter
    events = AuditEvent.objects.count()
    data = (
        "Shot,Department,Category,Tool,Disposition,External ref,Used on\n"
        + "".join(f",vfx,deaging,FaceForge,final_key,B{i},2025-03-01\n" for i in range(30))
    ).encode()

    class Upload(__import__("io").BytesIO):
        name, size = "u.csv", len(data)

    record = flow.start(
        actor=cast.cora, production=production, upload=Upload(data), kind="usage", dry_run=False
    )
    assert (record.status, record.created) == (Import.Status.APPLIED, 30)
    assert len(record.changes) == 30
    assert Production.objects.get(pk=production.pk).change_counter == counter + 1
    assert AuditEvent.objects.count() == events + 1  # one summary, not one event per row
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "import.usage_applied"
    assert event.changes["counts"] == {"created": 30} and event.changes["touched"] == 30
    entries = UsageEntry.objects.filter(production=production, external_ref__startswith="B")
    assert {e.iptc_source_type for e in entries} == {"compositeWithTrainedAlgorithmicMedia"}
    assert {e.created_by_id for e in entries} == {cast.cora.pk}
    assert not UsagePerformer.objects.filter(usage_entry__in=entries).exists()
    stored = Import.objects.get(pk=record.pk)
    assert [row["external_ref"] for row in flow.unpack_rows(stored.rows)] == [
        f"B{i}" for i in range(30)
    ]
