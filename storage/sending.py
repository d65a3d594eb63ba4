"""What reminder delivery writes besides `outbox.mark_sent` / `mark_failed`.

- `postpone`: a claimed row whose case is outside working hours right now (a sweep at 18:00 after a
  day down) goes back to pending until the next working morning, without counting as an attempt.
- `skip`: a claimed row that is no longer wanted (the person answered, the minutes went, the
  meeting was cancelled) is closed as "skipped" — never sent, never retried. Audited like a send.
- `thread` / `remember_thread`: the chat message that starts a meeting's reminder thread (key = the
  meeting's subject), the chair's bundle (key "bundle:<subject>") and the day's digest
  (key "digest:YYYY-MM-DD"), so later messages reply in the thread or edit in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlmodel import Session, col

from storage import audit
from storage.db import insert_on_conflict
from storage.errors import InvalidState, UnknownRecord
from storage.models import ChatThread, CoreGroup, Reminder

SKIPPED: Final = "skipped"


def _claimed(session: Session, reminder_id: int) -> Reminder:
    r = session.get(Reminder, reminder_id, with_for_update=True)
    if r is None:
        raise UnknownRecord("reminder", reminder_id, "the outbox", "an id from claim_due")
    if r.status != "claimed":
        raise InvalidState(f"Reminder {reminder_id} is {r.status}, not claimed.", "claim_due(...) again")
    return r


def postpone(session: Session, reminder_id: int, *, until: datetime) -> Reminder:
    """Back to pending from `until`; the claim does not count as an attempt."""
    if until.tzinfo is None:
        raise ValueError("until must be an aware datetime")
    r = _claimed(session, reminder_id)
    r.status, r.available_at = "pending", until
    r.attempts = max(0, r.attempts - 1)
    session.flush()
    return r


def skip(session: Session, reminder_id: int, *, now: datetime, worker: str, why: str) -> Reminder:
    """Closed without sending: `why` is a fixed word ("answered", "expired"…), never free text."""
    r = _claimed(session, reminder_id)
    r.status, r.sent_at, r.last_error = SKIPPED, None, why[:64]
    session.flush()
    case = session.get(CoreGroup, r.case_id)
    audit.append(
        session,
        actor=f"system:{worker}",
        now=now,
        action="reminder.skipped",
        case_id=r.case_id,
        case_ref=None if case is None else case.reference,
        entity="reminder",
        entity_id=r.id,
        after={"rule": r.rule, "subject": r.subject, "stage": r.stage, "why": why[:64]},
    )
    return r


def thread(session: Session, case_id: int, key: str, platform: str) -> ChatThread | None:
    return session.scalars(
        select(ChatThread).where(
            col(ChatThread.case_id) == case_id,
            col(ChatThread.key) == key,
            col(ChatThread.platform) == platform,
        )
    ).first()


def remember_thread(
    session: Session, case_id: int, key: str, platform: str, *, channel: str, message_id: str, now: datetime
) -> None:
    """Remember where a thread/edited message lives; the first one for a key wins."""
    stmt = (
        insert_on_conflict(session, ChatThread)
        .values(
            case_id=case_id,
            key=key[:128],
            platform=platform,
            channel=channel,
            message_id=message_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["case_id", "key", "platform"])
    )
    session.execute(stmt)


def sent_today(session: Session, case_id: int, since: datetime) -> list[Reminder]:
    """Rows of a case sent since `since` (the day's digest is rebuilt from them)."""
    return list(
        session.scalars(
            select(Reminder)
            .where(
                col(Reminder.case_id) == case_id,
                col(Reminder.status) == "sent",
                col(Reminder.sent_at) >= since,
            )
            .order_by(col(Reminder.id))
        )
    )
