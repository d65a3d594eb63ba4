"""The reminder outbox: a reminder is enqueued once and delivered once, across processes.

Delivery is claim → send → mark, in three short transactions:

    with store.transaction() as s:
        batch = claim_due(s, now=clock(), limit=50, worker="host-1:pid")
    for r in batch:
        with store.transaction() as s:
            if not hold(s, r.id, now=clock(), worker="host-1:pid"):
                continue                      # the lease ran out and another sender took it
        ...send it...
        with store.transaction() as s:
            mark_sent(s, r.id, now=clock(), worker="host-1:pid")   # or mark_failed(...)

Claiming takes rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (two processes never take the same
row) and under SQLite's single write lock (the store's write transactions begin IMMEDIATE). A
claimed row is leased: if its sender dies before marking it, it becomes claimable again after the
lease, so a restart loses nothing (the price is at-least-once delivery after a crash mid-send).

Why `hold` before each send. A batch is claimed at once but sent one row after another; behind a
slow or throttling platform the last rows of a batch can wait longer than the lease, and another
sweeper then claims them. `hold` re-takes one row's lease at the moment of its send and only if
the row is still claimed by this worker — an atomic conditional UPDATE, so of two senders exactly
one wins the row. A sender whose hold fails leaves the row to whoever holds it. What remains is one
send that itself outlasts its lease (docs/reminders.md, "What exactly once means").
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import bindparam, select, update
from sqlalchemy.types import NullType, TypeDecorator
from sqlmodel import Session, col

from scheduling.sweep import Outgoing
from storage import audit
from storage.db import insert_on_conflict
from storage.errors import InvalidState, InvalidValue, UnknownRecord
from storage.models import CoreGroup, Reminder

DEFAULT_LEASE: Final = timedelta(minutes=5)


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidValue(field, f"{value!r} has no time zone", "an aware datetime")
    return value


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
    """Add a reminder; the same (case, rule, subject, stage) again is a no-op returning None.

    Uses INSERT … ON CONFLICT DO NOTHING, so two sweeps racing on the same key both succeed and
    exactly one row exists afterwards.
    """
    _aware(due_at, "due_at")
    _aware(now, "now")
    for field, value, size in (
        ("rule", rule, 64),
        ("subject", subject, 128),
        ("stage", stage, 32),
        ("recipient", recipient, 128),
    ):
        if not isinstance(value, str) or not value or len(value) > size:
            raise InvalidValue(
                field,
                f"{value!r} is not a key part (1 to {size} characters)",
                'rule="minutes_circulated", subject="meeting:12", stage="due"',
            )
    if session.get(CoreGroup, case_id) is None:
        raise UnknownRecord("case id", case_id, "the database", "an id from active_case_states")
    stmt = (
        insert_on_conflict(session, Reminder)
        .values(
            case_id=case_id,
            rule=rule,
            subject=subject,
            stage=stage,
            recipient=recipient,
            due_at=due_at,
            available_at=due_at,
            status="pending",
            attempts=0,
            payload=payload,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["case_id", "rule", "subject", "stage"])
        .returning(Reminder.__table__.c.id)  # type: ignore[attr-defined]
    )
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        return None
    return session.get(Reminder, new_id)


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
    rules: Collection[str] | None = None,
    exclude_rules: Collection[str] = (),
) -> list[Reminder]:
    """Take up to `limit` reminders that are due and not taken; they are leased to `worker`.

    Commit the transaction straight after (then send): the rows are yours until `now + lease`.
    `rules` / `exclude_rules` split the outbox between senders: the calendar worker claims only
    `calendar_invitation` rows, the chat reminder delivery everything else.
    """
    _aware(now, "now")
    if limit < 1:
        raise InvalidValue("limit", f"{limit} is not a positive number", "limit=50")
    if not worker:
        raise InvalidValue("worker", "is empty", 'worker="host-1:4242"')
    stmt = (
        select(Reminder)
        .where(col(Reminder.status).in_(("pending", "claimed")), col(Reminder.available_at) <= now)
        .order_by(col(Reminder.available_at), col(Reminder.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if rules is not None:
        stmt = stmt.where(col(Reminder.rule).in_(tuple(rules)))
    if exclude_rules:
        stmt = stmt.where(col(Reminder.rule).not_in(tuple(exclude_rules)))
    rows = list(session.scalars(stmt))
    for r in rows:
        r.status = "claimed"
        r.claimed_by = worker
        r.claimed_at = now
        r.available_at = now + lease
        r.attempts += 1
    session.flush()
    return rows


def hold(
    session: Session,
    reminder_id: int,
    *,
    now: datetime,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
) -> bool:
    """Re-take one claimed row's lease from `now`, just before sending it. False when the row is
    no longer this worker's (another sender re-claimed it after our lease ran out, or it was sent,
    skipped or failed meanwhile): then do not send it.

    A lease that ran out unnoticed is taken back when nobody else claimed the row: the conditional
    UPDATE runs under the row lock (PostgreSQL) or the write lock (SQLite), so a concurrent
    `claim_due` either sees the new lease or has already changed `claimed_by`.
    """
    _aware(now, "now")
    if not worker:
        raise InvalidValue("worker", "is empty", 'worker="host-1:4242"')
    table = Reminder.__table__  # type: ignore[attr-defined]
    result = session.execute(
        update(table)
        .where(table.c.id == reminder_id, table.c.status == "claimed", table.c.claimed_by == worker)
        .values(available_at=now + lease)
    )
    session.expire_all()  # objects loaded earlier in this session must not hide the new lease
    return bool(getattr(result, "rowcount", 0) == 1)


def _claimed(session: Session, reminder_id: int, worker: str) -> Reminder:
    r = session.get(Reminder, reminder_id, with_for_update=True)
    if r is None:
        raise UnknownRecord("reminder", reminder_id, "the outbox", "an id from claim_due")
    if r.status == "sent":
        raise InvalidState(f"Reminder {reminder_id} was already sent.", "claim_due(...) again")
    return r


def _owned(session: Session, reminder_id: int, worker: str) -> Reminder:
    """The row, if `worker` still holds it: a sender whose lease ran out and whose row another
    sender re-claimed must not overwrite that sender's state with its own failure."""
    r = _claimed(session, reminder_id, worker)
    if r.status == "claimed" and r.claimed_by != worker:
        raise InvalidState(f"Reminder {reminder_id} is now held by another sender.", "leave it to them")
    return r


