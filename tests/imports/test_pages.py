"""The import pages: upload, preview, apply; who sees the link and the pages."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studio_tracker.imports.models import Import
from studio_tracker.productions.models import Shot

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_the_production_page_links_to_import_for_editors_only(client, cast):
    client.force_login(cast.cora)
    assert (
        "Import shot list" in client.get(f"/productions/{cast.production_a.pk}/").content.decode()
    )
    client.force_login(cast.uma)
    assert (
        "Import shot list"
        not in client.get(f"/productions/{cast.production_a.pk}/").content.decode()
    )


def test_upload_preview_apply(client, cast):
    client.force_login(cast.cora)
    data = (FIXTURES / "excel_shots_semicolon.csv").read_bytes()
    response = client.post(
        f"/productions/{cast.production_a.pk}/imports/new/",
        {"file": SimpleUploadedFile("shots.csv", data), "kind": "shots", "format": ""},
    )
    record = Import.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{record.pk}/"
    page = client.get(response.url).content.decode()
    assert "Preview of shots.csv" in page and "Shot 001 is already on line 2." in page
    assert "Apply import" in page
    assert not Shot.objects.filter(code="001").exists()
    client.post(f"/imports/{record.pk}/apply/")
    assert Shot.objects.filter(production=cast.production_a, code="001").exists()
    record.refresh_from_db()
    assert record.status == "applied"


def test_a_refused_file_shows_why(client, cast):
    client.force_login(cast.cora)
    response = client.post(
        f"/productions/{cast.production_a.pk}/imports/new/",
        {"file": SimpleUploadedFile("cut.fcpxml", b"<fcpxml/>"), "kind": "shots"},
    )
    assert response.status_code == 200
    assert "Final Cut Pro 7 XML" in response.content.decode()


@pytest.mark.parametrize(("name", "status"), [("uma", 403), ("dina", 404), ("olga", 404)])
def test_who_may_open_the_upload_page(client, cast, name, status):
    client.force_login(getattr(cast, name))
    assert client.get(f"/productions/{cast.production_a.pk}/imports/new/").status_code == status
