"""Does a consent on file cover a use? Each scope dimension, covered and not (DESIGN.md
"Consent coverage").

Most tests ask with plain mappings and no database: the report rules ask the same question from a
frozen snapshot. The last ones build the mappings from rows with ``use_facts`` and
``consent_facts`` and must get the same answers.
"""

import datetime

import pytest

from studio_tracker.productions import changes
from studio_tracker.usage import consents, entries
from studio_tracker.usage.coverage import (
    accepted_consent_types,
    consent_covers,
    consent_facts,
    coverage_gaps,
    medium_of,
    needs_consent,
    use_facts,
)

from .conftest import use_data

UTC = datetime.UTC


def a_use(**overrides) -> dict:
    """An EBDR de-aging use in episode 10 of production 1, released in the US."""
    return {
        "production_id": 1,
        "episode_id": 10,
        "category": "deaging",
        "replica_kind": "ebdr",
        "medium": "production",
        "territories": ["US"],
        "language": "",
        "used_on": datetime.date(2025, 6, 1),
        **overrides,
    }


def a_consent(**overrides) -> dict:
    """An EBDR use consent for production 1 with no limit on any dimension."""
    return {
        "production_id": 1,
        "consent_type": "ebdr_use",
        "episode_ids": [],
        "media": [],
        "territories": [],
        "languages": [],
        "valid_from": None,
        "valid_until": None,
        "revoked_at": None,
        **overrides,
    }


def test_an_unlimited_consent_of_the_right_type_covers_the_use():
    assert consent_covers(a_consent(), a_use())
    assert coverage_gaps(a_consent(), a_use()) == []


# --- The consent's type against the use's replica kind -------------------------------------


@pytest.mark.parametrize(
    ("replica_kind", "covering", "not_covering"),
    [
        ("ebdr", "ebdr_use", "icdr"),
        ("ebdr", "ebdr_use", "ebdr_create"),  # consenting to the scan is not consenting to its use
        ("icdr", "icdr", "ebdr_use"),
        ("background_replica", "bg_replica_other_use", "icdr"),
        ("background_replica", "ebdr_use", "digital_alteration"),
        ("digital_alteration", "digital_alteration", "ebdr_use"),
        ("synthetic_with_recognizable_feature", "synth_feature_use", "ebdr_use"),
        ("deceased_replica", "icdr", "ebdr_use"),
    ],
)
def test_the_consent_type_must_answer_for_the_replica_kind(replica_kind, covering, not_covering):
    use = a_use(category="face_replacement", replica_kind=replica_kind)
    assert consent_covers(a_consent(consent_type=covering), use)
    assert not consent_covers(a_consent(consent_type=not_covering), use)
    assert coverage_gaps(a_consent(consent_type=not_covering), use) == [
        "it is a consent of another type"
    ]


@pytest.mark.parametrize(
    ("category", "covering", "not_covering"),
    [
        ("ai_dubbing", "dub_language", "voice_clone"),
        ("visual_dubbing_lipsync", "dub_language", "ebdr_use"),
        ("voice_clone_new_lines", "voice_clone", "dub_language"),
        ("adr_via_replica", "voice_clone", "ebdr_use"),
        ("performer_scan", "ebdr_create", "ebdr_use"),
        ("model_training_on_production_data", "training_use", "ebdr_use"),
    ],
)
def test_dubbing_voice_scan_and_training_uses_need_their_own_consent_type(
    category, covering, not_covering
):
    use = a_use(category=category, replica_kind="none", language="fr")
    assert consent_covers(a_consent(consent_type=covering), use)
    assert not consent_covers(a_consent(consent_type=not_covering), use)


def test_a_use_without_a_replica_or_a_consent_category_needs_no_consent_and_none_answers_for_it():
    use = a_use(category="set_extension", replica_kind="none")
    assert not needs_consent(use)
    assert accepted_consent_types(use) == frozenset()
    assert not consent_covers(a_consent(), use)


# --- Production, episode, medium ------------------------------------------------------------


def test_a_consent_for_another_production_does_not_cover_the_use():
    assert not consent_covers(a_consent(production_id=2), a_use())
    assert coverage_gaps(a_consent(production_id=2), a_use()) == [
        "it was given for another production"
    ]


@pytest.mark.parametrize(
    ("episode_ids", "covered"),
    [([], True), ([10], True), ([9, 10, 11], True), ([11], False), ([9, 11], False)],
)
def test_an_empty_episode_list_covers_every_episode_and_a_list_only_its_own(episode_ids, covered):
    assert consent_covers(a_consent(episode_ids=episode_ids), a_use()) is covered


