"""Readers for shot lists, editorial timelines and usage CSVs. No database here.

Every reader takes the uploaded bytes and returns a ``ReadResult``: the rows it could take (plain
dicts, JSON-storable, each with the ``line`` it came from), every line it could not take
(``{"line", "message"}``) and, for timelines, suggestions of AI use found in locators and markers.
A problem with the whole file raises ``ReadError``: the import then fails and writes nothing.

Timelines go through OpenTimelineIO and its adapters, in a child process with a time bound (OTIO's
core is C++; a hostile file can spin). The CMX 3600 reader also makes its own pass over the text:
the adapter treats what it does not understand as a comment and says nothing, loses the record
timecode offset, and trips on Avid's drop-frame ``M2`` and ``* LOC:`` lines (RECIPES.md).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import multiprocessing
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from studio_tracker.lib.timecode import is_valid_timecode

DEFAULT_AI_KEYWORDS = ("AI", "GENAI", "GEN AI", "ML")
DEFAULT_TIME_LIMIT = 60.0
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "edl", "fcp7xml", "otio")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TC = r"\d{2}:\d{2}:\d{2}[:;]\d{2}"
# ASCII: ``\d`` would take Arabic-Indic and other digits, which no editor writes in a timecode.
_TC_RE = re.compile(_TC, re.ASCII)
_TC_PARTS = re.compile(r"^(\d{2}):(\d{2}):(\d{2})([:;])(\d{2})$", re.ASCII)
# What the columns hold (productions.models: Shot.code, reel and vendor; Episode and Sequence
# codes). A longer value is that line's error, never a database error at apply.
MAX_CODE = 80
MAX_PART_CODE = 40
MAX_REEL = 80
MAX_VENDOR = 120
# Bounds on what the patterns scan, far above anything an editor writes.
MAX_CLIP_NAME = 1_000
MAX_MARKER_TEXT = 2_000
MAX_EDL_LINE = 10_000
UNEXPECTED = "The file could not be read (an unexpected error in the reader)"
logger = logging.getLogger(__name__)


class ReadError(Exception):
    """The whole file cannot be read: the import fails and nothing is written."""


@dataclass
class ReadResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append({"line": line, "message": message})


# --- Text -------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252; binary junk is refused."""
    if b"\x00" in data:
        raise ReadError("This is not a text file (it contains NUL bytes).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ReadError(
                "The file is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV."
            ) from error
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ReadError(
            f"This is not a text file (control character {ord(bad.group()):#04x} on line {line})."
        )
    return text


