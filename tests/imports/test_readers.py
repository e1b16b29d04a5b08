"""The readers alone (no database): real-shaped files under tests/fixtures/."""

from pathlib import Path

import pytest

from studio_tracker.imports import readers
from studio_tracker.imports.readers import Naming, ReadError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LN = Naming(r"^LN_SQ\d{3}_SH\d{4}$")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_code(result):
    return {row["code"]: row for row in result.rows}


def test_avid_drop_frame_edl_gives_every_shot_exactly():
    result = readers.read_edl(fixture("avid_drop_frame.edl"), frame_rate="29.97", naming=LN)
    shots = by_code(result)
    assert set(shots) == {"LN_SQ010_SH0010", "LN_SQ010_SH0020", "LN_SQ020_SH0030"}
    sh10 = shots["LN_SQ010_SH0010"]  # events 001, the dissolve's outgoing side, 004 and 005
    assert (sh10["record_in"], sh10["record_out"]) == ("01:00:00;00", "01:00:09;06")
    assert (sh10["source_in"], sh10["source_out"]) == ("01:02:03;04", "01:02:05;10")
    assert sh10["reel"] == "A001C003"
    assert sh10["sequence"] == "SQ010" and "episode" not in sh10
    assert sh10["events"] == [4, 18, 22]
    assert sh10["frame_out"] - sh10["frame_in"] + 1 == 276
    sh20 = shots["LN_SQ010_SH0020"]  # the dissolve's incoming side
    assert (sh20["record_in"], sh20["record_out"]) == ("01:00:02;06", "01:00:04;06")
    assert (sh20["source_in"], sh20["source_out"]) == ("03:00:10;00", "03:00:12;00")
    assert sh20["reel"] == "A002C001"
    sh30 = shots["LN_SQ020_SH0030"]  # M2 at 48 fps: 30 record frames use 48 source frames
    assert (sh30["record_in"], sh30["record_out"]) == ("01:00:04;06", "01:00:05;06")
    assert (sh30["source_in"], sh30["source_out"]) == ("05:00:00;00", "05:00:01;18")
    assert sh30["frame_out"] - sh30["frame_in"] + 1 == 30


def test_edl_reports_every_line_it_cannot_take_with_its_number():
    result = readers.read_edl(fixture("avid_drop_frame.edl"), frame_rate="29.97", naming=LN)
    assert [(e["line"], e["message"].split(" ")[0]) for e in result.errors] == [
        (24, "Clip"),
        (26, "Unreadable"),
        (28, "Not"),
    ]
    assert "07:00:0X;00" in result.errors[1]["message"]


def test_edl_locators_naming_ai_become_suggestions():
    result = readers.read_edl(fixture("avid_drop_frame.edl"), frame_rate="29.97", naming=LN)
    assert result.suggestions == [
        {"line": 6, "code": "LN_SQ010_SH0010", "text": "GENAI SKY REPLACEMENT"},
        {"line": 16, "code": "LN_SQ020_SH0030", "text": "Gen AI crowd extension - check consent"},
    ]


def test_keywords_are_configurable_and_whole_words():
    regex = readers.ai_keyword_regex(["VOICE CLONE"])
    assert regex.search("voice clone of lead") and not regex.search("GENAI sky")
    default = readers.ai_keyword_regex()
    assert not default.search("said the director, maintain the take")


def test_drop_frame_edl_contradicting_a_24_fps_production_fails():
    with pytest.raises(ReadError, match="drop-frame"):
        readers.read_edl(fixture("avid_drop_frame.edl"), frame_rate=24, naming=LN)


def test_edl_with_frames_beyond_the_rate_fails():
    text = b"TITLE: X\n001  A001 V C 01:00:00:29 01:00:01:00 01:00:00:00 01:00:00:01\n"
    with pytest.raises(ReadError, match="cannot exist at the production's 25 fps"):
        readers.read_edl(text, frame_rate=25, naming=Naming())


def test_edl_without_events_fails():
    with pytest.raises(ReadError, match="no events"):
        readers.read_edl(b"TITLE: EMPTY\nFCM: NON-DROP FRAME\n", frame_rate=24, naming=Naming())


