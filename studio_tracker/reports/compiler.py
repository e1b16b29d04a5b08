"""Compile disclosure reports: request, dispatch, claim, snapshot, findings, renderings, sweep.

The Report row is the job. A request stores it ``queued`` and dispatches after commit; a worker
claims it with a conditional update that sets a lease, renewed with every progress write, so
two workers never compile the same row and a dead worker's claim runs out. The sweeper (beat)
re-dispatches rows left queued and returns expired claims to the queue: a request made while
the broker was down, or a worker killed mid-compile, still completes, once.
"""

import gzip
import io
import json
import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q
from django.utils import timezone

from studio_tracker.audit import trail
from studio_tracker.celery import app as celery_app
from studio_tracker.lib import bulk, safe_csv
from studio_tracker.lib.canonical import canonical_json, sha256_digest
from studio_tracker.productions.models import Episode, Production, Shot
from studio_tracker.usage.choices import FINAL_DISPOSITIONS, GenerationKind
from studio_tracker.usage.models import (
    Clearance,
    ConsentRecord,
    Performer,
    Tool,
    UsageEntry,
    UsagePerformer,
)

from . import findings as rules
from . import renderings, rule_choices
from .models import Finding, Rendering, Report

logger = logging.getLogger(__name__)
Status = Report.Status
COMPILE_TASK = "studio_tracker.reports.tasks.compile_report_task"
RENDER_TASK = "studio_tracker.reports.tasks.render_report_files_task"
COMPILED_STATES = (
    Report.Status.COMPILED,
    Report.Status.SUBMITTED,
    Report.Status.APPROVED,
    Report.Status.CHANGES_REQUESTED,
)
SEVERITY_ORDER = {"blocking": 0, "warning": 1, "info": 2}
FINDING_COLUMNS = (
    "report_id",
    "rule",
    "trigger",
    "clause",
    "rule_set",
    "severity",
    "rank",
    "message",
    "entity_type",
    "entity_id",
    "evidence",
)

ENTRY_FIELDS = (
    "id",
    "shot_id",
    "episode_id",
    "department",
    "category",
    "modality",
    "tool_id",
    "tool_version",
    "generation_kind",
    "disposition",
    "description",
    "human_contribution",
    "depicts_real_person",
    "depicts_real_place_or_event",
    "realism",
    "replica_kind",
    "performance_altered",
    "alteration_purpose",
    "synthetic_replaces_performer",
    "prompt_names_performer",
    "prompt_uses_facial_feature",
    "language",
    "iptc_source_type",
    "used_on",
    "operator",
    "vendor",
    "input_sources",
    "external_ref",
)
SHOT_FIELDS = (
    "id",
    "code",
    "episode_id",
    "sequence_id",
    "frame_in",
    "frame_out",
    "frames",
    "record_in",
    "record_out",
    "locked_for_final",
)
TOOL_FIELDS = (
    "id",
    "name",
    "vendor",
    "kind",
    "status",
    "training_data_claim",
    "indemnity",
    "trains_on_inputs",
    "emits_c2pa",
    "known_litigation",
)
PERFORMER_FIELDS = ("id", "professional_name", "category", "union", "is_deceased", "is_minor")
CONSENT_FIELDS = (
    "id",
    "performer_id",
    "production_id",
    "consent_type",
    "granted_by",
    "use_description",
    "is_separate_document",
    "in_standard_terms",
    "clear_and_conspicuous_attested",
    "media",
    "territories",
    "languages",
    "notice_given_at",
    "services_at",
    "engaged_less_than_48h",
    "signed_at",
    "valid_from",
    "valid_until",
    "revoked_at",
)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REPORT_COMPILE_LEASE_SECONDS)


# --- Requesting and dispatching ---------------------------------------------------------------


def request_compile(*, actor, production: Production, episode: Episode | None = None) -> Report:
    """Store a queued report with the next version and dispatch it once the row is committed."""
    if episode is not None and episode.production_id != production.pk:
        raise ValueError("That episode belongs to another production.")
    with transaction.atomic():
        # The production row's lock serialises version numbers; the unique constraint backs it.
        Production.objects.select_for_update().filter(pk=production.pk).first()
        latest = Report.objects.filter(production=production).aggregate(Max("version"))
        report = Report.objects.create(
            production=production,
            episode=episode,
            version=(latest["version__max"] or 0) + 1,
            requested_by=actor,
            progress={"stage": "queued"},
        )
        _record(report, actor=actor, action="report.requested", changes={"version": report.version})
        transaction.on_commit(lambda: dispatch(report.pk))
    return report


