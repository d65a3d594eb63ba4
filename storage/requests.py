"""Chat idempotency: the processed-request log that makes a retried delivery a no-op."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.common import check_aware, required_text, rowcount
from storage.db import insert_on_conflict
from storage.models import ProcessedRequest

# --- chat idempotency -----------------------------------------------------------------------------


def first_time(session: Session, key: str, *, now: datetime) -> bool:
    """True the first time a platform request/event id is seen, False on a retry.

    Call it in the same transaction as the change it guards: a failed handler rolls it back too,
    so the platform's retry is then processed. Keys look like "<channel kind>:<event id>".
    """
    key = required_text(key, "key", max_len=255, example='"chat:Ev0123ABCD"')
    check_aware(now, "now")
    table = ProcessedRequest.__table__  # type: ignore[attr-defined]
    stmt = (
        insert_on_conflict(session, ProcessedRequest)
        .values(key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
    )
    return session.connection().execute(stmt).scalar() is not None  # Core: no ORM to go through


#: How long a request id is remembered. Chat platforms retry a request within about five minutes
#: (three tries) or redeliver within seconds to minutes; a day covers them with a wide margin
#: (a clock step, a long outage) while keeping the table small. Pruned by the sweep tick.
REQUEST_LOG_KEEP: Final = timedelta(hours=24)


def forget_requests(session: Session, *, before: datetime) -> int:
    """Drop request ids older than any platform retries (they retry for minutes, not days)."""
    check_aware(before, "before")
    result = session.execute(delete(ProcessedRequest).where(col(ProcessedRequest.received_at) < before))
    return rowcount(result)