def test_fcp7_xml_and_otio_give_the_same_shots():
    for reader, name in (
        (readers.read_fcp7xml, "episode_101_fcp7.xml"),
        (readers.read_otio, "episode_101.otio"),
    ):
        result = reader(fixture(name), frame_rate=24, naming=Naming())
        shots = by_code(result)
        assert set(shots) == {"EP101_SQ010_SH0010", "EP101_SQ010_SH0020", "EP101_SQ020_SH0010"}
        sh = shots["EP101_SQ010_SH0010"]  # used twice: the union of both events
        assert (sh["episode"], sh["sequence"]) == ("EP101", "SQ010")
        assert (sh["record_in"], sh["record_out"]) == ("01:00:00:00", "01:00:07:00")
        assert (sh["source_in"], sh["source_out"]) == ("02:00:00:00", "02:00:02:00")
        assert (sh["frame_in"], sh["frame_out"]) == (86400, 86567)
        sq20 = shots["EP101_SQ020_SH0010"]
        assert (sq20["record_in"], sq20["record_out"]) == ("01:00:03:12", "01:00:06:00")
        assert (sq20["source_in"], sq20["source_out"]) == ("03:00:00:00", "03:00:02:12")
        assert [s["text"] for s in result.suggestions] == [
            "GENAI sky replacement",
            "ML rotoscoping",
        ]
        assert [e["line"] for e in result.errors] == [5]


def test_fcp7_xml_at_another_rate_fails():
    with pytest.raises(ReadError, match="runs at 24 fps but the production runs at 25"):
        readers.read_fcp7xml(fixture("episode_101_fcp7.xml"), frame_rate=25, naming=Naming())


def test_hostile_xml_is_refused_before_the_adapter():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xmeml>&b;</xmeml>'
    )
    with pytest.raises(ReadError, match="entities"):
        readers.read_fcp7xml(bomb, frame_rate=24, naming=Naming())


def test_fcpx_is_refused_with_what_to_export():
    with pytest.raises(ReadError, match="Final Cut Pro 7 XML"):
        readers.format_from_name("cut.fcpxml")
    with pytest.raises(ReadError, match="Final Cut Pro 7 XML"):
        readers.read_fcp7xml(
            b'<?xml version="1.0"?><fcpxml version="1.9"/>', frame_rate=24, naming=Naming()
        )


def test_a_reader_past_its_time_bound_is_stopped(monkeypatch):
    monkeypatch.setattr(readers, "_otio_clips", lambda *args: __import__("time").sleep(30))
    with pytest.raises(ReadError, match=r"longer than 0\.5 s"):
        readers.run_bounded("otio", "{}", 24.0, 0.5)


def test_excel_csv_with_semicolons_bom_and_crlf():
    result = readers.read_shot_csv(fixture("excel_shots_semicolon.csv"), Naming())
    shots = by_code(result)
    assert set(shots) == {"001", "EP101_SQ010_SH0020", "EP101_SQ020_SH0010"}  # 001 stays 001
    assert shots["001"] == {
        "line": 2,
        "code": "001",
        "episode": "EP101",
        "sequence": "SQ010",
        "frame_in": 1001,
        "frame_out": 1048,
        "description": "Opening wide, sky replacement",
        "reel": "A001C001",
        "vendor": "Framestore",
    }
    assert shots["EP101_SQ010_SH0020"]["episode"] == "EP101"  # from the code
    assert shots["EP101_SQ020_SH0010"]["description"] == "Rooftop; night, rain"
    assert [(e["line"], e["message"]) for e in result.errors] == [
        (4, "No shot code."),
        (5, "Shot 001 is already on line 2."),
        (7, "EP101_SQ020_SH0020: the last frame 1001 comes before the first 1050."),
    ]


def test_cp1252_csv_is_read():
    result = readers.read_shot_csv(fixture("excel_cp1252.csv"), Naming())
    assert result.rows[0]["description"] == "Café scène"
    assert result.rows[0]["frame_out"] == 1024


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00", b"Shot,In\n\x01\x02\x03,1\n"])
def test_binary_junk_is_refused(data):
    with pytest.raises(ReadError, match="not a text file"):
        readers.read_shot_csv(data, Naming())


