"""What the fuzzing of the importers found (issue 11), each as a plain example.

Before the fixes each of these either raised something other than ``ReadError`` to the caller
(a server error instead of a failed import), passed a value the database then refused at apply,
or took a wrong value silently (a timecode wrapped past midnight).
"""

import io
import json
from pathlib import Path

import pytest

from studio_tracker.imports import flow, readers
from studio_tracker.imports.models import Import
from studio_tracker.imports.readers import Naming, ReadError
from studio_tracker.lib.timecode import is_valid_timecode
from studio_tracker.productions.models import Episode, Sequence, Shot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OTIO = json.loads((FIXTURES / "episode_101.otio").read_text())


def edl(*events: str) -> bytes:
    return ("TITLE: FOUND BY FUZZING\n" + "\n".join(events) + "\n").encode()


def otio_with(change) -> bytes:
    document = json.loads(json.dumps(OTIO))
    change(document)
    return json.dumps(document).encode()  # NaN and Infinity as JavaScript literals, as OTIO reads


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


# --- Timecodes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["24:00:00:00", "99:59:59:00", "01:60:00:00", "\u0661\u0660:00:00:00", "01:00:00:00\n"],
)
def test_timecodes_no_clock_shows_are_not_valid(value):
    assert not is_valid_timecode(value)
    assert is_valid_timecode("23:59:59:23") and is_valid_timecode("01:00:00;00")


def test_an_edl_event_at_99_99_99_99_is_that_lines_error_not_a_time_past_midnight():
    result = readers.read_edl(
        edl(
            "001  A001 V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00",
            "* FROM CLIP NAME:  SH0010",
            "002  A001 V C 99:99:99:00 99:99:99:10 99:99:99:00 99:99:99:10",
            "* FROM CLIP NAME:  SH0020",
        ),
        frame_rate=24,
        naming=Naming(),
    )
    assert [row["code"] for row in result.rows] == ["SH0010"]
    assert result.errors == [
        {
            "line": 4,
            "message": "Timecode 99:99:99:00 cannot exist (at most 23:59:59) in event 002.",
        }
    ]


def test_an_edl_event_ending_before_it_starts_is_that_lines_error():
    result = readers.read_edl(
        edl(
            "001  A001 V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00",
            "* FROM CLIP NAME:  SH0010",
            "002  A001 V C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:01:00",
            "* FROM CLIP NAME:  SH0020",
        ),
        frame_rate=24,
        naming=Naming(),
    )
    assert [row["code"] for row in result.rows] == ["SH0010"]
    assert result.errors == [
        {
            "line": 4,
            "message": "The record out 01:00:01:00 comes before the record in 01:00:02:00 "
            "in event 002.",
        }
    ]


def test_an_edl_whose_every_event_is_refused_says_why_with_the_line():
    data = edl("001  A001 V C 01:00:01:00 01:00:00:00 01:00:00:00 01:00:01:00")
    with pytest.raises(ReadError, match=r"no event that could be read: line 2: The source out"):
        readers.read_edl(data, frame_rate=24, naming=Naming())


def test_an_edl_in_arabic_indic_digits_is_not_taken_for_timecodes():
    digits = "\u0660\u0661"
    data = edl(f"{digits}1  A001 V C {digits}:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00")
    with pytest.raises(ReadError, match="no event that could be read: line 2: Not a CMX 3600"):
        readers.read_edl(data, frame_rate=24, naming=Naming())


# --- Values longer than their columns -----------------------------------------------------------


def test_csv_values_longer_than_their_columns_are_line_errors():
    data = (
        "Shot,Episode,Reel,Vendor\n"
        f"{'S' * 81},,,\n"
        f"SH0020,{'E' * 41},,\n"
        f"SH0030,,{'R' * 81},\n"
        f"SH0040,,,{'V' * 121}\n"
        "SH0050,EP1,R1,Vendor\n"
    ).encode()
    result = readers.read_shot_csv(data, Naming())
    assert [row["code"] for row in result.rows] == ["SH0050"]
    assert [(e["line"], e["message"].split(" '")[0]) for e in result.errors] == [
        (2, "The shot code"),
        (3, "SH0020: the episode"),
        (4, "SH0030: the reel"),
        (5, "SH0040: the vendor"),
    ]
    assert result.errors[0]["message"].endswith("is 81 characters long (at most 80).")