def mark_sent(session: Session, reminder_id: int, *, now: datetime, worker: str) -> Reminder:
    """The message went out: never send it again. Audited (what was sent, to whom, when)."""
    _aware(now, "now")
    r = _claimed(session, reminder_id, worker)
    r.status, r.sent_at, r.last_error = "sent", now, None
    session.flush()
    case = session.get(CoreGroup, r.case_id)
    audit.append(
        session,
        actor=f"system:{worker}",
        now=now,
        action="reminder.sent",
        case_id=r.case_id,
        case_ref=None if case is None else case.reference,
        entity="reminder",
        entity_id=r.id,
        after={
            "rule": r.rule,
            "subject": r.subject,
            "stage": r.stage,
            "recipient": r.recipient,
            "attempts": r.attempts,
        },
    )
    return r


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
    _aware(now, "now")
    if retry_at is not None:
        _aware(retry_at, "retry_at")
    r = _owned(session, reminder_id, worker)
    r.last_error = (error or "unknown error")[:1024]
    if retry_at is None:
        r.status = "dead"
    else:
        r.status, r.available_at = "pending", retry_at
    session.flush()
    return r


def reminders(session: Session, *, case_id: int | None = None, status: str | None = None) -> list[Reminder]:
    stmt = select(Reminder).order_by(col(Reminder.id))
    if case_id is not None:
        stmt = stmt.where(col(Reminder.case_id) == case_id)
    if status is not None:
        stmt = stmt.where(col(Reminder.status) == status)
    return list(session.scalars(stmt))


# --- the sweep's rows ---------------------------------------------------------------------------


def insert_planned(
    store: Any, rows: list[Outgoing], now: datetime, known: set[tuple[int, str, str, str]] | None = None
) -> int:
    """Put rows in the outbox in one transaction; rows already there (same key) are left alone.

    One executemany of INSERT … ON CONFLICT DO NOTHING, so two sweeps racing (two processes, or
    a sweep repeated) leave exactly one row per key. Returns how many rows are new.

    `known`: keys this process has put in the outbox before (outbox rows are never deleted while
    their case is active), kept by the caller across sweeps so a sweep every few minutes does
    not re-send the same few thousand rows to the database; it is only a shortcut — the unique
    key decides.
    """
    if known is not None:
        rows = [o for o in rows if o.key not in known]
    if not rows:
        return 0
    with store.transaction() as s:
        # The three times go in already converted: the columns' own bind processing (UTC, then
        # the dialect's DATETIME form) runs once per distinct value -- a sweep has a handful of
        # send times and one `now` -- instead of once per value of thousands of rows, and the
        # converted value is bound as is. Same stored values; about a third of the insert's CPU.
        dialect = s.get_bind().dialect
        table = Reminder.__table__  # type: ignore[attr-defined]
        process = table.c.due_at.type.dialect_impl(dialect).bind_processor(dialect)
        converted: dict[datetime, Any] = {}

        def at(t: datetime) -> Any:
            got = converted.get(t)
            if got is None:
                got = converted[t] = process(t) if process is not None else t
            return got

        created = at(now)
        values = [
            {
                "case_id": o.case_id,
                "rule": o.planned.rule,
                "subject": o.planned.subject,
                "stage": o.stage,
                "recipient": o.audience,
                "raw_due_at": at(o.send_at),
                "raw_available_at": at(o.send_at),
                "status": "pending",
                "attempts": 0,
                "payload": o.payload(),
                "raw_created_at": created,
            }
            for o in rows
        ]
        stmt = (
            insert_on_conflict(s, Reminder)
            .values(
                {c: bindparam(f"raw_{c}", type_=_AsIs()) for c in ("due_at", "available_at", "created_at")}
            )
            .on_conflict_do_nothing(index_elements=["case_id", "rule", "subject", "stage"])
            .returning(table.c.id)
        )
        # RETURNING names only the rows actually inserted (DO NOTHING returns none), on both
        # backends; executemany's rowcount does not (psycopg counts every row it was given).
        new = len(s.execute(stmt, values).all())
    if known is not None:
        known.update(o.key for o in rows)
    return int(new)


class _AsIs(TypeDecorator[Any]):
    """A bound value already in the driver's form (see `insert`): no conversion at all."""

    impl = NullType
    cache_ok = True
