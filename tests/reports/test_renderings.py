"""The HTML and PDF renderings: drawn from the snapshot, stored once with their SHA-256, naming
the report digest, and fetching nothing while they render."""

import hashlib
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command

from studio_tracker.reports import compiler, renderings
from studio_tracker.reports.models import Rendering, Report
from tests.conftest import require

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_report(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    from django.contrib.auth import get_user_model

    from studio_tracker.productions.models import Production

    production = Production.objects.get(title="The Long Night")
    pat = get_user_model().objects.get(username="pat")
    report = compiler.request_compile(actor=pat, production=production)
    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)  # what the rendering task does next
    return Report.objects.select_related("production").get(pk=report.pk)


def snapshot_of(report) -> dict:
    import gzip

    with report.snapshot.open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


def pdf_text(content: bytes, tmp_path) -> str:
    require(
        shutil.which("pdftotext") is not None, "pdftotext missing (apt-get install poppler-utils)"
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def test_every_stored_rendering_hashes_to_its_recorded_sha256(demo_report):
    formats = set(demo_report.renderings.values_list("format", flat=True))
    assert formats == {"json", "csv", "html", "pdf"}
    for rendering in demo_report.renderings.all():
        with rendering.file.open("rb") as handle:
            content = handle.read()
        if rendering.format == "json":
            import gzip

            content = gzip.decompress(content)
        assert hashlib.sha256(content).hexdigest() == rendering.sha256
        assert len(content) == rendering.size


def test_the_pdf_is_a_pdf_and_names_the_digest(demo_report, tmp_path):
    rendering = demo_report.renderings.get(format=Rendering.Format.PDF)
    with rendering.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert demo_report.digest in text
    assert "Performer schedule" in text and "Rule sets applied" in text
    assert "E01" in text


def test_the_html_names_the_digest_and_is_self_contained(demo_report):
    rendering = demo_report.renderings.get(format=Rendering.Format.HTML)
    with rendering.file.open("rb") as handle:
        html = handle.read().decode("utf-8")
    assert demo_report.digest in html
    assert "Theo Grant" in html  # the performer schedule, from the snapshot
    assert "<link" not in html and "<script" not in html and "http://" not in html


def test_downloads_serve_the_stored_bytes_with_the_digest_header(demo_report, api):
    from django.contrib.auth import get_user_model

    pat = get_user_model().objects.get(username="pat")
    api.as_user(pat)
    for fmt in ("html", "pdf"):
        response = api.get(f"/api/v1/reports/{demo_report.pk}/download/?format={fmt}")
        assert response.status_code == 200, fmt
        body = b"".join(response.streaming_content)
        assert response["X-Report-Digest"] == demo_report.digest
        stored = demo_report.renderings.get(format=fmt)
        assert hashlib.sha256(body).hexdigest() == stored.sha256
    demo_report.renderings.filter(format="pdf").delete()
    response = api.get(f"/api/v1/reports/{demo_report.pk}/download/?format=pdf")
    assert response.status_code == 404
    assert api.get(f"/api/v1/reports/{demo_report.pk}/download/?format=xls").status_code == 400


def test_the_renderings_come_from_the_snapshot_not_live_rows(demo_report):
    from studio_tracker.productions import changes

    snapshot = snapshot_of(demo_report)
    before = renderings.render_html(snapshot, demo_report.digest, {"findings": []})
    changes.update_production(demo_report.production, actor=None, title="Renamed afterwards")
    after = renderings.render_html(snapshot, demo_report.digest, {"findings": []})
    assert before == after
    assert b"Renamed afterwards" not in after


def test_the_url_fetcher_refuses_everything_but_data_urls():
    pytest.importorskip("weasyprint")
    fetcher = renderings.data_only_fetcher()
    for url in ("http://example.com/font.woff", "https://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"


def test_a_pdf_with_remote_references_fetches_nothing(monkeypatch):
    weasyprint = pytest.importorskip("weasyprint")
    asked = []
    fetcher = renderings.data_only_fetcher()
    original = fetcher.fetch

    def spy(url, headers=None):
        asked.append(url)
        return original(url, headers)

    monkeypatch.setattr(fetcher, "fetch", spy)
    html = '<img src="http://127.0.0.1:9/x.png"><p>Hello</p>'
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert asked == ["http://127.0.0.1:9/x.png"]  # asked, and refused


def test_the_register_in_the_pdf_stops_at_2000_rows_and_points_to_the_csv(
    demo_report, tmp_path, monkeypatch
):
    snapshot = snapshot_of(demo_report)
    template = next(e for e in snapshot["entries"] if e["disposition"].startswith("final"))
    snapshot["entries"] = [{**template, "id": 100000 + n} for n in range(2050)]
    context = renderings.report_context(
        snapshot, "sha256:" + "0" * 64, [], per_rule=5, register_limit=2000, csv_sha256="ab" * 32
    )
    assert len(context["register"]) == 2000
    assert context["register_left_out"] == 50

    # The same cap, drawn: a smaller one keeps the test quick (2,000 rows take ~20 s).
    monkeypatch.setattr(renderings, "REGISTER_LIMIT", 40)
    snapshot["entries"] = snapshot["entries"][:45]
    pdf = renderings.render_pdf(snapshot, "sha256:" + "0" * 64, [], csv_sha256="ab" * 32)
    text = pdf_text(pdf, tmp_path)
    words = " ".join(text.split())
    assert "The first 40 of 45 rows are listed here." in words
    assert "The remaining 5 are in the report's CSV" in words
    assert "ab" * 32 in text.replace("\n", "").replace(" ", "")