def undo_formula_guard(value: str) -> str:
    """The register's CSV export puts ``'`` before cells a spreadsheet would run as formulas."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab: whichever the header line (outside quotes) has most of."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _key(header: str) -> str:
    return re.sub(r"[\s_\-./#()]+", "", header.strip().lower())


def csv_records(text: str, aliases: dict[str, str]) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header's known columns, and each non-blank record as (line, {field: text})."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("The file is empty.") from None
    except csv.Error as error:
        raise ReadError(f"The header line is not CSV: {error}.") from None
    columns = [aliases.get(_key(name)) for name in header]
    # Each known column's first position: a later column of the same name is ignored.
    picks: list[tuple[int, str]] = []
    for position, name in enumerate(columns):
        if name and all(name != taken for _, taken in picks):
            picks.append((position, name))
    records = []
    previous_end = reader.line_num
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not "".join(cells).strip():
                continue
            size = len(cells)
            record = {}
            for position, name in picks:
                if position < size:
                    value = cells[position].strip()
                    if value[:1] == "'":
                        value = undo_formula_guard(value)
                    record[name] = value
            records.append((line, record))
    except csv.Error as error:
        raise ReadError(f"Line {reader.line_num} is not CSV: {error}.") from None
    return [c for c in columns if c], records


# --- Naming -----------------------------------------------------------------------------------


class Naming:
    """The production's naming convention: clip names → shot codes → episode and sequence.

    With a pattern (a regex), the code is the part of a clip name the pattern matches (so
    ``LN_SQ010_SH0010_v003.mov`` gives ``LN_SQ010_SH0010``); named groups ``episode`` and
    ``sequence`` win over the ``EP\\d+`` and ``SQ\\d+`` tokens. Without one, the code is the
    clip name without extension and ``_v003`` suffix, and must be one word.
    """

    PLAIN_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    VERSION = re.compile(r"[_.\-]v\d+$", re.IGNORECASE)
    EXTENSION = re.compile(r"\.(mov|mxf|mp4|exr|dpx|avi|wav|r3d|ari|braw)$", re.IGNORECASE)
    EPISODE = re.compile(r"(?:^|[_\-.])(EP\d+)(?=$|[_\-.])", re.IGNORECASE)
    SEQUENCE = re.compile(r"(?:^|[_\-.])(SQ\d+)(?=$|[_\-.])", re.IGNORECASE)

    def __init__(self, pattern: str = ""):
        self.pattern = pattern or ""
        self.full = re.compile(self.pattern) if self.pattern else None
        inner = self.pattern.removeprefix("^").removesuffix("$") if self.pattern else ""
        self.inner = re.compile(inner) if inner else None

    def check_code(self, code: str) -> str | None:
        """Why the code is not acceptable, or None."""
        if self.full is not None:
            if not self.full.search(code):
                return f"'{_clip(code)}' does not follow the naming convention {self.pattern}"
        elif not self.PLAIN_CODE.match(code):
            return f"'{_clip(code)}' is not a shot code (letters, digits, _ . - only)"
        return None

    def code_from_clip(self, name: str) -> tuple[str | None, str | None]:
        """(code, None) or (None, why not)."""
        name = (name or "").strip()
        if not name:
            return None, "the clip has no name (add * FROM CLIP NAME)"
        if len(name) > MAX_CLIP_NAME:
            # Checked first: the naming patterns below take seconds on a megabyte-long name.
            return None, f"clip name '{_clip(name, 40)}' is {len(name):,} characters long " + (
                f"(at most {MAX_CLIP_NAME:,})"
            )
        if self.inner is not None:
            match = self.inner.search(name)
            if match:
                return match.group(0), None
            return (
                None,
                f"clip name '{_clip(name)}' does not follow the naming convention {self.pattern}",
            )
        code = self.VERSION.sub("", self.EXTENSION.sub("", name))
        problem = self.check_code(code)
        return (None, f"clip name {problem}") if problem else (code, None)

    def parts(self, code: str) -> tuple[str, str]:
        """(episode code, sequence code) named by the shot code, '' when it names none."""
        episode = sequence = ""
        if self.full is not None:
            match = self.full.search(code)
            if match:
                groups = match.groupdict()
                episode = groups.get("episode") or ""
                sequence = groups.get("sequence") or ""
        if not episode:
            match = self.EPISODE.search(code)
            episode = match.group(1).upper() if match else ""
        if not sequence:
            match = self.SEQUENCE.search(code)
            sequence = match.group(1).upper() if match else ""
        return episode, sequence


def ai_keyword_regex(keywords=DEFAULT_AI_KEYWORDS) -> re.Pattern:
    words = sorted((k.strip() for k in keywords if k.strip()), key=len, reverse=True)
    parts = [r"[\s_\-]*".join(map(re.escape, word.split())) for word in words]
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.I)


# --- Shot-list CSV ----------------------------------------------------------------------------

SHOT_ALIASES = {
    **dict.fromkeys(["shot", "name", "code", "shotcode", "shotname", "shotid"], "code"),
    **dict.fromkeys(["episode", "ep", "episodecode"], "episode"),
    **dict.fromkeys(["sequence", "seq", "sequencecode"], "sequence"),
    **dict.fromkeys(["framein", "in", "firstframe", "cutin", "start"], "frame_in"),
    **dict.fromkeys(["frameout", "out", "lastframe", "cutout", "end"], "frame_out"),
    **dict.fromkeys(["frames", "duration", "length", "framecount"], "frames"),
    **dict.fromkeys(["description", "desc", "notes", "note"], "description"),
    **dict.fromkeys(["reel", "tape", "reelname"], "reel"),
    **dict.fromkeys(["vendor", "company"], "vendor"),
    **dict.fromkeys(["recordin", "recin", "rectcin"], "record_in"),
    **dict.fromkeys(["recordout", "recout", "rectcout"], "record_out"),
    **dict.fromkeys(["sourcein", "srcin", "srctcin"], "source_in"),
    **dict.fromkeys(["sourceout", "srcout", "srctcout"], "source_out"),
}
TEXT_FIELDS = ("episode", "sequence", "description", "reel", "vendor")
TIMECODE_FIELDS = ("record_in", "record_out", "source_in", "source_out")


def _frame(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise ValueError(f"'{_clip(value)}' is not a frame number")
    return int(value)


def _clip(text: str, limit: int = 80) -> str:
    """A value as an error message quotes it: a megabyte-long cell is not echoed whole."""
    return text if len(text) <= limit else text[:limit] + "…"


def too_long(what: str, value: str, limit: int) -> str | None:
    """Why the value does not fit its column, or None."""
    if len(value) > limit:
        return (
            f"the {what} '{_clip(value, 40)}' is {len(value):,} characters long (at most {limit})"
        )
    return None


def read_shot_csv(data: bytes, naming: Naming) -> ReadResult:
    """A shot list: one shot per line, codes kept as text, frame numbers inclusive."""
    columns, records = csv_records(decode_text(data), SHOT_ALIASES)
    if "code" not in columns:
        raise ReadError("No shot code column: name one Shot, Name or Code.")
    result = ReadResult()
    first_line: dict[str, int] = {}
    for line, record in records:
        code = record.get("code", "")
        if not code:
            result.error(line, "No shot code.")
            continue
        problem = too_long("shot code", code, MAX_CODE)
        if problem:
            result.error(line, problem[0].upper() + problem[1:] + ".")
            continue
        if code in first_line:
            result.error(line, f"Shot {code} is already on line {first_line[code]}.")
            continue
        first_line[code] = line
        problem = naming.check_code(code)
        if problem:
            result.error(line, problem[0].upper() + problem[1:] + ".")
            continue
        row = {"line": line, "code": code}
        try:
            _shot_fields(row, record, naming)
        except ValueError as error:
            result.error(line, f"{code}: {error}.")
            continue
        result.rows.append(row)
    return result


_FIELD_LIMITS = {
    "episode": MAX_PART_CODE,
    "sequence": MAX_PART_CODE,
    "reel": MAX_REEL,
    "vendor": MAX_VENDOR,
}


def _shot_fields(row: dict, record: dict, naming: Naming) -> None:
    for name in TEXT_FIELDS:
        if record.get(name):
            row[name] = record[name]
    episode, sequence = naming.parts(row["code"])
    if "episode" not in row and episode:
        row["episode"] = episode
    if "sequence" not in row and sequence:
        row["sequence"] = sequence
    for name, limit in _FIELD_LIMITS.items():
        problem = too_long(name, row.get(name, ""), limit)
        if problem:
            raise ValueError(problem)
    for name in TIMECODE_FIELDS:
        value = record.get(name, "")
        if value:
            if not is_valid_timecode(value):
                raise ValueError(
                    f"unreadable timecode '{_clip(value, 20)}' ({name.replace('_', ' ')})"
                )
            row[name] = value
    frame_in = _frame(record["frame_in"]) if record.get("frame_in") else None
    frame_out = _frame(record["frame_out"]) if record.get("frame_out") else None
    frames = _frame(record["frames"]) if record.get("frames") else None
    if frames is not None and frame_in is not None and frame_out is None:
        frame_out = frame_in + frames - 1
    if frame_in is not None and frame_out is not None:
        if frame_out < frame_in:
            raise ValueError(f"the last frame {frame_out} comes before the first {frame_in}")
        if frames is not None and frames != frame_out - frame_in + 1:
            raise ValueError(
                f"{frames} frames does not fit {frame_in}-{frame_out} "
                f"({frame_out - frame_in + 1} frames, counting both ends)"
            )
    if frame_in is not None:
        row["frame_in"] = frame_in
    if frame_out is not None:
        row["frame_out"] = frame_out


# --- Timelines: rates and timecodes -----------------------------------------------------------


def otio_rate(frame_rate) -> float:
    """The production's rate as OTIO wants it: 29.97 → 30000/1001."""
    rate = Decimal(str(frame_rate))
    nominal = round(rate * Decimal("1.001"))
    if rate != int(rate) and abs(rate * Decimal("1.001") - nominal) < Decimal("0.01"):
        return float(Fraction(nominal * 1000, 1001))
    return float(rate)


