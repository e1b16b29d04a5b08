"""The domain writes of the usage app: each leaves its audit event and marks the production's
reports stale, refuses what the registry bans, derives the IPTC type, and keeps prompts, names and
consent wording out of the append-only chain."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes
from studio_tracker.productions.models import Production
from studio_tracker.usage import clearances, consents, entries, performers, tools
from studio_tracker.usage.models import UsageEntry

from .conftest import (
    CONSENT_WORDING,
    LEGAL_NAME,
    PAY_TERMS,
    PROFESSIONAL_NAME,
    PROMPT,
    add_tool,
    use_data,
)

pytestmark = pytest.mark.django_db


def counter(production: Production) -> int:
    production.refresh_from_db()
    return production.change_counter


def add_shots(cast, count: int) -> list:
    start = cast.production_a.shots.count()
    return [
        changes.create_shot(actor=None, production=cast.production_a, code=f"LN_SQ020_SH{n:04d}")
        for n in range(start, start + count)
    ]


def log(cast, evidence, **overrides) -> UsageEntry:
    tool = overrides.pop("tool", evidence.tool)
    return entries.log_usage(
        actor=cast.cora, production=cast.production_a, **use_data(cast, tool, **overrides)
    )


def all_events_json() -> str:
    return json.dumps(
        [
            [e.action, e.target_type, e.target_id, e.target_label, e.changes]
            for e in AuditEvent.objects.order_by("organization_id", "seq")
        ],
        ensure_ascii=False,
    )


# --- Every write: its audit event and the change counter ------------------------------------

PRODUCTION_WRITES = {
    "log a use": (
        "usage.created",
        lambda cast, ev: log(cast, ev),
    ),
    "edit a use": (
        "usage.updated",
        lambda cast, ev: entries.update_usage(ev.entry, actor=cast.cora, description="Flashback"),
    ),
    "remove a use": (
        "usage.deleted",
        lambda cast, ev: entries.remove_usage(ev.entry, actor=cast.cora),
    ),
    "log a use on 5 shots": (
        "usage.bulk_created",
        lambda cast, ev: entries.log_usage_on_shots(
            actor=cast.cora,
            production=cast.production_a,
            shots=add_shots(cast, 5),
            **use_data(cast, ev.tool, shot=None),
        ),
    ),
    "copy a use to shots": (
        "usage.bulk_created",
        lambda cast, ev: entries.copy_usage(ev.entry, actor=cast.cora, shots=add_shots(cast, 2)),
    ),
    "record a consent": (
        "consent.created",
        lambda cast, ev: consents.record_consent(
            actor=cast.pat,
            production=cast.production_a,
            performer=ev.performer,
            consent_type="digital_alteration",
            use_description="Change two lines of dialogue in scene 12",
        ),
    ),
    "edit a consent": (
        "consent.updated",
        lambda cast, ev: consents.update_consent(ev.consent, actor=cast.pat, territories=["WW"]),
    ),
    "revoke a consent": (
        "consent.revoked",
        lambda cast, ev: consents.revoke_consent(ev.consent, actor=cast.pat),
    ),
    "record a clearance": (
        "clearance.created",
        lambda cast, ev: clearances.record_clearance(
            actor=cast.pat,
            production=cast.production_a,
            kind="union_notice",
            party="SAG-AFTRA",
            date=datetime.date(2025, 2, 1),
            usage_entries=[ev.entry],
        ),
    ),
    "edit a clearance": (
        "clearance.updated",
        lambda cast, ev: clearances.update_clearance(
            clearances.record_clearance(
                actor=cast.pat,
                production=cast.production_a,
                kind="union_notice",
                party="SAG-AFTRA",
                date=datetime.date(2025, 2, 1),
            ),
            actor=cast.pat,
            usage_entries=[ev.entry],
        ),
    ),
    "edit a performer linked to the production": (
        "performer.updated",
        lambda cast, ev: performers.update_performer(ev.performer, actor=cast.pat, union="equity"),
    ),
}


@pytest.mark.parametrize(("action", "write"), PRODUCTION_WRITES.values(), ids=PRODUCTION_WRITES)
def test_each_write_in_a_production_records_one_event_and_makes_its_reports_stale(
    cast, evidence, action, write
):
    before = counter(cast.production_a)
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    write(cast, evidence)
    assert counter(cast.production_a) > before
    # Setting up (shots to log on, a clearance to edit) writes its own events first.
    new = AuditEvent.objects.filter(seq__gt=last_seq, organization_id=cast.northlight.pk)
    actions = [event.action for event in new.exclude(action="shot.created")]
    assert actions == (["clearance.created", action] if action == "clearance.updated" else [action])
    assert trail.verify_chain() == []


def test_each_event_names_the_organisation_production_and_actor(cast, evidence):
    event = AuditEvent.objects.get(action="usage.created")
    assert event.organization_id == cast.northlight.pk
    assert event.production_id == cast.production_a.pk
    assert event.actor_id == cast.cora.pk
    assert event.target_id == str(evidence.entry.pk)
    assert event.target_label == cast.shot_a.code


@pytest.mark.parametrize(
    ("action", "write"),
    [
        (
            "performer.created",
            lambda cast: performers.create_performer(
                actor=cast.pat,
                organization=cast.northlight,
                legal_name="Tomasz Bergqvist",
                professional_name="Tom Berg",
            ),
        ),
        ("tool.created", lambda cast: add_tool(cast, name="VoiceLoom", modalities=["audio_voice"])),
        (
            "tool.updated",
            lambda cast: tools.update_tool(
                add_tool(cast, name="VoiceLoom"), actor=cast.cam, emits_c2pa="yes"
            ),
        ),
    ],
    ids=["create a performer", "add a tool", "edit a tool"],
)
def test_organisation_writes_record_their_event_without_a_production(cast, action, write):
    write(cast)
    event = AuditEvent.objects.filter(action=action).last()
    assert event.organization_id == cast.northlight.pk
    assert event.production_id is None


def test_a_write_that_changes_nothing_records_nothing(cast, evidence):
    before, events = counter(cast.production_a), AuditEvent.objects.count()
    entries.update_usage(evidence.entry, actor=cast.cora, disposition="final_key")
    consents.update_consent(evidence.consent, actor=cast.pat, consent_type="ebdr_use")
    performers.update_performer(evidence.performer, actor=cast.pat, union="sag_aftra")
    assert counter(cast.production_a) == before
    assert AuditEvent.objects.count() == events


def test_a_use_edit_records_old_and_new_values(cast, evidence):
    entries.update_usage(evidence.entry, actor=cast.cora, disposition="temp", tool_version="2.1")
    event = AuditEvent.objects.get(action="usage.updated")
    assert event.changes["disposition"] == ["final_key", "temp"]
    assert event.changes["tool_version"] == ["", "2.1"]


def test_moving_a_use_to_another_episode_makes_both_episodes_reports_stale(cast, evidence):
    ep1 = changes.create_episode(actor=None, production=cast.production_a, code="EP101")
    ep2 = changes.create_episode(actor=None, production=cast.production_a, code="EP102")
    shot1 = changes.create_shot(
        actor=None, production=cast.production_a, code="EP101_SH1", episode=ep1
    )
    shot2 = changes.create_shot(
        actor=None, production=cast.production_a, code="EP102_SH1", episode=ep2
    )
    entry = log(cast, evidence, shot=shot1)
    assert entry.episode == ep1
    ep1.refresh_from_db()
    ep2.refresh_from_db()
    ep1_before, ep2_before = ep1.change_counter, ep2.change_counter
    entries.update_usage(entry, actor=cast.cora, shot=shot2)
    ep1.refresh_from_db()
    ep2.refresh_from_db()
    assert entry.episode_id == ep2.pk
    assert ep1.change_counter > ep1_before
    assert ep2.change_counter > ep2_before


# --- Bulk and copy ---------------------------------------------------------------------------


def test_logging_one_use_on_five_shots_makes_five_entries_and_one_summary_event(cast, evidence):
    shots = add_shots(cast, 5)
    events = AuditEvent.objects.count()
    made = entries.log_usage_on_shots(
        actor=cast.cora,
        production=cast.production_a,
        shots=shots,
        performers=[{"performer": evidence.performer, "consent": evidence.consent}],
        prompt_text=PROMPT,
        **use_data(cast, evidence.tool, shot=None),
    )
    assert sorted(e.shot_id for e in made) == sorted(s.pk for s in shots)
    assert all(e.performer_links.get().consent == evidence.consent for e in made)
    assert AuditEvent.objects.count() == events + 1
    summary = AuditEvent.objects.get(action="usage.bulk_created")
    assert summary.changes["counts"] == {"created": 5}
    assert summary.changes["touched"] == 5
    assert summary.changes["touched_sha256"].startswith("sha256:")


def test_a_bulk_log_with_no_shots_is_refused(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        entries.log_usage_on_shots(
            actor=cast.cora, production=cast.production_a, shots=[], **use_data(cast, evidence.tool)
        )
    assert refused.value.message_dict == {"shots": ["Select at least one shot."]}


def test_a_bulk_log_with_one_bad_shot_logs_nothing(cast, evidence):
    shots = [*add_shots(cast, 2), cast.shot_b]
    before = UsageEntry.objects.count()
    with pytest.raises(ValidationError):
        entries.log_usage_on_shots(
            actor=cast.cora,
            production=cast.production_a,
            shots=shots,
            **use_data(cast, evidence.tool, shot=None),
        )
    assert UsageEntry.objects.count() == before
    assert not AuditEvent.objects.filter(action="usage.bulk_created").exists()


def test_copying_a_use_keeps_its_fields_and_performer_links(cast, evidence):
    entries.update_usage(evidence.entry, actor=cast.pat, iptc_source_type="digitalCreation")
    targets = add_shots(cast, 2)
    copies = entries.copy_usage(evidence.entry, actor=cast.cora, shots=targets)
    for copy, shot in zip(copies, targets, strict=True):
        assert copy.pk != evidence.entry.pk
        assert copy.shot == shot
        assert (copy.category, copy.replica_kind, copy.tool) == ("deaging", "ebdr", evidence.tool)
        assert copy.iptc_source_type == "digitalCreation"
        assert copy.iptc_source_type_overridden
        link = copy.performer_links.get()
        assert (link.performer, link.consent, link.aspect) == (
            evidence.performer,
            evidence.consent,
            "face",
        )


def test_a_use_cannot_be_copied_to_another_productions_shot(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        entries.copy_usage(evidence.entry, actor=cast.cora, shots=[cast.shot_b])
    assert "shot" in refused.value.message_dict


# --- The registry decides which tools may be used -----------------------------------------------


def test_a_banned_tool_is_refused_with_its_reason(cast, evidence):
    tools.update_tool(
        evidence.tool,
        actor=cast.cam,
        status="banned",
        status_reason="Trains on uploaded client footage.",
    )
    with pytest.raises(ValidationError) as refused:
        log(cast, evidence)
    assert refused.value.message_dict["tool"] == [
        "FaceForge is banned in this organisation. Trains on uploaded client footage."
    ]


def test_a_use_recorded_before_a_ban_stays_editable_but_gets_no_new_uses(cast, evidence):
    tools.update_tool(
        evidence.tool, actor=cast.cam, status="banned", status_reason="Scraped training data."
    )
    entries.update_usage(evidence.entry, actor=cast.cora, disposition="temp")
    evidence.entry.refresh_from_db()
    assert evidence.entry.disposition == "temp"
    with pytest.raises(ValidationError):
        entries.copy_usage(evidence.entry, actor=cast.cora, shots=add_shots(cast, 1))
    other = log(cast, evidence, tool=add_tool(cast, name="CleanPlate"))
    with pytest.raises(ValidationError) as refused:
        entries.update_usage(other, actor=cast.cora, tool=evidence.tool)
    assert "banned" in refused.value.message_dict["tool"][0]


def test_a_restricted_tool_may_be_logged(cast, evidence):
    tools.update_tool(
        evidence.tool, actor=cast.cam, status="restricted", status_reason="Ask compliance first."
    )
    assert log(cast, evidence).tool == evidence.tool


def test_a_tool_of_another_organisation_is_refused(cast, evidence):
    foreign = add_tool(cast, organization=cast.elsewhere, name="FarTool")
    with pytest.raises(ValidationError) as refused:
        log(cast, evidence, tool=foreign)
    assert refused.value.message_dict["tool"] == [
        "That tool is not in this organisation's registry."
    ]
    with pytest.raises(ValidationError):
        entries.update_usage(evidence.entry, actor=cast.cora, tool=foreign)


def test_a_use_on_another_productions_shot_is_refused(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        log(cast, evidence, shot=cast.shot_b)
    assert refused.value.message_dict["shot"] == ["That shot belongs to another production."]


def test_an_altered_performance_needs_its_purpose(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        log(cast, evidence, performance_altered=True)
    assert "alteration_purpose" in refused.value.message_dict
    assert log(cast, evidence, performance_altered=True, alteration_purpose="continuity").pk


def test_a_banned_tool_needs_a_reason(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        tools.update_tool(evidence.tool, actor=cast.cam, status="banned")
    assert "status_reason" in refused.value.message_dict


# --- IPTC digital source type -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "generation_kind", "iptc"),
    [
        ("deaging", "generative", "compositeWithTrainedAlgorithmicMedia"),
        ("roto_cleanup_paint", "generative", "compositeWithTrainedAlgorithmicMedia"),
        ("shot_generation", "generative", "trainedAlgorithmicMedia"),
        ("key_art", "generative", "trainedAlgorithmicMedia"),
        ("deaging", "assistive", "algorithmicallyEnhanced"),
        ("upscale_restore", "assistive", "algorithmicallyEnhanced"),
        ("assisted_edit", "traditional", "algorithmicallyEnhanced"),
    ],
)
def test_the_iptc_type_is_derived_from_category_and_generation_kind(
    cast, evidence, category, generation_kind, iptc
):
    assert entries.derive_iptc_source_type(category, generation_kind) == iptc
    entry = log(cast, evidence, category=category, generation_kind=generation_kind)
    entry.refresh_from_db()
    assert entry.iptc_source_type == iptc
    assert not entry.iptc_source_type_overridden


def test_the_iptc_type_follows_the_category_until_overridden(cast, evidence):
    entry = evidence.entry
    assert entry.iptc_source_type == "compositeWithTrainedAlgorithmicMedia"
    entries.update_usage(entry, actor=cast.cora, category="shot_generation")
    assert entry.iptc_source_type == "trainedAlgorithmicMedia"


def test_an_overridden_iptc_type_is_flagged_and_survives_later_edits(cast, evidence):
    entry = log(cast, evidence, iptc_source_type="digitalCreation")
    assert (entry.iptc_source_type, entry.iptc_source_type_overridden) == (
        "digitalCreation",
        True,
    )
    entries.update_usage(entry, actor=cast.cora, description="Now with a note")
    entries.update_usage(entry, actor=cast.cora, category="shot_generation")
    entries.update_usage(entry, actor=cast.cora, generation_kind="assistive")
    entry.refresh_from_db()
    assert (entry.iptc_source_type, entry.iptc_source_type_overridden) == (
        "digitalCreation",
        True,
    )


def test_choosing_the_derived_iptc_type_again_ends_the_override(cast, evidence):
    entry = log(cast, evidence, iptc_source_type="digitalCreation")
    entries.update_usage(
        entry, actor=cast.cora, iptc_source_type="compositeWithTrainedAlgorithmicMedia"
    )
    entry.refresh_from_db()
    assert not entry.iptc_source_type_overridden
    entries.update_usage(entry, actor=cast.cora, category="shot_generation")
    assert entry.iptc_source_type == "trainedAlgorithmicMedia"


# --- What never enters the chain ---------------------------------------------------------------


def test_prompt_text_never_enters_the_audit_chain(cast, evidence):
    entries.update_usage(evidence.entry, actor=cast.cora, prompt_text="Maggie at 30, overcast")
    entries.copy_usage(evidence.entry, actor=cast.cora, shots=add_shots(cast, 2))
    entries.log_usage_on_shots(
        actor=cast.cora,
        production=cast.production_a,
        shots=add_shots(cast, 1),
        prompt_text="Maggie in the rain",
        **use_data(cast, evidence.tool, shot=None),
    )
    entries.remove_usage(evidence.entry, actor=cast.cora)
    chain = all_events_json()
    for secret in (PROMPT, "Maggie at 30", "Maggie in the rain", "tungsten", "overcast"):
        assert secret not in chain
    for event in AuditEvent.objects.filter(action__startswith="usage."):
        assert "prompt_text" not in event.changes


def test_a_prompt_edit_is_recorded_as_changed_without_its_value(cast, evidence):
    entries.update_usage(evidence.entry, actor=cast.cora, prompt_text="Maggie at 30, overcast")
    event = AuditEvent.objects.get(action="usage.updated")
    assert event.changes == {"changed_without_values": ["prompt_text"]}


def test_a_use_without_a_prompt_records_no_prompt_change(cast, evidence):
    entry = log(cast, evidence)
    entries.remove_usage(entry, actor=cast.cora)
    for action in ("usage.created", "usage.deleted"):
        event = AuditEvent.objects.filter(action=action, target_id=str(entry.pk)).get()
        assert "changed_without_values" not in event.changes
    assert AuditEvent.objects.get(action="usage.created", target_id=str(evidence.entry.pk)).changes[
        "changed_without_values"
    ] == ["prompt_text"]


def test_performer_and_consent_events_hold_no_names_wording_or_pay(cast, evidence):
    performers.update_performer(
        evidence.performer,
        actor=cast.pat,
        legal_name="Margarethe Whitcombe",
        professional_name="Maggie W.",
        is_minor=True,
        estate_contact="Whitcombe Family Trust",
    )
    consents.update_consent(
        evidence.consent,
        actor=cast.pat,
        use_description="Her face at 25 in the flashbacks, and in the trailer",
        compensation_terms="USD 15,000 per day",
    )
    consents.revoke_consent(evidence.consent, actor=cast.pat)

    chain = all_events_json()
    for personal in (
        LEGAL_NAME,
        PROFESSIONAL_NAME,
        "Margarethe",
        "Whitcombe",
        "Maggie",
        CONSENT_WORDING,
        "flashback",
        PAY_TERMS,
        "12,500",
        "15,000",
    ):
        assert personal not in chain, personal

    performer_events = AuditEvent.objects.filter(target_type="performer")
    assert [e.action for e in performer_events] == ["performer.created", "performer.updated"]
    assert performer_events.last().changes == {
        "fields": ["estate_contact", "is_minor", "legal_name", "professional_name"]
    }
    consent_update = AuditEvent.objects.get(action="consent.updated")
    assert consent_update.changes == {
        "fields": ["compensation_terms", "use_description"],
        "performer_id": evidence.performer.pk,
    }
    assert consent_update.target_label == ""


# --- Consents: revoked, never edited again -------------------------------------------------------


def test_a_revoked_consent_cannot_be_revoked_again(cast, evidence):
    consents.revoke_consent(evidence.consent, actor=cast.pat)
    first = evidence.consent.revoked_at
    with pytest.raises(ValidationError, match="already revoked"):
        consents.revoke_consent(evidence.consent, actor=cast.pat)
    evidence.consent.refresh_from_db()
    assert evidence.consent.revoked_at == first
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1


def test_a_revoked_consent_cannot_be_edited(cast, evidence):
    consents.revoke_consent(evidence.consent, actor=cast.pat)
    with pytest.raises(ValidationError, match="record a new one"):
        consents.update_consent(evidence.consent, actor=cast.pat, territories=["WW"])
    evidence.consent.refresh_from_db()
    assert evidence.consent.territories == []


def test_a_consent_may_be_revoked_as_of_a_past_time(cast, evidence):
    when = datetime.datetime(2025, 4, 1, 12, 0, tzinfo=datetime.UTC)
    consents.revoke_consent(evidence.consent, actor=cast.pat, revoked_at=when)
    evidence.consent.refresh_from_db()
    assert evidence.consent.revoked_at == when


def test_a_consent_ending_before_it_starts_is_refused(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        consents.update_consent(
            evidence.consent, actor=cast.pat, valid_until=datetime.date(2024, 12, 31)
        )
    assert "valid_until" in refused.value.message_dict


def test_a_consent_with_an_unknown_medium_is_refused(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        consents.update_consent(evidence.consent, actor=cast.pat, media=["television"])
    assert "media" in refused.value.message_dict


def test_a_consent_of_another_organisations_performer_is_refused(cast, evidence):
    with pytest.raises(ValidationError) as refused:
        consents.record_consent(
            actor=cast.olga,
            production=cast.production_c,
            performer=evidence.performer,
            consent_type="ebdr_use",
            use_description="Not hers to give",
        )
    assert "performer" in refused.value.message_dict


def test_a_use_cannot_rely_on_someone_elses_consent(cast, evidence):
    other = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    with pytest.raises(ValidationError) as refused:
        entries.update_usage(
            evidence.entry,
            actor=cast.cora,
            performers=[{"performer": other, "consent": evidence.consent}],
        )
    assert "performers" in refused.value.message_dict


def test_performer_links_are_replaced_on_edit(cast, evidence):
    other = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Ada Ng",
        professional_name="Ada Ng",
    )
    before = counter(cast.production_a)
    entries.update_usage(
        evidence.entry, actor=cast.cora, performers=[{"performer": other, "aspect": "voice"}]
    )
    assert [(link.performer, link.consent) for link in evidence.entry.performer_links.all()] == [
        (other, None)
    ]
    assert counter(cast.production_a) > before
    event = AuditEvent.objects.get(action="usage.updated")
    assert event.changes == {
        "performers": [
            [[evidence.performer.pk, evidence.consent.pk, "face"]],
            [[other.pk, None, "voice"]],
        ]
    }
