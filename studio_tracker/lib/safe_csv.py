"""CSV downloads that a spreadsheet cannot turn into formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection). Such a cell gets a single quote
in front, which spreadsheets show as text and which a reader can see and strip.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 CSV as the machine's code page unless the file starts with a BOM.
BOM = "\ufeff"


def cell(value: Any) -> str:
    """One value as CSV text: empty for None, yes/no for booleans, ISO dates, neutralised."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime.date | datetime.datetime):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The rows as CSV lines, every cell through ``cell``; the first line carries the BOM."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def download(filename: str, rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A streaming CSV attachment: rows are read and written one at a time, never all held."""
    response = StreamingHttpResponse(lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