def dispatch(report_id: int, *, task: str = COMPILE_TASK) -> bool:
    """Send the compile (or rendering) task. A broker outage is logged, not raised: the row
    stays as it is and the sweeper sends it again, so the request that stored it still answers
    202."""
    try:
        # The broker named in settings, read now: an outage shows here as a refused connection.
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            celery_app.send_task(
                task,
                args=[report_id],
                connection=broker,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
                # The Report row is the result. Without this, sending subscribes to the result
                # backend, and with Redis down that retries for 20 s: the chaos run's request
                # hung that long before answering.
                ignore_result=True,
            )
    except Exception:
        logger.warning("Could not dispatch report %s; the sweeper will retry", report_id)
        return False
    if task in (COMPILE_TASK, RENDER_TASK):
        # The sweeper sends it again only a deadline after this. (A compiled row's dispatch
        # time is its rendering's: without it, every sweep re-sent every rendering still
        # waiting in a backlog — the chaos run saw three rendering tasks per report.)
        Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now())
    return True


def retry(report: Report, *, actor) -> Report:
    """A failed report goes back to the queue: the same row, the same version."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        report.check_transition(Status.QUEUED)
        report.status, report.error, report.progress = Status.QUEUED, "", {"stage": "queued"}
        report.save(update_fields=["status", "error", "progress"])
        _record(report, actor=actor, action="report.retried", changes={})
        transaction.on_commit(lambda: dispatch(report.pk))
    return report


def submit(report: Report, *, actor) -> Report:
    """Send a compiled report for review; union reps' reading of the production opens."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        report.check_transition(Status.SUBMITTED)
        now = timezone.now()
        report.status, report.submitted_by, report.submitted_at = Status.SUBMITTED, actor, now
        report.save(update_fields=["status", "submitted_by", "submitted_at"])
        Production.objects.filter(pk=report.production_id, union_visible_since__isnull=True).update(
            union_visible_since=now
        )
        _record(report, actor=actor, action="report.submitted", changes={"digest": report.digest})
    return report


def _record(report: Report, *, actor, action: str, changes: dict) -> None:
    trail.record(
        actor=actor,
        action=action,
        organization_id=report.production.organization_id,
        production_id=report.production_id,
        report_id=report.pk,
        target_type="report",
        target_id=str(report.pk),
        target_label=f"v{report.version}",
        changes=changes,
    )


# --- Claiming and compiling -------------------------------------------------------------------


def claim(report_id: int) -> bool:
    """Take a queued report for this worker; False if another has it, it is done, or gone."""
    now = timezone.now()
    return bool(
        Report.objects.filter(pk=report_id, status=Status.QUEUED).update(
            status=Status.COMPILING,
            lease_until=now + _lease(),
            progress={"stage": "claimed"},
        )
    )


def _progress(report_id: int, stage: str, done: int = 0, total: int = 0) -> None:
    """A short write of its own: visible to the report page at once, and it renews the lease."""
    Report.objects.filter(pk=report_id, status=Status.COMPILING).update(
        progress={"stage": stage, "done": done, "total": total},
        lease_until=timezone.now() + _lease(),
    )


def compile_report(report_id: int) -> bool:
    """Compile one queued report. Returns False when there was nothing for this worker to do."""
    if not claim(report_id):
        return False
    Report.objects.filter(pk=report_id).update(attempts=F("attempts") + 1)
    report = Report.objects.select_related("production__organization", "episode").get(pk=report_id)
    try:
        snapshot, counter = build_snapshot(report)
        data = canonical_json(snapshot)
        digest = sha256_digest(data)
        _progress(report_id, "rules", 0, len(snapshot["entries"]))
        found = rules.run_rules(json.loads(data))
        found.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule"]))
        counts = summarize(snapshot, found)
        _progress(report_id, "renderings", 0, 2)
        csv_bytes = register_csv(snapshot, digest)
        _progress(report_id, "saving", 0, len(found))
        stored = _store(report, data, digest, counter, counts, found, csv_bytes)
        if stored:
            # The HTML and PDF take longer than everything above together on a big production:
            # a task of their own renders them, so the compiled version is readable at once.
            dispatch(report_id, task=RENDER_TASK)
        return stored
    except Exception as error:
        if _is_transient(error):
            _give_back(report_id)
            raise
        logger.exception("Report %s failed to compile", report_id)
        Report.objects.filter(pk=report_id, status=Status.COMPILING).update(
            status=Status.FAILED,
            lease_until=None,
            error=f"{type(error).__name__}: {error}"[:4000],
            progress={"stage": "failed"},
        )
        return False


