"""Credit packages of approved reports (DOMAIN.md F2 to F4), and verifying a file against the store.

A package is drawn from the approved version's frozen snapshot alone, never from live rows: the
credit block (plain text), a tab-delimited credit list in title-house layout, the machine-readable
disclosure (JSON, F4) and a PDF (a one-page AI disclosure statement and the shot disclosure map,
without prompts or pay). Each file is stored once as a ``CreditFile`` with its SHA-256 and names
the report digest in its content. ``build_package`` is idempotent: formats already stored are
kept, so a retried task or two workers never write a second copy.

``verify`` hashes uploaded bytes (or takes a digest) and looks it up among stored report JSONs
and credit files: one changed byte matches nothing.
"""

import gzip
import hashlib
import json
import logging
import re
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse
from django.template.loader import render_to_string
from django.urls import reverse

from studio_tracker.audit import trail
from studio_tracker.lib import safe_csv
from studio_tracker.lib.canonical import canonical_json, sha256_digest
from studio_tracker.productions.models import EU_MEMBER_STATES, Membership
from studio_tracker.usage.choices import FINAL_DISPOSITIONS, Category, Disposition, GenerationKind

from .models import CreditDownload, CreditFile, Rendering, Report, ReviewDecision

logger = logging.getLogger(__name__)

CREDITS_TASK = "studio_tracker.reports.tasks.build_credits_task"
EU_AI_ACT_APPLIES_FROM = date(2026, 8, 2)
IPTC_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SCHEMA = "studio-ai-disclosure/1.0"
SHOWN_DISPOSITIONS = FINAL_DISPOSITIONS | {Disposition.MARKETING}
CONTENT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}

GENERAL_NOTICE = (
    "Portions of this program contain imagery and audio created or modified using generative "
    "artificial intelligence tools under the direction of the credited filmmakers. "
    "All performances are by the credited cast and were used with their consent."
)
NEGATIVE_STATEMENT = "No generative AI was used in the making of this film."
EU_NOTICE = "This film contains AI-generated or AI-modified images and sound."

# Vendor block credits (F3), by category; anything else in the final picture is "Machine
# Learning Services". Section is the title-house block the line goes under.
VENDOR_CREDITS = {
    Category.DEAGING: ("Visual Effects", "AI De-Aging by"),
    Category.AGING: ("Visual Effects", "AI Aging by"),
    Category.FACE_REPLACEMENT: ("Visual Effects", "AI Face Replacement by"),
    Category.DIGITAL_DOUBLE: ("Visual Effects", "AI Digital Double by"),
    Category.CROWD_GENERATION: ("Visual Effects", "AI Crowd Generation by"),
    Category.SET_EXTENSION: ("Visual Effects", "AI Set Extension by"),
    Category.ENVIRONMENT_GEN: ("Visual Effects", "AI Environments by"),
    Category.VISUAL_DUBBING_LIPSYNC: ("Visual Effects", "AI Visual Dubbing by"),
    Category.AI_DUBBING: ("Sound", "AI Dubbing by"),
    Category.VOICE_CLONE_NEW_LINES: ("Sound", "AI Voice Services by"),
    Category.ADR_VIA_REPLICA: ("Sound", "AI Voice Services by"),
    Category.ACCENT_PRONUNCIATION_REFINE: ("Sound", "AI Speech Refinement by"),
    Category.MUSIC_GENERATION: ("Music", "AI Music Services by"),
    Category.SFX_GENERATION: ("Sound", "AI Sound Effects by"),
    Category.DIALOGUE_CLEANUP: ("Sound", "AI Dialogue Restoration by"),
}
DEFAULT_VENDOR_CREDIT = ("Visual Effects", "Machine Learning Services by")
SECTION_ORDER = {"Visual Effects": 0, "Sound": 1, "Music": 2, "End Crawl": 3}
VOICE_ASPECT = "voice"
SYNTHETIC_CATEGORIES = {Category.SYNTHETIC_CHARACTER_HUMAN}
SYNTHETIC_REPLICAS = {"synthetic_performer", "synthetic_with_recognizable_feature"}


