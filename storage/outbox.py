"""The reminder outbox: a reminder is enqueued once and delivered once, across processes.

Delivery is claim → send → mark, in three short transactions:

    with store.transaction() as s:
        batch = claim_due(s, now=clock(), limit=50, worker="host-1:pid")
    for r in batch:
        ...send it...
        with store.transaction() as s:
            mark_sent(s, r.id, now=clock(), worker="host-1:pid")   # or mark_failed(...)

Claiming takes rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (two processes never take the same
row) and under SQLite's single write lock (the store's write transactions begin IMMEDIATE). A
claimed row is leased: if its sender dies before marking it, it becomes claimable again after the
lease, so a restart loses nothing (the price is at-least-once delivery after a crash mid-send).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from sqlmodel import Session

from storage.models import Reminder

DEFAULT_LEASE: Final = timedelta(minutes=5)


def enqueue(
    session: Session,
    *,
    case_id: int,
    rule: str,
    subject: str,
    stage: str,
    recipient: str,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> Reminder | None:
    """Add a reminder; the same (case, rule, subject, stage) again is a no-op returning None."""
    raise NotImplementedError


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
) -> list[Reminder]:
    raise NotImplementedError


def mark_sent(session: Session, reminder_id: int, *, now: datetime, worker: str) -> Reminder:
    raise NotImplementedError


def mark_failed(
    session: Session,
    reminder_id: int,
    *,
    now: datetime,
    worker: str,
    error: str,
    retry_at: datetime | None,
) -> Reminder:
    """A failed send: retried from `retry_at`, or given up (status "dead") when it is None."""
    raise NotImplementedError


def reminders(session: Session, *, case_id: int | None = None, status: str | None = None
              ) -> list[Reminder]:
    raise NotImplementedError