def nominal_fps(rate: float) -> int:
    return round(rate)


def allows_drop_frame(rate: float) -> bool:
    return nominal_fps(rate) in (30, 60) and rate != nominal_fps(rate)


def tc_to_frames(tc: str, rate: float) -> int:
    from opentimelineio.opentime import from_timecode

    return round(from_timecode(tc, rate).value)


def frames_to_tc(frames: float, rate: float, drop_frame: bool) -> str:
    from opentimelineio.opentime import RationalTime, to_timecode

    return to_timecode(
        RationalTime(round(frames), rate), rate, drop_frame=bool(drop_frame)
    ).replace(",", ";")


def _check_tc_frames(tc: str, rate: float) -> None:
    match = _TC_PARTS.match(tc)
    if match and int(match.group(5)) >= nominal_fps(rate):
        raise ReadError(
            f"Timecode {tc} has frame {int(match.group(5))}, which cannot exist at the "
            f"production's {_rate_label(rate)} fps: the file was made at another frame rate."
        )


def _rate_label(rate: float) -> str:
    return f"{rate:.3f}".rstrip("0").rstrip(".")


# --- Running OTIO with a time bound -----------------------------------------------------------


def _otio_clips(kind: str, text: str, rate: float) -> dict:
    """In the child: read with OTIO and return plain data about every video clip."""
    import opentimelineio as otio

    if kind == "edl":
        timeline = otio.adapters.read_from_string(
            text, adapter_name="cmx_3600", rate=rate, ignore_timecode_mismatch=True
        )
    elif kind == "fcp7xml":
        timeline = otio.adapters.read_from_string(text, adapter_name="fcp_xml")
    else:
        timeline = otio.adapters.read_from_string(text, adapter_name="otio_json")
    if isinstance(timeline, otio.schema.SerializableCollection):
        timelines = list(timeline.find_children(descended_from_type=otio.schema.Timeline))
        if not timelines:
            timelines = [t for t in timeline if isinstance(t, otio.schema.Timeline)]
        if not timelines:
            raise ValueError("no timeline in the file")
        timeline = timelines[0]
    if not isinstance(timeline, otio.schema.Timeline):
        raise ValueError("no timeline in the file")
    start = timeline.global_start_time
    clips = []
    rates = set()
    for track_number, track in enumerate(timeline.video_tracks(), start=1):
        ranges = track.range_of_all_children()
        for clip in track.find_clips(shallow_search=True):
            placed = ranges[clip]
            source = clip.source_range or clip.available_range()
            scalar = 1.0
            for effect in clip.effects:
                if isinstance(effect, otio.schema.LinearTimeWarp):
                    scalar *= effect.time_scalar
                elif isinstance(effect, otio.schema.FreezeFrame):
                    scalar = 0.0
            markers = []
            for marker in clip.markers:
                text_parts = [marker.name or ""]
                comment = (
                    marker.metadata.get("fcp_xml", {}).get("comment") if marker.metadata else None
                )
                if comment:
                    text_parts.append(str(comment))
                markers.append(" ".join(p for p in text_parts if p).strip())
            cmx = clip.metadata.get("cmx_3600", {}) if clip.metadata else {}
            reel = cmx.get("reel") or ""
            if not reel and clip.media_reference is not None:
                reel = (clip.media_reference.metadata or {}).get("reel", "") or ""
            rates.add(round(placed.start_time.rate, 3))
            clips.append(
                {
                    "track": track_number,
                    "name": clip.name,
                    "record_start": placed.start_time.rescaled_to(rate).value,
                    "duration": placed.duration.rescaled_to(rate).value,
                    "source_start": source.start_time.rescaled_to(rate).value,
                    "source_rate": source.start_time.rate,
                    "scalar": scalar,
                    "reel": str(reel),
                    "markers": markers,
                }
            )
    return {
        "global_start": start.rescaled_to(rate).value if start is not None else None,
        "global_rate": start.rate if start is not None else None,
        "clips": clips,
        "rates": sorted(rates),
    }


