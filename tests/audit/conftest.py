"""Helpers for the audit tests: writing a few events, and tampering with them as an attacker would."""

import pytest
from django.db import connection

from studio_tracker.audit import trail
from studio_tracker.audit.models import AuditEvent


def add_events(organization_id: int, count: int, **fields) -> list[AuditEvent]:
    """Record ``count`` shot events for the organisation, in order."""
    return [
        trail.record(
            actor=None,
            action="shot.created",
            organization_id=organization_id,
            target_type="shot",
            target_id=str(number),
            target_label=f"SH{number:04d}",
            **fields,
        )
        for number in range(1, count + 1)
    ]


@pytest.fixture
def tamper(db):
    """Run SQL on the audit event table behind the model's back, as a database superuser could.

    On PostgreSQL the append-only trigger would stop it, so it is switched off first; the test's
    transaction rolls that back again. ``{table}`` in the SQL names the table.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    def run(sql: str, *params) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=table), params)

    return run
