"""The demo's AI use: the tool registry, performers, consents, clearances and ~150 uses.

Chosen so the product has something to show everywhere: a de-aging use with a proper consent,
a stunt face replacement with no consent on file (the first blocking rule fires), a deceased
actor's voice under the estate's consent, an expired consent, a vague one, dubbing into a
language the consent does not cover, and clearances for notices and approvals.
"""

import random
from datetime import date, timedelta

from studio_tracker.productions.models import Production, Shot
from studio_tracker.usage import clearances, consents, entries, performers, registry
from studio_tracker.usage.choices import Category as C
from studio_tracker.usage.choices import Department as D
from studio_tracker.usage.choices import Disposition as P
from studio_tracker.usage.choices import GenerationKind as G
from studio_tracker.usage.choices import Modality as M
from studio_tracker.usage.choices import ReplicaKind as R
from studio_tracker.usage.models import ConsentRecord, Performer, Tool, UsageEntry

PERFORMERS = {
    "marion": dict(legal_name="Marion E. Hale", professional_name="Marion Hale", union="sag_aftra"),
    "theo": dict(legal_name="Theodore Grant", professional_name="Theo Grant", union="sag_aftra"),
    "walter": dict(
        legal_name="Walter J. Brandt",
        professional_name="Walter Brandt",
        union="sag_aftra",
        is_deceased=True,
        estate_contact="Brandt Estate, c/o Katharina Brandt",
    ),
    "ines": dict(
        legal_name="Inês Duarte",
        professional_name="Ines Duarte",
        category="stunt",
        union="sag_aftra",
    ),
    "lena": dict(
        legal_name="Lena Okafor", professional_name="Lena Okafor", category="voice", union="none"
    ),
    "callum": dict(legal_name="Callum Reid", professional_name="Callum Reid", union="equity"),
    "ada": dict(
        legal_name="Ada Winter",
        professional_name="Ada Winter",
        category="background",
        union="equity",
    ),
}


def _performer(organization, key) -> Performer:
    spec = PERFORMERS[key]
    found = Performer.objects.filter(
        organization=organization, professional_name=spec["professional_name"]
    ).first()
    return found or performers.create_performer(actor=None, organization=organization, **spec)


def _consent(production, performer, consent_type, description, **fields) -> ConsentRecord:
    found = ConsentRecord.objects.filter(
        production=production, performer=performer, consent_type=consent_type
    ).first()
    return found or consents.record_consent(
        actor=None,
        production=production,
        performer=performer,
        consent_type=consent_type,
        use_description=description,
        **fields,
    )


# (department, category, modality, tool, generation kind, disposition, replica, performer,
#  description, how many shots)
FEATURE_USES = [
    (
        D.VFX,
        C.DEAGING,
        M.VIDEO,
        "Metaphysic Live",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.EBDR,
        "marion",
        "De-age Marion Hale by ~30 years for the 1994 flashbacks",
        12,
    ),
    (
        D.VFX,
        C.FACE_REPLACEMENT,
        M.VIDEO,
        "Flawless TrueSync / DeepEditor",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.EBDR,
        "theo",
        "Theo Grant's face on the stunt double in the car chase",
        6,
    ),
    (
        D.SOUND_DIALOGUE,
        C.VOICE_CLONE_NEW_LINES,
        M.AUDIO_VOICE,
        "Respeecher",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.DECEASED_REPLICA,
        "walter",
        "Walter Brandt's radio voice, two new lines",
        2,
    ),
    (
        D.VFX,
        C.DIGITAL_DOUBLE,
        M.VIDEO,
        "Autodesk Flow Studio",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.EBDR,
        "ines",
        "Digital double of Ines Duarte for the rooftop fall",
        3,
    ),
    (
        D.SOUND_DIALOGUE,
        C.ADR_VIA_REPLICA,
        M.AUDIO_VOICE,
        "ElevenLabs",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.EBDR,
        "lena",
        "ADR pickups with Lena Okafor's voice model",
        4,
    ),
    (
        D.VFX,
        C.SET_EXTENSION,
        M.IMAGE,
        "Adobe Firefly",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Extend the harbour wall and lighthouse gallery",
        20,
    ),
    (
        D.VFX,
        C.ROTO_CLEANUP_PAINT,
        M.VIDEO,
        "Adobe Firefly",
        G.ASSISTIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Wire and rig removal, generative fill",
        25,
    ),
    (
        D.VFX,
        C.UPSCALE_RESTORE,
        M.VIDEO,
        "Topaz Video AI",
        G.ASSISTIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Upscale the drone plates to 4K",
        10,
    ),
    (
        D.ART_CONCEPT,
        C.CONCEPT_ART,
        M.IMAGE,
        "Midjourney",
        G.GENERATIVE,
        P.IDEATION,
        R.NONE,
        None,
        "Lighthouse interior mood frames",
        5,
    ),
    (
        D.PREVIS,
        C.PREVIS,
        M.VIDEO,
        "Runway Gen-4",
        G.GENERATIVE,
        P.IDEATION,
        R.NONE,
        None,
        "Previs of the storm sequence",
        8,
    ),
    (
        D.VFX,
        C.SHOT_GENERATION,
        M.VIDEO,
        "Google Veo 3",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Generated storm sky plates",
        6,
    ),
    (
        D.EDITORIAL,
        C.TEMP_MATERIAL,
        M.VIDEO,
        "Runway Gen-4",
        G.GENERATIVE,
        P.TEMP,
        R.NONE,
        None,
        "Temp VFX for the director's cut screening",
        8,
    ),
    (
        D.VFX,
        C.CROWD_GENERATION,
        M.VIDEO,
        "Stable Diffusion",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Synthetic crowd on the quay (no real people)",
        6,
    ),
]
SERIES_USES = [
    (
        D.LOCALIZATION,
        C.AI_DUBBING,
        M.AUDIO_VOICE,
        "ElevenLabs",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.EBDR,
        "callum",
        "French dub in Callum Reid's own voice",
        8,
        "fr",
    ),
    (
        D.LOCALIZATION,
        C.AI_DUBBING,
        M.AUDIO_VOICE,
        "ElevenLabs",
        G.GENERATIVE,
        P.FINAL_KEY,
        R.EBDR,
        "callum",
        "German dub in Callum Reid's own voice",
        4,
        "de",
    ),
    (
        D.VFX,
        C.CROWD_GENERATION,
        M.VIDEO,
        "Runway Gen-4",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.BACKGROUND_REPLICA,
        "ada",
        "Market crowd from Ada Winter's background scan",
        6,
        "",
    ),
    (
        D.VFX,
        C.ENVIRONMENT_GEN,
        M.IMAGE,
        "Adobe Firefly",
        G.GENERATIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Night swim environment, bay at dusk",
        10,
        "",
    ),
    (
        D.SOUND_DIALOGUE,
        C.DIALOGUE_CLEANUP,
        M.AUDIO_VOICE,
        "Topaz Video AI",
        G.ASSISTIVE,
        P.FINAL_BACKGROUND,
        R.NONE,
        None,
        "Wind noise reduction",
        8,
        "",
    ),
]