# --- Requesting --------------------------------------------------------------------------------


def request_package(report: Report) -> None:
    """Build the report's credit package in a worker once the approval is committed."""
    from .compiler import dispatch  # the compiler imports renderings; keep this module light

    report_id = report.pk
    transaction.on_commit(lambda: dispatch(report_id, task=CREDITS_TASK))


# --- What the credits say ----------------------------------------------------------------------


def released_in_eu_under_ai_act(production: dict) -> bool:
    """Released in the EU (the EU code or a member state) on or after 2 August 2026, or with no
    release date yet."""
    territories = production.get("territories") or []
    if not any(t == "EU" or t in EU_MEMBER_STATES for t in territories):
        return False
    release = production.get("release_date")
    if not release:
        return True
    if isinstance(release, str):
        release = date.fromisoformat(release[:10])
    return release >= EU_AI_ACT_APPLIES_FROM


def realistic_real_content(entries: list[dict]) -> bool:
    """Photoreal generated or manipulated content of a real person, place or event (E28's test)."""
    return any(
        e.get("realism") == "photoreal"
        and (e.get("depicts_real_person") or e.get("depicts_real_place_or_event"))
        and e.get("generation_kind") != GenerationKind.TRADITIONAL
        for e in entries
    )


def _vendor_of(entry: dict, tools: dict) -> str:
    tool = tools.get(entry.get("tool_id")) or {}
    return (entry.get("vendor") or "").strip() or (tool.get("vendor") or "").strip()


def credit_lines(snapshot: dict) -> list[dict]:
    """The credit block as ordered lines: {section, position, kind, text, language}.

    Vendor, likeness, voice and synthetic-character lines come from final-picture uses; the
    general notice from any generative use in the final picture or marketing; the negative
    statement only when no use at all, in any department, is generative; the EU notice when the
    production is released in the EU under the AI Act and has realistic content of real people,
    places or events."""
    entries = snapshot["entries"]
    tools = {tool["id"]: tool for tool in snapshot["tools"]}
    performers = {p["id"]: p for p in snapshot["performers"]}
    consents: dict[int, list[dict]] = {}
    for consent in snapshot["consents"]:
        if not consent.get("revoked_at"):
            consents.setdefault(consent["performer_id"], []).append(consent)
    final = [
        e
        for e in entries
        if e["disposition"] in FINAL_DISPOSITIONS
        and e["generation_kind"] != GenerationKind.TRADITIONAL
    ]
    lines: list[dict] = []
    seen: set[str] = set()

    def add(kind: str, text: str, section: str = "End Crawl") -> None:
        if text in seen:
            return
        seen.add(text)
        lines.append(
            {
                "kind": kind,
                "section": section,
                "position": "end_crawl",
                "text": text,
                "language": "en",
            }
        )

    for entry in final:
        vendor = _vendor_of(entry, tools)
        if vendor:
            section, credit = VENDOR_CREDITS.get(entry["category"], DEFAULT_VENDOR_CREDIT)
            add("vendor", f"{credit} {vendor}", section)
    for entry in final:
        vendor = _vendor_of(entry, tools) or "digital"
        for link in entry["performers"]:
            performer = performers.get(link["performer_id"])
            if performer is None:
                continue
            name = performer["professional_name"]
            on_file = consents.get(performer["id"], [])
            linked = [c for c in on_file if c["id"] == link.get("consent_id")] or on_file
            if not linked and not performer.get("is_deceased"):
                continue  # never claim a consent that is not on file (E01 blocks this use)
            estate = performer.get("is_deceased") or any(
                c.get("granted_by") == "estate_rep" for c in linked
            )
            voice = link.get("aspect") == VOICE_ASPECT or entry["category"] in (
                Category.VOICE_CLONE_NEW_LINES,
                Category.ADR_VIA_REPLICA,
                Category.AI_DUBBING,
            )
            if entry["category"] == Category.ACCENT_PRONUNCIATION_REFINE and entry.get("language"):
                add(
                    "voice",
                    f"{entry['language']}-language dialogue refined using {vendor} speech "
                    "technology.",
                )
                continue
            if voice and estate:
                text = (
                    f"Voice of {name} created with {vendor} voice technology with the permission "
                    f"of the Estate of {name}."
                )
            elif voice:
                text = (
                    f"Voice of {name} created with {vendor} voice technology with the permission "
                    f"of {name}."
                )
            elif estate:
                text = (
                    f"Digital likeness of {name} used with the permission of the Estate of {name}."
                )
            else:
                text = f"Digital likeness of {name} created by {vendor} with the consent of {name}."
            add("voice" if voice else "likeness", text)
    for entry in final:
        if (
            entry["category"] in SYNTHETIC_CATEGORIES
            or entry.get("replica_kind") in SYNTHETIC_REPLICAS
        ):
            add(
                "synthetic_character",
                "The character appearing in this program in place of a performer is a "
                "digitally created synthetic character.",
            )
    any_generative = any(e["generation_kind"] == GenerationKind.GENERATIVE for e in entries)
    shown_generative = any(
        e["generation_kind"] == GenerationKind.GENERATIVE and e["disposition"] in SHOWN_DISPOSITIONS
        for e in entries
    )
    if shown_generative:
        add("general_notice", GENERAL_NOTICE)
    if not any_generative:
        add("negative_statement", NEGATIVE_STATEMENT)
    if eu_notice_required(snapshot):
        add("eu_notice", EU_NOTICE, "Opening or Closing Credits")
    # Vendor blocks first, grouped by section, then the crawl's lines (a stable sort).
    return sorted(lines, key=lambda line: SECTION_ORDER.get(line["section"], 9))


