"""Evidence every usage test starts from, built with the real domain functions.

On top of the cast (tests/cast.py): one registry tool of Northlight, one performer, her EBDR
consent for production A (with pay terms, which only producers and compliance admins may read)
and one de-aging use on shot A that relies on it (with prompt text, likewise restricted).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from studio_tracker.productions.models import Production
from studio_tracker.usage import consents, entries, performers, tools
from studio_tracker.usage.models import ConsentRecord, Performer, Tool, UsageEntry

LEGAL_NAME = "Margarethe Oyelaran-Whitcombe"
PROFESSIONAL_NAME = "Maggie Whitcombe"
CONSENT_WORDING = "Digital de-ageing of her face in the 1987 flashback scenes, from her own scan"
PAY_TERMS = "USD 12,500 per day of replica use"
PROMPT = "Maggie Whitcombe at 25, soft tungsten key light, no wrinkles"


@dataclass
class Evidence:
    tool: Tool
    performer: Performer
    consent: ConsentRecord
    entry: UsageEntry


def add_tool(cast, **overrides) -> Tool:
    data = {
        "name": "FaceForge",
        "vendor": "Forge Labs",
        "modalities": ["video", "image"],
        "kind": "generative",
        **overrides,
    }
    return tools.add_tool(
        actor=cast.cam, organization=data.pop("organization", cast.northlight), **data
    )


def use_data(cast, tool, **overrides) -> dict:
    """A de-aging use on shot A, as keyword arguments for ``entries.log_usage``."""
    return {
        "shot": cast.shot_a,
        "department": "vfx",
        "category": "deaging",
        "modality": "video",
        "tool": tool,
        "disposition": "final_key",
        "replica_kind": "ebdr",
        "used_on": datetime.date(2025, 3, 1),
        **overrides,
    }


def open_to_union_reps(production: Production) -> None:
    """What a submitted report does to a production: union reps may read its usage from now."""
    Production.objects.filter(pk=production.pk).update(union_visible_since=timezone.now())
    production.refresh_from_db()


@pytest.fixture
def evidence(cast) -> Evidence:
    tool = add_tool(cast)
    performer = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name=LEGAL_NAME,
        professional_name=PROFESSIONAL_NAME,
        category="principal",
        union="sag_aftra",
    )
    consent = consents.record_consent(
        actor=cast.pat,
        production=cast.production_a,
        performer=performer,
        consent_type="ebdr_use",
        use_description=CONSENT_WORDING,
        compensation_terms=PAY_TERMS,
        signed_at=datetime.date(2024, 12, 1),
        valid_from=datetime.date(2025, 1, 1),
    )
    entry = entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        performers=[{"performer": performer, "consent": consent, "aspect": "face"}],
        prompt_text=PROMPT,
        **use_data(cast, tool),
    )
    return Evidence(tool=tool, performer=performer, consent=consent, entry=entry)
