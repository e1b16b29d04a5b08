"""Events form one hash chain per organisation, written by trail.record."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from studio_tracker.audit import trail
from studio_tracker.audit.models import HASHED_FIELDS, AuditEvent, ChainHead
from studio_tracker.lib.canonical import canonical_json, sha256_digest

from .conftest import add_events

pytestmark = pytest.mark.django_db


def test_each_event_points_at_the_hash_of_the_one_before():
    first, second, third = add_events(1, 3)
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_seqs_run_from_one_in_each_organisation_independently():
    add_events(1, 3)
    add_events(2, 2)
    add_events(1, 1)
    by_org = {
        org: list(AuditEvent.objects.filter(organization_id=org).values_list("seq", flat=True))
        for org in (1, 2)
    }
    assert by_org == {1: [1, 2, 3, 4], 2: [1, 2]}
    assert AuditEvent.objects.get(organization_id=2, seq=1).prev_hash == ""


def test_the_chain_head_follows_the_last_event():
    *_, last = add_events(5, 4)
    head = ChainHead.objects.get(organization_id=5)
    assert (head.seq, head.hash) == (4, last.hash)


def test_an_event_stores_what_it_was_given_and_the_acting_user():
    ada = get_user_model().objects.create_user("ada")
    event = trail.record(
        actor=ada,
        action="report.approved",
        organization_id=3,
        target_type="report",
        target_id=42,
        target_label="v3",
        production_id=8,
        report_id=42,
        changes={"digest": "sha256:abc"},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.action, event.target_id, event.production_id) == (
        ada.pk,
        "report.approved",
        "42",
        8,
    )
    assert event.changes == {"digest": "sha256:abc"}


def test_a_system_event_has_no_actor():
    assert (
        trail.record(
            actor=None, action="report.compiled", organization_id=1, target_type="report"
        ).actor_id
        is None
    )


def test_the_hash_read_back_from_the_database_matches_the_one_written():
    changes = {
        "used_on": datetime.date(2026, 3, 1),
        "fee": Decimal("12.50"),
        "note": "Zoë · 東京",
        "frames": [1001, 1048],
        "ratio": 0.1,
        "whole": [1e20, -0.0, 2.0],
    }
    event = trail.record(
        actor=None,
        action="entry.updated",
        organization_id=1,
        target_type="usage_entry",
        changes=changes,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {
        "used_on": "2026-03-01",
        "fee": "12.50",
        "note": "Zoë · 東京",
        "frames": [1001, 1048],
        "ratio": 0.1,
        "whole": [10**20, 0, 2],
    }
    assert stored.compute_hash() == stored.hash == event.hash


def test_the_hash_covers_every_field_but_id_and_hash():
    # A new field must be added to HASHED_FIELDS on purpose: that changes every old event's hash.
    fields = {field.attname for field in AuditEvent._meta.concrete_fields}
    assert set(HASHED_FIELDS) == fields - {"id", "hash"}


def test_the_hash_is_sha256_of_the_canonical_fields():
    event = add_events(1, 1)[0]
    assert "sha256:" + event.hash == sha256_digest(canonical_json(event.hashed_fields()))
    event.target_label = "SH9999"
    assert event.compute_hash() != event.hash


def test_an_event_rolled_back_with_its_change_leaves_no_gap():
    add_events(1, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_events(1, 1)
        raise RuntimeError("the change it described failed")
    add_events(1, 1)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert trail.verify_chain() == []


def test_recording_costs_the_same_queries_at_event_2000_as_at_event_10():
    queries = {}
    for number in range(1, 2001):
        with CaptureQueriesContext(connection) as captured:
            trail.record(
                actor=None,
                action="shot.created",
                organization_id=1,
                target_type="shot",
                target_id=number,
            )
        if number in (10, 2000):
            queries[number] = len(captured)
    # Lock the head, insert the event, move the head.
    assert queries == {10: 3, 2000: 3}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_record_commits_the_event_and_its_head_together():
    assert not connection.in_atomic_block
    event = add_events(1, 1)[0]
    assert ChainHead.objects.get(organization_id=1).hash == event.hash


def test_field_changes_lists_old_and_new_values_of_changed_fields_only():
    before = {
        "code": "SH0010",
        "frame_in": 1001,
        "used_on": datetime.date(2026, 3, 1),
        "fee": Decimal("1.50"),
    }
    after = {
        "code": "SH0010",
        "frame_in": 1009,
        "used_on": datetime.date(2026, 3, 2),
        "fee": Decimal("1.50"),
        "reel": "A001",
    }
    assert trail.field_changes(before, after) == {
        "frame_in": [1001, 1009],
        "used_on": ["2026-03-01", "2026-03-02"],
        "reel": [None, "A001"],
    }


def test_personal_changes_names_the_fields_and_never_holds_their_values():
    before = {
        "legal_name": "Jane Roe",
        "is_minor": False,
        "union": "sag_aftra",
        "born": datetime.date(2010, 5, 4),
    }
    after = {
        "legal_name": "Jane Q. Roe",
        "is_minor": True,
        "union": "sag_aftra",
        "born": datetime.date(2010, 5, 5),
    }
    changes = trail.personal_changes(before, after)
    assert changes == {"fields": ["born", "is_minor", "legal_name"]}
    event = trail.record(
        actor=None,
        action="performer.updated",
        organization_id=1,
        target_type="performer",
        target_id=7,
        changes=changes,
    )
    stored = canonical_json(AuditEvent.objects.get(pk=event.pk).changes).decode()
    for value in ("Jane", "Roe", "2010", "true", "false"):
        assert value not in stored


def test_a_bulk_summary_counts_what_it_touched_and_hashes_the_sorted_ids():
    summary = trail.bulk_summary({"created": 2, "updated": 1}, iter([30, 10, 20, 10]))
    assert summary == {
        "counts": {"created": 2, "updated": 1},
        "touched": 3,
        "touched_sha256": sha256_digest(b"[10,20,30]"),
    }
    assert trail.bulk_summary({}, [20, 30, 10])["touched_sha256"] == summary["touched_sha256"]
