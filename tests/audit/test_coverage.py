"""Every write path leaves an audit event.

The domain modules below are where every write of the product happens: pages, the API, imports,
management commands (seed_demo) and Celery tasks all call them. The test finds their public
functions with ``inspect``; ``CALLS`` says, for each, how to call it (a write: the call must
append at least one event to the organisation's chain) or why it writes nothing of its own.
A function missing from the table fails the test, so a new write path needs a decision.
"""

import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.audit.models import AuditEvent
from studio_tracker.productions import changes, people
from studio_tracker.productions.models import Membership, Shot
from studio_tracker.usage import clearances, consents, entries, performers, privacy, tools
from tests.usage.conftest import PROFESSIONAL_NAME, use_data

MODULES = (
    "studio_tracker.productions.changes",
    "studio_tracker.productions.people",
    "studio_tracker.usage.entries",
    "studio_tracker.usage.consents",
    "studio_tracker.usage.performers",
    "studio_tracker.usage.clearances",
    "studio_tracker.usage.tools",
    "studio_tracker.usage.privacy",
    "studio_tracker.usage.reminders",
    "studio_tracker.imports.flow",
    "studio_tracker.reports.compiler",
    "studio_tracker.reports.review",
    "studio_tracker.reports.credits",
    "studio_tracker.reports.rule_choices",
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PDF = b"%PDF-1.4\n%%EOF\n"


class World:
    """What a call needs, built on first use with the real domain functions."""

    def __init__(self, request):
        self.request = request
        self.cast = request.getfixturevalue("cast")
        request.getfixturevalue("media")

    @property
    def evidence(self):
        return self.request.getfixturevalue("evidence")

    def episode(self):
        return changes.create_episode(
            actor=self.cast.pat, production=self.cast.production_a, code="EP101", title="Pilot"
        )

    def sequence(self):
        return changes.create_sequence(
            actor=self.cast.pat, production=self.cast.production_a, code="SQ010", title="Storm"
        )

    def compiled(self):
        from studio_tracker.reports import compiler
        from studio_tracker.reports.models import Report

        self.evidence  # noqa: B018  (a use and a consent to report on)
        report = compiler.request_compile(actor=self.cast.pat, production=self.cast.production_a)
        assert compiler.compile_report(report.pk)
        return Report.objects.get(pk=report.pk)

    def submitted(self):
        from studio_tracker.reports import review

        return review.submit(self.compiled(), actor=self.cast.pat)

    def approved(self):
        from studio_tracker.reports import review

        return review.approve(self.submitted(), actor=self.cast.cam, override_reason="Checked.")

    def audit_finding(self, report):
        from studio_tracker.reports import review

        return review.raise_audit_finding(
            report,
            actor=self.cast.uma,
            category="missing_consent",
            severity="warning",
            description="Where is the rider?",
        )

    def edl_import(self, *, applied: bool):
        from studio_tracker.imports import flow

        production = changes.update_production(
            self.cast.production_a,
            actor=None,
            frame_rate="29.97",
            shot_code_pattern=r"^LN_SQ\d{3}_SH\d{4}$",
        )
        upload = SimpleUploadedFile(
            "cut.edl", (FIXTURES / "avid_drop_frame.edl").read_bytes(), "text/plain"
        )
        return flow.start(
            actor=self.cast.pat,
            production=production,
            upload=upload,
            fmt="edl",
            dry_run=not applied,
        )

    def queued(self):
        from studio_tracker.reports import compiler

        self.evidence  # noqa: B018
        return compiler.request_compile(actor=self.cast.pat, production=self.cast.production_a)


def shots_csv(code: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("shots.csv", f"Shot,Description\n{code},Wide\n".encode(), "text/csv")


def rule_set():
    from studio_tracker.reports.models import RuleSet

    return RuleSet.objects.order_by("id").first()


def failed(w):
    from studio_tracker.reports.models import Report

    report = w.queued()
    Report.objects.filter(pk=report.pk).update(status="failed", error="boom")
    return Report.objects.get(pk=report.pk)


def expired_claim(w):
    from django.utils import timezone

    from studio_tracker.reports.models import Report

    report = w.queued()
    Report.objects.filter(pk=report.pk).update(
        status="compiling", lease_until=timezone.now() - datetime.timedelta(minutes=5)
    )
    return report


def shot_in(w, code="SH0100"):
    return changes.create_shot(actor=w.cast.pat, production=w.cast.production_a, code=code)


def new_use(w):
    return entries.log_usage(
        actor=w.cast.cora, production=w.cast.production_a, **use_data(w.cast, w.evidence.tool)
    )


def write(call, prepare=lambda w: None):
    """A write: ``prepare(world)`` builds what it needs (its events do not count), then
    ``call(world, prepared)`` must append at least one event."""
    return ("write", (prepare, call))


def no_event(reason: str):
    return ("no event", reason)


def flow():
    from studio_tracker.imports import flow as module

    return module


def compiler():
    from studio_tracker.reports import compiler as module

    return module


def review():
    from studio_tracker.reports import review as module

    return module


def credits():
    from studio_tracker.reports import credits as module

    return module


def rule_choices():
    from studio_tracker.reports import rule_choices as module

    return module


def new_clearance(w):
    return clearances.record_clearance(
        actor=w.cast.pat,
        production=w.cast.production_a,
        kind="union_notice",
        party="SAG-AFTRA",
        date=datetime.date(2025, 2, 1),
    )


def two_factor_switched_on(w):
    w.cast.northlight.__class__.objects.filter(pk=w.cast.northlight.pk).update(
        require_two_factor=True
    )
    w.cast.northlight.refresh_from_db()


SUGGESTED_USE = {
    "category": "environment_gen",
    "department": "vfx",
    "modality": "video",
    "disposition": "final_background",
    "used_on": datetime.date(2025, 4, 1),
}

# module:function -> ("write", (prepare, call)) or ("no event", why it writes nothing itself).
CALLS = {
    # productions.changes
    "changes:create_organization": write(
        lambda w, _: changes.create_organization(actor=w.cast.pat, name="New Co", slug="new-co")
    ),
    "changes:create_production": write(
        lambda w, _: changes.create_production(
            actor=w.cast.cam, organization=w.cast.northlight, title="Third", kind="feature"
        )
    ),
    "changes:update_production": write(
        lambda w, _: changes.update_production(
            w.cast.production_a, actor=w.cast.cam, title="Longer"
        )
    ),
    "changes:create_episode": write(lambda w, _: w.episode()),
    "changes:update_episode": write(
        lambda w, episode: changes.update_episode(episode, actor=w.cast.pat, title="Renamed"),
        lambda w: w.episode(),
    ),
    "changes:delete_episode": write(
        lambda w, episode: changes.delete_episode(episode, actor=w.cast.pat),
        lambda w: w.episode(),
    ),
    "changes:create_sequence": write(lambda w, _: w.sequence()),
    "changes:update_sequence": write(
        lambda w, sequence: changes.update_sequence(sequence, actor=w.cast.pat, title="Renamed"),
        lambda w: w.sequence(),
    ),
    "changes:delete_sequence": write(
        lambda w, sequence: changes.delete_sequence(sequence, actor=w.cast.pat),
        lambda w: w.sequence(),
    ),
    "changes:create_shot": write(lambda w, _: shot_in(w)),
    "changes:update_shot": write(
        lambda w, _: changes.update_shot(w.cast.shot_a, actor=w.cast.pat, description="Wider")
    ),
    "changes:delete_shot": write(
        lambda w, shot: changes.delete_shot(shot, actor=w.cast.pat), lambda w: shot_in(w)
    ),
    "changes:bulk_create_shots": write(
        lambda w, _: changes.bulk_create_shots(
            actor=w.cast.pat,
            production=w.cast.production_a,
            shots=[Shot(production=w.cast.production_a, code="SH0900")],
            action="shots.imported",
        )
    ),
    "changes:bump_change_counter": no_event(
        "a step inside the audited writes above (marks reports stale); never a write alone"
    ),
    # productions.people
    "people:add_person": write(
        lambda w, _: people.add_person(
            actor=w.cast.cam, organization=w.cast.northlight, email="new@example.com"
        )
    ),
    "people:add_membership": write(
        lambda w, _: people.add_membership(
            actor=w.cast.cam,
            user=w.cast.cora,
            role=Membership.Role.PRODUCER,
            production=w.cast.production_b,
        )
    ),
    "people:remove_membership": write(
        lambda w, membership: people.remove_membership(membership, actor=w.cast.cam),
        lambda w: Membership.objects.get(user=w.cast.cora, production=w.cast.production_a),
    ),
    "people:set_active": write(
        lambda w, _: people.set_active(
            w.cast.cora, actor=w.cast.cam, organization=w.cast.northlight, active=False
        )
    ),
    "people:set_two_factor_requirement": write(
        lambda w, _: people.set_two_factor_requirement(
            w.cast.northlight, actor=w.cast.cam, required=True
        )
    ),
    "people:sync_two_factor_flags": write(
        lambda w, _: people.sync_two_factor_flags(
            [w.cast.cam.pk], actor=w.cast.cam, organization=w.cast.northlight
        ),
        two_factor_switched_on,
    ),
    "people:compliance_admins_of": no_event("a read"),
    "people:people_of": no_event("a read"),
    "people:invitation_link": no_event("builds a link from a token; stores nothing"),
    # usage
    "entries:log_usage": write(lambda w, _: new_use(w), lambda w: w.evidence),
    "entries:update_usage": write(
        lambda w, ev: entries.update_usage(ev.entry, actor=w.cast.cora, tool_version="5"),
        lambda w: w.evidence,
    ),
    "entries:remove_usage": write(
        lambda w, entry: entries.remove_usage(entry, actor=w.cast.cora), lambda w: new_use(w)
    ),
    "entries:copy_usage": write(
        lambda w, shot: entries.copy_usage(w.evidence.entry, actor=w.cast.cora, shots=[shot]),
        lambda w: (w.evidence, shot_in(w))[1],
    ),
    "entries:log_usage_on_shots": write(
        lambda w, shot: entries.log_usage_on_shots(
            actor=w.cast.cora,
            production=w.cast.production_a,
            shots=[w.cast.shot_a, shot],
            **{k: v for k, v in use_data(w.cast, w.evidence.tool).items() if k != "shot"},
        ),
        lambda w: (w.evidence, shot_in(w))[1],
    ),
    "entries:bulk_log": write(
        lambda w, ev: entries.bulk_log(
            actor=w.cast.cora,
            production=w.cast.production_a,
            entries=[
                entries.UsageEntry(
                    production=w.cast.production_a,
                    iptc_source_type="trainedAlgorithmicMedia",
                    **use_data(w.cast, ev.tool),
                )
            ],
            action="usage.imported",
        ),
        lambda w: w.evidence,
    ),
    "entries:derive_iptc_source_type": no_event("a pure function"),
    "consents:record_consent": write(
        lambda w, ev: consents.record_consent(
            actor=w.cast.pat,
            production=w.cast.production_a,
            performer=ev.performer,
            consent_type="voice_clone",
            use_description="New lines in reel two",
        ),
        lambda w: w.evidence,
    ),
    "consents:update_consent": write(
        lambda w, ev: consents.update_consent(
            ev.consent, actor=w.cast.pat, use_description="Reel four only"
        ),
        lambda w: w.evidence,
    ),
    "consents:revoke_consent": write(
        lambda w, ev: consents.revoke_consent(ev.consent, actor=w.cast.pat),
        lambda w: w.evidence,
    ),
    "performers:create_performer": write(
        lambda w, _: performers.create_performer(
            actor=w.cast.pat,
            organization=w.cast.northlight,
            legal_name="A B",
            professional_name="A",
        )
    ),
    "performers:update_performer": write(
        lambda w, ev: performers.update_performer(ev.performer, actor=w.cast.pat, union="none"),
        lambda w: w.evidence,
    ),
    "clearances:record_clearance": write(lambda w, _: new_clearance(w)),
    "clearances:update_clearance": write(
        lambda w, clearance: clearances.update_clearance(
            clearance,
            actor=w.cast.pat,
            document=SimpleUploadedFile("notice.pdf", PDF, "application/pdf"),
        ),
        new_clearance,
    ),
    "tools:add_tool": write(
        lambda w, _: tools.add_tool(
            actor=w.cast.cam, organization=w.cast.northlight, name="Gen-4", vendor="Runway"
        )
    ),
    "tools:update_tool": write(
        lambda w, ev: tools.update_tool(
            ev.tool, actor=w.cast.cam, status="banned", status_reason="Trains on our footage."
        ),
        lambda w: w.evidence,
    ),
    "privacy:export_personal_data": write(
        lambda w, ev: privacy.export_personal_data(ev.performer, actor=w.cast.cam),
        lambda w: w.evidence,
    ),
    "privacy:erase_performer": write(
        lambda w, ev: privacy.erase_performer(
            ev.performer, actor=w.cast.cam, confirmation=PROFESSIONAL_NAME
        ),
        lambda w: w.evidence,
    ),
    "privacy:record_document_read": write(
        lambda w, ev: privacy.record_document_read(ev.consent, actor=w.cast.pat),
        lambda w: w.evidence,
    ),
    "privacy:personal_data": no_event("a read; export_personal_data records the export"),
    "privacy:confirmation_matches": no_event("a pure function"),
    "privacy:export_filename": no_event("a pure function"),
    "privacy:may_manage_personal_data": no_event("a read"),
    "reminders:consents_needing_attention": no_event("a read"),
    "reminders:send_consent_reminders": no_event(
        "sends email about consents; changes no record (the mail log is the trace)"
    ),
    # imports.flow
    "flow:start": write(lambda w, _: w.edl_import(applied=True)),
    "flow:apply": write(
        lambda w, record: flow().apply(record, actor=w.cast.pat),
        lambda w: w.edl_import(applied=False),
    ),
    "flow:confirm_suggestion": write(
        lambda w, record: flow().confirm_suggestion(
            record, 1, actor=w.cast.cora, tool=w.evidence.tool, **SUGGESTED_USE
        ),
        lambda w: (w.evidence, w.edl_import(applied=True))[1],
    ),
    "flow:dismiss_suggestion": write(
        lambda w, record: flow().dismiss_suggestion(record, 1, actor=w.cast.cora),
        lambda w: w.edl_import(applied=True),
    ),
    "flow:max_bytes": no_event("a setting"),
    "flow:pack_rows": no_event("a pure function"),
    "flow:unpack_rows": no_event("a pure function"),
    # reports.compiler
    "compiler:request_compile": write(
        lambda w, _: compiler().request_compile(actor=w.cast.pat, production=w.cast.production_a),
        lambda w: w.evidence,
    ),
    "compiler:compile_report": write(
        lambda w, report: compiler().compile_report(report.pk), lambda w: w.queued()
    ),
    "compiler:claim": no_event(
        "the worker's lease on a queued report (queued → compiling); compile_report, which "
        "calls it, records the outcome"
    ),
    "compiler:render_files": no_event(
        "stores renderings of a frozen version (derived files, each with its SHA-256)"
    ),
    "compiler:retry": write(lambda w, report: compiler().retry(report, actor=w.cast.pat), failed),
    "compiler:submit": write(
        lambda w, report: compiler().submit(report, actor=w.cast.pat), lambda w: w.compiled()
    ),
    "compiler:sweep": write(lambda w, _: compiler().sweep(), expired_claim),
    "compiler:dispatch": no_event("sends a task to the broker; the request was recorded"),
    "compiler:build_snapshot": no_event("a read"),
    "compiler:production_facts_of": no_event("a read"),
    "compiler:register_csv": no_event("a pure function"),
    "compiler:summarize": no_event("a pure function"),
    # reports.review
    "review:submit": write(
        lambda w, report: review().submit(report, actor=w.cast.pat), lambda w: w.compiled()
    ),
    "review:approve": write(
        lambda w, report: review().approve(report, actor=w.cast.cam, override_reason="Checked."),
        lambda w: w.submitted(),
    ),
    "review:request_changes": write(
        lambda w, report: review().request_changes(
            report, actor=w.cast.cam, comment="Add the rider."
        ),
        lambda w: w.submitted(),
    ),
    "review:raise_audit_finding": write(
        lambda w, report: w.audit_finding(report), lambda w: w.submitted()
    ),
    "review:answer_audit_finding": write(
        lambda w, finding: review().answer_audit_finding(
            finding, actor=w.cast.pat, response="Attached."
        ),
        lambda w: w.audit_finding(w.submitted()),
    ),
    "review:close_audit_finding": write(
        lambda w, finding: review().close_audit_finding(
            finding, actor=w.cast.uma, status="resolved"
        ),
        lambda w: w.audit_finding(w.submitted()),
    ),
    "review:may_answer": no_event("a read"),
    "review:may_raise": no_event("a read"),
    "review:may_review": no_event("a read"),
    "review:review_queue": no_event("a read"),
    # reports.credits
    "credits:build_package": write(
        lambda w, report: credits().build_package(report), lambda w: w.approved()
    ),
    "credits:download_response": no_event(
        "each download is a CreditDownload row (who, when, which file, by page or API)"
    ),
    "credits:request_package": no_event("sends a task once the approval (recorded) commits"),
    "credits:notify_distributors": no_event("sends email; changes no record"),
    "credits:verify": no_event("a read"),
    "credits:packages_visible_to": no_event("a read"),
    "credits:load_snapshot": no_event("a read"),
    "credits:credit_lines": no_event("a pure function"),
    "credits:disclosure": no_event("a pure function"),
    "credits:eu_notice_required": no_event("a pure function"),
    "credits:hash_chunks": no_event("a pure function"),
    "credits:iptc_source_type": no_event("a pure function"),
    "credits:normalize_digest": no_event("a pure function"),
    "credits:realistic_real_content": no_event("a pure function"),
    "credits:released_in_eu_under_ai_act": no_event("a pure function"),
    "credits:render_package": no_event("a pure function"),
    "credits:render_pdf": no_event("a pure function"),
    "credits:render_tsv": no_event("a pure function"),
    "credits:render_txt": no_event("a pure function"),
    "credits:shot_map": no_event("a pure function"),
    # reports.rule_choices
    "rule_choices:choose": write(
        lambda w, _: rule_choices().choose(
            w.cast.production_a,
            actor=w.cast.cam,
            rule_set=rule_set(),
            include=False,
            reason="Not signatory.",
        )
    ),
    "rule_choices:current_rule_sets": no_event("a read"),
}


def public_functions() -> set[str]:
    found = set()
    for name in MODULES:
        module = importlib.import_module(name)
        short = name.rsplit(".", 1)[1]
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == name and not function_name.startswith("_"):
                found.add(f"{short}:{function_name}")
    return found


def test_every_public_domain_function_is_in_the_table():
    found = public_functions()
    assert sorted(found - CALLS.keys()) == [], "new functions: add each to CALLS"
    assert sorted(CALLS.keys() - found) == [], "CALLS names functions that no longer exist"


def events_of(organization_id) -> int:
    return AuditEvent.objects.filter(organization_id=organization_id).count()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def evidence(cast):
    from tests.usage.conftest import evidence as build

    return build.__wrapped__(cast)


WRITES = sorted(name for name, (kind, _) in CALLS.items() if kind == "write")


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITES)
def test_each_write_appends_an_event(request, name):
    world = World(request)
    _, (prepare, call) = CALLS[name]
    prepared = prepare(world)
    before = AuditEvent.objects.count()
    call(world, prepared)
    assert AuditEvent.objects.count() > before, f"{name} wrote no audit event"


# Celery tasks and management commands are thin: each names the domain function it runs (whose
# row above says whether it writes an event), or why it writes nothing of the product's data.
TASKS = {
    "studio_tracker.reports.tasks.compile_report_task": "compiler:compile_report",
    "studio_tracker.reports.tasks.render_report_files_task": "compiler:render_files",
    "studio_tracker.reports.tasks.sweep_reports": "compiler:sweep",
    "studio_tracker.reports.tasks.build_credits_task": "credits:build_package",
    "studio_tracker.usage.tasks.send_consent_reminders": "reminders:send_consent_reminders",
    "studio_tracker.accounts.tasks.clear_expired_sessions": "removes expired login sessions",
    "studio_tracker.ping": "answers a health check",
}
COMMANDS = {
    "seed_demo": "builds the demo with the domain functions above (its chains are verified by "
    "tests/demo at teardown, like every test's)",
    "verify_audit_log": "a read",
}


def test_every_celery_task_and_management_command_is_accounted_for():
    from django.core.management import get_commands

    from studio_tracker.celery import app

    app.loader.import_default_modules()
    tasks = {name for name in app.tasks if name.startswith("studio_tracker.")}
    assert tasks == TASKS.keys()
    for target in TASKS.values():
        assert target in CALLS or " " in target, target
    ours = {name for name, app_name in get_commands().items() if app_name.startswith("studio_")}
    assert ours == COMMANDS.keys()