CHILD_EXTRA_MEMORY = 2 * 1024**3  # what one timeline read may add to the process, at most


def _bound_memory(extra: int) -> None:
    """Cap the child's address space: a hostile file then fails the read (MemoryError, or the
    child dies) instead of eating the machine. Linux only; elsewhere the time bound remains."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra
        if hard == resource.RLIM_INFINITY or limit <= hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass


def _child(connection, kind: str, text: str, rate: float) -> None:
    try:
        _bound_memory(CHILD_EXTRA_MEMORY)
        connection.send(("ok", _otio_clips(kind, text, rate)))
    except BaseException as error:  # everything goes back to the parent as a message
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def run_bounded(kind: str, text: str, rate: float, time_limit: float) -> dict:
    """Run the OTIO read in a child process; kill it past ``time_limit`` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, kind, text, rate), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            raise ReadError(
                f"Reading the timeline took longer than {time_limit:g} s and was stopped; "
                "the file may be damaged."
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise ReadError(
                "The timeline reader stopped without an answer: the file may be damaged, too "
                "deeply nested or too large."
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if status != "ok":
        raise ReadError(f"OpenTimelineIO could not read the file ({payload[:300]}).")
    return payload


# --- CMX 3600 EDL: our own pass ---------------------------------------------------------------

# All ASCII: the adapter splits on ASCII blanks and reads ASCII digits only.
_EVENT = re.compile(
    r"^(?P<num>\d{1,6})\s+(?P<reel>\S+)\s+(?P<track>\S+)\s+(?P<trans>C|D|W\d{3}|KB|K|K\s+O)"
    r"(?:\s+(?P<dur>\d{1,4}))?\s+(?P<tcs>\S+\s+\S+\s+\S+\s+\S+)\s*$",
    re.ASCII,
)
_EVENT_START = re.compile(r"^\d{1,6}\s+\S+\s+\S+\s+", re.ASCII)
_M2 = re.compile(rf"^M2\s+(?P<reel>\S+)\s+(?P<speed>-?\d+(?:\.\d+)?)\s+(?P<tc>{_TC})\s*$", re.ASCII)
_LOC = re.compile(rf"^\*\s*LOC:\s*(?P<tc>{_TC})\s+(?P<color>\S+)?\s*(?P<text>.*)$", re.I | re.ASCII)
_LOC_ANY = re.compile(r"^\*\s*LOC:", re.I)
# Greedy, stripped after: a lazy ``.*?`` before ``\s*$`` took seconds on a long line.
_CLIP_NAME = re.compile(r"^\*\s*(?P<side>FROM|TO) CLIP NAME:\s*(?P<name>.*)$", re.I)
_HEADER = re.compile(r"^(TITLE|FCM):\s*(?P<value>.*)$", re.I)
_COMMENTISH = re.compile(r"^(\*|>>>|SPLIT:|AUD\b|EFFECTS NAME|%|SWM|NOTE)", re.I)


def _dropframe_to_colon(line: str) -> str:
    if ";" not in line:
        return line
    return re.sub(r"(\d{2}:\d{2}:\d{2});(\d{2})", r"\1:\2", line, flags=re.ASCII)


def _tc_problem(tc: str) -> str | None:
    """Why a timecode no clock can show (24 hours, 60 minutes, 60 seconds) is refused, or None.
    The adapter would take 99:99:99:99 and wrap it past midnight into another time. ``tc`` is
    one ``_TC_RE`` took: HH:MM:SS:FF."""
    if tc[0:2] > "23" or tc[3:5] > "59" or tc[6:8] > "59":
        return f"Timecode {tc} cannot exist (at most 23:59:59)"
    return None


def _tc_order(tc: str) -> str:
    """For comparing two timecodes of one file (fixed width, so as text; ``;`` or ``:``)."""
    return tc.replace(";", ":")


def scan_edl(text: str, rate: float, result: ReadResult) -> tuple[str, list[dict], bool]:
    """Classify every line; report those not understood. Return the text for the adapter (bad
    lines blanked, Avid's drop-frame M2 and LOC lines normalised), the events and whether the
    EDL is drop-frame."""
    lines = text.splitlines()
    out: list[str] = []
    events: list[dict] = []
    drop_frame = False
    skipping = False  # the comment lines of an event we could not take go with it
    title_seen = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            out.append("")
            continue
        if len(stripped) > MAX_EDL_LINE:
            # Bounds every pattern below (and the adapter): no editor writes such a line.
            result.error(
                number,
                f"Line is {len(stripped):,} characters long (an EDL line has at most "
                f"{MAX_EDL_LINE:,}): {stripped[:40]}…",
            )
            out.append("")
            continue
        header = _HEADER.match(stripped)
        if header:
            if header.group(1).upper() == "FCM":
                drop_frame = "NON" not in header.group("value").upper() and (
                    "DROP" in header.group("value").upper()
                )
            title_seen = True
            out.append(stripped)
            continue
        if _EVENT_START.match(stripped):
            match = _EVENT.match(stripped)
            if not match:
                result.error(number, f"Not a CMX 3600 event line: {stripped[:80]}")
                skipping = True
                out.append("")
                continue
            tcs = match.group("tcs").split()
            bad = [tc for tc in tcs if not _TC_RE.fullmatch(tc)]
            if bad:
                result.error(
                    number, f"Unreadable timecode '{_clip(bad[0], 20)}' in event {match['num']}."
                )
                skipping = True
                out.append("")
                continue
            for tc in tcs:
                _check_tc_frames(tc, rate)
            problem = next(filter(None, map(_tc_problem, tcs)), None)
            if problem is None and _tc_order(tcs[1]) < _tc_order(tcs[0]):
                problem = f"The source out {tcs[1]} comes before the source in {tcs[0]}"
            if problem is None and _tc_order(tcs[3]) < _tc_order(tcs[2]):
                problem = f"The record out {tcs[3]} comes before the record in {tcs[2]}"
            if problem:
                result.error(number, f"{problem} in event {match['num']}.")
                skipping = True
                out.append("")
                continue
            if any(";" in tc for tc in tcs):
                drop_frame = True
            skipping = False
            events.append(
                {
                    "line": number,
                    "num": match.group("num"),
                    "reel": match.group("reel"),
                    "track": match.group("track").upper(),
                    "trans": match.group("trans"),
                    "tcs": tcs,
                    "names": {},
                    "locators": [],
                    "speed": None,
                }
            )
            out.append(stripped)
            continue
        if stripped.upper().startswith("M2"):
            match = _M2.match(stripped)
            if not match:
                result.error(number, f"Unreadable speed change (M2): {stripped[:80]}")
                out.append("")
                continue
            _check_tc_frames(match.group("tc"), rate)
            problem = _tc_problem(match.group("tc"))
            if problem:
                result.error(number, f"{problem} in a speed change (M2).")
                out.append("")
                continue
            if not skipping and events:
                events[-1]["speed"] = float(match.group("speed"))
            out.append("" if skipping else _dropframe_to_colon(stripped))
            continue
        if _LOC_ANY.match(stripped):
            match = _LOC.match(stripped)
            if not match:
                result.error(number, f"Unreadable locator (no timecode): {stripped[:80]}")
                out.append("")
                continue
            _check_tc_frames(match.group("tc"), rate)
            problem = _tc_problem(match.group("tc"))
            if problem:
                result.error(number, f"{problem} in a locator.")
                out.append("")
                continue
            if not skipping and events:
                events[-1]["locators"].append(
                    {"line": number, "tc": match.group("tc"), "text": match.group("text").strip()}
                )
            out.append("" if skipping else _dropframe_to_colon(stripped))
            continue
        clip_name = _CLIP_NAME.match(stripped)
        if clip_name:
            if not skipping and events:
                side = clip_name.group("side").upper()
                events[-1]["names"][side] = clip_name.group("name").strip()
            out.append("" if skipping else stripped)
            continue
        if _COMMENTISH.match(stripped):
            out.append("" if skipping else stripped)
            continue
        result.error(number, f"Not a CMX 3600 line: {stripped[:80]}")
        out.append("")
    if not events:
        if result.errors:  # say why none could be taken, not merely that there are none
            first = result.errors[0]
            more = len(result.errors) - 1
            raise ReadError(
                f"The EDL has no event that could be read: line {first['line']}: "
                f"{first['message']}" + (f" (and {more} more lines)" if more else "")
            )
        raise ReadError("The EDL has no events" + ("." if title_seen else " (is it an EDL?)."))
    if drop_frame and not allows_drop_frame(rate):
        raise ReadError(
            f"This EDL is drop-frame (29.97 or 59.94 fps) but the production runs at "
            f"{_rate_label(rate)} fps: check the production's frame rate or the export."
        )
    return "\n".join(out) + "\n", events, drop_frame


_ADAPTER_LOCATOR = re.compile(r"(\d\d:\d\d:\d\d:\d\d)\s+(\w*)(\s+|$)(.*)", re.ASCII)
_EVENT_ID = re.compile(r"^\d+", re.ASCII)


def plain_cuts(text: str, rate: float) -> dict | None:
    """What ``_otio_clips`` returns for the adapter text of an EDL made only of straight video
    cuts (``NNN REEL V C`` with four timecodes) with clip-name and locator comments, computed
    line by line as the cmx_3600 adapter does; None for anything else (dissolves, wipes, keys,
    audio or mixed channels, M2 speed changes, other comments, SPLIT), which OTIO then reads.

    The adapter builds a whole OTIO timeline for this (seconds for tens of thousands of
    events); the clips it yields are a running sum of source durations, so this gives the same
    numbers for the common case without it."""
    from opentimelineio.opentime import from_timecode

    clips: list[dict] = []
    current: dict | None = None
    event_id = None
    track_start = track_end = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line[0] in "0123456789":
            fields = line.split()
            if len(fields) != 8 or fields[2] != "V" or fields[3] != "C":
                return None
            number = int(_EVENT_ID.match(line).group(0))
            if number == event_id:  # a repeated event number is a transition
                return None
            event_id = number
            if any(":" not in tc and ";" not in tc for tc in fields[4:]):
                return None
            source_in = from_timecode(fields[4], rate).value
            duration = from_timecode(fields[5], rate).value - source_in
            record_in = from_timecode(fields[6], rate).value
            if duration <= 0:
                return None
            if track_start is None:
                track_start = track_end = record_in
            # The adapter shifts an overlapping event to the end of the track and fills a hole
            # before a late one with a gap: either way the clip starts at the later of the two.
            start = max(record_in, track_end)
            track_end = start + duration
            current = {
                "track": 1,
                "name": fields[0],
                "record_start": start - track_start,
                "duration": duration,
                "source_start": source_in,
                "source_rate": rate,
                "scalar": 1.0,
                "reel": fields[1] if fields[1] != "AX" else "",
                "markers": [],
                "_to": None,
            }
            clips.append(current)
            continue
        if current is None:
            if line.startswith(("TITLE:", "FCM")):
                continue
            return None
        if line.startswith("* FROM CLIP NAME:"):
            current["name"] = line[len("* FROM CLIP NAME:") :].strip()
        elif line.startswith("* TO CLIP NAME:"):
            current["_to"] = line[len("* TO CLIP NAME:") :].strip()
        elif line.startswith("* LOC:"):
            match = _ADAPTER_LOCATOR.match(line[len("* LOC:") :].strip())
            if match:
                current["markers"].append(match.group(4).strip())
        else:
            return None
    if not clips:
        return None
    for clip in clips:
        to_name = clip.pop("_to")
        if to_name is not None:
            clip["name"] = to_name
    return {"global_start": None, "global_rate": None, "clips": clips, "rates": [round(rate, 3)]}


def read_edl(
    data: bytes,
    *,
    frame_rate,
    naming: Naming,
    keywords=DEFAULT_AI_KEYWORDS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ReadResult:
    rate = otio_rate(frame_rate)
    result = ReadResult()
    text, events, drop_frame = scan_edl(decode_text(data), rate, result)
    otio_data = plain_cuts(text, rate)
    if otio_data is None:
        otio_data = run_bounded("edl", text, rate, time_limit)
    # The record timecode the adapter drops: the first video event's record in.
    video = [e for e in events if "V" in e["track"] or e["track"] == "B"]
    if not video:
        raise ReadError("The EDL has no video events.")
    record_start = min(tc_to_frames(e["tcs"][2], rate) for e in video)
    # Each clip's line: the event line whose record in is where the clip sits.
    line_at: dict[int, int] = {}
    locators_at: dict[int, list] = {}
    for event in video:
        rec_in = tc_to_frames(event["tcs"][2], rate)
        rec_out = tc_to_frames(event["tcs"][3], rate)
        if rec_out > rec_in or rec_in not in line_at:
            line_at[rec_in] = event["line"]
        locators_at.setdefault(rec_in, []).extend(event["locators"])
    clips = [c for c in otio_data["clips"] if c["track"] == 1] or otio_data["clips"]
    offset = record_start - min((c["record_start"] for c in clips), default=0)
    _collect(
        result,
        clips,
        naming=naming,
        rate=rate,
        drop_frame=drop_frame,
        offset=offset,
        keywords=keywords,
        line_of=lambda c, i: line_at.get(round(c["record_start"] + offset), 0),
        marker_lines={loc["text"]: loc["line"] for e in events for loc in e["locators"]},
    )
    return result


def _collect(
    result, clips, *, naming, rate, drop_frame, offset, keywords, line_of, marker_lines=None
) -> None:
    """Clips → shots: a clip that recurs is one shot, its record range the union of its events."""
    ai = ai_keyword_regex(keywords)
    shots: dict[str, dict] = {}
    day = _frames_per_day(rate)
    for index, clip in enumerate(clips, start=1):
        line = line_of(clip, index)
        code, problem = naming.code_from_clip(clip["name"])
        if code is None:
            result.error(line, problem[0].upper() + problem[1:] + ".")
            continue
        episode, sequence = naming.parts(code)
        problem = (
            too_long("shot code", code, MAX_CODE)
            or too_long("episode", episode, MAX_PART_CODE)
            or too_long("sequence", sequence, MAX_PART_CODE)
        )
        if problem:
            result.error(line, problem[0].upper() + problem[1:] + ".")
            continue
        numbers = (clip["record_start"] + offset, clip["duration"], clip["source_start"])
        if not all(math.isfinite(n) for n in (*numbers, clip["scalar"])):
            result.error(line, f"Clip {_clip(clip['name'])} has a time that is not a number.")
            continue
        record_in = round(numbers[0])
        duration = round(numbers[1])
        record_out = record_in + duration  # exclusive, as an EDL writes it
        source_in = round(numbers[2])
        source_out = source_in + round(duration * clip["scalar"])
        # Timecodes are a 24-hour clock: outside it, one would wrap into another time.
        inside = 0 <= record_in <= record_out < day and all(
            0 <= frame < day for frame in (source_in, source_out)
        )
        if not inside:
            result.error(
                line,
                f"Clip {_clip(clip['name'])} lies outside a 24-hour timecode "
                f"(record {record_in} to {record_out}, source {source_in} to {source_out} "
                "frames).",
            )
            continue
        shot = shots.get(code)
        if shot is None:
            shot = shots[code] = {
                "line": line,
                "code": code,
                "_rec": [record_in, record_out],
                "source_in": frames_to_tc(source_in, rate, drop_frame),
                "source_out": frames_to_tc(source_out, rate, drop_frame),
                "reel": clip["reel"][:80],
                "events": [],
            }
            if episode:
                shot["episode"] = episode
            if sequence:
                shot["sequence"] = sequence
        else:
            shot["_rec"] = [min(shot["_rec"][0], record_in), max(shot["_rec"][1], record_out)]
        shot["events"].append(line)
        for text in clip["markers"]:
            shown = text if len(text) <= MAX_MARKER_TEXT else text[:MAX_MARKER_TEXT] + "…"
            if ai.search(shown):
                result.suggestions.append(
                    {"line": (marker_lines or {}).get(text, line), "code": code, "text": shown}
                )
    for shot in shots.values():
        record_in, record_out = shot.pop("_rec")
        shot["record_in"] = frames_to_tc(record_in, rate, drop_frame)
        shot["record_out"] = frames_to_tc(record_out, rate, drop_frame)
        shot["frame_in"] = record_in
        shot["frame_out"] = max(record_in, record_out - 1)
        result.rows.append(shot)
    result.errors.sort(key=lambda error: error["line"])


# --- FCP7 XML and OTIO ------------------------------------------------------------------------


def _check_rates(otio_data: dict, rate: float, what: str) -> None:
    for found in otio_data["rates"]:
        if abs(found - rate) > 0.01:
            raise ReadError(
                f"This {what} runs at {_rate_label(found)} fps but the production runs at "
                f"{_rate_label(rate)} fps: check the production's frame rate or the export."
            )


def read_fcp7xml(
    data: bytes,
    *,
    frame_rate,
    naming: Naming,
    keywords=DEFAULT_AI_KEYWORDS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ReadResult:
    """Final Cut Pro 7 XMEML, checked by defusedxml before the adapter's own parser sees it."""
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    text = decode_text(data)
    try:
        root = safe_et.fromstring(text.encode("utf-8"))
    except DefusedXmlException as error:
        raise ReadError(
            f"Refused: the XML declares entities or external references ({error})."
        ) from None
    except safe_et.ParseError as error:
        raise ReadError(f"This is not well-formed XML ({error}).") from None
    if root.tag == "fcpxml":
        raise ReadError(FCPX_MESSAGE)
    if root.tag != "xmeml":
        raise ReadError("This XML is not Final Cut Pro 7 XMEML (the root is not <xmeml>).")
    if _deeper_than(root, MAX_XML_DEPTH):
        # The adapter walks the tree recursively: it would spin until the time bound.
        raise ReadError(
            f"This XML nests elements more than {MAX_XML_DEPTH} levels deep; no editor "
            "exports that: the file is damaged."
        )
    rate = otio_rate(frame_rate)
    otio_data = run_bounded("fcp7xml", text, rate, time_limit)
    return _timeline_result(otio_data, rate, naming, keywords, "FCP7 XML")


def read_otio(
    data: bytes,
    *,
    frame_rate,
    naming: Naming,
    keywords=DEFAULT_AI_KEYWORDS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ReadResult:
    rate = otio_rate(frame_rate)
    otio_data = run_bounded("otio", decode_text(data), rate, time_limit)
    return _timeline_result(otio_data, rate, naming, keywords, "OTIO timeline")


def _frames_per_day(rate: float) -> int:
    return round(24 * 3600 * rate)


def _timeline_result(otio_data, rate, naming, keywords, what) -> ReadResult:
    if not otio_data["clips"]:
        raise ReadError(f"The {what} has no clips.")
    _check_rates(otio_data, rate, what)
    result = ReadResult()
    offset = otio_data["global_start"] or 0
    if not math.isfinite(offset) or not 0 <= offset < _frames_per_day(rate):
        raise ReadError(
            f"The {what} starts at {offset:g} frames, which no timecode can show "
            "(00:00:00:00 to 23:59:59): the file is damaged."
        )
    clips = [c for c in otio_data["clips"] if c["track"] == 1] or otio_data["clips"]
    drop_frame = allows_drop_frame(rate)
    _collect(
        result,
        clips,
        naming=naming,
        rate=rate,
        drop_frame=drop_frame,
        offset=offset,
        keywords=keywords,
        line_of=lambda c, i: i,
    )
    return result


MAX_XML_DEPTH = 256  # a real XMEML is a dozen levels deep, and some more per nested sequence


def _deeper_than(root, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


FCPX_MESSAGE = (
    "This is a Final Cut Pro X .fcpxml file, which is not supported: export the timeline as "
    "Final Cut Pro 7 XML (XMEML .xml), a CMX 3600 EDL or OpenTimelineIO (.otio)."
)


def format_from_name(file_name: str) -> str | None:
    name = file_name.lower()
    if name.endswith(".fcpxml") or name.endswith(".fcpxmld"):
        raise ReadError(FCPX_MESSAGE)
    for suffix, fmt in (
        (".csv", "csv"),
        (".txt", "csv"),
        (".tsv", "csv"),
        (".edl", "edl"),
        (".xml", "fcp7xml"),
        (".otio", "otio"),
    ):
        if name.endswith(suffix):
            return fmt
    return None


def read_shots(
    data: bytes,
    fmt: str,
    *,
    frame_rate,
    naming: Naming,
    keywords=DEFAULT_AI_KEYWORDS,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ReadResult:
    """Dispatch on the format (csv, edl, fcp7xml, otio).

    Raises ``ReadError`` only: the readers touch no database, so anything else they raise is
    a bug of ours on a strange file; it is logged and the file refused (the import ``failed``
    with a reason) rather than answered with a server error. The fuzz tests prove it does not
    happen (tests/imports/test_fuzz_readers.py)."""
    if fmt == "csv":
        reader = read_shot_csv
    else:
        reader = {"edl": read_edl, "fcp7xml": read_fcp7xml, "otio": read_otio}.get(fmt)
    if reader is None:
        raise ReadError(f"Unknown format {fmt!r}: use csv, edl, fcp7xml or otio.")
    try:
        if fmt == "csv":
            return read_shot_csv(data, naming)
        return reader(
            data, frame_rate=frame_rate, naming=naming, keywords=keywords, time_limit=time_limit
        )
    except ReadError:
        raise
    except (ValueError, ArithmeticError, LookupError, TypeError, RecursionError) as error:
        logger.exception("The %s reader failed on a file", fmt)
        raise ReadError(f"{UNEXPECTED}: {type(error).__name__}.") from error
