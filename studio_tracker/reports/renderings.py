"""The report's readable renderings (HTML and PDF), and serving any stored rendering.

Both are drawn from the frozen snapshot and the findings list alone, never from live rows, so a
rendering says what the version's JSON says. Each names the report digest in its content (a
header line, and in the PDF a footer on every page); the compiler stores each once with its own
SHA-256, and every download carries the digest in ``X-Report-Digest``.

WeasyPrint needs Pango from the system, so it is imported inside ``render_pdf``: the app starts
where it is missing, and only the PDF fails, clearly. It fetches nothing: its URL fetcher refuses
every URL except ``data:`` (no remote fonts or images, no ``file://`` reads of the worker's disk).
"""

import gzip
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

from studio_tracker.lib.canonical import sha256_digest
from studio_tracker.usage.choices import FINAL_DISPOSITIONS

from . import findings as rules

logger = logging.getLogger(__name__)

REGISTER_LIMIT = 2000  # final-picture rows in the PDF; the CSV has them all
FINDINGS_PER_RULE = {"html": 200, "pdf": 25}  # the report page and the JSON have them all
STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "report-pdf.css"
SEVERITIES = ("blocking", "warning", "info")


# --- Rendering --------------------------------------------------------------------------------


def render_all(data: bytes, digest: str, found: list[dict], csv_sha256: str) -> dict[str, bytes]:
    """The HTML and PDF renderings of one compiled version, from its canonical JSON bytes.

    A worker without Pango still stores the report, its JSON, CSV and HTML; the PDF is then
    missing (the report page says so) and the reason is logged."""
    snapshot = json.loads(data)
    meta = {"findings": found, "csv_sha256": csv_sha256}
    out = {"html": render_html(snapshot, digest, meta)}
    try:
        out["pdf"] = render_pdf(snapshot, digest, found, csv_sha256=csv_sha256)
    except (ImportError, OSError):
        logger.exception("WeasyPrint could not load: report %s has no PDF", digest)
    return out


def render_html(snapshot: dict, digest: str, report_meta: dict) -> bytes:
    """A self-contained HTML report (its stylesheet inline, nothing fetched)."""
    context = report_context(
        snapshot,
        digest,
        report_meta.get("findings") or [],
        per_rule=FINDINGS_PER_RULE["html"],
        register_limit=None,
        csv_sha256=report_meta.get("csv_sha256"),
    )
    context["stylesheet"] = STYLESHEET.read_text(encoding="utf-8")
    context["for_pdf"] = False
    return render_to_string("reports/rendering.html", context).encode("utf-8")


def render_pdf(
    snapshot: dict, digest: str, findings: list[dict], *, csv_sha256: str | None = None
) -> bytes:
    """The PDF: summary, findings grouped by rule, performer schedule, rule sets, and the register
    of final-picture uses (the first 2,000 rows; the CSV, named with its hash, has the rest)."""
    import weasyprint  # here, not at the top: the app starts where Pango is missing

    if csv_sha256 is None:
        from .compiler import register_csv

        csv_sha256 = sha256_digest(register_csv(snapshot, digest)).removeprefix("sha256:")
    context = report_context(
        snapshot,
        digest,
        findings,
        per_rule=FINDINGS_PER_RULE["pdf"],
        register_limit=REGISTER_LIMIT,
        csv_sha256=csv_sha256,
    )
    context["for_pdf"] = True
    html = render_to_string("reports/rendering.html", context)
    fetcher = data_only_fetcher()
    stylesheet = weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    return weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        stylesheets=[stylesheet]
    )