def eu_notice_required(snapshot: dict) -> bool:
    return released_in_eu_under_ai_act(snapshot["production"]) and realistic_real_content(
        snapshot["entries"]
    )


def iptc_source_type(entry: dict) -> str | None:
    """The IPTC digital source type of a use: the logged one, else one from its kind."""
    code = entry.get("iptc_source_type")
    if not code:
        if entry["generation_kind"] == GenerationKind.GENERATIVE:
            code = (
                "compositeWithTrainedAlgorithmicMedia"
                if entry.get("shot_id")
                else "trainedAlgorithmicMedia"
            )
        elif entry["generation_kind"] == GenerationKind.ASSISTIVE:
            code = "algorithmicallyEnhanced"
        else:
            return None
    return IPTC_BASE + code


def shot_map(snapshot: dict) -> list[dict]:
    """The usage register filtered to final-picture and marketing uses, without prompts or pay."""
    shots = {shot["id"]: shot for shot in snapshot["shots"]}
    tools = {tool["id"]: tool for tool in snapshot["tools"]}
    performers = {p["id"]: p for p in snapshot["performers"]}
    rows = []
    for entry in snapshot["entries"]:
        if entry["disposition"] not in SHOWN_DISPOSITIONS:
            continue
        shot = shots.get(entry["shot_id"]) or {}
        tool = tools.get(entry["tool_id"]) or {}
        rows.append(
            {
                "entry": entry["id"],
                "shot": shot.get("code", ""),
                "tc_in": shot.get("record_in") or "",
                "tc_out": shot.get("record_out") or "",
                "category": entry["category"],
                "disposition": entry["disposition"],
                "generation_kind": entry["generation_kind"],
                "tool": {
                    "vendor": tool.get("vendor", ""),
                    "name": tool.get("name", ""),
                    "version": entry.get("tool_version") or "",
                },
                "vendor": entry.get("vendor") or "",
                "digital_source_type": iptc_source_type(entry),
                "performers": [
                    {
                        "name": performers.get(link["performer_id"], {}).get(
                            "professional_name", "?"
                        ),
                        "consent": "on_file" if link.get("consent_id") else "not_linked",
                        "replica_type": entry.get("replica_kind") or "none",
                    }
                    for link in entry["performers"]
                ],
            }
        )
    return rows


