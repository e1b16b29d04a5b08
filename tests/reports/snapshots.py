"""A tiny builder of report snapshots (the compiler's contract) for the rules tests.

``make_snapshot()`` gives a valid snapshot of one production that raises no finding: signatory
to SAG-AFTRA, the WGA and the DGA, released in the US in 2025, one episode, one shot, one tool and
one performer (Theo Grant). The ``with_*`` helpers add rows and return them, so a test reads as
the situation it sets up.
"""

import copy
import itertools

from studio_tracker.reports.rulesets import applicable_rule_sets

PRODUCTION_ID = 1
EPISODE_ID = 10
SHOT_ID = 100
SHOT_CODE = "LN_SQ040_SH0010"
TOOL_ID = 200
PERFORMER_ID = 300
PERFORMER_NAME = "Theo Grant"

_ids = itertools.count(1000)

PRODUCTION = {
    "id": PRODUCTION_ID,
    "title": "The Long Night",
    "kind": "series",
    "is_factual": False,
    "guilds": ["sag_aftra", "wga", "dga"],
    "territories": ["US"],
    "commissioner": "",
    "frame_rate": "24.000",
    "release_date": "2025-12-01",
    "principal_photography_start": "2025-01-06",
    "organization": {"id": 1, "name": "Northlight"},
}


def make_snapshot(**production) -> dict:
    """A clean snapshot; keyword arguments override production fields (rule sets follow)."""
    facts = {**copy.deepcopy(PRODUCTION), **production}
    return {
        "schema": 1,
        "production": facts,
        "scope": {"episode": None},
        "rule_sets": applicable_rule_sets(facts),
        "shots": [
            {
                "id": SHOT_ID,
                "code": SHOT_CODE,
                "episode_id": EPISODE_ID,
                "sequence_id": 50,
                "frame_in": 1001,
                "frame_out": 1100,
                "frames": 100,
                "record_in": "01:00:00:00",
                "record_out": "01:00:04:03",
                "locked_for_final": False,
            }
        ],
        "tools": [
            {
                "id": TOOL_ID,
                "name": "Flux",
                "vendor": "Black Forest Labs",
                "kind": "generative",
                "status": "approved",
                "training_data_claim": "undisclosed",
                "indemnity": "unknown",
                "trains_on_inputs": "unknown",
                "emits_c2pa": "unknown",
                "known_litigation": "",
            }
        ],
        "performers": [
            {
                "id": PERFORMER_ID,
                "professional_name": PERFORMER_NAME,
                "category": "principal",
                "union": "sag_aftra",
                "is_deceased": False,
                "is_minor": False,
            }
        ],
        "consents": [],
        "clearances": [],
        "entries": [],
    }


def with_performer(snapshot: dict, **fields) -> dict:
    performer = {
        "id": next(_ids),
        "professional_name": "Ada Marsh",
        "category": "principal",
        "union": "sag_aftra",
        "is_deceased": False,
        "is_minor": False,
        **fields,
    }
    snapshot["performers"].append(performer)
    return performer


def with_entry(snapshot: dict, *, performers=(), **fields) -> dict:
    """A complete, assistive, stylised use on the shot (no finding), with ``fields`` on top.

    ``performers``: performer ids, or (performer_id, consent_id) pairs, to link.
    """
    links = []
    for item in performers:
        performer_id, consent_id = item if isinstance(item, tuple) else (item, None)
        links.append({"performer_id": performer_id, "consent_id": consent_id, "aspect": "face"})
    entry = {
        "id": next(_ids),
        "shot_id": SHOT_ID,
        "episode_id": None,
        "department": "vfx",
        "category": "upscale_restore",
        "modality": "video",
        "tool_id": TOOL_ID,
        "tool_version": "1.1",
        "generation_kind": "assistive",
        "disposition": "final_background",
        "description": "Upscale of the night exterior plate",
        "human_contribution": "Compositor graded and approved every frame",
        "depicts_real_person": False,
        "depicts_real_place_or_event": False,
        "realism": "stylized",
        "replica_kind": "none",
        "performance_altered": False,
        "alteration_purpose": "",
        "synthetic_replaces_performer": False,
        "prompt_names_performer": False,
        "prompt_uses_facial_feature": False,
        "language": "",
        "iptc_source_type": "algorithmicallyEnhanced",
        "used_on": "2025-06-02",
        "operator": "in-house VFX",
        "vendor": "",
        "input_sources": [],
        "external_ref": "",
        "has_prompt": True,
        "performers": links,
        **fields,
    }
    snapshot["entries"].append(entry)
    return entry


def with_consent(snapshot: dict, **fields) -> dict:
    """A sound EBDR-use consent of Theo Grant for this production, no scope limits."""
    consent = {
        "id": next(_ids),
        "performer_id": PERFORMER_ID,
        "production_id": PRODUCTION_ID,
        "consent_type": "ebdr_use",
        "granted_by": "performer",
        "use_description": "De-ageing of his face in the 1987 flashback scenes of episode 1",
        "is_separate_document": True,
        "in_standard_terms": False,
        "clear_and_conspicuous_attested": True,
        "episode_ids": [],
        "media": [],
        "territories": [],
        "languages": [],
        "notice_given_at": None,
        "services_at": None,
        "engaged_less_than_48h": False,
        "signed_at": "2025-01-10",
        "valid_from": None,
        "valid_until": None,
        "revoked_at": None,
        "has_document": True,
        **fields,
    }
    snapshot["consents"].append(consent)
    return consent


def with_clearance(snapshot: dict, kind: str, *, entries=(), **fields) -> dict:
    """A clearance of ``kind`` covering ``entries`` (entry dicts or ids; none: the production)."""
    clearance = {
        "id": next(_ids),
        "kind": kind,
        "party": "Someone",
        "date": "2025-05-01",
        "note": "",
        "usage_entry_ids": [e["id"] if isinstance(e, dict) else e for e in entries],
        **fields,
    }
    snapshot["clearances"].append(clearance)
    return clearance


def rules_fired(findings: list[dict]) -> list[str]:
    return [f["rule"] for f in findings]
