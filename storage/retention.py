"""Retention: purging closed cases once their retention period has passed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from storage import audit
from storage.common import (
    MIN_RETENTION_MONTHS,
    case_id_of,
    check_actor,
    check_date,
    london_date,
    london_today,
    rowcount,
)
from storage.errors import PurgeTooSoon
from storage.models import (
    Attendance,
    CaseConversation,
    CaseEvent,
    ChildIdentity,
    CoreGroup,
    Escalation,
    Meeting,
    Member,
    MemberAddress,
    PlanAction,
    Reminder,
    Visit,
    WrittenReport,
)

# --- retention ---------------------------------------------------------------------------------


def latest_purgeable(today: date, retention_months: int) -> date:
    """The latest `--closed-before` date allowed today (retention, never under 3 months)."""
    months = max(retention_months, MIN_RETENTION_MONTHS)
    return today - relativedelta(months=months) + timedelta(days=1)


def purge_closed_cases(
    session: Session,
    *,
    actor: str,
    now: datetime,
    closed_before: date,
    retention_months: int,
    dry_run: bool = False,
) -> list[str]:
    """Remove closed cases past retention (never < 3 months closed); returns their references.

    The audit log is kept (it holds no names or free text) and gains one `case.purged` line per
    case saying what was removed. The caller should `export` a case before it is purged.
    """
    actor = check_actor(actor)
    today = london_today(now)
    check_date(closed_before, "closed_before")
    latest = latest_purgeable(today, retention_months)
    if closed_before > latest:
        raise PurgeTooSoon(
            closed_before.isoformat(), latest.isoformat(), max(retention_months, MIN_RETENTION_MONTHS)
        )
    candidates = list(
        session.scalars(
            select(CoreGroup)
            .where(col(CoreGroup.status) == "closed")
            .order_by(col(CoreGroup.id))
            .with_for_update()
        )
    )
    doomed = [c for c in candidates if c.closed_at is not None and london_date(c.closed_at) < closed_before]
    if dry_run:
        return [c.reference for c in doomed]
    for case in doomed:
        _purge_one(session, case, actor=actor, now=now, closed_before=closed_before)
    session.expire_all()
    return [c.reference for c in doomed]


def _purge_one(session: Session, case: CoreGroup, *, actor: str, now: datetime, closed_before: date) -> None:
    cid = case_id_of(case)
    meeting_ids = select(col(Meeting.id)).where(col(Meeting.case_id) == cid).scalar_subquery()
    counts: dict[str, int] = {
        "attendance": rowcount(
            session.execute(delete(Attendance).where(col(Attendance.meeting_id).in_(meeting_ids)))
        ),
        "written_report": rowcount(
            session.execute(delete(WrittenReport).where(col(WrittenReport.meeting_id).in_(meeting_ids)))
        ),
    }
    models: tuple[Any, ...] = (Meeting, Visit, PlanAction, Escalation, CaseEvent, Reminder, ChildIdentity)
    for model in models:
        table = model.__table__
        counts[table.name] = rowcount(session.execute(delete(table).where(table.c.case_id == cid)))
    session.execute(update(Member).where(col(Member.case_id) == cid).values(cover_member_id=None))
    member_ids = select(col(Member.id)).where(col(Member.case_id) == cid).scalar_subquery()
    session.execute(delete(MemberAddress).where(col(MemberAddress.member_id).in_(member_ids)))
    session.execute(delete(CaseConversation).where(col(CaseConversation.case_id) == cid))
    counts["member"] = rowcount(session.execute(delete(Member).where(col(Member.case_id) == cid)))
    closed_at, reference = case.closed_at, case.reference
    session.execute(delete(CoreGroup).where(col(CoreGroup.id) == cid))
    session.expunge(case)
    audit.append(
        session,
        actor=actor,
        now=now,
        action="case.purged",
        case_id=cid,
        case_ref=reference,
        entity="case",
        entity_id=cid,
        after={
            "reference": reference,
            "closed_at": closed_at,
            "closed_before": closed_before,
            "rows_removed": counts,
        },
    )
