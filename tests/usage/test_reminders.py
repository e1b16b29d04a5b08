"""Producers hear each morning about consents that are ending or revoked under live uses."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from studio_tracker.usage import consents, entries, performers, reminders, tasks, tools

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


@pytest.fixture
def marion(cast):
    return performers.create_performer(
        actor=None,
        organization=cast.northlight,
        legal_name="Marion Hale",
        professional_name="Marion Hale",
    )


def consent(cast, performer, **fields):
    return consents.record_consent(
        actor=None,
        production=cast.production_a,
        performer=performer,
        consent_type="ebdr_use",
        use_description="De-aging in the 1994 flashbacks of The Long Night only.",
        **fields,
    )


def test_a_consent_ending_within_two_weeks_is_emailed_to_the_producers(cast, marion):
    consent(cast, marion, valid_until=TODAY + timedelta(days=10))
    consent(cast, marion, valid_until=TODAY + timedelta(days=40))  # not yet
    assert reminders.send_consent_reminders(TODAY) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.com"]
    assert "The Long Night" in message.subject
    assert "Marion Hale" in message.body
    assert "5 December 2026" in message.body
    assert "40" not in message.body


def test_a_revoked_consent_that_uses_rely_on_is_emailed(cast, marion):
    held = consent(cast, marion)
    tool = tools.add_tool(
        actor=None, organization=cast.northlight, name="Metaphysic Live", vendor="Metaphysic"
    )
    entries.log_usage(
        actor=None,
        production=cast.production_a,
        shot=cast.shot_a,
        department="vfx",
        category="deaging",
        modality="video",
        tool=tool,
        disposition="final_key",
        replica_kind="ebdr",
        used_on=TODAY,
        performers=[{"performer": marion, "consent": held}],
    )
    consents.revoke_consent(held, actor=cast.pat, revoked_at=timezone.now())
    tasks.send_consent_reminders.apply()  # the beat task, run in-process
    assert len(mail.outbox) == 1
    assert "Revoked, but uses still rely on them" in mail.outbox[0].body


def test_nothing_to_report_sends_nothing(cast, marion):
    consent(cast, marion, valid_until=TODAY + timedelta(days=100))
    assert reminders.send_consent_reminders(TODAY) == 0
    assert mail.outbox == []