def _give_back(report_id: int) -> None:
    """Return a claim after a transient error so the task's retry compiles the row again.

    The error is often the connection itself dropping: the update then needs a new one (Django
    keeps the dead one until asked). If the database is still out of reach, the claim stays
    and its lease runs out; the sweeper returns it then."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    try:
        Report.objects.filter(pk=report_id, status=Status.COMPILING).update(
            status=Status.QUEUED, lease_until=None, progress={"stage": "queued"}
        )
    except (OperationalError, InterfaceError):
        logger.warning("Could not return report %s to the queue; its lease will run out", report_id)


def _is_transient(error: Exception) -> bool:
    """A database connection that dropped or a lock that timed out: worth trying again."""
    return isinstance(error, OperationalError | InterfaceError)


def _store(
    report,
    data: bytes,
    digest: str,
    counter,
    counts,
    found,
    csv_bytes,
) -> bool:
    name = f"{report.production_id}/v{report.version}-{digest[7:19]}"
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.status != Status.COMPILING:
            return False  # the sweeper took the claim back; whoever holds it now finishes
        # Level 3: on a 100 MB snapshot about eight times faster than gzip's default 9, for a
        # file about twice the size (a few MB).
        packed = gzip.compress(data, compresslevel=3, mtime=0)
        current.snapshot.save(f"{name}.json.gz", ContentFile(packed), save=False)
        # Plain rows, not model instances: a big production has hundreds of thousands.
        bulk.insert_rows(
            Finding,
            FINDING_COLUMNS,
            [
                (
                    current.pk,
                    f["rule"],
                    f.get("trigger", ""),
                    f.get("clause", ""),
                    f.get("rule_set") or "",
                    f["severity"],
                    SEVERITY_ORDER.get(f["severity"], 2),
                    f["message"],
                    f.get("entity_type") or "",
                    f.get("entity_id"),
                    f.get("evidence") or {},
                )
                for f in found
            ],
        )
        Rendering.objects.create(
            report=current,
            format=Rendering.Format.JSON,
            file=current.snapshot.name,
            sha256=digest.removeprefix("sha256:"),
            size=len(data),
        )
        _save_rendering(current, Rendering.Format.CSV, f"{name}.csv", csv_bytes)
        current.status = Status.COMPILED
        current.digest = digest
        current.compiled_counter = counter
        current.compiled_at = timezone.now()
        current.counts = counts
        current.findings_count = len(found)
        current.blocking_count = sum(1 for f in found if f["severity"] == "blocking")
        current.lease_until = None
        current.progress = {"stage": "done", "done": len(found), "total": len(found)}
        current.save()
        _record(
            current,
            actor=None,
            action="report.compiled",
            changes={
                "digest": digest,
                "entries": counts["entries"],
                "findings": len(found),
                "blocking": current.blocking_count,
            },
        )
    return True


def _save_rendering(report: Report, fmt: str, filename: str, content: bytes) -> Rendering:
    rendering = Rendering(report=report, format=fmt, size=len(content))
    rendering.sha256 = sha256_digest(content).removeprefix("sha256:")
    rendering.file.save(filename, ContentFile(content), save=False)
    rendering.save()
    return rendering


def render_files(report_id: int) -> list[str]:
    """Render the HTML and PDF of a compiled version from its stored snapshot, once each;
    return the formats written (none when they exist already or the report is not compiled)."""
    report = Report.objects.filter(pk=report_id, status__in=COMPILED_STATES).first()
    if report is None:
        return []
    present = set(report.renderings.values_list("format", flat=True))
    if {Rendering.Format.HTML, Rendering.Format.PDF} <= present:
        return []
    with report.snapshot.open("rb") as handle:
        data = gzip.decompress(handle.read())
    csv = report.renderings.get(format=Rendering.Format.CSV)
    found = list(
        report.findings.order_by("rank", "rule", "id").values(
            "rule",
            "trigger",
            "clause",
            "rule_set",
            "severity",
            "message",
            "entity_type",
            "entity_id",
            "evidence",
        )
    )
    name = f"{report.production_id}/v{report.version}-{report.digest[7:19]}"
    written = []
    for fmt, content in renderings.render_all(data, report.digest, found, csv.sha256).items():
        if fmt in present:
            continue
        try:
            with transaction.atomic():
                _save_rendering(report, fmt, f"{name}.{fmt}", content)
            written.append(fmt)
        except IntegrityError:
            pass  # another worker stored it first: renderings are written once
    return written


# --- The snapshot -----------------------------------------------------------------------------


def production_facts_of(production: Production) -> dict:
    """The production's own fields as they go into a snapshot."""
    return {
        "id": production.pk,
        "title": production.title,
        "kind": production.kind,
        "is_factual": production.is_factual,
        "guilds": list(production.guilds or []),
        "territories": list(production.territories or []),
        "commissioner": production.commissioner,
        "frame_rate": f"{production.frame_rate:.3f}",
        "release_date": production.release_date,
        "principal_photography_start": production.principal_photography_start,
        "organization": {"id": production.organization_id, "name": production.organization.name},
    }


