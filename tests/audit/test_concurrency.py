"""Two writers appending to one organisation's chain at once never share or skip a seq."""

import threading

import pytest
from django.db import connection, transaction

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent
from tests.conftest import require

EVENTS_PER_WRITER = 50


def write_events(name: str, start: threading.Barrier, errors: list) -> None:
    try:
        start.wait(timeout=10)
        for number in range(EVENTS_PER_WRITER):
            with transaction.atomic():
                trail.record(
                    actor=None,
                    action="shot.created",
                    organization_id=7,
                    target_type="shot",
                    target_id=f"{name}-{number}",
                )
    except Exception as error:  # reported by the test, not lost in the thread
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_writers_on_one_organisation_get_every_seq_exactly_once():
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: SQLite runs one writer at a time, so there is no race to lose",
    )
    start, errors = threading.Barrier(2), []
    writers = [threading.Thread(target=write_events, args=(name, start, errors)) for name in "ab"]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert errors == []
    seqs = list(AuditEvent.objects.filter(organization_id=7).values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * EVENTS_PER_WRITER + 1))
    assert trail.verify_chain() == []
