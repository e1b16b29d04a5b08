"""Which rule sets a production answers to, and which version governs a use (DOMAIN.md 0.2)."""

import datetime
import json

import pytest

from studio_tracker.reports.rulesets import (
    RULE_SETS,
    applicable_rule_sets,
    rule_set_for_use,
)

from .snapshots import PRODUCTION


def codes(production_overrides: dict) -> list[str]:
    return [rs["code"] for rs in applicable_rule_sets({**PRODUCTION, **production_overrides})]


def test_the_required_rule_sets_exist_with_their_dates_and_evidence():
    by_code = {spec.code: spec for spec in RULE_SETS}
    expected = {
        "SAG_AFTRA_TVTH_2023": ("2023-11-09", "2026-06-30", "V"),
        "SAG_AFTRA_TVTH_2026": ("2026-07-01", "2030-06-30", "S"),
        "WGA_MBA_2023": ("2023-09-25", "2026-05-01", "V"),
        "WGA_MBA_2026": ("2026-05-02", None, "S"),
        "DGA_BA_2023": ("2023-07-01", "2026-06-30", "V"),
        "DGA_BA_2026": ("2026-07-01", None, "U"),
        "EU_AIA_ART50": ("2026-08-02", None, "V"),
        "NFLX_GENAI_2025": ("2025-08-01", None, "V"),
        "USCO_2023": ("2023-03-16", None, "V"),
    }
    for code, (start, end, evidence) in expected.items():
        spec = by_code[code]
        assert spec.effective_from.isoformat() == start
        assert (spec.effective_to.isoformat() if spec.effective_to else None) == end
        assert spec.evidence == evidence


def test_rule_set_specs_are_frozen():
    with pytest.raises(AttributeError):
        RULE_SETS[0].code = "X"  # type: ignore[misc]


def test_guilds_bring_every_version_of_their_agreement_and_usco_always_applies():
    assert codes({"guilds": ["sag_aftra"], "territories": ["US"]}) == [
        "SAG_AFTRA_TVTH_2023",
        "SAG_AFTRA_TVTH_2026",
        "USCO_2023",
    ]
    assert codes({"guilds": ["wga", "dga"], "territories": []}) == [
        "WGA_MBA_2023",
        "WGA_MBA_2026",
        "DGA_BA_2023",
        "DGA_BA_2026",
        "USCO_2023",
    ]


def test_a_production_with_no_guild_answers_only_to_the_copyright_office():
    sets = applicable_rule_sets({**PRODUCTION, "guilds": [], "territories": ["US"]})
    assert [(rs["code"], rs["reason"]) for rs in sets] == [("USCO_2023", "always")]


def test_reasons_say_why_each_set_applies():
    sets = applicable_rule_sets(
        {
            **PRODUCTION,
            "guilds": ["sag_aftra"],
            "territories": ["FR"],
            "commissioner": "Netflix",
            "release_date": "2027-03-12",
        }
    )
    assert {rs["code"]: rs["reason"] for rs in sets} == {
        "SAG_AFTRA_TVTH_2023": "signatory",
        "SAG_AFTRA_TVTH_2026": "signatory",
        "EU_AIA_ART50": "territory",
        "NFLX_GENAI_2025": "commissioner",
        "USCO_2023": "always",
    }


def test_rule_set_dicts_are_json_safe_with_iso_dates():
    sets = applicable_rule_sets({**PRODUCTION, "territories": ["EU"], "release_date": None})
    assert json.loads(json.dumps(sets)) == sets
    sag = next(rs for rs in sets if rs["code"] == "SAG_AFTRA_TVTH_2023")
    assert sag == {
        "code": "SAG_AFTRA_TVTH_2023",
        "name": sag["name"],
        "effective_from": "2023-11-09",
        "effective_to": "2026-06-30",
        "evidence": "V",
        "source": sag["source"],
        "reason": "signatory",
    }


@pytest.mark.parametrize(
    ("territories", "release_date", "applies"),
    [
        (["EU"], "2026-08-02", True),
        (["DE"], "2027-01-01", True),
        (["US", "IE"], None, True),
        (["EU"], "2026-08-01", False),
        (["GB", "US"], "2027-01-01", False),
        ([], None, False),
    ],
)
def test_the_eu_ai_act_applies_to_eu_release_from_2_august_2026(territories, release_date, applies):
    found = codes({"territories": territories, "release_date": release_date})
    assert ("EU_AIA_ART50" in found) is applies


@pytest.mark.parametrize(
    ("commissioner", "applies"),
    [("netflix", True), ("Netflix ", True), ("bbc", False), ("", False), (None, False)],
)
def test_netflix_guidance_follows_the_commissioner(commissioner, applies):
    assert ("NFLX_GENAI_2025" in codes({"commissioner": commissioner})) is applies


@pytest.mark.parametrize(
    ("family", "used_on", "expected"),
    [
        ("sag_aftra", "2025-06-02", "SAG_AFTRA_TVTH_2023"),
        ("sag_aftra", "2026-06-30", "SAG_AFTRA_TVTH_2023"),
        ("sag_aftra", "2026-07-01", "SAG_AFTRA_TVTH_2026"),
        ("sag_aftra", datetime.date(2030, 6, 30), "SAG_AFTRA_TVTH_2026"),
        ("sag_aftra", "2030-07-01", None),
        ("sag_aftra", "2023-11-08", None),
        ("wga", "2026-05-01", "WGA_MBA_2023"),
        ("wga", "2026-05-02", "WGA_MBA_2026"),
        ("dga", "2026-07-01", "DGA_BA_2026"),
        ("dga", "2040-01-01", "DGA_BA_2026"),
        ("sag_aftra", None, None),
    ],
)
def test_the_use_date_picks_the_agreement_in_force(family, used_on, expected):
    sets = applicable_rule_sets(PRODUCTION)
    found = rule_set_for_use(sets, family, used_on)
    assert (found["code"] if found else None) == expected


def test_a_family_the_production_is_not_signatory_to_governs_nothing():
    sets = applicable_rule_sets({**PRODUCTION, "guilds": ["wga"]})
    assert rule_set_for_use(sets, "sag_aftra", "2025-06-02") is None
