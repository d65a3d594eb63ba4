"""The inbound queue: acknowledged chat requests, kept on disk until their work is done.

A listener writes the request (`add`, one short transaction) before it acknowledges, so a stop or
crash after the ack loses nothing; a worker then claims it, does the work and deletes it:

    with store.transaction() as s:
        row_id = add(s, platform="chat", kind="command", body={...}, now=clock(), worker=me)
    ...ack, hand row_id to a worker thread...
    with store.transaction() as s:
        row = claim(s, row_id, now=clock(), worker=me)      # None: someone else has it
    ...do the work...
    with store.transaction() as s:
        done(s, row_id)                                     # or retry(...) / dead(...)

A fresh row is leased to the process that wrote it (its `available_at` is a lease away), so
another process's `claim_due` leaves it alone while the in-process hand-off is on its way; if that
process dies, the row comes back when the lease runs out (`claim_due`, SKIP LOCKED on PostgreSQL).
Bodies hold user text: `done` deletes the row, `dead` keeps only what is needed to count it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, insert, or_, select, update
from sqlmodel import Session, col

from storage.errors import InvalidValue
from storage.models import InboundRequest

DEFAULT_LEASE: Final = timedelta(minutes=2)


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidValue(field, f"{value!r} has no time zone", "an aware datetime")
    return value


_REQUESTS = InboundRequest.__table__  # type: ignore[attr-defined]
#: Built once: the statement every acknowledgement waits for (its values are parameters).
_INSERT_REQUEST: Final = insert(_REQUESTS).returning(_REQUESTS.c.id)


def add(
    session: Session,
    *,
    platform: str,
    kind: str,
    body: dict[str, Any],
    now: datetime,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
) -> int:
    """Queue one request, leased to `worker` (the process that will hand it to its threads)."""
    _aware(now, "now")
    # A Core INSERT … RETURNING: the listener waits for it before acknowledging, and it needs
    # the id only (no ORM object to build, flush and track).
    row_id = (
        session.connection()
        .execute(
            _INSERT_REQUEST,
            {
                "platform": platform,
                "kind": kind,
                "body": body,
                "status": "pending",
                "attempts": 0,
                "available_at": now + lease,
                "claimed_by": worker,
                "created_at": now,
            },
        )
        .scalar_one()
    )
    return int(row_id)


def claim(
    session: Session, row_id: int, *, now: datetime, worker: str, lease: timedelta = DEFAULT_LEASE
) -> InboundRequest | None:
    """Take one row for work: a pending row, or one whose lease has run out. None when it is
    gone (done) or another worker holds it; the conditional UPDATE makes the take atomic."""
    taken = claim_many(session, [row_id], now=now, worker=worker, lease=lease)
    return taken[0] if taken else None


def claim_many(
    session: Session, row_ids: list[int], *, now: datetime, worker: str, lease: timedelta = DEFAULT_LEASE
) -> list[InboundRequest]:
    """`claim` for a batch's rows in one conditional UPDATE … RETURNING (one statement, not two
    a row): the rows taken, in the order asked; those gone or held elsewhere are left out."""
    _aware(now, "now")
    if not row_ids:
        return []
    stmt = (
        update(InboundRequest)
        .where(
            col(InboundRequest.id).in_(row_ids),
            or_(
                col(InboundRequest.status) == "pending",
                (col(InboundRequest.status) == "claimed") & (col(InboundRequest.available_at) <= now),
            ),
        )
        .values(
            status="claimed",
            claimed_by=worker,
            claimed_at=now,
            available_at=now + lease,
            attempts=InboundRequest.attempts + 1,
        )
        .returning(InboundRequest)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    order = {row_id: k for k, row_id in enumerate(row_ids)}
    return sorted(session.scalars(stmt), key=lambda r: order.get(r.id or 0, 0))


def claim_due(
    session: Session, *, now: datetime, worker: str, limit: int = 50, lease: timedelta = DEFAULT_LEASE
) -> list[InboundRequest]:
    """Take rows nobody is working on: left by a process that stopped or died (their lease ran
    out), or waiting for a retry. Each is leased to `worker`."""
    _aware(now, "now")
    stmt = (
        select(InboundRequest)
        .where(
            col(InboundRequest.status).in_(("pending", "claimed")), col(InboundRequest.available_at) <= now
        )
        .order_by(col(InboundRequest.available_at), col(InboundRequest.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(stmt))
    for r in rows:
        r.status, r.claimed_by, r.claimed_at = "claimed", worker, now
        r.available_at = now + lease
        r.attempts += 1
    session.flush()
    return rows


def done(session: Session, row_id: int) -> None:
    """The work is finished (or answered): the row and the user text in it go."""
    session.execute(delete(InboundRequest).where(col(InboundRequest.id) == row_id))


def done_all(session: Session, row_ids: list[int]) -> None:
    """`done` for a batch's rows, in one statement."""
    if row_ids:
        session.execute(delete(InboundRequest).where(col(InboundRequest.id).in_(row_ids)))


def retry(session: Session, row_id: int, *, error: str, retry_at: datetime) -> None:
    """The work failed this time: pending again from `retry_at`. `error` is a type name, never
    text from the request."""
    _aware(retry_at, "retry_at")
    session.execute(
        update(InboundRequest)
        .where(col(InboundRequest.id) == row_id)
        .values(status="pending", available_at=retry_at, claimed_by=None, last_error=error[:255])
    )


def dead(session: Session, row_id: int, *, error: str) -> None:
    """Given up after repeated failure (the user has been told): the body goes, the row stays so
    `dead_count` shows it."""
    session.execute(
        update(InboundRequest)
        .where(col(InboundRequest.id) == row_id)
        .values(status="dead", body=None, claimed_by=None, last_error=error[:255])
    )


def release(session: Session, row_ids: list[int], *, now: datetime) -> int:
    """Rows this process took but will not start (a graceful stop): claimable again at once."""
    if not row_ids:
        return 0
    return int(
        session.execute(
            update(InboundRequest)
            .where(col(InboundRequest.id).in_(row_ids), col(InboundRequest.status) != "dead")
            .values(status="pending", available_at=now, claimed_by=None)
        ).rowcount  # type: ignore[attr-defined]
    )


def release_all(session: Session, *, now: datetime) -> int:
    """Every unfinished row becomes claimable now. Only for a single-process store (SQLite) at
    start-up: whatever holds a lease there belonged to a process that is gone."""
    return int(
        session.execute(
            update(InboundRequest)
            .where(col(InboundRequest.status).in_(("pending", "claimed")))
            .values(status="pending", available_at=now, claimed_by=None)
        ).rowcount  # type: ignore[attr-defined]
    )


def waiting(session: Session) -> int:
    """How many acknowledged requests are not finished yet (pending or claimed)."""
    return len(
        list(
            session.scalars(
                select(InboundRequest.id).where(  # type: ignore[call-overload]
                    col(InboundRequest.status).in_(("pending", "claimed"))
                )
            )
        )
    )


def dead_count(session: Session) -> int:
    return len(
        list(
            session.scalars(
                select(InboundRequest.id).where(  # type: ignore[call-overload]
                    col(InboundRequest.status) == "dead"
                )
            )
        )
    )
