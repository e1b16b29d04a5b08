"""verify_chain and `manage.py verify_audit_log` find edited, deleted and reordered events."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent, ChainHead

from .conftest import add_events

pytestmark = pytest.mark.django_db


def first_problem(organization_id=None):
    problems = trail.verify_chain(organization_id)
    assert problems, "the tampering went unnoticed"
    return problems[0]


def test_an_untouched_log_verifies_clean():
    add_events(1, 5)
    add_events(2, 3)
    assert trail.verify_chain() == []
    assert trail.verify_chain(organization_id=2) == []


def test_an_edited_event_is_found_by_its_hash(tamper):
    events = add_events(1, 5)
    tamper("UPDATE {table} SET target_label = %s WHERE id = %s", "SH9999", events[2].pk)
    problems = trail.verify_chain()
    assert [(p.organization_id, p.seq, p.event_id) for p in problems] == [(1, 3, events[2].pk)]
    assert "edited" in problems[0].message


def test_an_edited_change_payload_is_found_too(tamper):
    events = add_events(1, 3, changes={"frame_in": [1001, 1009]})
    tamper(
        "UPDATE {table} SET changes = %s WHERE id = %s", '{"frame_in": [1001, 1010]}', events[1].pk
    )
    assert (first_problem().seq, first_problem().event_id) == (2, events[1].pk)


def test_a_deleted_event_in_the_middle_leaves_a_gap(tamper):
    events = add_events(1, 5)
    tamper("DELETE FROM {table} WHERE id = %s", events[2].pk)
    problem = first_problem()
    assert (problem.seq, problem.event_id) == (4, events[3].pk)
    assert "expected seq 3" in problem.message


def test_deleting_the_last_event_is_caught_by_the_chain_head(tamper):
    events = add_events(1, 5)
    tamper("DELETE FROM {table} WHERE id = %s", events[4].pk)
    problem = first_problem()
    assert (problem.seq, problem.event_id) == (5, None)
    assert "removed from the end" in problem.message


def test_swapping_two_events_places_in_the_chain_is_caught(tamper):
    events = add_events(1, 5)
    third, fourth = events[2], events[3]
    # Through a spare value: (organization_id, seq) stays unique at every step.
    tamper("UPDATE {table} SET seq = %s WHERE id = %s", 1000, third.pk)
    tamper("UPDATE {table} SET seq = %s WHERE id = %s", 3, fourth.pk)
    tamper("UPDATE {table} SET seq = %s WHERE id = %s", 4, third.pk)
    problem = first_problem()
    assert (problem.seq, problem.event_id) == (3, fourth.pk)


@pytest.mark.breaks_audit_chain
def test_an_event_slipped_in_behind_the_chain_head_is_caught():
    *_, last = add_events(1, 3)
    forged = AuditEvent(
        organization_id=1, seq=4, action="shot.deleted", target_type="shot", prev_hash=last.hash
    )
    forged.hash = forged.compute_hash()
    forged.save()  # the model allows inserts; only trail.record moves the head
    problem = first_problem()
    assert (problem.seq, "behind the chain head" in problem.message) == (4, True)


@pytest.mark.breaks_audit_chain
def test_a_removed_chain_head_is_caught():
    add_events(1, 2)
    ChainHead.objects.filter(organization_id=1).delete()
    assert "no head" in first_problem().message


def test_only_the_organisation_asked_for_is_checked(tamper):
    events = add_events(1, 3)
    add_events(2, 3)
    tamper("DELETE FROM {table} WHERE id = %s", events[1].pk)
    assert trail.verify_chain(organization_id=2) == []
    assert first_problem(organization_id=1).organization_id == 1


def test_the_command_reports_an_intact_log_and_exits_0():
    add_events(1, 4)
    add_events(2, 3)
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert out.getvalue().strip() == "audit log intact: 7 events in 2 chains"
    out = StringIO()
    call_command("verify_audit_log", "--organization", "2", stdout=out)
    assert out.getvalue().strip() == "audit log intact: 3 events in 1 chains"


def test_the_command_names_the_first_bad_event_and_fails(tamper):
    add_events(1, 3)
    events = add_events(2, 6)
    tamper("UPDATE {table} SET action = %s WHERE id = %s", "shot.updated", events[1].pk)
    tamper("DELETE FROM {table} WHERE id = %s", events[4].pk)
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_log", stdout=StringIO())
    message = str(failure.value)
    assert f"organisation 2, seq 2, event {events[1].pk}: " in message
    assert "edited" in message
    assert "1 more problem after it" in message
    assert failure.value.returncode != 0
