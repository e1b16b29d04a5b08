"""Canonical JSON and SHA-256 digests: the same value always gives the same bytes.

Anything that is hashed and compared later (audit events, frozen report snapshots, credit files)
goes through ``canonical_json`` so that two machines, or the same machine a year later, produce
identical bytes: keys sorted, no insignificant whitespace, UTF-8 with non-ASCII text kept as is.

Only a few types beyond plain JSON are accepted, each with exactly one spelling:

* ``datetime`` as ISO 8601 in UTC (``2026-03-01T09:30:00+00:00``); a naive datetime is refused,
  since its instant is unknown and its digest would depend on the server's time zone;
* ``date`` as ISO 8601 (``2026-03-01``);
* ``Decimal`` and ``UUID`` as strings (``"12.50"`` keeps its scale).

Everything else (sets, model instances, lazy translations, ``time``, …) raises ``TypeError``,
so that an unexpected type fails loudly instead of being hashed through its ``repr``. NaN and
infinities raise ``ValueError``: they are not JSON.
"""

import datetime
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Return the canonical JSON encoding of ``value`` as UTF-8 bytes."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_encode_extra,
    ).encode("utf-8")


def sha256_digest(data: bytes) -> str:
    """Return ``"sha256:"`` followed by the hex SHA-256 of ``data``, the form shown to users."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _encode_extra(value: Any) -> str:
    # datetime is a subclass of date, so it must be tested first.
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            raise TypeError("a naive datetime has no time zone; make it aware first")
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    # Only the type is named: the value itself may be personal data, and errors end up in logs.
    raise TypeError(f"{type(value).__name__} is not allowed in canonical JSON")