# --- The files ---------------------------------------------------------------------------------


def _approval(report: Report) -> dict:
    decision = (
        ReviewDecision.objects.filter(report=report, decision=ReviewDecision.Decision.APPROVED)
        .select_related("reviewer")
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is None:
        return {"approved_at": None, "approved_by": None}
    reviewer = decision.reviewer
    return {
        "approved_at": decision.decided_at.isoformat(),
        "approved_by": reviewer.get_full_name() or reviewer.username,
    }


def render_txt(snapshot: dict, digest: str, lines: list[dict]) -> bytes:
    production = snapshot["production"]
    out = [
        f"AI credit block: {production['title']}, report v{snapshot['report']['version']}, "
        f"{digest}",
        "",
    ]
    section = None
    for line in lines:
        if line["section"] != section:
            if section is not None:
                out.append("")
            section = line["section"]
            out.append(f"[{section}]")
        out.append(line["text"])
    return ("\n".join(out) + "\n").encode("utf-8")


def _cell(value) -> str:
    """Tabs and line breaks would split the row; a leading = + - @ would run in a spreadsheet."""
    return safe_csv.cell(re.sub(r"[\t\r\n]+", " ", str(value or "")))


def render_tsv(snapshot: dict, digest: str, lines: list[dict]) -> bytes:
    """Title-house layout: one credit per row, in crawl order, under its card/section."""
    production = snapshot["production"]
    rows = [
        ["REPORT", f"{production['title']} v{snapshot['report']['version']}", "DIGEST", digest],
        ["SEQ", "POSITION", "SECTION", "CREDIT", "NAME", "LANGUAGE"],
    ]
    for n, line in enumerate(lines, start=1):
        credit, name = line["text"], ""
        if line["kind"] == "vendor" and " by " in line["text"]:
            credit, name = line["text"].rsplit(" by ", 1)
            credit += " by"
        rows.append([n, line["position"], line["section"], credit, name, line["language"]])
    return ("".join("\t".join(_cell(c) for c in row) + "\r\n" for row in rows)).encode("utf-8")


def disclosure(snapshot: dict, digest: str, lines: list[dict], approval: dict) -> dict:
    from .compiler import summarize

    production = snapshot["production"]
    counts = summarize(snapshot, [])
    territory_labels = []
    if eu_notice_required(snapshot):
        territory_labels.append(
            {
                "territory": "EU",
                "basis": "AIA_50_4_factual"
                if production.get("is_factual")
                else "AIA_50_4_artistic",
                "method": "on_screen_label"
                if production.get("is_factual")
                else "credit_notice+icon",
                "text": {"en": EU_NOTICE},
            }
        )
    categories = sorted(
        {e["category"] for e in snapshot["entries"] if e["disposition"] in FINAL_DISPOSITIONS}
    )
    return {
        "schema": SCHEMA,
        "production": {
            "title": production["title"],
            "report_version": snapshot["report"]["version"],
            "report_hash": digest,
            **approval,
        },
        "rulesets": [rs.get("code") for rs in snapshot.get("rule_sets") or [] if rs.get("code")],
        "summary": {
            "shots_with_genai_final": counts["shots_with_generative_final"],
            "runtime_share_pct": counts["runtime_share_pct"],
            "categories": categories,
        },
        "credit_lines": [
            {"position": line["position"], "text": line["text"], "language": line["language"]}
            for line in lines
        ],
        "territory_labels": territory_labels,
        "assets": [row for row in shot_map(snapshot) if row["disposition"] in FINAL_DISPOSITIONS],
    }


def render_pdf(snapshot: dict, digest: str, lines: list[dict], approval: dict) -> bytes:
    import weasyprint  # here, not at the top: the app starts where Pango is missing

    from .compiler import summarize
    from .renderings import data_only_fetcher

    production = snapshot["production"]
    consents = {}
    for consent in snapshot["consents"]:
        if not consent.get("revoked_at"):
            consents.setdefault(consent["performer_id"], []).append(consent)
    html = render_to_string(
        "credits/statement_pdf.html",
        {
            "production": production,
            "version": snapshot["report"]["version"],
            "digest": digest,
            "approval": approval,
            "counts": summarize(snapshot, []),
            "lines": lines,
            "vendors": sorted({line["text"] for line in lines if line["kind"] == "vendor"}),
            "eu_notice": eu_notice_required(snapshot),
            "rule_sets": snapshot.get("rule_sets") or [],
            "performers": [
                {
                    "name": p["professional_name"],
                    "consents": [
                        {"type": c["consent_type"], "signed_at": c.get("signed_at")}
                        for c in consents.get(p["id"], [])
                    ],
                }
                for p in sorted(snapshot["performers"], key=lambda p: p["professional_name"])
            ],
            "rows": shot_map(snapshot),
        },
    )
    fetcher = data_only_fetcher()
    return weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()


def render_package(snapshot: dict, digest: str, approval: dict) -> dict[str, bytes]:
    """Every file of the package; the PDF is left out (and logged) where WeasyPrint cannot load."""
    lines = credit_lines(snapshot)
    out = {
        "txt": render_txt(snapshot, digest, lines),
        "tsv": render_tsv(snapshot, digest, lines),
        "json": canonical_json(disclosure(snapshot, digest, lines, approval)),
    }
    try:
        out["pdf"] = render_pdf(snapshot, digest, lines, approval)
    except (ImportError, OSError):
        logger.exception("WeasyPrint could not load: credits of %s have no PDF", digest)
    return out


def load_snapshot(report: Report) -> dict:
    with report.snapshot.open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


def build_package(report: Report) -> list[CreditFile]:
    """Store the credit package of an approved report, once per format; return its files.

    Formats already stored are kept as they are. When this call completes the package, the
    production's distributors are told, after commit."""
    report = Report.objects.select_related("production").get(pk=report.pk)
    if report.status != Report.Status.APPROVED or not report.digest:
        return []
    present = set(report.credit_files.values_list("format", flat=True))
    if present >= {"txt", "tsv", "json", "pdf"}:
        return list(report.credit_files.all())
    snapshot = load_snapshot(report)
    files = render_package(snapshot, report.digest, _approval(report))
    name = f"{report.production_id}/credits-v{report.version}-{report.digest[7:19]}"
    written = []
    for fmt, content in files.items():
        if fmt in present:
            continue
        try:
            with transaction.atomic():
                credit = CreditFile(report=report, format=fmt, size=len(content))
                credit.sha256 = sha256_digest(content).removeprefix("sha256:")
                credit.file.save(f"{name}.{fmt}", ContentFile(content), save=False)
                credit.save()
            written.append(fmt)
        except IntegrityError:
            pass  # another worker stored it first
    if written:
        # The package is evidence a distributor relies on: its storing is in the chain, with
        # the file digests, like the approval it follows.
        stored = {c.format: c.sha256 for c in report.credit_files.filter(format__in=written)}
        trail.record(
            actor=None,
            action="credits.stored",
            organization_id=report.production.organization_id,
            production_id=report.production_id,
            report_id=report.pk,
            target_type="report",
            target_id=str(report.pk),
            target_label=f"v{report.version}",
            changes={"digest": report.digest, "files": stored},
        )
    if written and not present:
        transaction.on_commit(lambda: notify_distributors(report.pk))
    return list(report.credit_files.all())


def notify_distributors(report_id: int) -> int:
    """Email the production's distributors that the credit package is ready (text + HTML)."""
    report = Report.objects.select_related("production").get(pk=report_id)
    recipients = sorted(
        set(
            Membership.objects.filter(
                production=report.production,
                role=Membership.Role.DISTRIBUTOR,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return 0
    context = {
        "report": report,
        "production": report.production,
        "formats": list(report.credit_files.values_list("format", flat=True)),
        "link": settings.SITE_URL + reverse("credits:production", args=[report.production_id]),
    }
    subject = render_to_string("emails/credits-ready-subject.txt", context).strip()
    text = render_to_string("emails/credits-ready-body.txt", context)
    html = render_to_string("emails/credits-ready-body.html", context)
    sent = 0
    for address in recipients:  # one message each: distributors do not see one another
        message = EmailMultiAlternatives(subject, text, None, [address])
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent


# --- Verifying ---------------------------------------------------------------------------------

HEX = re.compile(r"^[0-9a-f]{64}$")


def normalize_digest(digest: str) -> str | None:
    value = (digest or "").strip().lower().removeprefix("sha256:")
    return value if HEX.match(value) else None


def hash_chunks(chunks) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


NO_MATCH = {"matches": False, "production": None, "report": None, "version": None, "file": None}


def verify(data: bytes | None = None, digest: str | None = None) -> dict:
    """Which production, report version and file these bytes (or this digest) are, if any."""
    if data is not None:
        value = hash_chunks([data])
    else:
        value = normalize_digest(digest or "")
        if value is None:
            raise ValueError("A digest is 64 hexadecimal characters, optionally after sha256:.")
    found = (
        Rendering.objects.filter(sha256=value, format=Rendering.Format.JSON)
        .select_related("report__production")
        .order_by("id")
        .first()
    )
    report, label = (found.report, "report.json") if found else (None, None)
    if report is None:
        report = (
            Report.objects.filter(digest=f"sha256:{value}")
            .select_related("production")
            .order_by("id")
            .first()
        )
        label = "report.json" if report else None
    if report is None:
        credit = (
            CreditFile.objects.filter(sha256=value)
            .select_related("report__production")
            .order_by("id")
            .first()
        )
        if credit is not None:
            report, label = credit.report, f"credits.{credit.format}"
    if report is None:
        return {**NO_MATCH, "sha256": value}
    return {
        "matches": True,
        "production": report.production.title,
        "report": report.pk,
        "version": report.version,
        "file": label,
        "sha256": value,
    }


# --- Who reads credits -------------------------------------------------------------------------


def packages_visible_to(user):
    """Approved reports with a credit package that the user may read: the production's
    coordinators, producers, compliance admins and union reps (through the reports they may
    see), and distributors of productions shared with them."""
    if not user.is_authenticated or not user.is_active:
        return Report.objects.none()
    shared = Membership.objects.filter(user=user, role=Membership.Role.DISTRIBUTOR).values(
        "production"
    )
    readable = Report.objects.visible_to(user, hide_erased=False).values("pk")
    return (
        Report.objects.filter(status=Report.Status.APPROVED)
        .filter(Q(pk__in=readable) | Q(production__in=shared))
        .filter(Exists(CreditFile.objects.filter(report=OuterRef("pk"))))
        .select_related("production")
        .order_by("production__title", "-version")
    )


def download_response(credit: CreditFile, *, user, via: str):
    """The stored bytes of one credit file, recorded as a download, naming the report digest."""
    report = credit.report
    CreditDownload.objects.create(credit_file=credit, user=user, via=via)
    response = FileResponse(credit.file.open("rb"), content_type=CONTENT_TYPES[credit.format])
    name = " ".join(f"{report.production.title} v{report.version} credits".split())
    name = name.replace('"', "").replace("\\", "")
    response["Content-Disposition"] = f'attachment; filename="{name}.{credit.format}"'
    response["X-Report-Digest"] = report.digest
    response["X-Content-SHA256"] = credit.sha256
    response["X-Content-Type-Options"] = "nosniff"
    return response
