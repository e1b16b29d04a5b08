"""`seed_demo` builds a believable organisation, once, however often it runs."""

import pytest
from django.core.management import call_command

from studio_tracker.audit import trail
from studio_tracker.productions.models import Membership, Production, Shot

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_feature_a_series_and_one_user_per_role(capsys):
    call_command("seed_demo", "--shots", "120")
    out = capsys.readouterr().out
    assert "password for all" in out
    for login in ("cam", "pat", "cora", "uma", "ugo", "dina", "dex", "olga"):
        assert f"  {login} " in out
    feature = Production.objects.get(title="The Long Night")
    series = Production.objects.get(title="Harbour Lights")
    assert feature.shots.count() == 120
    assert series.episodes.count() == 2
    assert series.shots.filter(episode__code="EP101").exists()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles >= {"coordinator", "producer", "compliance_admin", "union_rep", "distributor"}
    assert Shot.objects.filter(code="LN_SQ010_SH0010", frames__gt=0).exists()


def test_running_it_twice_adds_nothing_and_keeps_the_chain_intact():
    call_command("seed_demo", "--shots", "50")
    counts = (Shot.objects.count(), Membership.objects.count(), Production.objects.count())
    call_command("seed_demo", "--shots", "50")
    assert (Shot.objects.count(), Membership.objects.count(), Production.objects.count()) == counts
    assert trail.verify_chain() == []


def test_if_empty_leaves_a_used_database_alone(capsys):
    call_command("seed_demo", "--shots", "10")
    call_command("seed_demo", "--if-empty", "--shots", "500")
    assert Shot.objects.filter(production__title="The Long Night").count() == 10
    assert "not loaded again" in capsys.readouterr().out


def test_the_demo_has_an_approved_report_with_credits_and_a_submitted_one_with_an_answered_audit_finding(
    settings, tmp_path
):
    from studio_tracker.reports.models import AuditFinding, CreditFile, Report

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    approved = Report.objects.get(production__title="The Long Night")
    assert approved.status == "approved"
    assert approved.findings.filter(severity="blocking").exclude(override_reason="").exists()
    assert set(CreditFile.objects.filter(report=approved).values_list("format", flat=True)) >= {
        "txt",
        "tsv",
        "json",
    }
    submitted = Report.objects.get(production__title="Harbour Lights")
    assert submitted.status == "submitted"
    finding = AuditFinding.objects.get(report=submitted)
    assert (finding.status, finding.rule) == ("answered", "E36")
    call_command("seed_demo")  # twice: nothing new
    assert Report.objects.count() == 2
