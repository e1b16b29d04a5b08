"""Writing and verifying the audit trail.

``record`` is the only way an event enters the log. Domain functions call it inside their own
``transaction.atomic()`` block, as the last step before the block commits::

    with transaction.atomic():
        shot.save()
        trail.record(actor=user, action="shot.created", organization_id=org.id,
                     target_type="shot", target_id=shot.id, target_label=shot.code,
                     production_id=shot.production_id)

It locks the organisation's chain head until that commit, so every other write to the same
organisation's log waits for it: calling it last keeps that wait to the commit itself, and the
event shares the fate of the change it describes (both commit, or neither does).
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from studio_tracker.lib.canonical import canonical_json, sha256_digest

from .models import AuditEvent, ChainHead

VERIFY_CHUNK_SIZE = 2000


def record(
    *,
    actor,
    action: str,
    organization_id: int,
    target_type: str,
    target_id="",
    target_label: str = "",
    production_id: int | None = None,
    report_id: int | None = None,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain and return it.

    ``actor`` is a user, or None for the system. Call it inside the caller's atomic block, last;
    outside one it opens its own. ``changes`` must hold no personal values: use
    ``personal_changes`` for people, ``bulk_summary`` for bulk operations.
    """
    event = AuditEvent(
        organization_id=organization_id,
        production_id=production_id,
        report_id=report_id,
        actor_id=actor.pk if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        target_label=target_label,
        changes=_as_stored(changes or {}),
    )
    # savepoint=False: inside the caller's block this adds no query; outside it, a transaction.
    with transaction.atomic(savepoint=False):
        head = _lock_head(organization_id)
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        # Taken under the lock, so times never go backwards along a chain.
        event.created_at = timezone.now()
        event.hash = event.compute_hash()
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def _as_stored(changes: dict) -> dict:
    # The hash made now must match the one verify recomputes from the row later, so the payload
    # is hashed in the form the database gives back: dates as ISO strings, Decimals as strings,
    # tuples as lists, and whole floats as ints (PostgreSQL's jsonb returns 1e20 as
    # 100000000000000000000 and -0.0 as 0, which Python then reads as ints).
    return json.loads(canonical_json(changes), parse_float=_parse_float)


