"""Verify: a file or a digest says which production, report version and file it is — or that it
matches nothing. Public: no login."""

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from studio_tracker.productions.models import Production
from studio_tracker.reports import compiler, credits
from studio_tracker.reports.models import Report


@pytest.fixture
def package(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--no-reports")
    from django.contrib.auth import get_user_model

    production = Production.objects.get(title="The Long Night")
    pat = get_user_model().objects.get(username="pat")
    report = compiler.request_compile(actor=pat, production=production)
    assert compiler.compile_report(report.pk)
    Report.objects.filter(pk=report.pk).update(status="approved")
    report = Report.objects.get(pk=report.pk)
    credits.build_package(report)
    return report


def stored(credit) -> bytes:
    with credit.file.open("rb") as handle:
        return handle.read()


def report_json(report) -> bytes:
    with report.snapshot.open("rb") as handle:
        return gzip.decompress(handle.read())


def test_each_credit_file_matches_its_production_version_and_file(package, api):
    for credit in package.credit_files.all():
        upload = SimpleUploadedFile(f"x.{credit.format}", stored(credit))
        body = api.post("/api/v1/credits/verify/", {"file": upload}, format="multipart").json()
        assert body["matches"] is True
        assert body["production"] == "The Long Night"
        assert (body["report"], body["version"]) == (package.pk, package.version)
        assert body["file"] == f"credits.{credit.format}"


def test_one_changed_byte_matches_nothing(package, api):
    data = bytearray(stored(package.credit_files.get(format="txt")))
    data[10] ^= 0x01
    upload = SimpleUploadedFile("x.txt", bytes(data))
    body = api.post("/api/v1/credits/verify/", {"file": upload}, format="multipart").json()
    assert body["matches"] is False
    assert body["production"] is None and body["version"] is None
    assert credits.verify(data=bytes(data))["matches"] is False


def test_the_report_json_download_matches_by_bytes_and_by_digest(package, api):
    from django.contrib.auth import get_user_model

    pat = get_user_model().objects.get(username="pat")
    data = api.as_user(pat).get(f"/api/v1/reports/{package.pk}/download/?format=json").content
    assert data == report_json(package)
    api.logout()
    upload = SimpleUploadedFile("report.json", data)
    by_bytes = api.post("/api/v1/credits/verify/", {"file": upload}, format="multipart").json()
    by_digest = api.post("/api/v1/credits/verify/", {"digest": package.digest}).json()
    bare = api.post("/api/v1/credits/verify/", {"digest": package.digest[7:].upper()}).json()
    for body in (by_bytes, by_digest, bare):
        assert body["matches"] is True
        assert (body["version"], body["file"]) == (package.version, "report.json")


def test_a_credit_file_matches_by_digest_and_a_bad_digest_is_refused(package, api):
    credit = package.credit_files.get(format="json")
    body = api.post("/api/v1/credits/verify/", {"digest": f"sha256:{credit.sha256}"}).json()
    assert body["matches"] is True and body["file"] == "credits.json"
    assert api.post("/api/v1/credits/verify/", {"digest": "sha256:nothex"}).status_code == 400
    assert api.post("/api/v1/credits/verify/", {}).status_code == 400
    unknown = api.post("/api/v1/credits/verify/", {"digest": "0" * 64}).json()
    assert unknown["matches"] is False


def test_the_public_verify_page(package, client):
    assert client.get("/verify/").status_code == 200
    credit = package.credit_files.get(format="tsv")
    page = client.post("/verify/", {"file": SimpleUploadedFile("c.tsv", stored(credit))})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Match." in text and "The Long Night" in text and f"version {package.version}" in text
    changed = stored(credit)[:-1] + b"?"
    text = client.post("/verify/", {"file": SimpleUploadedFile("c.tsv", changed)}).content.decode()
    assert "No match." in text
    text = client.post("/verify/", {"digest": package.digest}).content.decode()
    assert "report.json" in text
    assert "64 hexadecimal" in client.post("/verify/", {"digest": "abc"}).content.decode()