def data_only_fetcher():
    """A WeasyPrint URL fetcher that fetches ``data:`` URLs and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                raise ValueError(f"Refused to fetch {url[:80]!r}: a report fetches nothing.")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols=("data",), allow_redirects=False)


# --- What both renderings show ----------------------------------------------------------------


def report_context(
    snapshot: dict,
    digest: str,
    findings: list[dict],
    *,
    per_rule: int,
    register_limit: int | None,
    csv_sha256: str | None,
) -> dict:
    from .compiler import summarize  # the compiler imports this module

    production = snapshot["production"]
    shots = {shot["id"]: shot for shot in snapshot["shots"]}
    tools = {tool["id"]: tool for tool in snapshot["tools"]}
    performers = {p["id"]: p for p in snapshot["performers"]}
    entries = snapshot["entries"]
    final = [e for e in entries if e["disposition"] in FINAL_DISPOSITIONS]
    shown = final if register_limit is None else final[:register_limit]
    register = [
        {
            "id": e["id"],
            "shot": shots.get(e["shot_id"], {}).get("code", "") if e["shot_id"] else "",
            "record": _record_range(shots.get(e["shot_id"])),
            "category": e["category"],
            "tool": _tool_label(tools.get(e["tool_id"]), e["tool_version"]),
            "generation_kind": e["generation_kind"],
            "disposition": e["disposition"],
            "replica_kind": e["replica_kind"],
            "performers": ", ".join(
                performers.get(link["performer_id"], {}).get("professional_name", "?")
                for link in e["performers"]
            ),
            "iptc": e["iptc_source_type"],
        }
        for e in shown
    ]
    return {
        "digest": digest,
        "production": production,
        "scope": snapshot["scope"],
        "version": snapshot["report"]["version"],
        "counts": summarize(snapshot, findings),
        "finding_groups": group_findings(findings, per_rule),
        "findings_total": len(findings),
        "performer_schedule": performer_schedule(snapshot),
        "clearances": snapshot["clearances"],
        "tools": snapshot["tools"],
        "rule_sets": snapshot["rule_sets"],
        "register": register,
        "register_total": len(final),
        "register_left_out": len(final) - len(shown),
        "csv_sha256": csv_sha256,
    }


def group_findings(findings: list[dict], per_rule: int) -> list[dict]:
    """Findings by severity, then rule, with counts; each group lists its first ``per_rule``."""
    groups: dict[tuple[str, str], dict] = {}
    for finding in findings:
        key = (finding["severity"], finding["rule"])
        group = groups.get(key)
        if group is None:
            rule = rules.RULES.get(finding["rule"])
            group = groups[key] = {
                "severity": finding["severity"],
                "rule": finding["rule"],
                "title": rule.title if rule else "",
                "count": 0,
                "items": [],
            }
        group["count"] += 1
        if len(group["items"]) < per_rule:
            group["items"].append({**finding, "entity_label": entity_label(finding)})
    order = {severity: n for n, severity in enumerate(SEVERITIES)}
    ordered = sorted(groups.values(), key=lambda g: (order.get(g["severity"], 9), g["rule"]))
    for group in ordered:
        group["left_out"] = group["count"] - len(group["items"])
    return ordered


ENTITY_NOUNS = {"usage_entry": "Use", "consent": "Consent", "production": "Production"}


def entity_label(finding: dict) -> str:
    """What a finding is about, in words: "Use #13", "Consent #4", "Production"."""
    noun = ENTITY_NOUNS.get(finding.get("entity_type") or "", finding.get("entity_type") or "—")
    if finding.get("entity_id") and finding.get("entity_type") != "production":
        return f"{noun} #{finding['entity_id']}"
    return noun


def performer_schedule(snapshot: dict) -> list[dict]:
    """Per performer: their uses (by replica kind) and the consents on file for them."""
    uses: dict[int, Counter] = defaultdict(Counter)
    for entry in snapshot["entries"]:
        for link in entry["performers"]:
            uses[link["performer_id"]][entry["replica_kind"] or entry["category"]] += 1
    consents: dict[int, list] = defaultdict(list)
    for consent in snapshot["consents"]:
        consents[consent["performer_id"]].append(consent)
    return [
        {
            "performer": performer,
            "uses": sorted(uses[performer["id"]].items()),
            "use_count": sum(uses[performer["id"]].values()),
            "consents": consents[performer["id"]],
        }
        for performer in sorted(snapshot["performers"], key=lambda p: p["professional_name"])
    ]


def _record_range(shot: dict | None) -> str:
    if not shot or not shot.get("record_in"):
        return ""
    return f"{shot['record_in']}\N{EN DASH}{shot.get('record_out') or '?'}"


def _tool_label(tool: dict | None, version: str) -> str:
    if tool is None:
        return ""
    return f"{tool['name']} {version}".strip()


# --- Serving ----------------------------------------------------------------------------------

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def download_response(report, fmt: str):
    """The stored bytes of one rendering, as an attachment naming the report digest.

    The JSON is the snapshot's exact bytes (hash them to check the digest); the others are the
    files stored at compile time. Http404 when this version has no such file."""
    if fmt not in CONTENT_TYPES or not report.digest:
        raise Http404("No such file for this report.")
    if fmt == "json":
        with report.snapshot.open("rb") as handle:
            response = HttpResponse(gzip.decompress(handle.read()), content_type=CONTENT_TYPES[fmt])
    else:
        rendering = report.renderings.filter(format=fmt).first()
        if rendering is None:
            raise Http404(f"No {fmt.upper()} for this report.")
        response = FileResponse(rendering.file.open("rb"), content_type=CONTENT_TYPES[fmt])
        response["X-Content-SHA256"] = rendering.sha256
    # Line breaks (or any other whitespace run) in a title would make the header invalid: a 500.
    name = " ".join(f"{report.production.title} v{report.version}".split())
    name = name.replace('"', "").replace("\\", "")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Report-Digest"] = report.digest
    response["X-Content-Type-Options"] = "nosniff"
    return response
