"""``verify_audit_log`` on the data each database test made, before the test's data goes.

Every test's writes are rolled back (or flushed) at its teardown, so a single check at the end
of the suite would walk empty tables. Instead, an autouse fixture in tests/conftest.py runs the
command at the teardown of every test that used the database and wrote at least one event, on
exactly the chains that test made, and fails the test if one is broken. Tests that break chains
on purpose (the ``tamper`` fixture, or ``@pytest.mark.breaks_audit_chain``) are left out.

Cost: two ``EXISTS`` queries for a database test that wrote no event, and a
walk of the few events it wrote otherwise (measured in the helper's report: a few ms a test).
"""

import io

import pytest

DB_FIXTURES = ("transactional_db", "db")


def _uses_database(request) -> bool:
    if request.node.get_closest_marker("django_db") is not None:
        return True
    return any(name in request.fixturenames for name in (*DB_FIXTURES, "live_server"))


def verify_chains_after(request):
    """A fixture body: ``yield from verify_chains_after(request)``."""
    if not _uses_database(request) or _exempt(request):
        yield
        return
    # Set the database up before this fixture finishes its own setup, so that its teardown
    # (the rollback or flush) runs after the check below, not before it.
    for name in DB_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break
    yield
    _check()


def _exempt(request) -> bool:
    return "tamper" in request.fixturenames or bool(
        request.node.get_closest_marker("breaks_audit_chain")
    )


def _check() -> None:
    from django.core.management import CommandError, call_command
    from django.db import connection

    from studio_tracker.audit.models import AuditEvent, ChainHead

    # A test that ended inside a failed transaction cannot be queried; it failed already.
    if connection.connection is None or connection.needs_rollback:
        return
    if not (ChainHead.objects.exists() or AuditEvent.objects.exists()):
        return
    try:
        call_command("verify_audit_log", stdout=io.StringIO())
        problem = ""
    except CommandError as broken:
        problem = str(broken)
    if problem:
        pytest.fail(f"the test left a broken audit chain: {problem}", pytrace=False)
