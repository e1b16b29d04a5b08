"""Does a consent on file cover a use? One predicate over plain mappings.

The pages ask it with facts read from rows, and the report rules ask it with facts read from the
frozen snapshot, so both get the same answer and neither needs a query per entry. DESIGN.md
"Consent coverage" is the specification.

A *use* mapping has: ``production_id``, ``episode_id`` (or None), ``category``, ``replica_kind``,
``medium`` (``production`` or ``marketing``), ``territories`` (the production's release list),
``language`` ("" when not a language use) and ``used_on`` (a date).

A *consent* mapping has: ``production_id``, ``consent_type``, ``episode_ids`` (empty: every
episode), ``media``, ``territories``, ``languages`` (each empty: no limit), ``valid_from``,
``valid_until`` (dates or None) and ``revoked_at`` (a datetime or None).
"""

from collections.abc import Mapping
from datetime import date, datetime

from studio_tracker.productions.models import EU_MEMBER_STATES

from .choices import MARKETING_CATEGORIES, Category, ConsentType, Medium, ReplicaKind

# Which consent types answer for which replica (SAG-AFTRA 2023 S2 to S9; DOMAIN.md E01 to E12).
REPLICA_CONSENTS = {
    ReplicaKind.EBDR: frozenset({ConsentType.EBDR_USE}),
    ReplicaKind.ICDR: frozenset({ConsentType.ICDR}),
    ReplicaKind.BACKGROUND_REPLICA: frozenset(
        {ConsentType.EBDR_USE, ConsentType.BG_REPLICA_OTHER_USE}
    ),
    ReplicaKind.SYNTHETIC_WITH_RECOGNIZABLE_FEATURE: frozenset({ConsentType.SYNTH_FEATURE_USE}),
    ReplicaKind.DIGITAL_ALTERATION: frozenset({ConsentType.DIGITAL_ALTERATION}),
    ReplicaKind.DECEASED_REPLICA: frozenset({ConsentType.ICDR}),
}
CATEGORY_CONSENTS = {
    Category.PERFORMER_SCAN: frozenset({ConsentType.EBDR_CREATE}),
    Category.VOICE_CLONE_NEW_LINES: frozenset({ConsentType.VOICE_CLONE}),
    Category.ADR_VIA_REPLICA: frozenset({ConsentType.VOICE_CLONE}),
    Category.AI_DUBBING: frozenset({ConsentType.DUB_LANGUAGE}),
    Category.VISUAL_DUBBING_LIPSYNC: frozenset({ConsentType.DUB_LANGUAGE}),
    Category.MODEL_TRAINING_ON_PRODUCTION_DATA: frozenset({ConsentType.TRAINING_USE}),
}
WORLDWIDE = "WW"


def medium_of(category: str) -> str:
    return Medium.MARKETING if category in MARKETING_CATEGORIES else Medium.PRODUCTION


def accepted_consent_types(use: Mapping) -> frozenset:
    """The consent types that can answer for this use; empty when the use needs no consent."""
    accepted = REPLICA_CONSENTS.get(use.get("replica_kind"), frozenset())
    accepted |= CATEGORY_CONSENTS.get(use.get("category"), frozenset())
    if accepted and use.get("medium") == Medium.MARKETING:
        accepted |= {ConsentType.MARKETING_COMMERCIAL_RIDER}
    return accepted


def needs_consent(use: Mapping) -> bool:
    return bool(accepted_consent_types(use))


def _territory_within(territory: str, allowed: set[str]) -> bool:
    if territory in allowed or WORLDWIDE in allowed:
        return True
    return "EU" in allowed and territory in EU_MEMBER_STATES


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def coverage_gaps(consent: Mapping, use: Mapping) -> list[str]:
    """Why the consent does not cover the use, in words a producer understands; [] if it does."""
    gaps = []
    if consent["consent_type"] not in accepted_consent_types(use):
        gaps.append("it is a consent of another type")
    if consent["production_id"] != use["production_id"]:
        gaps.append("it was given for another production")
    episodes = consent.get("episode_ids") or []
    if episodes and use.get("episode_id") not in episodes:
        gaps.append("it does not cover this episode")
    media = consent.get("media") or []
    if media and use.get("medium") not in media:
        gaps.append(f"it does not cover {use.get('medium')} use")
    territories = set(consent.get("territories") or [])
    if territories:
        outside = [t for t in use.get("territories") or [] if not _territory_within(t, territories)]
        if outside:
            gaps.append(f"it does not cover release in {', '.join(outside)}")
    languages = consent.get("languages") or []
    if languages and use.get("language") and use["language"] not in languages:
        gaps.append(f"it does not cover the language {use['language']}")
    used_on = use.get("used_on")
    if used_on is not None:
        if consent.get("valid_from") and used_on < consent["valid_from"]:
            gaps.append("the use comes before the consent's start")
        if consent.get("valid_until") and used_on > consent["valid_until"]:
            gaps.append("the consent had expired")
        revoked = _as_date(consent.get("revoked_at"))
        if revoked is not None and revoked <= used_on:
            gaps.append("the consent was revoked")
    elif consent.get("revoked_at"):
        gaps.append("the consent was revoked")
    return gaps


def consent_covers(consent: Mapping, use: Mapping) -> bool:
    """True when the consent's type, production, episodes, media, territories, languages and dates
    all take in the use, and it was not revoked before it."""
    return not coverage_gaps(consent, use)


def use_facts(entry, *, territories=None) -> dict:
    """The use side, read from a UsageEntry row (its shot's episode for shot-level uses)."""
    episode_id = entry.episode_id
    if episode_id is None and entry.shot_id is not None:
        episode_id = entry.shot.episode_id
    return {
        "production_id": entry.production_id,
        "episode_id": episode_id,
        "category": entry.category,
        "replica_kind": entry.replica_kind,
        "medium": medium_of(entry.category),
        "territories": list(
            territories if territories is not None else entry.production.territories
        ),
        "language": entry.language,
        "used_on": entry.used_on,
    }


def consent_facts(consent) -> dict:
    """The consent side, read from a ConsentRecord row (prefetch its episodes for lists)."""
    return {
        "production_id": consent.production_id,
        "consent_type": consent.consent_type,
        "episode_ids": [episode.pk for episode in consent.episodes.all()],
        "media": list(consent.media or []),
        "territories": list(consent.territories or []),
        "languages": list(consent.languages or []),
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "revoked_at": consent.revoked_at,
    }