def test_long_clip_names_are_short_line_errors():
    data = edl(
        "001  A001 V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00",
        f"* FROM CLIP NAME:  {'N' * 500}",
        "002  A001 V C 01:00:01:00 01:00:02:00 01:00:01:00 01:00:02:00",
        f"* FROM CLIP NAME:  EP{'1' * 50}_SQ010_SH0010",
        "003  A001 V C 01:00:02:00 01:00:03:00 01:00:02:00 01:00:03:00",
        f"* FROM CLIP NAME:  {'N' * 5_000}",
    )
    result = readers.read_edl(data, frame_rate=24, naming=Naming())
    assert result.rows == []
    assert [(e["line"], e["message"].split(" '")[0]) for e in result.errors] == [
        (2, "The shot code"),
        (4, "The episode"),
        (6, "Clip name"),
    ]
    assert result.errors[2]["message"].endswith("is 5,000 characters long (at most 1,000).")
    assert all(len(e["message"]) < 200 for e in result.errors)


def test_a_megabyte_edl_line_is_refused_at_once_not_scanned_for_seconds():
    """A lazy pattern on the clip-name line, the naming patterns and the AI keywords each took
    seconds on a line of a megabyte; such a line is now its own error before any pattern."""
    data = edl(
        "001  A001 V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00",
        f"* FROM CLIP NAME:  {'N' * 1_000_000}",
        f"* LOC: 01:00:00:00 RED {'GENAIX ' * 150_000}",
    )
    result = readers.read_edl(data, frame_rate=24, naming=Naming())
    assert [(e["line"], e["message"][:30]) for e in result.errors] == [
        (3, "Line is 1,000,019 characters l"),
        (4, "Line is 1,050,022 characters l"),
    ]
    assert [row["code"] for row in result.rows] == ["001"]  # a clip without a name: its event


def test_a_long_marker_is_suggested_shortened():
    def long_marker(document):
        clip = document["tracks"]["children"][0]["children"][0]
        clip["markers"][0]["name"] = "GENAI " + "x" * 50_000

    result = readers.read_otio(otio_with(long_marker), frame_rate=24, naming=Naming())
    texts = [s["text"] for s in result.suggestions]
    assert len(texts[0]) == readers.MAX_MARKER_TEXT + 1 and texts[0].startswith("GENAI xxx")


def test_the_fixed_limits_are_the_columns(db):
    assert Shot._meta.get_field("code").max_length == readers.MAX_CODE
    assert Shot._meta.get_field("reel").max_length == readers.MAX_REEL
    assert Shot._meta.get_field("vendor").max_length == readers.MAX_VENDOR
    assert Episode._meta.get_field("code").max_length == readers.MAX_PART_CODE
    assert Sequence._meta.get_field("code").max_length == readers.MAX_PART_CODE


@pytest.mark.django_db
def test_an_over_long_shot_code_no_longer_breaks_the_apply(cast):
    """It reached the apply and PostgreSQL refused it (value too long): a server error."""
    production = cast.production_a
    data = f"Shot,Episode\n{'S' * 81},EP1\nLN_SQ010_SH0099,{'E' * 41}\nLN_SQ010_SH0098,EP1\n"
    record = flow.start(
        actor=cast.cora,
        production=production,
        upload=Upload(data.encode(), "shots.csv"),
        dry_run=False,
    )
    assert (record.status, record.created, record.rejected) == (Import.Status.APPLIED, 1, 2)
    assert [e["line"] for e in record.errors] == [2, 3]
    assert list(
        Shot.objects.filter(production=production, code__startswith="LN_SQ010_SH009").values_list(
            "code", "episode__code"
        )
    ) == [("LN_SQ010_SH0098", "EP1")]


# --- OTIO times that are not numbers ------------------------------------------------------------


@pytest.mark.parametrize("start", [-1000.0, 1e30, float("nan"), float("inf")])
def test_an_otio_start_no_timecode_can_show_refuses_the_file(start):
    def set_start(document):
        document["global_start_time"]["value"] = start

    with pytest.raises(ReadError, match="which no timecode can show"):
        readers.read_otio(otio_with(set_start), frame_rate=24, naming=Naming())


def test_an_otio_start_at_rate_zero_refuses_the_file():
    def zero_rate(document):
        document["global_start_time"]["rate"] = 0.0

    with pytest.raises(ReadError, match="starts at inf frames"):
        readers.read_otio(otio_with(zero_rate), frame_rate=24, naming=Naming())


