"""The real tools productions use (DOMAIN.md part G), with the vendors' stated claims.

Claims are what vendors or the press say, not legal conclusions; ``evidence_label`` carries
DOMAIN.md's label (V verified, S single source, U unverified). A new organisation's registry
starts from this list; compliance admins then set each tool's status for their own policy.
"""

from . import tools
from .choices import GenerationKind as G
from .choices import Indemnity as I
from .choices import Modality as M
from .choices import TrainingDataClaim as T
from .choices import YesNoUnknown as Y
from .models import Tool

KNOWN_TOOLS = [
    {
        "name": "Sora 2",
        "vendor": "OpenAI",
        "modalities": [M.VIDEO, M.AUDIO_VOICE],
        "training_data_claim": T.UNDISCLOSED,
        "emits_c2pa": Y.PARTIAL,
        "consent_features": "Consent-gated cameos for a real person's likeness; visible watermark.",
        "evidence_label": "S",
    },
    {
        "name": "Runway Gen-4",
        "vendor": "Runway AI",
        "modalities": [M.VIDEO, M.IMAGE],
        "training_data_claim": T.DISPUTED_IN_LITIGATION,
        "known_litigation": "Defendant in the artists' class action over training data.",
        "evidence_label": "V",
    },
    {
        "name": "Luma Ray3",
        "vendor": "Luma AI",
        "modalities": [M.VIDEO],
        "training_data_claim": T.UNDISCLOSED,
        "evidence_label": "S",
    },
    {
        "name": "Midjourney",
        "vendor": "Midjourney",
        "modalities": [M.IMAGE, M.VIDEO],
        "training_data_claim": T.DISPUTED_IN_LITIGATION,
        "indemnity": I.NONE,
        "known_litigation": "Sued by Disney and Universal, 11 June 2025 (C.D. Cal.).",
        "status": Tool.Status.RESTRICTED,
        "status_reason": "Concept and moodboards only; nothing that reaches the final picture "
        "or marketing without compliance sign-off (pending litigation, no indemnity).",
        "evidence_label": "V",
    },
    {
        "name": "Stable Diffusion",
        "vendor": "Stability AI",
        "modalities": [M.IMAGE, M.VIDEO, M.THREE_D],
        "training_data_claim": T.DISPUTED_IN_LITIGATION,
        "known_litigation": "Getty v Stability [2025] EWHC 2863 (Ch).",
        "evidence_label": "V",
    },
    {
        "name": "Adobe Firefly",
        "vendor": "Adobe",
        "modalities": [M.IMAGE, M.VIDEO],
        "training_data_claim": T.LICENSED_PLUS_PUBLIC_DOMAIN,
        "indemnity": I.CONTRACTUAL_ENTERPRISE,
        "trains_on_inputs": Y.NO,
        "emits_c2pa": Y.YES,
        "consent_features": "Content Credentials on outputs.",
        "evidence_label": "V",
    },
    {
        "name": "Google Veo 3",
        "vendor": "Google",
        "modalities": [M.VIDEO, M.AUDIO_SFX],
        "training_data_claim": T.UNDISCLOSED,
        "indemnity": I.UNKNOWN,
        "evidence_label": "U",
    },
    {
        "name": "Marey",
        "vendor": "Moonvalley",
        "modalities": [M.VIDEO],
        "training_data_claim": T.LICENSED_ONLY,
        "evidence_label": "S",
    },
    {
        "name": "ElevenLabs",
        "vendor": "ElevenLabs",
        "modalities": [M.AUDIO_VOICE],
        "consent_features": "Cloning another's voice needs that person's consent; voice "
        "verification for professional clones.",
        "evidence_label": "V",
    },
    {
        "name": "Respeecher",
        "vendor": "Respeecher",
        "modalities": [M.AUDIO_VOICE],
        "consent_features": "Consent and licensed-voice positioning.",
        "evidence_label": "V",
    },
    {
        "name": "Flawless TrueSync / DeepEditor",
        "vendor": "Flawless",
        "modalities": [M.VIDEO],
        "consent_features": "A.R.T. consent workflow before exports of edited performances.",
        "evidence_label": "V",
    },
    {
        "name": "Metaphysic Live",
        "vendor": "Metaphysic",
        "modalities": [M.VIDEO],
        "consent_features": "Talent partnership (CAA); ethics-first positioning.",
        "evidence_label": "V",
    },
    {
        "name": "Autodesk Flow Studio",
        "vendor": "Autodesk (Wonder Dynamics)",
        "modalities": [M.VIDEO, M.THREE_D, M.PERFORMANCE_CAPTURE],
        "kind": G.ASSISTIVE,
        "training_data_claim": T.UNDISCLOSED,
        "evidence_label": "S",
    },
    {
        "name": "Topaz Video AI",
        "vendor": "Topaz Labs",
        "modalities": [M.VIDEO, M.IMAGE],
        "kind": G.ASSISTIVE,
        "evidence_label": "U",
    },
    {
        "name": "Kling",
        "vendor": "Kuaishou",
        "modalities": [M.VIDEO],
        "evidence_label": "U",
    },
    {
        "name": "Suno",
        "vendor": "Suno",
        "modalities": [M.AUDIO_MUSIC],
        "training_data_claim": T.DISPUTED_IN_LITIGATION,
        "known_litigation": "Record-label litigation over training data.",
        "status": Tool.Status.BANNED,
        "status_reason": "Music generation is banned until the label litigation settles; "
        "use licensed library music.",
        "evidence_label": "U",
    },
]


def seed_registry(*, actor, organization) -> int:
    """Add the known tools the organisation's registry lacks; return how many were added."""
    existing = set(Tool.objects.filter(organization=organization).values_list("name", flat=True))
    added = 0
    for spec in KNOWN_TOOLS:
        if spec["name"] not in existing:
            tools.add_tool(actor=actor, organization=organization, **spec)
            added += 1
    return added