def test_tab_delimited_and_unreadable_timecode():
    data = b"Code\tRecord In\nA_SH0010\t01:00:00:00\nA_SH0020\t1:00\n"
    result = readers.read_shot_csv(data, Naming())
    assert [r["code"] for r in result.rows] == ["A_SH0010"]
    assert result.errors == [
        {"line": 3, "message": "A_SH0020: unreadable timecode '1:00' (record in)."}
    ]


def test_formula_guard_is_undone():
    assert readers.undo_formula_guard("'=SUM(A1)") == "=SUM(A1)"
    assert readers.undo_formula_guard("'-5") == "-5"
    assert readers.undo_formula_guard("'quoted") == "'quoted"


PLAIN_EDL = """TITLE: PLAIN CUTS
FCM: NON-DROP FRAME

001  A001C001 V     C        01:00:00:00 01:00:02:00 10:00:00:00 10:00:02:00
* FROM CLIP NAME:  LN_SQ010_SH0010_v003.mov
* LOC: 10:00:00:12 RED     GENAI sky
002  AX       V     C        02:00:00:00 02:00:01:00 10:00:02:00 10:00:03:12
* FROM CLIP NAME:  LN_SQ010_SH0020
* TO CLIP NAME:  LN_SQ010_SH0021
* LOC: 10:00:02:00
* LOC: 10:00:02:01 GREEN
003  BL       V     C        00:00:00:00 00:00:00:12 10:00:05:00 10:00:05:12
004  A003C002 V     C        03:00:00:00 03:00:01:00 10:00:05:06 10:00:06:06
* FROM CLIP NAME:  LN_SQ010_SH0010
* LOC: 10:00:05:06 BLUE    ML cleanup   of rig
"""


@pytest.mark.parametrize("frame_rate", [24, "23.976", 25])
def test_plain_cut_edl_gives_what_the_otio_adapter_gives(frame_rate):
    """Gaps, an overlap, AX and BL reels, TO CLIP NAME, a clip without a name, locators with and
    without colour and text: the line-by-line pass matches the adapter clip for clip."""
    rate = readers.otio_rate(frame_rate)
    text, _events, _drop = readers.scan_edl(PLAIN_EDL, rate, readers.ReadResult())
    plain = readers.plain_cuts(text, rate)
    assert plain is not None
    assert plain["clips"] == readers._otio_clips("edl", text, rate)["clips"]


@pytest.mark.parametrize(
    "extra",
    [
        "005  A004 V     D    012 03:00:00:00 03:00:01:00 10:00:06:06 10:00:07:06\n",
        "005  A004 A     C        03:00:00:00 03:00:01:00 10:00:06:06 10:00:07:06\n",
        "005  A004 B     C        03:00:00:00 03:00:01:00 10:00:06:06 10:00:07:06\n",
        "M2   A003C002       048.0                03:00:00:00\n",
        "* SOURCE FILE: A003C002.mov\n",
        "* FROM CLIP: /media/A003C002.mov\n",
        "004  A005 V     C        03:00:00:00 03:00:01:00 10:00:06:06 10:00:07:06\n",
    ],
)
def test_anything_but_plain_cuts_goes_to_the_otio_adapter(extra):
    text, _events, _drop = readers.scan_edl(PLAIN_EDL + extra, 24.0, readers.ReadResult())
    assert readers.plain_cuts(text, 24.0) is None


def test_plain_cut_edl_reads_without_the_child_process(monkeypatch):
    def no_child(*args):
        raise AssertionError("OTIO should not run for plain cuts")

    monkeypatch.setattr(readers, "run_bounded", no_child)
    result = readers.read_edl(PLAIN_EDL.encode(), frame_rate=24, naming=LN)
    assert sorted(row["code"] for row in result.rows) == [
        "LN_SQ010_SH0010",
        "LN_SQ010_SH0021",
    ]
    assert [s["text"] for s in result.suggestions] == ["GENAI sky", "ML cleanup   of rig"]
    assert [(e["line"], e["message"].split(":")[0]) for e in result.errors] == [
        (10, "Unreadable locator (no timecode)"),
        (12, "Clip name '003' does not follow the naming convention ^LN_SQ\\d{3}_SH\\d{4}$."),
    ]
