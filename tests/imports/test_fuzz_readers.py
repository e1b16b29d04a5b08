"""Hostile and broken files through every importer (issue 11): property-based, with Hypothesis.

Whatever an editor's workstation produces — random bytes, a truncated or re-encoded export, a
billion-laughs XML, an OTIO file with the wrong types, a timecode of 99:99:99:99, a cell of a
megabyte, ten thousand columns — each file either imports or is answered with line-numbered
errors (``{line, message}``). The reader never raises anything but ``ReadError`` (the whole file
refused, with its reason), the import path never raises at all, a preview or a failed import
writes no shot and no usage entry, an apply is all or nothing, and every file is read within
``FILE_SECONDS`` and ``FILE_PEAK_BYTES``.

CI runs the ``fuzz-ci`` profile (a bounded number of examples, derandomized, no example
database); ``FUZZ_PROFILE=fuzz-long`` (or ``bench/fuzz_importers.py``) runs thousands. The
strategies here are also what the bench uses.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio_tracker.imports import readers
from studio_tracker.imports.readers import Naming, ReadError
from studio_tracker.lib.timecode import is_valid_timecode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Per file, generous: a loaded 2-core machine (load 13 when measured) is several times
# slower than CI; a hang or a pattern gone quadratic takes far longer.
FILE_SECONDS = 8.0
FILE_PEAK_BYTES = 200 * 1024 * 1024
OTIO_TIME_LIMIT = 3.0  # the child process reading a timeline is stopped past this
MAX_CODE = 80  # Shot.code
MAX_PART = 40  # Episode.code, Sequence.code
MAX_FRAME = 2**31 - 1  # Shot.frame_in and frame_out (PositiveIntegerField)

_COMMON = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile("fuzz-ci", max_examples=50, **_COMMON)
settings.register_profile("fuzz-db-ci", max_examples=20, **_COMMON)
settings.register_profile("fuzz-long", max_examples=10_000, **_COMMON)
settings.register_profile("fuzz-db-long", max_examples=2_000, **_COMMON)
PROFILE = os.environ.get("FUZZ_PROFILE", "fuzz-ci")
DB_PROFILE = "fuzz-db-long" if PROFILE == "fuzz-long" else "fuzz-db-ci"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


SEEDS = {
    "csv": [fixture("excel_shots_semicolon.csv"), fixture("excel_cp1252.csv")],
    "edl": [fixture("avid_drop_frame.edl")],
    "fcp7xml": [fixture("episode_101_fcp7.xml")],
    "otio": [fixture("episode_101.otio")],
    "usage": [fixture("usage_register.csv")],
}
FILE_NAMES = {
    "csv": "shots.csv",
    "edl": "cut.edl",
    "fcp7xml": "cut.xml",
    "otio": "cut.otio",
    "usage": "register.csv",
}
RATES = ["23.976", 24, 25, "29.97", 30, 48, 50, "59.94", 60]
NAMINGS = [Naming(), Naming(r"^LN_SQ\d{3}_SH\d{4}$"), Naming(r"(?P<episode>EP\d+)_SQ\d+_SH\d+")]


# --- Strategies: generic damage -----------------------------------------------------------------


@st.composite
def truncated(draw, seeds):
    data = draw(st.sampled_from(seeds))
    return data[: draw(st.integers(0, len(data)))]


@st.composite
def byte_flips(draw, seeds):
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.sampled_from([data[position] ^ 0xFF, 0, 0x80, ord('"'), 10]))
    return bytes(data)


@st.composite
def line_edits(draw, seeds):
    lines = draw(st.sampled_from(seeds)).split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        position = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "duplicate", "swap", "repeat"]))
        if action == "drop":
            del lines[position]
        elif action == "duplicate":
            lines.insert(position, lines[position])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[position], lines[other] = lines[other], lines[position]
        else:
            lines[position:position] = [lines[position]] * draw(st.integers(2, 300))
    return b"\n".join(lines)


@st.composite
def reencoded(draw, seeds):
    """UTF-16/32 with and without BOM, cp1252 and latin-1 (behind a UTF-8 BOM), broken UTF-8."""
    text = draw(st.sampled_from(seeds)).decode("utf-8-sig", errors="replace")
    text = text.replace("Shot", draw(st.sampled_from(["Shot", "Shöt", "Shot\u00e9", "Sh\u2019t"])))
    encoding = draw(
        st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"])
    )
    data = text.encode(encoding, errors="replace")
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
    data = prefix + data
    if draw(st.booleans()):  # invalid UTF-8 sequences in the middle
        position = draw(st.integers(0, len(data)))
        junk = draw(
            st.sampled_from([b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc"])
        )
        data = data[:position] + junk + data[position:]
    return data


def damaged(fmt: str) -> st.SearchStrategy[bytes]:
    seeds = SEEDS[fmt]
    return st.one_of(
        st.binary(max_size=2048),
        truncated(seeds),
        byte_flips(seeds),
        line_edits(seeds),
        reencoded(seeds),
    )


# --- Strategies: timecodes ----------------------------------------------------------------------

absurd_timecodes = st.one_of(
    st.builds(
        "{:02d}:{:02d}:{:02d}{}{:02d}".format,
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from([":", ";"]),
        st.integers(0, 99),
    ),
    st.sampled_from(
        [
            "99:99:99:99",
            "-01:00:00:00",
            "00:00:00:-1",
            "23:59:59:29",
            "24:00:00:00",
            "999999999:00:00:00",
            "01:00:00:00:00",
            "1:2:3:4",
            "00:00:00;00",
            "01:00:60:00",
            "\u0661\u0660:00:00:00",  # Arabic-Indic digits
            "",
        ]
    ),
)


# --- Strategies: CSV ----------------------------------------------------------------------------

HUGE = st.integers(100_000, 1_500_000)


@st.composite
def csv_huge_cell(draw):
    size = draw(HUGE)
    column = draw(st.sampled_from(["Shot", "Description", "Reel", "Vendor", "Episode"]))
    quoted = draw(st.booleans())
    cell = draw(st.sampled_from(["A", "é", "x,y", '"'])) * size
    if quoted:
        cell = '"' + cell.replace('"', '""') + '"'
    header = "Shot,Description,Reel,Vendor,Episode"
    cells = {"Shot": "SH0010", "Description": "d", "Reel": "R", "Vendor": "V", "Episode": "EP1"}
    cells[column] = cell
    return (header + "\n" + ",".join(cells.values()) + "\n").encode()


@st.composite
def csv_many_columns(draw):
    count = draw(st.integers(1_000, 20_000))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    names = [draw(st.sampled_from(["Shot", "In", "Out", "x", "", "Code"])) for _ in range(3)]
    header = delimiter.join(names + [f"c{i}" for i in range(count)])
    row = delimiter.join(["SH0010", "1001", "1100"] + ["v"] * count)
    return (header + "\n" + (row + "\n") * draw(st.integers(1, 5))).encode()


@st.composite
def csv_absurd_values(draw):
    rows = ["Shot,Episode,Sequence,Frame In,Frame Out,Frames,Record In,Record Out,Reel,Vendor"]
    numbers = st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.sampled_from(["", "0", "2147483648", "4294967296", "999999999", "1e9", "1,001", "¹²"]),
    )
    for index in range(draw(st.integers(1, 20))):
        code = draw(
            st.one_of(
                st.just(f"SH{index:04d}"),
                st.text(min_size=0, max_size=200),
                st.from_regex(r"EP\d{1,80}_SQ\d{1,80}_SH\d{1,4}", fullmatch=True),
                st.integers(81, 400).map(lambda n: "S" * n),
            )
        )
        row = [
            code,
            draw(st.one_of(st.just(""), st.text(max_size=60))),
            draw(st.one_of(st.just(""), st.text(max_size=60))),
            draw(numbers),
            draw(numbers),
            draw(numbers),
            draw(absurd_timecodes),
            draw(absurd_timecodes),
            draw(st.one_of(st.just(""), st.text(max_size=120))),
            draw(st.one_of(st.just(""), st.text(max_size=160))),
        ]
        rows.append(",".join('"' + cell.replace('"', '""') + '"' for cell in row))
    return ("\r\n".join(rows) + "\r\n").encode("utf-8", errors="replace")


# --- Strategies: EDL ----------------------------------------------------------------------------


@st.composite
def edl_events(draw):
    lines = [draw(st.sampled_from(["TITLE: FUZZ", "TITLE: X\nFCM: DROP FRAME", ""]))]
    for number in range(1, draw(st.integers(1, 12)) + 1):
        track = draw(st.sampled_from(["V", "A", "B", "A2", "AA/V", "V2"]))
        trans = draw(st.sampled_from(["C", "C", "D    030", "W001 015", "K    000", "D"]))
        tcs = [draw(absurd_timecodes) for _ in range(4)]
        reel = draw(st.sampled_from(["A001C001", "AX", "BL", "R" * 200]))
        lines.append(f"{number:03d}  {reel} {track} {trans} {' '.join(tcs)}")
        name = draw(
            st.one_of(
                st.just(f"LN_SQ010_SH{number:04d}_v001"),
                st.text(max_size=40),
                st.integers(81, 2_000).map(lambda n: "N" * n),
                st.from_regex(r"EP\d{40,60}_SQ\d{1,3}_SH\d{1,4}", fullmatch=True),
            )
        )
        lines.append(f"* FROM CLIP NAME:  {name}")
        extra = draw(
            st.sampled_from(
                [
                    "",
                    f"M2   A001       {draw(st.sampled_from(['048.0', '-024.0', '000.0', '99999.9']))}"
                    f"                {tcs[0]}",
                    f"* LOC: {tcs[2]} RED     GENAI sky",
                    "* LOC: nonsense",
                    "SPLIT: AUDIO DELAY=  00:00:00:05",
                ]
            )
        )
        if extra:
            lines.append(extra)
    return ("\n".join(lines) + "\n").encode()


@st.composite
def edl_huge_name(draw):
    size = draw(HUGE)
    return (
        "TITLE: BIG\n001  A001 V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
        f"* FROM CLIP NAME:  {'N' * size}\n* LOC: 01:00:00:00 RED {'GENAI ' * (size // 6)}\n"
    ).encode()


@st.composite
def edl_many_events(draw):
    count = draw(st.integers(200, 1_000))
    lines = ["TITLE: MANY"]
    for i in range(count):
        start = 86400 + i * 24
        tc_in = readers.frames_to_tc(start, 24.0, False)
        tc_out = readers.frames_to_tc(start + 24, 24.0, False)
        lines.append(f"{i % 1000:03d}  A001 V C {tc_in} {tc_out} {tc_in} {tc_out}")
        lines.append(f"* FROM CLIP NAME:  SH{i:05d}")
    return ("\n".join(lines) + "\n").encode()


# --- Strategies: FCP7 XML -----------------------------------------------------------------------

XML_ATTACKS = [
    # Billion laughs: ten levels of ten.
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]><xmeml>&lol9;</xmeml>",
    # XXE: an external entity naming a local file.
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xmeml><project><name>&xxe;</name></project></xmeml>",
    # External DTD and a parameter entity.
    b'<?xml version="1.0"?><!DOCTYPE xmeml SYSTEM "http://127.0.0.1:9/evil.dtd"><xmeml/>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]><xmeml/>',
    # Quadratic blowup: one big entity used many times.
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "'
    + b"a" * 50_000
    + b'">]><xmeml>'
    + b"&a;" * 2_000
    + b"</xmeml>",
    b'<?xml version="1.0"?><!DOCTYPE xmeml><xmeml/>',
    b'<?xml version="1.0"?><xmeml><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
    b'href="file:///etc/passwd" parse="text"/></xmeml>',
    b'<?xml version="1.0"?><fcpxml version="1.9"/>',
    b"<xmeml>",
    b"<xmeml></xmemlx>",
    b"",
]


@st.composite
def xml_nested(draw):
    depth = draw(st.integers(100, 50_000))
    tag = draw(st.sampled_from([b"a", b"children", b"track", b"clipitem", b"sequence"]))
    close = draw(st.booleans())
    body = b"<" + tag + b">"
    return (
        b"<xmeml>" + body * depth + ((b"</" + tag + b">") * depth if close else b"") + b"</xmeml>"
    )


@st.composite
def xml_values(draw):
    """The fixture with its numbers and names replaced by absurd ones."""
    text = SEEDS["fcp7xml"][0].decode()
    for tag in draw(
        st.lists(
            st.sampled_from(
                ["timebase", "duration", "start", "end", "in", "out", "frame", "ntsc", "name"]
            ),
            min_size=1,
            max_size=5,
        )
    ):
        value = draw(
            st.one_of(
                st.integers(-(10**15), 10**15).map(str),
                st.sampled_from(["0", "-1", "NaN", "inf", "", "TRUE", "1e308", "24.5"]),
                st.text(max_size=100),
                st.integers(81, 5_000).map(lambda n: "X" * n),
            )
        )
        value = value.replace("&", "&amp;").replace("<", "&lt;")
        opening = f"<{tag}>"
        start = text.find(opening, draw(st.integers(0, len(text))))
        if start < 0:
            start = text.find(opening)
        end = text.find(f"</{tag}>", start)
        if start >= 0 and end >= 0:
            text = text[: start + len(opening)] + value + text[end:]
    return text.encode("utf-8", errors="replace")


@st.composite
def xml_huge_name(draw):
    size = draw(HUGE)
    text = SEEDS["fcp7xml"][0].decode()
    return text.replace("EP101_SQ010_SH0010_v002", "N" * size, 1).encode()


# --- Strategies: OTIO JSON ----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["Timeline.1", "Clip.2", "RationalTime.1", "Nope.7", "Track.1"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["OTIO_SCHEMA", "name", "value", "rate", "children", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _leaf_paths(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from _leaf_paths(value, (*path, index))


OTIO_SEED = json.loads(SEEDS["otio"][0])
OTIO_PATHS = list(_leaf_paths(OTIO_SEED))


@st.composite
def otio_wrong_types(draw):
    document = copy.deepcopy(OTIO_SEED)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(OTIO_PATHS))
        node = document
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(document).encode()


@st.composite
def otio_absurd_times(draw):
    """Every RationalTime of the fixture a candidate for a negative, huge, zero-rate, NaN or
    infinite value (OTIO's JSON reader takes NaN and Infinity)."""
    text = SEEDS["otio"][0].decode()
    document = json.loads(text)
    times = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("OTIO_SCHEMA") == "RationalTime.1":
                times.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for _ in range(draw(st.integers(1, 4))):
        node = draw(st.sampled_from(times))
        key = draw(st.sampled_from(["value", "rate"]))
        node[key] = draw(
            st.sampled_from(
                [-1.0, -86400.0, 0.0, 1e300, -1e300, 2.0**53, 1e-300, math.nan, math.inf, -math.inf]
            )
            | st.floats(-1e18, 1e18)
        )
    return json.dumps(document).encode()  # NaN and Infinity as JavaScript literals


@st.composite
def otio_nested(draw):
    depth = draw(st.integers(100, 50_000))
    opener = draw(st.sampled_from(["[", '{"a":', '{"OTIO_SCHEMA":"Timeline.1","tracks":']))
    closer = {"[": "]"}.get(opener, "}")
    return (opener * depth + "1" + closer * depth).encode()


@st.composite
def otio_unknown_schema(draw):
    schema = draw(
        st.sampled_from(
            ["Nope.1", "Timeline.99", "Clip.0", "", "Timeline", "SerializableCollection.1"]
        )
    )
    return json.dumps({"OTIO_SCHEMA": schema, "name": "x", "children": [OTIO_SEED]}).encode()


@st.composite
def otio_huge_name(draw):
    document = copy.deepcopy(OTIO_SEED)
    document["tracks"]["children"][0]["children"][0]["name"] = "N" * draw(HUGE)
    return json.dumps(document).encode()


# --- Strategies: usage CSV ----------------------------------------------------------------------


@st.composite
def usage_rows_absurd(draw):
    header = "Shot,Department,Category,Tool,Tool version,Disposition,Description,Performers,External ref,Used on,Id"
    rows = [header]
    for _ in range(draw(st.integers(1, 15))):
        rows.append(
            ",".join(
                '"' + cell.replace('"', '""') + '"'
                for cell in [
                    draw(st.sampled_from(["LN_SQ010_SH0010", "", "NOPE", "S" * 300])),
                    draw(st.sampled_from(["vfx", "VFX", "", "nonsense", "d" * 100])),
                    draw(st.sampled_from(["deaging", "Set extension", "", "x" * 100])),
                    draw(st.sampled_from(["FaceForge", "faceforge", "", "T" * 500])),
                    draw(st.text(max_size=200)),
                    draw(st.sampled_from(["final_key", "marketing", "", "nope"])),
                    draw(st.text(max_size=300)),
                    draw(st.sampled_from(["", "Maggie Whitcombe", "Nobody", ";;|", "M" * 300])),
                    draw(st.one_of(st.text(max_size=250), st.just(""))),
                    draw(
                        st.sampled_from(
                            ["", "2025-03-01", "2025-02-30", "0000-01-01", "99999-01-01", "March"]
                        )
                        | st.text(max_size=12)
                    ),
                    draw(
                        st.sampled_from(["", "1", "²", "9" * 30, "9" * 5000, "-1", "١٢"])
                        | st.integers(0, 2**63).map(str)
                    ),
                ]
            )
        )
    return ("\n".join(rows) + "\n").encode()


def inputs(fmt: str, *, huge: bool = True) -> st.SearchStrategy[bytes]:
    """Every kind of bad (and good) file for one format."""
    specific = {
        "csv": [csv_absurd_values(), csv_many_columns()] + ([csv_huge_cell()] if huge else []),
        "edl": [edl_events(), edl_many_events()] + ([edl_huge_name()] if huge else []),
        "fcp7xml": [st.sampled_from(XML_ATTACKS), xml_nested(), xml_values()]
        + ([xml_huge_name()] if huge else []),
        "otio": [otio_wrong_types(), otio_absurd_times(), otio_nested(), otio_unknown_schema()]
        + ([otio_huge_name()] if huge else []),
        "usage": [usage_rows_absurd()],
    }[fmt]
    return st.one_of(damaged(fmt), *specific, st.sampled_from(SEEDS[fmt]))


# --- The properties -----------------------------------------------------------------------------


def _resettable_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


class Measured:
    """Wall time and peak memory of one call.

    The memory is the process's peak resident size above where it stood (Linux resets the peak
    through /proc/self/clear_refs): that counts what OTIO's C++ and expat allocate too, and
    costs nothing, where tracemalloc sees Python's heap only and makes the reading four times
    slower. Without /proc, tracemalloc's peak stands in. The OTIO child process's memory is its
    own: ``run_bounded`` caps its address space and stops it past its time limit."""

    USE_RSS = _resettable_peak_rss()

    def __enter__(self):
        self._tracing = False
        if self.USE_RSS:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
            self._base = _rss_kib("VmRSS:")
        else:
            self._tracing = not tracemalloc.is_tracing()
            if self._tracing:
                tracemalloc.start()
            tracemalloc.reset_peak()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        if self.USE_RSS:
            self.peak = max(0, _rss_kib("VmHWM:") - self._base) * 1024
        else:
            self.peak = tracemalloc.get_traced_memory()[1]
            if self._tracing:
                tracemalloc.stop()
        return False

    def check(self) -> None:
        assert self.seconds < FILE_SECONDS, f"took {self.seconds:.2f} s"
        assert self.peak < FILE_PEAK_BYTES, f"peak {self.peak / 1e6:.0f} MB"


def check_line_errors(errors) -> None:
    for error in errors:
        assert set(error) == {"line", "message"}, error
        assert isinstance(error["line"], int) and error["line"] >= 0, error
        assert isinstance(error["message"], str) and error["message"].strip(), error


def check_shot_row(row: dict) -> None:
    """A row the apply can write as it is: what the columns hold."""
    assert isinstance(row["line"], int) and row["line"] >= 0
    assert isinstance(row["code"], str) and 0 < len(row["code"]) <= MAX_CODE, row["code"][:100]
    for part in ("episode", "sequence"):
        if part in row:
            assert isinstance(row[part], str) and len(row[part]) <= MAX_PART, row[part][:100]
    for name in readers.TIMECODE_FIELDS:
        if name in row:
            assert is_valid_timecode(row[name]), (name, row[name])
    for name in ("reel", "vendor"):
        if name in row:
            assert len(row[name]) <= {"reel": 80, "vendor": 120}[name]
    for name in ("frame_in", "frame_out"):
        if name in row:
            assert isinstance(row[name], int) and 0 <= row[name] <= MAX_FRAME, (name, row[name])
    if "frame_in" in row and "frame_out" in row:
        assert row["frame_out"] >= row["frame_in"]
    json.dumps(row, allow_nan=False)


def read_one(fmt: str, data: bytes, frame_rate, naming: Naming) -> tuple[str, object, Measured]:
    """Read a file as the import does; return ("read", result) or ("refused", message)."""
    with Measured() as measured:
        try:
            outcome = (
                "read",
                readers.read_shots(
                    data, fmt, frame_rate=frame_rate, naming=naming, time_limit=OTIO_TIME_LIMIT
                ),
            )
        except ReadError as error:
            outcome = ("refused", str(error))
    return (*outcome, measured)


def check_read(fmt: str, data: bytes, frame_rate=24, naming: Naming | None = None):
    """The reader's promise for one file; returns ("read" or "refused", the measurements)."""
    kind, value, measured = read_one(fmt, data, frame_rate, naming or Naming())
    measured.check()
    if kind == "refused":
        assert value.strip()
        assert not value.startswith(readers.UNEXPECTED), value  # a bug of ours, not the file's
        return kind, measured
    check_line_errors(value.errors)
    for row in value.rows:
        check_shot_row(row)
    for suggestion in value.suggestions:
        assert isinstance(suggestion["line"], int) and suggestion["code"]
    return kind, measured


reader_settings = settings(settings.get_profile(PROFILE))


@reader_settings
@given(data=inputs("csv"), naming=st.sampled_from(NAMINGS))
def test_shot_csv_reader_imports_or_answers_with_line_errors(data, naming):
    check_read("csv", data, naming=naming)


@reader_settings
@given(data=inputs("edl"), frame_rate=st.sampled_from(RATES), naming=st.sampled_from(NAMINGS))
def test_edl_reader_imports_or_answers_with_line_errors(data, frame_rate, naming):
    check_read("edl", data, frame_rate, naming)


@reader_settings
@given(data=inputs("fcp7xml"), frame_rate=st.sampled_from(RATES), naming=st.sampled_from(NAMINGS))
def test_fcp7_xml_reader_imports_or_answers_with_line_errors(data, frame_rate, naming):
    check_read("fcp7xml", data, frame_rate, naming)


@reader_settings
@given(data=inputs("otio"), frame_rate=st.sampled_from(RATES), naming=st.sampled_from(NAMINGS))
def test_otio_reader_imports_or_answers_with_line_errors(data, frame_rate, naming):
    check_read("otio", data, frame_rate, naming)


@pytest.mark.parametrize(
    "attack",
    XML_ATTACKS[:5],
    ids=["billion-laughs", "xxe-file", "external-dtd", "parameter-entity", "quadratic-blowup"],
)
def test_xml_entities_and_external_references_are_refused_not_expanded(attack):
    with Measured() as measured, pytest.raises(ReadError) as refused:
        readers.read_fcp7xml(attack, frame_rate=24, naming=Naming())
    measured.check()
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd comes back
    assert "lollollol" not in str(refused.value)


# --- The whole import path: preview and apply, as a coordinator ---------------------------------


class Upload(io.BytesIO):
    """What the upload views hand to ``flow.start``: bytes with a name and a size."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def written(production) -> dict[str, int]:
    """Everything an import may write for the production, counted."""
    from studio_tracker.audit.models import AuditEvent
    from studio_tracker.productions.models import Episode, Sequence, Shot
    from studio_tracker.usage.models import UsageEntry, UsagePerformer

    return {
        "shots": Shot.objects.filter(production=production).count(),
        "episodes": Episode.objects.filter(production=production).count(),
        "sequences": Sequence.objects.filter(production=production).count(),
        "entries": UsageEntry.objects.filter(production=production).count(),
        "performer_links": UsagePerformer.objects.filter(
            usage_entry__production=production
        ).count(),
        "events": AuditEvent.objects.filter(production_id=production.pk).count(),
    }


def prepare_production(cast, fmt: str):
    """Production A set up as each format's real files expect it; the registry for usage."""
    from studio_tracker.productions import changes
    from studio_tracker.usage import performers, tools
    from studio_tracker.usage.models import Tool

    # The Avid EDL is 29.97 drop-frame with LN_ codes; the other files are 24 fps, any code.
    rate, pattern = ("29.97", r"^LN_SQ\d{3}_SH\d{4}$") if fmt == "edl" else ("24", "")
    production = changes.update_production(
        cast.production_a, actor=None, frame_rate=rate, shot_code_pattern=pattern
    )
    if fmt == "usage" and not Tool.objects.filter(organization=cast.northlight).exists():
        tools.add_tool(
            actor=cast.cam,
            organization=cast.northlight,
            name="FaceForge",
            vendor="Forge Labs",
            modalities=["video"],
            kind="generative",
        )
        performers.create_performer(
            actor=cast.cam,
            organization=cast.northlight,
            legal_name="Margaret W",
            professional_name="Maggie Whitcombe",
        )
    return production


def check_path(actor, production, fmt: str, data: bytes):
    """Preview then apply one file as the coordinator would; returns ("applied" or "refused",
    the larger of the two measurements)."""
    from django.test import override_settings

    from studio_tracker.imports import flow
    from studio_tracker.imports.models import Import
    from studio_tracker.productions import access

    rights = access.rights_in(actor, production)
    assert rights.edit_usage if fmt == "usage" else rights.edit_structure
    kind = Import.Kind.USAGE if fmt == "usage" else Import.Kind.SHOTS
    before = written(production)
    upload = Upload(data, FILE_NAMES[fmt])
    with Measured() as preview, override_settings(IMPORT_TIME_LIMIT=OTIO_TIME_LIMIT):
        record = flow.start(actor=actor, production=production, upload=upload, kind=kind)
    preview.check()
    stored = Import.objects.get(pk=record.pk)
    assert written(production) == before, "a preview or a refused file wrote something"
    check_line_errors(stored.errors)
    if stored.status == Import.Status.FAILED:
        assert stored.failure and stored.errors == [{"line": 0, "message": stored.failure}]
        assert not stored.failure.startswith(readers.UNEXPECTED), stored.failure
        return "refused", preview
    assert stored.status == Import.Status.PREVIEWED
    try:
        with Measured() as applying:
            applied = flow.apply(stored, actor=actor)
    except BaseException:
        assert written(production) == before, "a failed apply left part of the file written"
        raise
    applying.check()
    after = written(production)
    assert applied.status == Import.Status.APPLIED
    grew = "entries" if fmt == "usage" else "shots"
    assert after[grew] == before[grew] + applied.created
    if applied.created or applied.updated:
        assert after["events"] == before["events"] + 1  # one summary event, all or nothing
    else:
        assert after == before
    check_line_errors(Import.objects.get(pk=record.pk).errors)
    worst = max((preview, applying), key=lambda m: m.seconds)
    worst.peak = max(preview.peak, applying.peak)
    return "applied", worst


path_settings = settings(settings.get_profile(DB_PROFILE))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "edl", "fcp7xml", "otio", "usage"])
def test_whole_import_path_imports_or_fails_cleanly_never_partly(cast, fmt):
    production = prepare_production(cast, fmt)

    @path_settings
    @given(data=inputs(fmt))
    def preview_and_apply(data):
        check_path(cast.cora, production, fmt, data)

    preview_and_apply()
