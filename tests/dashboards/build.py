"""AI use for the dashboard tests, logged with the real domain functions on the cast's production A.

``grow(cast, rounds)`` adds ``rounds`` times the same varied batch: two episodes' shots (with
frame counts, and one without), uses in several departments, categories, tools and dispositions,
a performer whose consent covers her replica, a stunt performer with no consent on file, and a
voice performer whose consent is of the wrong type. More rounds mean more rows, not more kinds.
"""

import datetime
from dataclasses import dataclass

from studio_tracker.productions import changes
from studio_tracker.productions.models import Episode
from studio_tracker.usage import consents, entries, performers, tools
from studio_tracker.usage.models import Performer, Tool


@dataclass
class Built:
    episodes: list
    tools: dict
    performers: dict


def _tool(cast, name: str, status: str = "approved") -> Tool:
    found = Tool.objects.filter(organization=cast.northlight, name=name).first()
    if found:
        return found
    return tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name=name,
        vendor=f"{name} Labs",
        modalities=["video"],
        kind="generative",
        status=status,
        status_reason="" if status == "approved" else "Training data unknown.",
    )


def _performer(cast, name: str, category: str = "principal") -> Performer:
    found = Performer.objects.filter(organization=cast.northlight, professional_name=name).first()
    return found or performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name=f"{name} (legal)",
        professional_name=name,
        category=category,
        union="sag_aftra",
    )


def _episode(cast, code: str) -> Episode:
    found = Episode.objects.filter(production=cast.production_a, code=code).first()
    return found or changes.create_episode(
        actor=cast.pat, production=cast.production_a, code=code, title=f"Episode {code}"
    )


def grow(cast, rounds: int = 1) -> Built:
    production = cast.production_a
    episodes = [_episode(cast, "E01"), _episode(cast, "E02")]
    kit = {
        "forge": _tool(cast, "FaceForge"),
        "voice": _tool(cast, "VoiceBox", status="restricted"),
        "matte": _tool(cast, "MatteGen"),
    }
    cast_members = {
        "marion": _performer(cast, "Marion Hale"),
        "ines": _performer(cast, "Ines Duarte", category="stunt"),
        "lena": _performer(cast, "Lena Okafor", category="voice"),
    }
    marion_consent = consents.record_consent(
        actor=cast.pat,
        production=production,
        performer=cast_members["marion"],
        consent_type="ebdr_use",
        use_description="De-ageing of her face in the flashbacks, from her own scan",
        signed_at=datetime.date(2024, 12, 1),
        valid_from=datetime.date(2025, 1, 1),
    )
    lena_wrong_type = consents.record_consent(
        actor=cast.pat,
        production=production,
        performer=cast_members["lena"],
        consent_type="dub_language",
        use_description="Dubbing of her lines into French",
        languages=["fr"],
    )
    offset = production.shots.count()
    for n in range(rounds):
        shots = []
        for k, (episode, frames) in enumerate(
            [(episodes[0], 48), (episodes[0], 96), (episodes[1], 120), (episodes[1], None)]
        ):
            number = offset + n * 4 + k + 1
            frame_data = {"frame_in": 1001, "frame_out": 1000 + frames} if frames else {}
            shots.append(
                changes.create_shot(
                    actor=cast.cora,
                    production=production,
                    code=f"LN_DB{number:04d}_SH0010",
                    episode=episode,
                    **frame_data,
                )
            )
        base = {"production": production, "actor": cast.cora, "used_on": datetime.date(2025, 3, 1)}
        uses = [
            # A covered EBDR in the final picture: the first shot counts as generative runtime.
            dict(
                shot=shots[0],
                department="vfx",
                category="deaging",
                modality="video",
                tool=kit["forge"],
                disposition="final_key",
                replica_kind="ebdr",
                performers=[
                    {
                        "performer": cast_members["marion"],
                        "consent": marion_consent,
                        "aspect": "face",
                    }
                ],
            ),
            # A stunt face replacement with no consent on file, final background.
            dict(
                shot=shots[2],
                department="vfx",
                category="face_replacement",
                modality="video",
                tool=kit["forge"],
                disposition="final_background",
                replica_kind="ebdr",
                performers=[{"performer": cast_members["ines"], "consent": None, "aspect": "face"}],
            ),
            # A voice clone relying on a consent of the wrong type, still temp.
            dict(
                shot=shots[1],
                department="sound_dialogue",
                category="voice_clone_new_lines",
                modality="audio_voice",
                tool=kit["voice"],
                disposition="temp",
                replica_kind="ebdr",
                performers=[
                    {
                        "performer": cast_members["lena"],
                        "consent": lena_wrong_type,
                        "aspect": "voice",
                    }
                ],
            ),
            # Temp set extensions and a final matte on the shot with no frame count.
            dict(
                shot=shots[1],
                department="vfx",
                category="set_extension",
                modality="image",
                tool=kit["matte"],
                disposition="temp",
            ),
            dict(
                shot=shots[3],
                department="vfx",
                category="matte_painting",
                modality="image",
                tool=kit["matte"],
                disposition="final_background",
            ),
            # An assistive final use: in the final picture, but not generative runtime.
            dict(
                shot=shots[1],
                department="editorial",
                category="upscale_restore",
                modality="video",
                tool=kit["matte"],
                generation_kind="assistive",
                disposition="final_background",
            ),
            # A production-wide use (no shot, no episode).
            dict(
                department="development_writing",
                category="writing_ideation",
                modality="text",
                tool=kit["matte"],
                disposition="ideation",
            ),
        ]
        for use in uses:
            entries.log_usage(**base, **use)
    return Built(episodes=episodes, tools=kit, performers=cast_members)