def build_snapshot(report: Report) -> tuple[dict, int]:
    """Everything in the report's scope as it is now, as plain JSON-ready values, and the
    production's change counter read before any of it (a later write makes the report stale)."""
    production = Production.objects.select_related("organization").get(pk=report.production_id)
    counter = production.change_counter
    production_facts = production_facts_of(production)
    entries_qs = UsageEntry.objects.filter(production=production)
    shots_qs = Shot.objects.filter(production=production)
    scope = {"episode": None}
    if report.episode_id:
        episode = report.episode
        scope["episode"] = {"id": episode.pk, "code": episode.code, "title": episode.title}
        entries_qs = entries_qs.filter(Q(episode=episode) | Q(shot__episode=episode))
        shots_qs = shots_qs.filter(episode=episode)
    _progress(report.pk, "snapshot", 0, 0)
    entries = list(
        entries_qs.annotate(
            has_prompt=ExpressionWrapper(~Q(prompt_text=""), output_field=BooleanField())
        )
        .order_by("id")
        .values(*ENTRY_FIELDS, "has_prompt")
    )
    links: dict[int, list] = {}
    for entry_id, performer_id, consent_id, aspect in (
        UsagePerformer.objects.filter(usage_entry__in=entries_qs)
        .order_by("usage_entry_id", "id")
        .values_list("usage_entry_id", "performer_id", "consent_id", "aspect")
    ):
        links.setdefault(entry_id, []).append(
            {"performer_id": performer_id, "consent_id": consent_id, "aspect": aspect}
        )
    for entry in entries:
        entry["performers"] = links.get(entry["id"], [])
    _progress(report.pk, "snapshot", len(entries), len(entries))

    consents = list(
        ConsentRecord.objects.filter(production=production)
        .annotate(has_document=ExpressionWrapper(~Q(document=""), output_field=BooleanField()))
        .order_by("id")
        .values(*CONSENT_FIELDS, "has_document")
    )
    consent_episodes: dict[int, list[int]] = {}
    for consent_id, episode_id in ConsentRecord.episodes.through.objects.filter(
        consentrecord__production=production
    ).values_list("consentrecord_id", "episode_id"):
        consent_episodes.setdefault(consent_id, []).append(episode_id)
    for consent in consents:
        consent["episode_ids"] = sorted(consent_episodes.get(consent["id"], []))
    performer_ids = {link["performer_id"] for entry in entries for link in entry["performers"]}
    performer_ids |= {consent["performer_id"] for consent in consents}
    tool_ids = {entry["tool_id"] for entry in entries}
    clearances = list(
        Clearance.objects.filter(production=production)
        .order_by("id")
        .values("id", "kind", "party", "date", "note")
    )
    covered: dict[int, list[int]] = {}
    for clearance_id, entry_id in Clearance.usage_entries.through.objects.filter(
        clearance__production=production
    ).values_list("clearance_id", "usageentry_id"):
        covered.setdefault(clearance_id, []).append(entry_id)
    for clearance in clearances:
        clearance["usage_entry_ids"] = sorted(covered.get(clearance["id"], []))

    snapshot = {
        "schema": 1,
        "production": production_facts,
        "scope": scope,
        "report": {"version": report.version},
        "rule_sets": rule_choices.current_rule_sets(
            production, json.loads(canonical_json(production_facts))
        ),
        "shots": list(shots_qs.order_by("code", "id").values(*SHOT_FIELDS)),
        "tools": list(Tool.objects.filter(pk__in=tool_ids).order_by("id").values(*TOOL_FIELDS)),
        "performers": list(
            Performer.objects.filter(pk__in=performer_ids).order_by("id").values(*PERFORMER_FIELDS)
        ),
        "consents": consents,
        "clearances": clearances,
        "entries": entries,
    }
    return snapshot, counter


