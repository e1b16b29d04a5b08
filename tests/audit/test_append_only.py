"""Nothing changes or removes an audit event: not the model, not a QuerySet, not raw SQL on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from studio_tracker.audit.models import AuditEvent, AuditLogIsAppendOnly
from tests.conftest import require

from .conftest import add_events

pytestmark = pytest.mark.django_db


def test_saving_an_existing_event_is_refused():
    event = add_events(1, 1)[0]
    event.target_label = "SH9999"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).target_label == "SH0001"


def test_deleting_an_event_is_refused():
    event = add_events(1, 1)[0]
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_querysets_refuse_update_and_delete():
    add_events(1, 2)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(seq=1).update(target_label="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["target_label"])
    assert AuditEvent.objects.count() == 2


def test_bulk_create_is_refused_because_it_would_skip_the_chain():
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(organization_id=1, seq=1, hash="x")])


def test_postgresql_refuses_raw_updates_and_deletes():
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: the append-only trigger exists only there",
    )
    event = add_events(1, 1)[0]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    for sql in (
        f"UPDATE {table} SET target_label = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).target_label == "SH0001"
