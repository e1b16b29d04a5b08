"""The audit log: one hash chain of events per organisation, and the head of each chain.

Events hold plain ids, never foreign keys, so deleting a production, a report or a user cannot
cascade into the log, and this app imports no domain app. Write events with ``trail.record``.
"""

import hashlib

from django.db import models
from django.utils import timezone

from studio_tracker.lib.canonical import canonical_json


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


# What an event's hash covers: every field but ``id`` and ``hash``. The list is written out, not
# read from the model, because a field added later must not change the hash of old events; a
# new field needs a decision (and a test says so) rather than silently breaking every chain.
HASHED_FIELDS = (
    "organization_id",
    "seq",
    "production_id",
    "report_id",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
    "created_at",
    "prev_hash",
)


class AuditEventQuerySet(models.QuerySet):
    """Reads as usual; refuses every bulk write that would bypass the chain."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def bulk_create(self, objs, *args, **kwargs):
        # Bulk inserts would skip the chain head lock and the hashes; trail.record is the way in.
        raise AuditLogIsAppendOnly("audit events are written one by one with trail.record()")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("audit events cannot be updated")


class AuditEvent(models.Model):
    """One thing that happened, linked to the event before it in its organisation's chain.

    ``hash`` is the SHA-256 of the canonical JSON of every other field (``prev_hash`` and
    ``seq`` included), so editing, removing or reordering events breaks the chain where it
    happened. ``changes`` never holds personal values: see ``trail.personal_changes``.
    """

    organization_id = models.PositiveBigIntegerField()
    seq = models.PositiveBigIntegerField(help_text="Position in the organisation's chain, from 1.")
    production_id = models.PositiveBigIntegerField(null=True, blank=True)
    report_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The user who acted; empty for the system."
    )
    action = models.CharField(max_length=100, help_text='For example "shot.created".')
    target_type = models.CharField(max_length=50, help_text='For example "shot".')
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(
        max_length=200, blank=True, help_text="A label that is not personal data, e.g. a shot code."
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("organization_id", "seq")
        constraints = [
            # Its index also serves "an organisation's events, newest first" (scanned backwards)
            # and lookups by organisation alone, so neither needs an index of its own.
            models.UniqueConstraint(
                fields=["organization_id", "seq"], name="audit_event_unique_org_seq"
            ),
        ]
        indexes = [
            models.Index(fields=["production_id", "-seq"], name="audit_event_production_seq"),
            models.Index(fields=["report_id"], name="audit_event_report"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.organization_id}#{self.seq} {self.action} {self.target_type}:{self.target_id}"
        )

    def save(self, *args, **kwargs):
        """Insert a new event; refuse to write over an existing one."""
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be changed once written")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def hashed_fields(self) -> dict:
        """Every field but ``id`` and ``hash``: what the event's hash covers."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def compute_hash(self) -> str:
        """Return the hex SHA-256 of the canonical JSON of ``hashed_fields()``."""
        return hashlib.sha256(canonical_json(self.hashed_fields())).hexdigest()


class ChainHead(models.Model):
    """The last event of an organisation's chain; its row lock serialises appends."""

    organization_id = models.PositiveBigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.organization_id}#{self.seq}"
