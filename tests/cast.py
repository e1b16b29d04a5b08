"""The named cast every access test uses, each with distinct rights (DESIGN.md's role table).

Northlight Pictures makes two productions, "The Long Night" (A) and "Harbour Lights" (B).
- cora: coordinator of A            - pat: producer of A
- cam: compliance admin of Northlight (everything in the organisation)
- uma: union rep assigned to A only - ugo: union rep of B only
- dina: distributor, A shared with her
- olga: producer of "Far Shore" (C), another organisation's production — sees none of Northlight
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from studio_tracker.productions import changes, people
from studio_tracker.productions.models import Membership, Organization, Production, Shot

PASSWORD = "cast-pass-phrase-1"


@dataclass
class Cast:
    northlight: Organization
    elsewhere: Organization
    production_a: Production
    production_b: Production
    production_c: Production
    shot_a: Shot
    shot_b: Shot
    shot_c: Shot
    cora: object
    pat: object
    cam: object
    uma: object
    ugo: object
    dina: object
    olga: object

    def users(self) -> dict:
        return {
            name: getattr(self, name)
            for name in ("cora", "pat", "cam", "uma", "ugo", "dina", "olga")
        }


def make_user(username: str):
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.com", password=PASSWORD
    )


def build_cast() -> Cast:
    Role = Membership.Role
    northlight = Organization.objects.create(name="Northlight Pictures", slug="northlight")
    elsewhere = Organization.objects.create(name="Elsewhere Films", slug="elsewhere")
    users = {name: make_user(name) for name in ("cora", "pat", "cam", "uma", "ugo", "dina", "olga")}
    system = None
    production_a = changes.create_production(
        actor=system,
        organization=northlight,
        title="The Long Night",
        kind="feature",
        guilds=["sag_aftra", "wga"],
        territories=["US", "FR"],
    )
    production_b = changes.create_production(
        actor=system,
        organization=northlight,
        title="Harbour Lights",
        kind="series",
        territories=["GB"],
    )
    production_c = changes.create_production(
        actor=system, organization=elsewhere, title="Far Shore", kind="feature"
    )
    grants = [
        ("cora", Role.COORDINATOR, production_a),
        ("pat", Role.PRODUCER, production_a),
        ("uma", Role.UNION_REP, production_a),
        ("ugo", Role.UNION_REP, production_b),
        ("dina", Role.DISTRIBUTOR, production_a),
        ("olga", Role.PRODUCER, production_c),
    ]
    for name, role, production in grants:
        people.add_membership(actor=system, user=users[name], role=role, production=production)
    people.add_membership(
        actor=system, user=users["cam"], role=Role.COMPLIANCE_ADMIN, organization=northlight
    )
    shot_a = changes.create_shot(actor=system, production=production_a, code="LN_SQ010_SH0010")
    shot_b = changes.create_shot(actor=system, production=production_b, code="HL_SQ010_SH0010")
    shot_c = changes.create_shot(actor=system, production=production_c, code="FS_SQ010_SH0010")
    return Cast(
        northlight=northlight,
        elsewhere=elsewhere,
        production_a=production_a,
        production_b=production_b,
        production_c=production_c,
        shot_a=shot_a,
        shot_b=shot_b,
        shot_c=shot_c,
        **users,
    )
