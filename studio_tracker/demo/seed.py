"""The demo organisation: a feature and a series, one user per role, a few hundred shots.

Everything is created through the domain functions (so the audit chain and change counters are
real), except shots, which go through the bulk path an import uses. Safe to run twice: each step
looks for what it would create first.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from studio_tracker.productions import changes, people
from studio_tracker.productions.models import (
    Episode,
    Membership,
    Organization,
    Production,
    Sequence,
    Shot,
)

from . import reports as demo_reports
from . import usage as demo_usage

DEMO_PASSWORD = "demo-pass-2026"  # printed to the person running the demo
Role = Membership.Role

# username, full name, what they do in the demo
PEOPLE = [
    ("admin", "Site Admin", "staff superuser (Django admin)"),
    ("cam", "Camille Ortega", "compliance admin, Northlight Pictures"),
    ("pat", "Patrick Osei", "producer, The Long Night and Harbour Lights"),
    ("cora", "Cora Lindqvist", "coordinator, The Long Night and Harbour Lights"),
    ("uma", "Uma Reyes", "union rep (SAG-AFTRA), The Long Night"),
    ("ugo", "Ugo Bianchi", "union rep (Equity), Harbour Lights"),
    ("dina", "Dina Farouk", "distributor, The Long Night"),
    ("dex", "Dex Morgan", "distributor, Harbour Lights"),
    ("olga", "Olga Petrova", "producer at Elsewhere Films (sees nothing of Northlight)"),
]


@dataclass
class SeedResult:
    shots_created: int = 0
    uses_logged: int = 0
    reports_made: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def _user(username: str, full_name: str):
    User = get_user_model()
    first, last = full_name.split(" ", 1)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if username == "admin":
            user.is_staff = user.is_superuser = True
        user.save()
    return user


def _organization(slug: str, name: str) -> Organization:
    found = Organization.objects.filter(slug=slug).first()
    return found or changes.create_organization(actor=None, name=name, slug=slug)


def _production(organization, title: str, **fields) -> Production:
    existing = Production.objects.filter(organization=organization, title=title).first()
    return existing or changes.create_production(
        actor=None, organization=organization, title=title, **fields
    )


def _grant(user, role, *, production=None, organization=None) -> None:
    scope = {"production": production} if production else {"organization": organization}
    if not Membership.objects.filter(user=user, role=role, **scope).exists():
        people.add_membership(
            actor=None, user=user, role=role, production=production, organization=organization
        )


def _episode(production, code, title) -> Episode:
    found = Episode.objects.filter(production=production, code=code).first()
    return found or changes.create_episode(
        actor=None, production=production, code=code, title=title
    )


def _sequence(production, code, title, episode=None) -> Sequence:
    found = Sequence.objects.filter(production=production, episode=episode, code=code).first()
    return found or changes.create_sequence(
        actor=None, production=production, episode=episode, code=code, title=title
    )


def _timecode(frame: int, fps: int) -> str:
    seconds, frames = divmod(frame, fps)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours + 1:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


DESCRIPTIONS = [
    "Wide establishing, night exterior, rain",
    "Over-the-shoulder dialogue, interior car",
    "Close-up, hero reacts to the explosion",
    "Crowd extension on the harbour wall",
    "Drone plate, coastline at dawn",
    "Insert: phone screen with message",
    "Stunt double face replacement",
    "Sky replacement, storm front",
    "Set extension, lighthouse gallery",
    "Two-shot, kitchen, morning light",
]
VENDORS = ["Framestore", "DNEG", "in-house", "Outpost VFX", "Union VFX"]


def _shots(production, sequences, count, prefix_for, fps, rng) -> list[Shot]:
    shots = []
    record_frame = 0
    for index in range(count):
        sequence = sequences[index % len(sequences)]
        number = (index // len(sequences) + 1) * 10
        length = rng.randrange(24, 240)
        frame_in = 1001
        shots.append(
            Shot(
                episode=sequence.episode,
                sequence=sequence,
                code=f"{prefix_for(sequence)}_SH{number:04d}",
                description=rng.choice(DESCRIPTIONS),
                frame_in=frame_in,
                frame_out=frame_in + length - 1,
                record_in=_timecode(record_frame, fps),
                record_out=_timecode(record_frame + length, fps),
                reel=f"A{index // 40 + 1:03d}",
                vendor=rng.choice(VENDORS),
            )
        )
        record_frame += length
    return shots


@transaction.atomic
def seed(
    *,
    feature_shots: int = 200,
    series_shots_per_episode: int = 75,
    bulk_uses: bool = False,
    reports: bool = True,
) -> SeedResult:
    """Load the demo. ``bulk_uses`` adds about three uses to every shot of the feature."""
    rng = random.Random(2026)  # the same demo every time
    result = SeedResult()
    users = {username: _user(username, name) for username, name, _ in PEOPLE}
    result.logins = [(username, what) for username, _, what in PEOPLE]

    northlight = _organization("northlight", "Northlight Pictures")
    elsewhere = _organization("elsewhere", "Elsewhere Films")
    feature = _production(
        northlight,
        "The Long Night",
        kind="feature",
        guilds=["sag_aftra", "wga", "dga"],
        territories=["US", "GB", "FR", "DE"],
        commissioner="netflix",
        frame_rate=24,
        release_date=date(2027, 3, 12),
        principal_photography_start=date(2026, 2, 2),
        shot_code_pattern=r"^LN_SQ\d{3}_SH\d{4}$",
    )
    series = _production(
        northlight,
        "Harbour Lights",
        kind="series",
        guilds=["sag_aftra", "equity"],
        territories=["GB", "EU"],
        commissioner="bbc",
        frame_rate=25,
        release_date=date(2026, 10, 4),
        principal_photography_start=date(2025, 9, 15),
        shot_code_pattern=r"^EP\d{3}_SQ\d{3}_SH\d{4}$",
    )
    far_shore = _production(elsewhere, "Far Shore", kind="documentary", is_factual=True)

    _grant(users["cam"], Role.COMPLIANCE_ADMIN, organization=northlight)
    for production in (feature, series):
        _grant(users["pat"], Role.PRODUCER, production=production)
        _grant(users["cora"], Role.COORDINATOR, production=production)
    _grant(users["uma"], Role.UNION_REP, production=feature)
    _grant(users["ugo"], Role.UNION_REP, production=series)
    _grant(users["dina"], Role.DISTRIBUTOR, production=feature)
    _grant(users["dex"], Role.DISTRIBUTOR, production=series)
    _grant(users["olga"], Role.PRODUCER, production=far_shore)

    feature_sequences = [
        _sequence(feature, f"SQ{number:03d}", title)
        for number, title in [
            (10, "Opening storm"),
            (20, "The harbour"),
            (30, "Lighthouse"),
            (40, "Car chase"),
            (50, "The kitchen"),
            (60, "Rooftops"),
            (70, "Dawn"),
            (80, "Epilogue"),
        ]
    ]
    result.shots_created += changes.bulk_create_shots(
        actor=None,
        production=feature,
        shots=_shots(feature, feature_sequences, feature_shots, lambda s: f"LN_{s.code}", 24, rng),
        action="demo.shots_seeded",
    )
    for code, title in [("EP101", "Pilot"), ("EP102", "The Undertow")]:
        episode = _episode(series, code, title)
        sequences = [
            _sequence(series, f"SQ{number:03d}", title, episode)
            for number, title in [(10, "Cold open"), (20, "Market"), (30, "Night swim")]
        ]
        result.shots_created += changes.bulk_create_shots(
            actor=None,
            production=series,
            shots=_shots(
                series,
                sequences,
                series_shots_per_episode,
                lambda s: f"{s.episode.code}_{s.code}",
                25,
                rng,
            ),
            action="demo.shots_seeded",
        )
    far_sequence = _sequence(far_shore, "SQ010", "Arrival")
    result.shots_created += changes.bulk_create_shots(
        actor=None,
        production=far_shore,
        shots=_shots(far_shore, [far_sequence], 20, lambda s: f"FS_{s.code}", 25, rng),
        action="demo.shots_seeded",
    )
    result.uses_logged = demo_usage.seed_usage(
        northlight=northlight, feature=feature, series=series, rng=rng
    )
    if result.uses_logged:
        demo_usage.spread_logging_over_weeks([feature, series], rng)
    if bulk_uses and result.shots_created:
        result.uses_logged += demo_usage.seed_bulk_usage(production=feature, rng=rng)
    if reports:
        result.reports_made = demo_reports.seed_reports(feature=feature, series=series, users=users)
    return result