def test_a_consent_limited_to_episodes_does_not_cover_a_use_outside_any_episode():
    consent = a_consent(episode_ids=[10])
    assert coverage_gaps(consent, a_use(episode_id=None)) == ["it does not cover this episode"]


@pytest.mark.parametrize("category", ["key_art", "trailer_gen", "social_assets"])
def test_marketing_categories_are_marketing_use(category):
    assert medium_of(category) == "marketing"
    use = a_use(category=category, medium=medium_of(category))
    assert consent_covers(a_consent(media=["marketing"]), use)
    assert consent_covers(a_consent(media=[]), use)
    assert not consent_covers(a_consent(media=["production"]), use)
    assert coverage_gaps(a_consent(media=["production"]), use) == [
        "it does not cover marketing use"
    ]


def test_a_marketing_only_consent_does_not_cover_use_in_the_picture():
    assert medium_of("deaging") == "production"
    assert not consent_covers(a_consent(media=["marketing"]), a_use())
    assert consent_covers(a_consent(media=["production", "marketing"]), a_use())


def test_the_commercials_rider_answers_for_marketing_replica_uses_only():
    marketing = a_use(category="key_art", medium="marketing")
    rider = a_consent(consent_type="marketing_commercial_rider")
    assert consent_covers(rider, marketing)
    assert not consent_covers(rider, a_use())


# --- Territories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed", "released_in", "covered"),
    [
        ([], ["US", "FR", "JP"], True),  # empty: everywhere
        (["US"], ["US"], True),
        (["EU"], ["FR"], True),
        (["EU"], ["FR", "DE", "IT"], True),
        (["EU"], ["EU"], True),
        (["EU"], ["GB"], False),  # not a member state
        (["EU"], ["US"], False),
        (["FR"], ["DE"], False),
        (["FR"], ["EU"], False),  # one member state does not cover the whole Union
        (["WW"], ["US", "FR", "JP", "BR"], True),
        (["US", "FR"], ["US", "FR"], True),
        (["US"], ["US", "FR"], False),
    ],
)
def test_territories(allowed, released_in, covered):
    assert consent_covers(a_consent(territories=allowed), a_use(territories=released_in)) is covered


def test_a_us_only_consent_says_which_release_territories_it_misses():
    gaps = coverage_gaps(a_consent(territories=["US"]), a_use(territories=["US", "FR", "JP"]))
    assert gaps == ["it does not cover release in FR, JP"]


# --- Language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("languages", "covered"), [([], True), (["fr"], True), (["es", "fr"], True), (["es"], False)]
)
def test_a_dubbing_consent_covers_only_its_languages(languages, covered):
    use = a_use(category="ai_dubbing", replica_kind="none", language="fr")
    consent = a_consent(consent_type="dub_language", languages=languages)
    assert consent_covers(consent, use) is covered
    if not covered:
        assert coverage_gaps(consent, use) == ["it does not cover the language fr"]


# --- Dates and revocation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("used_on", "covered"),
    [
        (datetime.date(2024, 12, 31), False),
        (datetime.date(2025, 1, 1), True),  # the first day counts
        (datetime.date(2025, 6, 30), True),  # the last day counts
        (datetime.date(2025, 7, 1), False),
    ],
)
def test_the_use_date_must_fall_within_the_consents_validity(used_on, covered):
    consent = a_consent(
        valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 6, 30)
    )
    assert consent_covers(consent, a_use(used_on=used_on)) is covered


def test_the_gaps_say_whether_the_use_came_too_early_or_too_late():
    consent = a_consent(
        valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 6, 30)
    )
    early = coverage_gaps(consent, a_use(used_on=datetime.date(2024, 12, 31)))
    late = coverage_gaps(consent, a_use(used_on=datetime.date(2025, 7, 1)))
    assert early == ["the use comes before the consent's start"]
    assert late == ["the consent had expired"]


def test_a_revocation_after_the_use_leaves_the_use_covered():
    revoked = datetime.datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
    consent = a_consent(revoked_at=revoked)
    assert consent_covers(consent, a_use(used_on=datetime.date(2025, 6, 30)))