def seed_usage(*, northlight, feature: Production, series: Production, rng: random.Random) -> int:
    """Fill in the demo's AI use; returns how many uses were logged (0 on a second run)."""
    registry.seed_registry(actor=None, organization=northlight)
    tools = {tool.name: tool for tool in Tool.objects.filter(organization=northlight)}
    people = {key: _performer(northlight, key) for key in PERFORMERS}
    start = date(2026, 2, 2)
    proper = dict(
        is_separate_document=True,
        clear_and_conspicuous_attested=True,
        signed_at=start - timedelta(days=20),
        valid_from=start - timedelta(days=20),
    )
    held = {
        "marion": _consent(
            feature,
            people["marion"],
            "ebdr_use",
            "Use of Marion Hale's digital replica to de-age her character by about 30 years in "
            "the 1994 flashback scenes of The Long Night (sequences SQ010 and SQ070), for the "
            "picture and its trailers.",
            **proper,
        ),
        "walter": _consent(
            feature,
            people["walter"],
            "icdr",
            "Two new lines of radio dialogue in Walter Brandt's voice, created from his archive "
            "recordings, for the lighthouse sequence of The Long Night only.",
            granted_by="estate_rep",
            **proper,
        ),
        "ines": _consent(
            feature,
            people["ines"],
            "ebdr_use",
            "Digital double of Ines Duarte for the rooftop fall in sequence SQ060.",
            **{**proper, "valid_until": date(2026, 3, 31)},  # expired before the use
        ),
        "lena": _consent(
            feature,
            people["lena"],
            "voice_clone",
            "Any and all uses.",  # too vague
            **{**proper, "clear_and_conspicuous_attested": False},
        ),
        "callum": _consent(
            series,
            people["callum"],
            "dub_language",
            "Synthetic dubbing of Callum Reid's performance into French for Harbour Lights "
            "series 1, in his own voice.",
            languages=["fr"],
            **proper,
        ),
        "ada": _consent(
            series,
            people["ada"],
            "bg_replica_other_use",
            "Replication of Ada Winter's background scan in the EP101 and EP102 market scenes.",
            **proper,
        ),
    }
    if UsageEntry.objects.filter(production__in=[feature, series]).exists():
        return 0
    logged = 0
    for production, templates in ((feature, FEATURE_USES), (series, SERIES_USES)):
        shots = list(Shot.objects.filter(production=production).order_by("code")[:400])
        for index, template in enumerate(templates):
            (
                department,
                category,
                modality,
                tool_name,
                kind,
                disposition,
                replica,
                who,
                text,
                count,
            ) = template[:10]
            language = template[10] if len(template) > 10 else ""
            chosen = rng.sample(shots, min(count, len(shots)))
            for offset, shot in enumerate(chosen):
                links = []
                if who:
                    links = [
                        {
                            "performer": people[who],
                            "consent": held.get(who),
                            "aspect": ("voice" if modality == M.AUDIO_VOICE else "face"),
                        }
                    ]
                entries.log_usage(
                    actor=None,
                    production=production,
                    performers=links,
                    shot=shot,
                    department=department,
                    category=category,
                    modality=modality,
                    tool=tools[tool_name],
                    tool_version="2026.1",
                    generation_kind=kind,
                    disposition=disposition,
                    replica_kind=replica,
                    depicts_real_person=bool(who),
                    description=text,
                    human_contribution="Comp and grade by the VFX team; artist-directed."
                    if disposition in (P.FINAL_KEY, P.FINAL_BACKGROUND)
                    else "",
                    language=language,
                    used_on=_used_on(start, index, offset, who),
                    operator=rng.choice(["DNEG comp team", "in-house VFX", "Sound post"]),
                    prompt_text=f"{text} — shot {shot.code}",
                )
                logged += 1
    _seed_clearances(feature, series, start)
    return logged


