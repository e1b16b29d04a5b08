"""After an erasure, report versions frozen before it stay unchanged as the legal record, for the
organisation's compliance admins only; a new version compiles without the erased data.

Credits of those versions stay readable by their usual readers: they carry the professional name
as billed on screen (DOMAIN.md F3), not the legal name, contact, pay or documents that erasure
removes, and a distributor keeps the package it was delivered (SECURITY.md says so too).
"""

import gzip
import hashlib

import pytest

from studio_tracker.reports import compiler, credits, review
from studio_tracker.reports.models import Report
from tests.usage.conftest import LEGAL_NAME, PROFESSIONAL_NAME

pytestmark = pytest.mark.django_db


def compiled(cast, actor=None) -> Report:
    report = compiler.request_compile(actor=actor or cast.pat, production=cast.production_a)
    assert compiler.compile_report(report.pk) is True
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def frozen(cast, evidence, media):
    """Version 1, naming the performer, submitted, approved and with its credit package."""
    report = compiled(cast)
    review.submit(report, actor=cast.pat)
    review.approve(report, actor=cast.cam, override_reason="Signed off by legal for the test.")
    report = Report.objects.get(pk=report.pk)
    assert credits.build_package(report)
    return report


def stored_bytes(report: Report) -> dict[str, str]:
    """The SHA-256 of every stored file of the version: snapshot, renderings, credits."""
    files = {"snapshot": report.snapshot}
    files |= {f"rendering.{r.format}": r.file for r in report.renderings.all()}
    files |= {f"credit.{c.format}": c.file for c in report.credit_files.all()}
    digests = {}
    for name, field in files.items():
        with field.open("rb") as handle:
            digests[name] = hashlib.sha256(handle.read()).hexdigest()
    return digests


def json_of(report: Report) -> str:
    with report.snapshot.open("rb") as handle:
        return gzip.decompress(handle.read()).decode("utf-8")


def erase(api, cast, performer):
    response = api.as_user(cast.cam).post(
        f"/api/v1/performers/{performer.pk}/erase/",
        {"confirmation": PROFESSIONAL_NAME},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_the_frozen_version_is_kept_byte_for_byte(api, cast, evidence, frozen):
    assert PROFESSIONAL_NAME in json_of(frozen)
    before = stored_bytes(frozen)
    digest, findings = frozen.digest, frozen.findings.count()
    erase(api, cast, evidence.performer)
    after = Report.objects.get(pk=frozen.pk)
    assert stored_bytes(after) == before
    assert (after.digest, after.findings.count(), after.status) == (digest, findings, "approved")
    assert "sha256:" + hashlib.sha256(json_of(after).encode()).hexdigest() == after.digest


def test_compliance_admins_still_read_and_download_it(api, client, cast, evidence, frozen):
    erase(api, cast, evidence.performer)
    api.as_user(cast.cam)
    assert api.get(f"/api/v1/reports/{frozen.pk}/").status_code == 200
    download = api.get(f"/api/v1/reports/{frozen.pk}/download/?format=json")
    assert download.status_code == 200
    assert PROFESSIONAL_NAME in download.content.decode()
    client.force_login(cast.cam)
    page = client.get(f"/reports/{frozen.pk}/")
    assert page.status_code == 200
    assert "kept unchanged as the legal record, for compliance admins only" in page.content.decode()


@pytest.mark.parametrize("name", ["pat", "cora", "uma"])
def test_everyone_else_gets_404_for_the_version(api, client, cast, evidence, frozen, name):
    user = getattr(cast, name)
    assert api.as_user(user).get(f"/api/v1/reports/{frozen.pk}/").status_code == 200
    erase(api, cast, evidence.performer)
    api.as_user(user)
    assert api.get(f"/api/v1/reports/{frozen.pk}/").status_code == 404
    assert api.get(f"/api/v1/reports/{frozen.pk}/download/?format=json").status_code == 404
    assert api.get(f"/api/v1/reports/{frozen.pk}/findings/").status_code == 404
    listed = api.get(f"/api/v1/reports/?production={cast.production_a.pk}").json()
    assert frozen.pk not in [r["id"] for r in listed["results"]]
    client.force_login(user)
    assert client.get(f"/reports/{frozen.pk}/").status_code == 404
    assert client.get(f"/reports/{frozen.pk}/download/json/").status_code == 404


@pytest.mark.parametrize("name", ["pat", "uma", "dina"])
def test_its_credits_stay_with_their_readers(api, cast, evidence, frozen, name):
    erase(api, cast, evidence.performer)
    api.as_user(getattr(cast, name))
    listed = api.get("/api/v1/credits/").json()["results"]
    assert frozen.pk in [c["id"] for c in listed]
    txt = api.get(f"/api/v1/credits/{frozen.pk}/download/?format=txt")
    assert txt.status_code == 200
    assert LEGAL_NAME not in b"".join(txt.streaming_content).decode()


def test_a_new_version_compiles_without_the_erased_data(api, cast, evidence, frozen):
    erase(api, cast, evidence.performer)
    frozen = Report.objects.get(pk=frozen.pk)
    assert frozen.stale
    response = api.as_user(cast.pat).post(
        "/api/v1/reports/", {"production": cast.production_a.pk}, format="json"
    )
    assert response.status_code == 202, response.content
    assert compiler.compile_report(response.json()["id"]) is True
    fresh = Report.objects.get(pk=response.json()["id"])
    assert fresh.version == frozen.version + 1
    body = api.as_user(cast.pat).get(f"/api/v1/reports/{fresh.pk}/download/?format=json")
    assert body.status_code == 200
    text = body.content.decode()
    assert LEGAL_NAME not in text
    assert PROFESSIONAL_NAME not in text
    assert f"Erased performer #{evidence.performer.pk}" in text
    # The new version still sees the use and the consent it relies on.
    assert f'"performer_id":{evidence.performer.pk}' in text


def test_versions_compiled_after_the_erasure_are_not_hidden(api, cast, evidence, frozen):
    erase(api, cast, evidence.performer)
    fresh = compiled(cast)
    assert list(Report.objects.holding_erased_data()) == [frozen]
    assert api.as_user(cast.pat).get(f"/api/v1/reports/{fresh.pk}/").status_code == 200