def test_a_revocation_before_the_use_means_it_is_not_covered():
    revoked = datetime.datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
    consent = a_consent(revoked_at=revoked)
    assert not consent_covers(consent, a_use(used_on=datetime.date(2025, 7, 2)))
    assert coverage_gaps(consent, a_use(used_on=datetime.date(2025, 7, 2))) == [
        "the consent was revoked"
    ]


def test_a_revoked_consent_covers_no_undated_use():
    consent = a_consent(revoked_at=datetime.datetime(2025, 7, 1, tzinfo=UTC))
    assert not consent_covers(consent, a_use(used_on=None))


def test_the_gaps_list_every_reason_in_words():
    consent = a_consent(
        consent_type="icdr",
        production_id=2,
        episode_ids=[11],
        territories=["GB"],
        valid_until=datetime.date(2025, 1, 31),
    )
    assert coverage_gaps(consent, a_use()) == [
        "it is a consent of another type",
        "it was given for another production",
        "it does not cover this episode",
        "it does not cover release in US",
        "the consent had expired",
    ]


# --- From rows: the same answers --------------------------------------------------------------


@pytest.mark.django_db
def test_facts_read_from_rows_give_the_same_answer_as_the_mappings(cast, evidence):
    use = use_facts(evidence.entry)
    consent = consent_facts(evidence.consent)
    assert use == {
        "production_id": cast.production_a.pk,
        "episode_id": None,
        "category": "deaging",
        "replica_kind": "ebdr",
        "medium": "production",
        "territories": ["US", "FR"],
        "language": "",
        "used_on": datetime.date(2025, 3, 1),
    }
    assert consent == a_consent(
        production_id=cast.production_a.pk, valid_from=datetime.date(2025, 1, 1)
    )
    assert consent_covers(consent, use)


@pytest.mark.django_db
def test_a_shot_level_use_takes_its_shots_episode(cast, evidence):
    episode = changes.create_episode(actor=None, production=cast.production_a, code="EP101")
    other = changes.create_episode(actor=None, production=cast.production_a, code="EP102")
    shot = changes.create_shot(
        actor=None, production=cast.production_a, code="EP101_SQ010_SH0010", episode=episode
    )
    entry = entries.log_usage(
        actor=cast.cora, production=cast.production_a, **use_data(cast, evidence.tool, shot=shot)
    )
    assert use_facts(entry)["episode_id"] == episode.pk

    consents.update_consent(evidence.consent, actor=cast.pat, episodes=[other])
    assert coverage_gaps(consent_facts(evidence.consent), use_facts(entry)) == [
        "it does not cover this episode"
    ]
    consents.update_consent(evidence.consent, actor=cast.pat, episodes=[episode, other])
    assert consent_covers(consent_facts(evidence.consent), use_facts(entry))


@pytest.mark.django_db
def test_a_us_only_consent_on_file_does_not_cover_a_production_released_in_us_and_fr(
    cast, evidence
):
    consents.update_consent(evidence.consent, actor=cast.pat, territories=["US"])
    gaps = coverage_gaps(consent_facts(evidence.consent), use_facts(evidence.entry))
    assert gaps == ["it does not cover release in FR"]
    # The snapshot may carry other territories than the row: use_facts takes them.
    assert consent_covers(
        consent_facts(evidence.consent), use_facts(evidence.entry, territories=["US"])
    )


@pytest.mark.django_db
def test_revoking_the_consent_on_file_reaches_only_later_uses(cast, evidence):
    consents.revoke_consent(
        evidence.consent,
        actor=cast.pat,
        revoked_at=datetime.datetime(2025, 4, 1, 12, 0, tzinfo=UTC),
    )
    later = entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        **use_data(cast, evidence.tool, used_on=datetime.date(2025, 4, 2)),
    )
    consent = consent_facts(evidence.consent)
    assert consent_covers(consent, use_facts(evidence.entry))  # used on 1 March
    assert coverage_gaps(consent, use_facts(later)) == ["the consent was revoked"]


@pytest.mark.django_db
def test_a_marketing_use_on_file_is_not_covered_by_a_production_only_consent(cast, evidence):
    consents.update_consent(evidence.consent, actor=cast.pat, media=["production"])
    key_art = entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        **use_data(
            cast,
            evidence.tool,
            shot=None,
            department="marketing",
            category="key_art",
            disposition="marketing",
            modality="image",
        ),
    )
    assert use_facts(key_art)["medium"] == "marketing"
    assert coverage_gaps(consent_facts(evidence.consent), use_facts(key_art)) == [
        "it does not cover marketing use"
    ]