def _parse_float(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _lock_head(organization_id: int) -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(organization_id=organization_id).first()
    if head is not None:
        return head
    # First event of this organisation. Two writers may both get here: ON CONFLICT DO NOTHING
    # makes the second wait for the first's insert to commit (or roll back) instead of failing,
    # and the fresh SELECT then sees the committed row and waits for its lock as usual.
    ChainHead.objects.bulk_create(
        [ChainHead(organization_id=organization_id)], ignore_conflicts=True
    )
    return ChainHead.objects.select_for_update().get(organization_id=organization_id)


def field_changes(before: dict, after: dict) -> dict:
    """Return ``{field: [old, new]}`` for each field whose value differs, as JSON-safe values.

    Only for things that are not people: the values go into the chain for good.
    """
    return {
        name: [_json_safe(before.get(name)), _json_safe(after.get(name))]
        for name in _changed(before, after)
    }


def personal_changes(before: dict, after: dict) -> dict:
    """Return ``{"fields": [...]}``, the sorted names of changed fields, and never their values.

    For events about people (performers, consents, users): names, minor flags and consent
    wording must never enter the chain, which cannot be edited or erased afterwards.
    """
    return {"fields": _changed(before, after)}


def bulk_summary(counts: dict, touched_ids: Iterable) -> dict:
    """Summarise a bulk operation in one event: its counts and a digest of what it touched.

    ``touched`` counts the distinct ids; ``touched_sha256`` is the digest of the canonical JSON
    of their sorted list, so a list of ids kept elsewhere can be checked against the event.
    """
    ids = sorted(set(touched_ids))
    return {
        "counts": counts,
        "touched": len(ids),
        "touched_sha256": sha256_digest(canonical_json(ids)),
    }


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def _json_safe(value: Any) -> Any:
    # Most changed values are these, and come back from the round trip unchanged: skip it
    # (a usage entry's creation has about fifty).
    if value is None or type(value) in (str, int, bool):  # not subclasses such as choices
        return value
    # canonical_json has no spelling for times of day; model TimeFields do produce them.
    if isinstance(value, datetime.time):
        return value.isoformat()
    return json.loads(canonical_json(value))


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One place where a chain is broken. ``event_id`` is None when the event is missing."""

    organization_id: int
    seq: int
    event_id: int | None
    message: str

    def __str__(self) -> str:
        event = f"event {self.event_id}" if self.event_id is not None else "no event"
        return f"organisation {self.organization_id}, seq {self.seq}, {event}: {self.message}"


@dataclass
class ChainCheck:
    """What a verification walked and what it found, in chain order."""

    events: int = 0
    chains: int = 0
    problems: list[Problem] = field(default_factory=list)


def verify_chain(organization_id: int | None = None) -> list[Problem]:
    """Walk every chain, or one organisation's, and return its problems, first bad event first.

    Finds edited events (the recomputed hash differs), deleted or reordered ones (a gap in
    ``seq``, or a ``prev_hash`` that is not the previous event's hash), and a chain head that
    does not match the last event (events removed from the end, or added behind the head).
    """
    return check_chains(organization_id).problems


def check_chains(organization_id: int | None = None) -> ChainCheck:
    """Like ``verify_chain``, and also count the events and chains walked."""
    # Heads are read before any event: each walk stops at its head, so events appended while
    # the walk runs are neither walked nor mistaken for tampering.
    heads = _heads(organization_id)
    chain_ids = _chain_ids(organization_id)
    # A chain whose first event committed after the heads were read: its head exists by now.
    heads |= _heads(organization_id, only=chain_ids - heads.keys())
    check = ChainCheck()
    for org_id in sorted(chain_ids | {o for o, head in heads.items() if head.seq}):
        events, problems = _check_one_chain(org_id, heads.get(org_id))
        check.events += events
        check.chains += 1
        check.problems += problems
    return check


def _heads(organization_id: int | None, only: set | None = None) -> dict[int, ChainHead]:
    if only is not None and not only:
        return {}
    heads = ChainHead.objects.all()
    if organization_id is not None:
        heads = heads.filter(organization_id=organization_id)
    if only is not None:
        heads = heads.filter(organization_id__in=only)
    return {head.organization_id: head for head in heads}


def _chain_ids(organization_id: int | None) -> set[int]:
    events = AuditEvent.objects.order_by()
    if organization_id is not None:
        events = events.filter(organization_id=organization_id)
    return set(events.values_list("organization_id", flat=True).distinct())


def _check_one_chain(org_id: int, head: ChainHead | None) -> tuple[int, list[Problem]]:
    events = AuditEvent.objects.filter(organization_id=org_id).order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.seq)
    walk = _ChainWalk(org_id)
    for event in events.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        walk.step(event)
    walk.finish(head)
    return walk.count, walk.problems


class _ChainWalk:
    """The state of one chain's walk: what the next event must look like."""

    def __init__(self, org_id: int):
        self.org_id = org_id
        self.count = 0
        self.last: AuditEvent | None = None
        self.problems: list[Problem] = []

    def step(self, event: AuditEvent) -> None:
        expected_seq = self.last.seq + 1 if self.last else 1
        expected_prev = self.last.hash if self.last else ""
        if event.compute_hash() != event.hash:
            self._problem(event, "its hash does not match its contents: the event was edited")
        if event.seq != expected_seq:
            self._problem(
                event,
                f"expected seq {expected_seq}: the events before it were deleted or reordered",
            )
        elif event.prev_hash != expected_prev:
            self._problem(
                event,
                "its prev_hash is not the previous event's hash: "
                "events before it were replaced or reordered",
            )
        self.last = event
        self.count += 1

    def finish(self, head: ChainHead | None) -> None:
        last_seq = self.last.seq if self.last else 0
        last_hash = self.last.hash if self.last else ""
        last_id = self.last.pk if self.last else None
        if head is None:
            self.problems.append(
                Problem(self.org_id, last_seq, last_id, "the chain has no head: it was removed")
            )
        elif head.seq != last_seq:
            self.problems.append(
                Problem(
                    self.org_id,
                    last_seq + 1,
                    None,
                    f"the chain head is at seq {head.seq} but the chain ends at seq {last_seq}: "
                    "events were removed from the end",
                )
            )
        elif head.hash != last_hash:
            self._problem(self.last, "the chain head's hash is not this last event's hash")
        elif _has_events_beyond(self.org_id, head.seq):
            self.problems.append(
                Problem(self.org_id, head.seq + 1, None, "events were added behind the chain head")
            )

    def _problem(self, event: AuditEvent, message: str) -> None:
        self.problems.append(Problem(self.org_id, event.seq, event.pk, message))


def _has_events_beyond(org_id: int, head_seq: int) -> bool:
    # Read the highest seq first and the head second: a write committing in between can only
    # move the head forward, so a legitimate append never looks like an extra event.
    highest = AuditEvent.objects.filter(organization_id=org_id).aggregate(top=Max("seq"))["top"]
    if highest is None or highest <= head_seq:
        return False
    current = ChainHead.objects.filter(organization_id=org_id).values_list("seq", flat=True).first()
    return current is None or highest > current
