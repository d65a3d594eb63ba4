"""Written reports asked of members before a meeting, and their submission."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.common import (
    check_actor,
    check_aware,
    load_case,
    load_meeting,
    load_member,
    london_date,
    london_today,
    record_audit,
    required_text,
    row_id,
)
from storage.errors import InvalidState, NotAMember
from storage.models import WrittenReport

# --- written reports ---------------------------------------------------------------------------


def _report_snap(r: WrittenReport) -> dict[str, Any]:
    return {
        "meeting_id": r.meeting_id,
        "member_id": r.member_id,
        "requested_at": r.requested_at,
        "due_at": r.due_at,
        "submitted_at": r.submitted_at,
        "chars": None if r.text is None else len(r.text),
    }


def request_reports(
    session: Session,
    reference: str,
    meeting_id: int,
    member_ids: Iterable[int],
    *,
    actor: str,
    now: datetime,
    due_at: datetime | None = None,
) -> list[WrittenReport]:
    """Ask members for a written report; asking again only updates the due time."""
    actor = check_actor(actor)
    today = london_today(now)
    if due_at is not None:
        check_aware(due_at, "due_at")
    ids = list(dict.fromkeys(member_ids))
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} was cancelled.",
            f"/coregroup meetings {case.reference}",
        )
    for mid in ids:
        load_member(session, case, mid, on=today)
    existing = {
        r.member_id: r
        for r in session.scalars(select(WrittenReport).where(col(WrittenReport.meeting_id) == meeting.id))
    }
    out: list[WrittenReport] = []
    for mid in ids:
        row = existing.get(mid)
        if row is None:
            row = WrittenReport(meeting_id=row_id(meeting), member_id=mid, requested_at=now, due_at=due_at)
            session.add(row)
        else:
            row.requested_at = row.requested_at or now
            if due_at is not None:
                row.due_at = due_at
        out.append(row)
    session.flush()
    for row in out:
        record_audit(
            session,
            case,
            actor=actor,
            now=now,
            action="report.requested",
            entity="report",
            entity_id=row.id,
            after=_report_snap(row),
        )
    return out


def submit_report(
    session: Session,
    reference: str,
    meeting_id: int,
    member_id: int,
    text: str,
    *,
    actor: str,
    now: datetime,
) -> WrittenReport:
    """A member's written report (requested or not); sending it again replaces the text."""
    actor = check_actor(actor)
    london_today(now)
    body = required_text(text, "text", max_len=20_000, example='text="Seen at school on 4 Jan; …"')
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} was cancelled.",
            f"/coregroup meetings {case.reference}",
        )
    member = load_member(session, case, member_id)
    if member.left_on is not None and member.left_on <= london_date(meeting.starts_at):
        raise NotAMember(member_id, case.reference)
    row = session.scalars(
        select(WrittenReport).where(
            col(WrittenReport.meeting_id) == meeting.id, col(WrittenReport.member_id) == member_id
        )
    ).first()
    before = None if row is None else _report_snap(row)
    if row is None:
        row = WrittenReport(meeting_id=row_id(meeting), member_id=member_id)
        session.add(row)
    row.text, row.submitted_at = body, now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="report.submitted"
        if before is None or before["submitted_at"] is None
        else "report.resubmitted",
        entity="report",
        entity_id=row.id,
        before=before,
        after=_report_snap(row),
    )
    return row


def reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    case = load_case(session, reference, writable=False)
    meeting = load_meeting(session, case, meeting_id)
    return list(
        session.scalars(
            select(WrittenReport)
            .where(col(WrittenReport.meeting_id) == meeting.id)
            .order_by(col(WrittenReport.member_id))
        )
    )


def outstanding_reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    """Requested and not yet submitted."""
    return [
        r
        for r in reports(session, reference, meeting_id)
        if r.requested_at is not None and r.submitted_at is None
    ]