def summarize(snapshot: dict, found: list[dict]) -> dict:
    """Counts a reviewer reads first: by department, category, disposition and tool; shots with
    generative use in the final picture, and their share of the runtime by frames."""
    entries = snapshot["entries"]
    tools = {tool["id"]: tool["name"] for tool in snapshot["tools"]}
    final_generative_shots = {
        entry["shot_id"]
        for entry in entries
        if entry["shot_id"]
        and entry["generation_kind"] == GenerationKind.GENERATIVE
        and entry["disposition"] in FINAL_DISPOSITIONS
    }
    frames = {shot["id"]: shot["frames"] or 0 for shot in snapshot["shots"]}
    total_frames = sum(frames.values())
    ai_frames = sum(frames.get(shot_id, 0) for shot_id in final_generative_shots)
    return {
        "entries": len(entries),
        "shots": len(snapshot["shots"]),
        "by_department": dict(sorted(Counter(e["department"] for e in entries).items())),
        "by_category": dict(sorted(Counter(e["category"] for e in entries).items())),
        "by_disposition": dict(sorted(Counter(e["disposition"] for e in entries).items())),
        "by_tool": dict(sorted(Counter(tools.get(e["tool_id"], "?") for e in entries).items())),
        "shots_with_generative_final": len(final_generative_shots),
        "runtime_share_pct": round(100 * ai_frames / total_frames, 2) if total_frames else 0.0,
        "findings_by_severity": dict(sorted(Counter(f["severity"] for f in found).items())),
    }


REGISTER_COLUMNS = [
    "entry",
    "shot",
    "department",
    "category",
    "modality",
    "tool",
    "tool_version",
    "generation_kind",
    "disposition",
    "replica_kind",
    "performers",
    "iptc_source_type",
    "used_on",
    "operator",
    "vendor",
    "description",
    "human_contribution",
    "external_ref",
]


def register_csv(snapshot: dict, digest: str) -> bytes:
    """The usage register (cue sheet) from the snapshot alone, formula-guarded, naming the
    report digest in its first line."""
    shots = {shot["id"]: shot["code"] for shot in snapshot["shots"]}
    tools = {tool["id"]: tool["name"] for tool in snapshot["tools"]}
    names = {p["id"]: p["professional_name"] for p in snapshot["performers"]}
    production = snapshot["production"]
    rows = [
        ["report", f"{production['title']} v{snapshot['report']['version']}", "digest", digest],
        REGISTER_COLUMNS,
    ]
    for entry in snapshot["entries"]:
        rows.append(
            [
                entry["id"],
                shots.get(entry["shot_id"], ""),
                entry["department"],
                entry["category"],
                entry["modality"],
                tools.get(entry["tool_id"], ""),
                entry["tool_version"],
                entry["generation_kind"],
                entry["disposition"],
                entry["replica_kind"],
                "; ".join(names.get(link["performer_id"], "") for link in entry["performers"]),
                entry["iptc_source_type"],
                entry["used_on"],
                entry["operator"],
                entry["vendor"],
                entry["description"],
                entry["human_contribution"],
                entry["external_ref"],
            ]
        )
    buffer = io.StringIO()
    for line in safe_csv.lines(rows):
        buffer.write(line)
    return buffer.getvalue().encode("utf-8")


# --- The sweeper ------------------------------------------------------------------------------


def sweep(now=None) -> dict:
    """Return expired claims to the queue and re-dispatch rows left queued past a deadline."""
    now = now or timezone.now()
    requeued = 0
    expired = Report.objects.filter(status=Status.COMPILING, lease_until__lt=now)
    for report in expired.select_related("production"):
        with transaction.atomic():
            # The same conditions again: a worker may have renewed its lease since the read.
            if expired.filter(pk=report.pk).update(
                status=Status.QUEUED,
                lease_until=None,
                dispatched_at=None,
                progress={"stage": "requeued"},
            ):
                requeued += 1
                _record(report, actor=None, action="report.requeued", changes={"lease": "expired"})
    deadline = now - timedelta(seconds=settings.REPORT_REDISPATCH_AFTER_SECONDS)
    waiting = Report.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=deadline)
    )
    dispatched = sum(dispatch(pk) for pk in waiting.values_list("pk", flat=True))
    # Missing either file, not just the HTML: a worker killed between storing the two leaves
    # the HTML without its PDF.
    unrendered = (
        Report.objects.filter(status__in=COMPILED_STATES, compiled_at__lt=deadline)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=deadline))
        .annotate(
            files=Count(
                "renderings",
                filter=Q(renderings__format__in=[Rendering.Format.HTML, Rendering.Format.PDF]),
            )
        )
        .filter(files__lt=2)
        .values_list("pk", flat=True)
    )
    rendering = sum(dispatch(pk, task=RENDER_TASK) for pk in unrendered)
    return {"requeued": requeued, "dispatched": dispatched, "rendering": rendering}
