"""Every kind of object a route can name, built once for the permission matrix.

On top of the named cast (tests/cast.py), production A ("The Long Night") gets the whole lifecycle:
an episode, a sequence, a shot, a registry tool, a performer with a consent and a clearance (both
with signed documents), a usage entry, a previewed usage import, version 1 approved with its credit
package, and version 2 submitted with a union rep's audit finding — so union reps of A read its
evidence. Production B ("Harbour Lights") gets the same evidence and a compiled, never-submitted
version 1: its union rep (ugo) shows what a rep sees before any submission.

Two more people: ``bea``, producer of B only (a member of another production of the same
organisation), and ``dan``, once coordinator of A, now deactivated.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.accounts import tokens
from studio_tracker.audit.models import AuditEvent
from studio_tracker.imports import flow
from studio_tracker.productions import changes, people
from studio_tracker.productions.models import Membership
from studio_tracker.reports import compiler, credits, review
from studio_tracker.reports.models import Report
from studio_tracker.usage import clearances, consents, entries, performers, tools
from tests.cast import Cast, build_cast, make_user

# The smallest file the evidence checks accept as a PDF (they read the type from the bytes).
SIGNED_PDF = b"%PDF-1.4\n% signed consent\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
USAGE_ROWS = (
    b"Shot,Department,Category,Tool,Disposition,Description,Used on\n"
    b"LN_SQ010_SH0010,vfx,deaging,FaceForge,final_key,De-aged flashback,2025-03-01\n"
)


@dataclass
class Objects:
    """What a URL parameter may name, in one production."""

    production: object
    episode: object
    sequence: object
    shot: object
    entry: object
    consent: object
    clearance: object
    report: object
    import_record: object
    membership: object
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    cast: Cast
    bea: object
    dan: object
    a: Objects
    b: Objects
    tool: object
    performer: object
    approved: Report
    credit_report: Report
    audit_finding: object
    token: object
    audit_event: object


def _evidence(cast, production, shot, tool, performer, *, actor) -> dict:
    consent = consents.record_consent(
        actor=actor,
        production=production,
        performer=performer,
        consent_type="ebdr_use",
        use_description="Digital de-ageing of her face in the flashback scenes, from her own scan",
        compensation_terms="USD 12,500 per day of replica use",
        signed_at=datetime.date(2024, 12, 1),
        valid_from=datetime.date(2025, 1, 1),
        document=SimpleUploadedFile("consent.pdf", SIGNED_PDF, "application/pdf"),
    )
    entry = entries.log_usage(
        actor=actor,
        production=production,
        shot=shot,
        department="vfx",
        category="deaging",
        modality="video",
        tool=tool,
        disposition="final_key",
        replica_kind="ebdr",
        used_on=datetime.date(2025, 3, 1),
        prompt_text="Her at 25, soft tungsten key light",
        performers=[{"performer": performer, "consent": consent, "aspect": "face"}],
    )
    clearance = clearances.record_clearance(
        actor=actor,
        production=production,
        kind="union_notice",
        party="SAG-AFTRA",
        date=datetime.date(2025, 2, 1),
        usage_entries=[entry],
        document=SimpleUploadedFile("notice.pdf", SIGNED_PDF, "application/pdf"),
    )
    return {"consent": consent, "entry": entry, "clearance": clearance}


def _compiled(production, *, actor) -> Report:
    report = compiler.request_compile(actor=actor, production=production)
    assert compiler.compile_report(report.pk) is True
    return Report.objects.get(pk=report.pk)


def build_world() -> World:
    cast = build_cast()
    Role = Membership.Role
    bea = make_user("bea")
    people.add_membership(actor=None, user=bea, role=Role.PRODUCER, production=cast.production_b)
    dan = make_user("dan")
    people.add_membership(actor=None, user=dan, role=Role.COORDINATOR, production=cast.production_a)
    dan.is_active = False
    dan.save(update_fields=["is_active"])
    tool = tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name="FaceForge",
        vendor="Forge Labs",
        modalities=["video", "image"],
        kind="generative",
    )
    performer = performers.create_performer(
        actor=cast.pat,
        organization=cast.northlight,
        legal_name="Margarethe Oyelaran-Whitcombe",
        professional_name="Maggie Whitcombe",
        category="principal",
        union="sag_aftra",
    )

    def structure(production, prefix):
        episode = changes.create_episode(actor=None, production=production, code="EP101")
        sequence = changes.create_sequence(
            actor=None, production=production, episode=episode, code="SQ010"
        )
        return episode, sequence

    episode_a, sequence_a = structure(cast.production_a, "LN")
    episode_b, sequence_b = structure(cast.production_b, "HL")
    evidence_a = _evidence(cast, cast.production_a, cast.shot_a, tool, performer, actor=cast.pat)
    evidence_b = _evidence(cast, cast.production_b, cast.shot_b, tool, performer, actor=cast.cam)

    # A: version 1 approved (blocking findings overridden) with its credit package ...
    approved = compiler.submit(_compiled(cast.production_a, actor=cast.pat), actor=cast.pat)
    approved = review.approve(
        approved, actor=cast.cam, override_reason="Consent on file, checked by legal."
    )
    credits.build_package(approved)
    # ... version 2 submitted, with the union rep's audit finding.
    submitted = compiler.submit(_compiled(cast.production_a, actor=cast.pat), actor=cast.pat)
    audit_finding = review.raise_audit_finding(
        submitted,
        actor=cast.uma,
        category="missing_consent",
        severity="blocking",
        description="The replica on shot 10 has no signed consent on file.",
        rule="E01",
    )
    # B: compiled, never submitted; union reps of B read nothing of its evidence yet.
    draft_b = _compiled(cast.production_b, actor=cast.cam)

    def preview(production, actor):
        return flow.start(
            actor=actor,
            production=production,
            upload=SimpleUploadedFile("register.csv", USAGE_ROWS, "text/csv"),
            kind="usage",
            dry_run=True,
        )

    a = Objects(
        production=cast.production_a,
        episode=episode_a,
        sequence=sequence_a,
        shot=cast.shot_a,
        report=Report.objects.get(pk=submitted.pk),
        import_record=preview(cast.production_a, cast.pat),
        membership=Membership.objects.get(user=dan, production=cast.production_a),
        **evidence_a,
    )
    b = Objects(
        production=cast.production_b,
        episode=episode_b,
        sequence=sequence_b,
        shot=cast.shot_b,
        report=draft_b,
        import_record=preview(cast.production_b, cast.cam),
        membership=Membership.objects.get(user=bea, production=cast.production_b),
        **evidence_b,
    )
    token, _key = tokens.issue_token(cast.pat, name="laptop")
    audit_event = AuditEvent.objects.filter(production_id=cast.production_a.pk).first()
    return World(
        cast=cast,
        bea=bea,
        dan=dan,
        a=a,
        b=b,
        tool=tool,
        performer=performer,
        approved=Report.objects.get(pk=approved.pk),
        credit_report=Report.objects.get(pk=approved.pk),
        audit_finding=audit_finding,
        token=token,
        audit_event=audit_event,
    )
