"""SMPTE timecodes as trackers and editorial write them: ``HH:MM:SS:FF``, ``;`` before the frames
when drop-frame."""

import re

# A 24-hour clock in ASCII digits (``\d`` alone would take Arabic-Indic digits too); ``\Z``, not
# ``$``, so a trailing newline is not taken into a column eleven characters wide.
TIMECODE_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)([:;])(\d{2})\Z", re.ASCII)


def is_valid_timecode(value: str) -> bool:
    return bool(TIMECODE_RE.match(value))


def frames_inclusive(frame_in: int | None, frame_out: int | None) -> int | None:
    """The frame count of an inclusive range, as VFX trackers count (1001-1100 is 100 frames)."""
    if frame_in is None or frame_out is None:
        return None
    return frame_out - frame_in + 1