def test_an_otio_clip_with_an_impossible_time_is_that_clips_error():
    def break_first_clip(document):
        clip = document["tracks"]["children"][0]["children"][0]
        clip["source_range"]["start_time"]["value"] = float("nan")

    result = readers.read_otio(otio_with(break_first_clip), frame_rate=24, naming=Naming())
    assert {
        "line": 1,
        "message": "Clip EP101_SQ010_SH0010_v002 has a time that is not a number.",
    } in (result.errors)
    assert result.rows  # the other clips are read


@pytest.mark.django_db
def test_a_broken_otio_file_fails_the_import_with_its_reason(cast):
    """It raised ValueError out of ``flow.start``: the upload answered 500, no record kept."""

    def negative_start(document):
        document["global_start_time"]["value"] = -1000.0

    record = flow.start(
        actor=cast.cora,
        production=cast.production_a,
        upload=Upload(otio_with(negative_start), "cut.otio"),
    )
    assert record.status == Import.Status.FAILED
    assert "starts at -1000 frames" in record.failure
    assert record.errors == [{"line": 0, "message": record.failure}]


# --- XML and the OTIO child process -------------------------------------------------------------


def test_deeply_nested_xml_is_refused_before_the_adapter_spins():
    """The adapter walked 50,000 levels until the time bound stopped it (a worker held for a
    minute); the depth is now checked on the tree defusedxml built, without the adapter."""
    data = b"<xmeml>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</xmeml>"
    with pytest.raises(ReadError, match="more than 256 levels deep"):
        readers.read_fcp7xml(data, frame_rate=24, naming=Naming(), time_limit=60)


def test_a_timeline_read_that_eats_memory_is_stopped(monkeypatch):
    monkeypatch.setattr(readers, "CHILD_EXTRA_MEMORY", 256 * 1024**2)
    monkeypatch.setattr(readers, "_otio_clips", lambda *args: bytearray(1024**3))
    with pytest.raises(ReadError, match="could not read the file \\(MemoryError"):
        readers.run_bounded("otio", "{}", 24.0, 30)


def test_an_unexpected_error_in_a_reader_refuses_the_file_instead_of_raising(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug of ours")

    monkeypatch.setattr(readers, "read_edl", broken)
    with pytest.raises(ReadError, match="an unexpected error in the reader"):
        readers.read_shots(b"TITLE: X\n", "edl", frame_rate=24, naming=Naming())


# --- Usage CSV ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_usage_ids_that_are_not_plain_digits_are_no_ids(cast):
    """``'²'.isdigit()`` is true and ``int('²')`` raises: the line was refused with Python's
    own message. A register id is ASCII digits; anything else is simply no id."""
    from studio_tracker.imports import usage_rows
    from studio_tracker.usage import tools

    tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name="FaceForge",
        vendor="Forge Labs",
        modalities=["video"],
        kind="generative",
    )
    data = (
        "Department,Category,Tool,Disposition,External ref,Id\n"
        "vfx,deaging,FaceForge,final_key,A,\u00b2\n"
        f"vfx,deaging,FaceForge,final_key,B,{'9' * 5000}\n"
        "vfx,deaging,FaceForge,final_key,C,17\n"
    ).encode()
    result = usage_rows.read(data, cast.production_a)
    assert result.errors == []
    assert [row["entry_id"] for row in result.rows] == [None, None, 17]


@pytest.mark.django_db
def test_moving_one_end_of_a_shot_past_the_other_is_that_lines_error(cast):
    """Found by the whole-path run: a row giving only the first frame, after the last frame the
    shot already had, passed the reader; the apply then hit the database's check on the frame
    count (IntegrityError out of ``flow.apply``; rolled back, but a server error)."""
    production = cast.production_a
    first = flow.start(
        actor=cast.cora,
        production=production,
        upload=Upload(b"Shot,Frame In,Frame Out\nLN_SQ010_SH0050,1001,1048\n", "shots.csv"),
        dry_run=False,
    )
    assert first.status == Import.Status.APPLIED
    data = b"Shot,Frame In\nLN_SQ010_SH0050,1100\nLN_SQ010_SH0060,1100\n"
    record = flow.start(actor=cast.cora, production=production, upload=Upload(data, "shots.csv"))
    assert record.errors == [
        {
            "line": 2,
            "message": "Shot LN_SQ010_SH0050: the last frame 1048 would come before the first "
            "1100; it was not changed.",
        }
    ]
    applied = flow.apply(record, actor=cast.cora)
    assert (applied.status, applied.created, applied.updated) == (Import.Status.APPLIED, 1, 0)
    shot = Shot.objects.get(production=production, code="LN_SQ010_SH0050")
    assert (shot.frame_in, shot.frame_out, shot.frames) == (1001, 1048, 48)
