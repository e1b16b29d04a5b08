"""The part E checks over a frozen snapshot: each one fires when it should and stays quiet when
it should not (DOMAIN.md part E, DESIGN.md "Rules")."""

import copy
import json
import random
import time

import pytest

from studio_tracker.reports.findings import RULES, run_rules

from .snapshots import (
    EPISODE_ID,
    PERFORMER_ID,
    PERFORMER_NAME,
    PRODUCTION_ID,
    SHOT_CODE,
    make_snapshot,
    rules_fired,
    with_clearance,
    with_consent,
    with_entry,
    with_performer,
)


def only(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def one(findings: list[dict], rule: str) -> dict:
    matching = only(findings, rule)
    assert len(matching) == 1, findings
    return matching[0]


@pytest.fixture
def snap():
    return make_snapshot()


def ebdr(snap, **fields):
    return with_entry(snap, category="deaging", replica_kind="ebdr", **fields)


# The baseline


def test_the_clean_snapshot_raises_nothing(snap):
    with_entry(snap)
    assert run_rules(snap) == []


def test_findings_carry_the_contract_fields(snap):
    entry = ebdr(snap, performers=[PERFORMER_ID])
    finding = one(run_rules(snap), "E01")
    assert finding == {
        "rule": "E01",
        "trigger": "SAG23_EBDR_USE_CONSENT",
        "clause": "SAG-AFTRA 2023 TV/Th S3",
        "rule_set": "SAG_AFTRA_TVTH_2023",
        "severity": "blocking",
        "message": f"Digital replica of {PERFORMER_NAME} used on {SHOT_CODE} without consent on file",
        "entity_type": "usage_entry",
        "entity_id": entry["id"],
        "evidence": finding["evidence"],
    }
    assert finding["evidence"]["performer_id"] == PERFORMER_ID
    assert json.loads(json.dumps(finding)) == finding


def test_every_rule_has_its_metadata():
    for check_id, r in RULES.items():
        assert r.check_id == check_id
        assert r.severity in {"blocking", "warning", "info"}
        assert r.trigger and r.clause and r.title


# E01 EBDR use consent


def test_e01_fires_for_a_replica_without_consent(snap):
    ebdr(snap, performers=[PERFORMER_ID])
    assert rules_fired(run_rules(snap)) == ["E01"]


def test_e01_is_quiet_when_a_consent_on_file_covers_the_use_even_if_not_linked(snap):
    with_consent(snap)
    ebdr(snap, performers=[PERFORMER_ID])
    assert run_rules(snap) == []


def test_e01_is_quiet_when_the_linked_consent_covers_the_use(snap):
    consent = with_consent(snap, episode_ids=[EPISODE_ID])
    ebdr(snap, performers=[(PERFORMER_ID, consent["id"])])
    assert run_rules(snap) == []


def test_e01_fires_when_a_replica_links_no_performer(snap):
    ebdr(snap)
    finding = one(run_rules(snap), "E01")
    assert "no performer linked" in finding["message"]


def test_e01_ignores_a_consent_of_another_type(snap):
    with_consent(snap, consent_type="icdr")
    ebdr(snap, performers=[PERFORMER_ID])
    assert rules_fired(run_rules(snap)) == ["E01"]


def test_e01_needs_no_consent_on_a_production_not_signatory_to_sag_aftra():
    snap = make_snapshot(guilds=["wga"])
    ebdr(snap, performers=[PERFORMER_ID])
    assert run_rules(snap) == []


@pytest.mark.parametrize(
    ("used_on", "rule_set"),
    [("2025-06-02", "SAG_AFTRA_TVTH_2023"), ("2026-09-15", "SAG_AFTRA_TVTH_2026")],
)
def test_e01_blocks_under_both_the_2023_and_the_2026_agreement(snap, used_on, rule_set):
    ebdr(snap, performers=[PERFORMER_ID], used_on=used_on)
    finding = one(run_rules(snap), "E01")
    assert finding["rule_set"] == rule_set
    assert finding["severity"] == "blocking"
    assert "unconfirmed" not in finding["message"]


def test_e01_is_quiet_for_a_use_before_the_2023_agreement(snap):
    ebdr(snap, performers=[PERFORMER_ID], used_on="2023-06-01")
    assert run_rules(snap) == []


# E02 clear and conspicuous


def test_e02_fires_for_a_consent_buried_in_standard_terms(snap):
    consent = with_consent(snap, in_standard_terms=True)
    finding = one(run_rules(snap), "E02")
    assert (finding["entity_type"], finding["entity_id"]) == ("consent", consent["id"])
    assert finding["severity"] == "blocking"


def test_e02_fires_for_a_consent_neither_separate_nor_attested(snap):
    with_consent(snap, is_separate_document=False, clear_and_conspicuous_attested=False)
    assert rules_fired(run_rules(snap)) == ["E02"]


def test_e02_is_quiet_for_an_attested_consent_in_the_contract(snap):
    with_consent(snap, is_separate_document=False, clear_and_conspicuous_attested=True)
    assert run_rules(snap) == []


# E03 reasonably specific description


@pytest.mark.parametrize("description", ["", "Replica use", "Any and all uses in all media"])
def test_e03_fires_for_a_vague_description(snap, description):
    with_consent(snap, use_description=description)
    assert rules_fired(run_rules(snap)) == ["E03"]


def test_e03_is_quiet_for_a_specific_description(snap):
    with_consent(snap)
    assert run_rules(snap) == []


# E04 48 hours' notice before a scan


def test_e04_fires_when_notice_came_less_than_48_hours_before_the_scan(snap):
    with_consent(
        snap,
        consent_type="ebdr_create",
        notice_given_at="2025-03-01T09:00:00Z",
        services_at="2025-03-02T09:00:00Z",
    )
    finding = one(run_rules(snap), "E04")
    assert finding["evidence"]["notice_hours"] == 24
    assert "24.0 hours" in finding["message"]


def test_e04_is_quiet_with_48_hours_notice_or_a_late_engagement(snap):
    with_consent(
        snap,
        consent_type="ebdr_create",
        notice_given_at="2025-03-01T09:00:00+00:00",
        services_at="2025-03-03T09:00:00+00:00",
    )
    with_consent(
        snap,
        consent_type="ebdr_create",
        notice_given_at="2025-03-01T09:00:00Z",
        services_at="2025-03-01T15:00:00Z",
        engaged_less_than_48h=True,
    )
    assert run_rules(snap) == []


def test_e04_fires_for_a_scan_with_no_scan_consent(snap):
    with_entry(snap, category="performer_scan", performers=[PERFORMER_ID])
    finding = one(run_rules(snap), "E04")
    assert finding["entity_type"] == "usage_entry"
    assert "without a scan consent and notice on file" in finding["message"]


def test_e04_is_quiet_for_a_scan_with_its_consent(snap):
    with_consent(
        snap,
        consent_type="ebdr_create",
        notice_given_at="2025-03-01T09:00:00Z",
        services_at="2025-03-04T09:00:00Z",
    )
    with_entry(snap, category="performer_scan", performers=[PERFORMER_ID])
    assert run_rules(snap) == []


# E05 replica in another project


def test_e05_fires_when_the_only_consent_is_for_another_production(snap):
    other = with_consent(snap, production_id=PRODUCTION_ID + 1)
    entry = ebdr(snap, performers=[(PERFORMER_ID, other["id"])])
    findings = run_rules(snap)
    assert rules_fired(findings) == ["E05"]
    assert findings[0]["entity_id"] == entry["id"]
    assert findings[0]["evidence"]["consent_production_id"] == PRODUCTION_ID + 1


def test_e05_is_quiet_with_a_consent_for_this_production_as_well(snap):
    other = with_consent(snap, production_id=PRODUCTION_ID + 1)
    with_consent(snap)
    ebdr(snap, performers=[(PERFORMER_ID, other["id"])])
    assert run_rules(snap) == []


# E06 independently created and deceased performers' replicas


def test_e06_fires_for_an_icdr_without_consent(snap):
    with_entry(snap, category="face_replacement", replica_kind="icdr", performers=[PERFORMER_ID])
    assert rules_fired(run_rules(snap)) == ["E06"]


def test_e06_is_quiet_with_an_icdr_consent(snap):
    with_consent(snap, consent_type="icdr")
    with_entry(snap, category="face_replacement", replica_kind="icdr", performers=[PERFORMER_ID])
    assert run_rules(snap) == []


def test_e06_fires_for_a_deceased_performer_whose_consent_is_not_the_estates(snap):
    late = with_performer(snap, professional_name="Vera Lind", is_deceased=True)
    with_consent(snap, performer_id=late["id"], consent_type="icdr", granted_by="performer")
    with_entry(
        snap, category="face_replacement", replica_kind="deceased_replica", performers=[late["id"]]
    )
    finding = one(run_rules(snap), "E06")
    assert "the late Vera Lind" in finding["message"]


def test_e06_is_quiet_for_a_deceased_performer_with_the_estates_consent(snap):
    late = with_performer(snap, professional_name="Vera Lind", is_deceased=True)
    with_consent(snap, performer_id=late["id"], consent_type="icdr", granted_by="estate_rep")
    with_entry(
        snap, category="face_replacement", replica_kind="deceased_replica", performers=[late["id"]]
    )
    assert run_rules(snap) == []


# E07 background replicas


def test_e07_fires_for_a_background_replica_without_consent(snap):
    extra = with_performer(snap, professional_name="Sam Reyes", category="background")
    with_entry(
        snap,
        category="crowd_generation",
        replica_kind="background_replica",
        performers=[extra["id"]],
    )
    assert rules_fired(run_rules(snap)) == ["E07"]


def test_e07_is_quiet_with_a_background_consent(snap):
    extra = with_performer(snap, professional_name="Sam Reyes", category="background")
    with_consent(snap, performer_id=extra["id"], consent_type="bg_replica_other_use")
    with_entry(
        snap,
        category="crowd_generation",
        replica_kind="background_replica",
        performers=[extra["id"]],
    )
    assert run_rules(snap) == []


# E10 digital alteration


def test_e10_fires_for_an_alteration_outside_the_exceptions(snap):
    with_entry(
        snap,
        category="performance_edit",
        performance_altered=True,
        alteration_purpose="not_excepted",
        performers=[PERFORMER_ID],
    )
    finding = one(run_rules(snap), "E10")
    assert finding["evidence"]["alteration_purpose"] == "not_excepted"


@pytest.mark.parametrize("purpose", ["noise_reduction", "continuity", "redubbing"])
def test_e10_is_quiet_for_an_alteration_within_an_exception(snap, purpose):
    with_entry(
        snap,
        category="performance_edit",
        performance_altered=True,
        alteration_purpose=purpose,
        performers=[PERFORMER_ID],
    )
    assert run_rules(snap) == []


def test_e10_is_quiet_with_a_digital_alteration_consent(snap):
    with_consent(snap, consent_type="digital_alteration")
    with_entry(
        snap,
        category="performance_edit",
        performance_altered=True,
        alteration_purpose="not_excepted",
        performers=[PERFORMER_ID],
    )
    assert run_rules(snap) == []


# E11 synthetic performer in a human role


def synthetic(snap, **fields):
    return with_entry(
        snap,
        category="synthetic_character_human",
        replica_kind="synthetic_performer",
        synthetic_replaces_performer=True,
        **fields,
    )


def test_e11_fires_without_a_union_notice_before_the_use(snap):
    entry = synthetic(snap)
    with_clearance(snap, "union_notice", entries=[entry], date="2025-07-01")  # after the use
    assert rules_fired(run_rules(snap)) == ["E11"]


def test_e11_is_quiet_with_a_union_notice_sent_before_the_use(snap):
    entry = synthetic(snap)
    with_clearance(snap, "union_notice", entries=[entry], date="2025-05-01")
    assert run_rules(snap) == []


# E12 synthetic performer drawing on a named performer


def test_e12_fires_when_the_prompt_names_a_performer_without_consent(snap):
    with_entry(
        snap,
        category="synthetic_character_human",
        replica_kind="synthetic_performer",
        prompt_names_performer=True,
        performers=[PERFORMER_ID],
    )
    assert rules_fired(run_rules(snap)) == ["E12"]


def test_e12_is_quiet_with_the_performers_feature_consent(snap):
    with_consent(snap, consent_type="synth_feature_use")
    with_entry(
        snap,
        category="synthetic_character_human",
        replica_kind="synthetic_performer",
        prompt_uses_facial_feature=True,
        performers=[PERFORMER_ID],
    )
    assert run_rules(snap) == []


# E13, E14: 2026 provisions, unverified


def test_e13_warns_with_wording_unconfirmed_under_the_2026_agreement(snap):
    entry = synthetic(snap, used_on="2026-09-01")
    with_clearance(snap, "union_notice", entries=[entry], date="2026-08-01")
    findings = run_rules(snap)
    finding = one(findings, "E13")
    assert finding["severity"] == "warning"
    assert finding["rule_set"] == "SAG_AFTRA_TVTH_2026"
    assert finding["message"].endswith(" (wording unconfirmed)")
    assert rules_fired(findings) == ["E13", "E42"]


def test_e13_is_quiet_under_2023_or_with_the_reason_noted(snap):
    entry = synthetic(snap)
    with_clearance(snap, "union_notice", entries=[entry], date="2025-05-01")
    later = synthetic(snap, used_on="2026-09-01")
    with_clearance(
        snap,
        "union_notice",
        entries=[later],
        date="2026-08-01",
        note="Significant additional value: …",
    )
    assert run_rules(snap) == []


def test_e14_warns_for_a_2026_scan_without_a_business_reason(snap):
    with_consent(snap, consent_type="ebdr_create")
    with_entry(
        snap,
        category="performer_scan",
        description="",
        used_on="2026-08-01",
        performers=[PERFORMER_ID],
    )
    finding = one(run_rules(snap), "E14")
    assert finding["severity"] == "warning"
    assert "(wording unconfirmed)" in finding["message"]


def test_e14_is_quiet_when_the_scan_says_why(snap):
    with_consent(snap, consent_type="ebdr_create")
    with_entry(
        snap,
        category="performer_scan",
        description="Scan for the stunt sequence in EP3",
        used_on="2026-08-01",
        performers=[PERFORMER_ID],
    )
    assert run_rules(snap) == []


# E17 WGA disclosure to the writer


def test_e17_fires_for_ai_material_handed_to_a_writer_without_disclosure(snap):
    with_entry(
        snap,
        shot_id=None,
        category="writing_gai_material_to_writer",
        department="development_writing",
    )
    finding = one(run_rules(snap), "E17")
    assert finding["rule_set"] == "WGA_MBA_2023"
    assert finding["message"] == (
        f"AI-generated material handed to a writer on entry #{finding['entity_id']} "
        "(Writing: AI-generated material handed to a writer) without a disclosure to the writer on file"
    )


def test_e17_keeps_blocking_under_the_2026_wga_agreement(snap):
    with_entry(snap, shot_id=None, category="writing_gai_material_to_writer", used_on="2026-06-01")
    finding = one(run_rules(snap), "E17")
    assert (finding["rule_set"], finding["severity"]) == ("WGA_MBA_2026", "blocking")


def test_e17_is_quiet_with_a_disclosure_on_file(snap):
    entry = with_entry(snap, shot_id=None, category="writing_gai_material_to_writer")
    with_clearance(snap, "writer_disclosure", entries=[entry])
    assert run_rules(snap) == []


# E20 DGA consultation


def test_e20_warns_for_generative_previs_without_director_consultation(snap):
    with_entry(snap, category="previs", generation_kind="generative", disposition="ideation")
    finding = one(run_rules(snap), "E20")
    assert (finding["severity"], finding["rule_set"]) == ("warning", "DGA_BA_2023")
    assert "unconfirmed" not in finding["message"]


def test_e20_under_the_unverified_2026_dga_set_says_wording_unconfirmed(snap):
    with_entry(
        snap,
        category="previs",
        generation_kind="generative",
        disposition="ideation",
        used_on="2026-07-02",
    )
    findings = run_rules(snap)
    finding = one(findings, "E20")
    assert finding["rule_set"] == "DGA_BA_2026"
    assert finding["severity"] == "warning"
    assert finding["message"].endswith(" (wording unconfirmed)")
    banner = one(findings, "E42")
    assert (banner["severity"], banner["entity_type"]) == ("info", "production")


def test_e20_is_quiet_with_a_consultation_or_for_assistive_use(snap):
    entry = with_entry(
        snap, category="previs", generation_kind="generative", disposition="ideation"
    )
    with_clearance(snap, "director_consultation", entries=[entry])
    with_entry(snap, category="previs", generation_kind="assistive", disposition="ideation")
    assert run_rules(snap) == []


# E23 Netflix written approval


def test_e23_fires_for_a_final_deliverable_on_a_netflix_production():
    snap = make_snapshot(commissioner="netflix")
    with_entry(snap)
    finding = one(run_rules(snap), "E23")
    assert finding["rule_set"] == "NFLX_GENAI_2025"
    assert "a final deliverable" in finding["message"]


def test_e23_is_quiet_with_written_approval_or_on_another_commissioners_production():
    snap = make_snapshot(commissioner="netflix")
    entry = with_entry(snap)
    with_clearance(snap, "commissioner_approval", entries=[entry])
    with_entry(snap, disposition="temp")
    assert run_rules(snap) == []
    other = make_snapshot(commissioner="bbc")
    with_entry(other)
    assert run_rules(other) == []


# E28 EU AI Act deep fakes


def deep_fake(snap):
    return with_entry(snap, realism="photoreal", depicts_real_person=True)


def test_e28_blocks_a_factual_production_without_an_on_screen_label():
    snap = make_snapshot(territories=["EU"], release_date="2027-03-12", is_factual=True)
    deep_fake(snap)
    finding = one(run_rules(snap), "E28")
    assert (finding["severity"], finding["rule_set"]) == ("blocking", "EU_AIA_ART50")


def test_e28_is_quiet_for_a_factual_production_with_an_on_screen_label():
    snap = make_snapshot(territories=["FR"], release_date="2027-03-12", is_factual=True)
    entry = deep_fake(snap)
    with_clearance(snap, "on_screen_label", entries=[entry])
    assert run_rules(snap) == []


def test_e28_warns_fiction_to_confirm_placement():
    snap = make_snapshot(territories=["EU"], release_date=None)
    deep_fake(snap)
    finding = one(run_rules(snap), "E28")
    assert finding["severity"] == "warning"
    assert "confirm placement" in finding["message"]


@pytest.mark.parametrize(
    ("territories", "release_date"), [(["US", "GB"], "2027-03-12"), (["EU"], "2026-08-01")]
)
def test_e28_is_silent_without_eu_release_from_2_august_2026(territories, release_date):
    snap = make_snapshot(territories=territories, release_date=release_date, is_factual=True)
    deep_fake(snap)
    assert run_rules(snap) == []


def test_e28_is_silent_for_stylised_output():
    snap = make_snapshot(territories=["EU"], release_date="2027-03-12", is_factual=True)
    with_entry(snap, realism="stylized", depicts_real_place_or_event=True)
    assert run_rules(snap) == []


# E31 human contribution (Copyright Office)


def test_e31_warns_for_generative_final_material_with_no_human_contribution(snap):
    with_entry(snap, generation_kind="generative", human_contribution="")
    finding = one(run_rules(snap), "E31")
    assert (finding["severity"], finding["rule_set"]) == ("warning", "USCO_2023")


def test_e31_is_quiet_for_temp_material_or_a_described_contribution(snap):
    with_entry(snap, generation_kind="generative", human_contribution="", disposition="temp")
    with_entry(snap, generation_kind="generative")
    assert run_rules(snap) == []


# E36 consent revoked, expired or out of scope


@pytest.mark.parametrize(
    ("consent_fields", "gap"),
    [
        ({"revoked_at": "2025-05-01T12:00:00Z"}, "the consent was revoked"),
        ({"valid_until": "2025-05-31"}, "the consent had expired"),
        ({"territories": ["GB"]}, "it does not cover release in US"),
        ({"media": ["marketing"]}, "it does not cover production use"),
        ({"episode_ids": [EPISODE_ID + 1]}, "it does not cover this episode"),
    ],
)
def test_e36_fires_when_the_consent_does_not_reach_the_use(snap, consent_fields, gap):
    consent = with_consent(snap, **consent_fields)
    ebdr(snap, performers=[(PERFORMER_ID, consent["id"])])
    finding = one(run_rules(snap), "E36")
    assert gap in finding["evidence"]["gaps"]
    assert gap in finding["message"]
    assert finding["evidence"]["consent_id"] == consent["id"]


def test_e36_fires_for_a_dub_outside_the_consents_languages(snap):
    consent = with_consent(snap, consent_type="dub_language", languages=["fr"])
    with_entry(
        snap, category="ai_dubbing", language="es", performers=[(PERFORMER_ID, consent["id"])]
    )
    assert rules_fired(run_rules(snap)) == ["E36"]


def test_e36_is_quiet_when_revocation_came_after_the_use(snap):
    consent = with_consent(snap, revoked_at="2025-07-01T12:00:00Z")
    ebdr(snap, performers=[(PERFORMER_ID, consent["id"])])
    assert run_rules(snap) == []


# E37 cue-sheet completeness


def test_e37_warns_for_an_incomplete_entry(snap):
    with_entry(
        snap,
        tool_version="",
        operator="",
        generation_kind="generative",
        has_prompt=False,
        input_sources=[{"ref": "archive/0042"}],
    )
    finding = one(run_rules(snap), "E37")
    assert finding["rule_set"] is None
    assert finding["evidence"]["missing"] == [
        "tool version",
        "operator",
        "prompt log",
        "input source copyright status",
    ]


def test_e37_is_quiet_for_a_complete_entry(snap):
    with_entry(snap, input_sources=[{"ref": "plate/0042", "copyright_status": "owned"}])
    assert run_rules(snap) == []


# Order, determinism, scale


def test_findings_are_ordered_by_rule_then_entity(snap):
    second = ebdr(snap, performers=[PERFORMER_ID], tool_version="")
    first = ebdr(snap, performers=[PERFORMER_ID], tool_version="")
    snap["entries"].reverse()
    with_consent(snap, consent_type="icdr", use_description="")
    keys = [(f["rule"], f["entity_id"]) for f in run_rules(snap)]
    assert keys == sorted(keys)
    assert [k for k in keys if k[0] == "E01"] == sorted(
        [("E01", first["id"]), ("E01", second["id"])]
    )


def test_the_same_snapshot_gives_the_same_findings(snap):
    for used_on in ("2025-06-02", "2026-09-01"):
        ebdr(snap, performers=[PERFORMER_ID], used_on=used_on, tool_version="")
        synthetic(snap, used_on=used_on, prompt_names_performer=True)
    with_consent(snap, in_standard_terms=True, use_description="any and all uses")
    frozen = copy.deepcopy(snap)
    first = run_rules(snap)
    assert snap == frozen  # the snapshot is not touched
    assert json.dumps(run_rules(json.loads(json.dumps(snap)))) == json.dumps(first)


def big_snapshot(count: int) -> dict:
    rng = random.Random(6)
    snap = make_snapshot(
        commissioner="netflix", territories=["US", "EU"], release_date="2027-03-12"
    )
    performers = [PERFORMER_ID] + [
        with_performer(snap, professional_name=f"Performer {n}")["id"] for n in range(50)
    ]
    for performer_id in performers[::2]:
        with_consent(snap, performer_id=performer_id)
        with_consent(snap, performer_id=performer_id, consent_type="dub_language", languages=["fr"])
    for n in range(count):
        with_entry(
            snap,
            category=rng.choice(["deaging", "ai_dubbing", "set_extension", "previs"]),
            replica_kind=rng.choice(["ebdr", "none", "none", "icdr"]),
            generation_kind=rng.choice(["generative", "assistive"]),
            realism=rng.choice(["photoreal", "stylized"]),
            depicts_real_person=rng.random() < 0.3,
            language=rng.choice(["", "fr", "es"]),
            used_on=f"202{rng.choice([5, 6])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            tool_version="" if n % 7 == 0 else "1.0",
            performers=[rng.choice(performers)] if rng.random() < 0.6 else [],
        )
    return snap


def test_the_rules_scale_linearly_with_the_number_of_entries():
    """Four times the entries cost about four times the work, not sixteen (no rule compares every
    entry with every other). Absolute speed is measured in bench/reports_compile.py."""

    def cpu_seconds(count: int) -> float:
        snap = big_snapshot(count)
        best = float("inf")
        for _ in range(2):
            started = time.process_time()
            findings = run_rules(snap)
            best = min(best, time.process_time() - started)
        assert findings
        return best

    small, large = cpu_seconds(10_000), cpu_seconds(40_000)
    assert large / small < 8, f"10k entries {small:.2f} s, 40k entries {large:.2f} s"
