"""Canonical JSON gives one spelling per value, so digests of the same data always agree."""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from studio_tracker.lib.canonical import canonical_json, sha256_digest


def test_keys_are_sorted_at_every_level_with_no_whitespace():
    value = {"b": [1, 2, {"z": None, "y": True}], "a": {"d": 2, "c": "x"}}
    assert canonical_json(value) == b'{"a":{"c":"x","d":2},"b":[1,2,{"y":true,"z":null}]}'


def test_non_ascii_text_is_kept_as_utf8_not_escaped():
    assert canonical_json({"title": "Zoë · 東京"}) == '{"title":"Zoë · 東京"}'.encode()


def test_dates_are_iso_and_datetimes_are_iso_in_utc():
    paris = datetime.datetime(2026, 3, 1, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    value = {"day": datetime.date(2026, 3, 1), "at": paris}
    assert canonical_json(value) == b'{"at":"2026-03-01T09:30:00+00:00","day":"2026-03-01"}'


def test_decimals_and_uuids_are_strings_and_decimals_keep_their_scale():
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert canonical_json([Decimal("12.50"), key]) == (
        b'["12.50","12345678-1234-5678-1234-567812345678"]'
    )


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        object(),
        datetime.time(10, 0),
        datetime.datetime(2026, 3, 1, 10, 30),  # noqa: DTZ001 -- naive on purpose: it is refused
    ],
    ids=["set", "object", "time", "naive datetime"],
)
def test_anything_else_is_refused_rather_than_hashed_through_its_repr(value):
    with pytest.raises(TypeError):
        canonical_json({"value": value})


def test_nan_is_refused_because_it_is_not_json():
    with pytest.raises(ValueError):
        canonical_json(float("nan"))


def test_the_digest_is_sha256_hex_with_its_prefix():
    assert sha256_digest(b"") == (
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert sha256_digest(canonical_json({"b": 1, "a": 2})) == sha256_digest(b'{"a":2,"b":1}')