# Reshoots after 1 July 2026 fall under the 2026 SAG-AFTRA agreement: the stunt face
# replacement without consent then blocks under both the 2023 and the 2026 rule sets.
RESHOOTS = date(2026, 8, 3)


def _used_on(start: date, index: int, offset: int, who: str | None) -> date:
    if (who == "theo" and offset % 2) or who == "ines":  # Ines's consent ended 31 March
        return RESHOOTS + timedelta(days=offset)
    return start + timedelta(days=30 + index * 7 + offset)


def _seed_clearances(feature, series, start) -> None:
    for production, kind, party, note in [
        (feature, "union_notice", "SAG-AFTRA", "Notice of the synthetic crowd and replica uses."),
        (feature, "director_consultation", "Director", "Storm previs and generated sky plates."),
        (feature, "commissioner_approval", "Netflix", "Written approval for the generated skies."),
        (feature, "writer_disclosure", "WGA writers", "No AI material given to writers."),
        (series, "on_screen_label", "BBC", "End-card AI notice for the EU release."),
    ]:
        if not production.clearances.filter(kind=kind).exists():
            clearances.record_clearance(
                actor=None,
                production=production,
                kind=kind,
                party=party,
                date=start + timedelta(days=60),
                note=note,
            )


def seed_bulk_usage(*, production: Production, rng: random.Random, per_shot: int = 3) -> int:
    """About ``per_shot`` uses on every shot of a big production, bulk inserted."""
    tools = list(
        Tool.objects.filter(organization=production.organization).exclude(status=Tool.Status.BANNED)
    )
    kinds = [
        (D.VFX, C.ROTO_CLEANUP_PAINT, M.VIDEO, G.ASSISTIVE, P.FINAL_BACKGROUND),
        (D.VFX, C.SET_EXTENSION, M.IMAGE, G.GENERATIVE, P.FINAL_BACKGROUND),
        (D.EDITORIAL, C.TEMP_MATERIAL, M.VIDEO, G.GENERATIVE, P.TEMP),
        (D.VFX, C.UPSCALE_RESTORE, M.VIDEO, G.ASSISTIVE, P.FINAL_BACKGROUND),
    ]
    batch = []
    for shot_id, episode_id in Shot.objects.filter(production=production).values_list(
        "pk", "episode_id"
    ):
        for _ in range(per_shot):
            department, category, modality, kind, disposition = rng.choice(kinds)
            batch.append(
                UsageEntry(
                    shot_id=shot_id,
                    episode_id=episode_id,
                    department=department,
                    category=category,
                    modality=modality,
                    tool=rng.choice(tools),
                    generation_kind=kind,
                    disposition=disposition,
                    used_on=date(2026, 4, 1),
                    description="Bulk demo use",
                )
            )
    return entries.bulk_log(
        actor=None, production=production, entries=batch, action="demo.usage_seeded"
    )


def spread_logging_over_weeks(productions, rng: random.Random, weeks: int = 11) -> None:
    """Date the hand-picked uses as logged over the last weeks, more of them lately, so the
    studio overview's weekly trend shows a production getting busier (a real register fills up
    over months, not in the second the demo was seeded). Only the demo rewrites this field."""
    from django.utils import timezone

    now = timezone.now()
    logged = list(UsageEntry.objects.filter(production__in=productions).order_by("used_on", "id"))
    for position, entry in enumerate(logged):
        weeks_ago = int(weeks * (1 - ((position + 1) / len(logged)) ** 0.6))
        entry.created_at = now - timedelta(weeks=weeks_ago, hours=rng.randint(0, 96))
    UsageEntry.objects.bulk_update(logged, ["created_at"], batch_size=500)
