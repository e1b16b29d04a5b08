"""Compliance admins add or take out a production's rule sets, with a reason; reports follow."""

import pytest

from studio_tracker.audit.models import AuditEvent
from studio_tracker.reports import compiler, rule_choices
from studio_tracker.reports.models import ProductionRuleSet, RuleSet

pytestmark = pytest.mark.django_db


def codes(report):
    import gzip
    import json

    with report.snapshot.open("rb") as handle:
        return [rs["code"] for rs in json.loads(gzip.decompress(handle.read()))["rule_sets"]]


def test_the_rule_sets_are_seeded_by_a_migration():
    assert set(RuleSet.objects.values_list("code", flat=True)) >= {
        "SAG_AFTRA_TVTH_2023",
        "SAG_AFTRA_TVTH_2026",
        "WGA_MBA_2023",
        "DGA_BA_2023",
        "EU_AIA_ART50",
        "NFLX_GENAI_2025",
        "USCO_2023",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [("cam", 200), ("pat", 200), ("cora", 200), ("uma", 404), ("dina", 404), ("olga", 404)],
)
def test_who_reads_the_rule_set_page(client, cast, name, expected):
    client.force_login(getattr(cast, name))
    assert client.get(f"/productions/{cast.production_a.pk}/rule-sets/").status_code == expected


@pytest.mark.parametrize(("name", "expected"), [("pat", 403), ("cora", 403), ("olga", 404)])
def test_only_compliance_admins_change_them(client, cast, name, expected):
    client.force_login(getattr(cast, name))
    dga = RuleSet.objects.get(code="DGA_BA_2023")
    response = client.post(
        f"/productions/{cast.production_a.pk}/rule-sets/",
        {"rule_set": dga.pk, "choice": "add", "reason": "x"},
    )
    assert response.status_code == expected
    assert not ProductionRuleSet.objects.exists()


def test_an_added_and_a_removed_rule_set_shape_the_next_report(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.cam)
    page = f"/productions/{cast.production_a.pk}/rule-sets/"
    dga = RuleSet.objects.get(code="DGA_BA_2023")
    wga = RuleSet.objects.get(code="WGA_MBA_2023")
    client.post(page, {"rule_set": dga.pk, "choice": "add", "reason": "Director is a DGA member"})
    client.post(page, {"rule_set": wga.pk, "choice": "remove", "reason": "No writers on this one"})
    html = client.get(page).content.decode()
    assert "Added by cam: Director is a DGA member" in html
    assert "Taken out by cam: No writers on this one" in html

    report = compiler.request_compile(actor=cast.pat, production=cast.production_a)
    compiler.compile_report(report.pk)
    report.refresh_from_db()
    assert "DGA_BA_2023" in codes(report)
    assert "WGA_MBA_2023" not in codes(report)
    assert AuditEvent.objects.filter(action="rule_set.added", target_label="DGA_BA_2023").exists()

    rule_choices.choose(cast.production_a, actor=cast.cam, rule_set=dga, include=None)
    report = type(report).objects.select_related("production").get(pk=report.pk)
    assert report.stale  # a choice changes what the reports check


def test_a_choice_without_a_reason_is_refused_with_a_message(client, cast):
    client.force_login(cast.cam)
    dga = RuleSet.objects.get(code="DGA_BA_2023")
    response = client.post(
        f"/productions/{cast.production_a.pk}/rule-sets/",
        {"rule_set": dga.pk, "choice": "add", "reason": " "},
        follow=True,
    )
    assert "Say why" in response.content.decode()
    assert not ProductionRuleSet.objects.exists()
