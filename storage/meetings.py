"""Meetings of a case: schedule, reschedule, hold, cancel, attendance, minutes and chair's update."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.common import (
    ALL_MEETING_KINDS,
    MEETING_FIELDS,
    UNSET,
    Unset,
    case_id_of,
    check_actor,
    check_aware,
    check_choice,
    clean_text,
    load_case,
    load_meeting,
    load_member,
    london_date,
    london_today,
    record_audit,
    row_id,
    snapshot_of,
)
from storage.errors import InvalidState, InvalidValue, MeetingInPast, NotAMember
from storage.models import (
    ATTENDANCE_STATUSES,
    LEAD_SOCIAL_WORKER,
    REVIEW_CONFERENCE,
    SOCIAL_WORKER_ROLES,
    Attendance,
    CoreGroup,
    Meeting,
    Member,
)

# --- meetings ----------------------------------------------------------------------------------


def _check_meeting_input(
    session: Session,
    case: CoreGroup,
    today: date,
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None,
    chair_member_id: int | None,
    minute_taker_member_id: int | None,
) -> None:
    check_choice(kind, "kind", ALL_MEETING_KINDS)
    if london_date(starts_at) < case.start:
        raise InvalidValue(
            "starts_at",
            f"{london_date(starts_at)} is before the case started ({case.start})",
            "a date on or after the start event",
        )
    if kind == REVIEW_CONFERENCE and london_date(starts_at) <= case.start:
        raise InvalidValue(
            "starts_at",
            f"a review conference comes after the conference that started the plan ({case.start})",
            "a later date",
        )
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidValue(
            "ends_at",
            f"{ends_at.isoformat()} is not after the start",
            "ends_at one or two hours after starts_at",
        )
    for mid in (chair_member_id, minute_taker_member_id):
        if mid is not None:
            load_member(session, case, mid, on=today)


def _new_meeting(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    starts_at: datetime,
    kind: str,
    ends_at: datetime | None,
    venue: str | None,
    online_url: str | None,
    chair_member_id: int | None,
    minute_taker_member_id: int | None,
    status: str,
    social_worker_present: bool | None,
    online: bool = False,
) -> Meeting:
    actor = check_actor(actor)
    today = london_today(now)
    check_aware(starts_at, "starts_at")
    if ends_at is not None:
        check_aware(ends_at, "ends_at")
    if status == "scheduled" and starts_at <= now:
        raise MeetingInPast(starts_at, now)
    if status == "held" and starts_at > now:
        raise InvalidValue(
            "starts_at",
            f"{starts_at.isoformat()} is in the future; schedule the meeting instead",
            "schedule_meeting(…, starts_at=…)",
        )
    venue = clean_text(venue, "venue", max_len=255, example='venue="Family centre"')
    online_url = clean_text(
        online_url, "online_url", max_len=1024, example='online_url="https://meet.example/…"'
    )
    case = load_case(session, reference)
    _check_meeting_input(
        session,
        case,
        today,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        chair_member_id=chair_member_id,
        minute_taker_member_id=minute_taker_member_id,
    )
    meeting = Meeting(
        case_id=case_id_of(case),
        kind=kind,
        status=status,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        online=bool(online),
        chair_member_id=chair_member_id,
        minute_taker_member_id=minute_taker_member_id,
        social_worker_present=social_worker_present,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action=f"meeting.{status}",
        entity="meeting",
        entity_id=meeting.id,
        after=snapshot_of(meeting, MEETING_FIELDS),
    )
    return meeting


def schedule_meeting(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    starts_at: datetime,
    kind: str = "core_group",
    ends_at: datetime | None = None,
    venue: str | None = None,
    online_url: str | None = None,
    chair_member_id: int | None = None,
    minute_taker_member_id: int | None = None,
    online: bool = False,
) -> Meeting:
    """A future meeting (MeetingInPast otherwise; use `record_held_meeting` for past ones).

    `online`: held online (with or without a venue); the venue is kept as typed."""
    return _new_meeting(
        session,
        reference,
        actor=actor,
        now=now,
        starts_at=starts_at,
        kind=kind,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        chair_member_id=chair_member_id,
        minute_taker_member_id=minute_taker_member_id,
        status="scheduled",
        social_worker_present=None,
        online=online,
    )


def record_held_meeting(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    starts_at: datetime,
    kind: str = "core_group",
    ends_at: datetime | None = None,
    venue: str | None = None,
    online_url: str | None = None,
    chair_member_id: int | None = None,
    minute_taker_member_id: int | None = None,
    social_worker_present: bool | None = None,
) -> Meeting:
    """A meeting that already took place (onboarding an existing case, a missed booking)."""
    return _new_meeting(
        session,
        reference,
        actor=actor,
        now=now,
        starts_at=starts_at,
        kind=kind,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        chair_member_id=chair_member_id,
        minute_taker_member_id=minute_taker_member_id,
        status="held",
        social_worker_present=social_worker_present,
    )


def _scheduled(meeting: Meeting, case: CoreGroup, doing: str) -> None:
    if meeting.status != "scheduled":
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} is {meeting.status}; only a "
            f"scheduled meeting can be {doing}.",
            f"/coregroup meetings {case.reference}",
        )


def reschedule_meeting(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    starts_at: datetime,
    ends_at: datetime | None = None,
) -> Meeting:
    actor = check_actor(actor)
    today = london_today(now)
    check_aware(starts_at, "starts_at")
    if ends_at is not None:
        check_aware(ends_at, "ends_at")
    if starts_at <= now:
        raise MeetingInPast(starts_at, now)
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    _scheduled(meeting, case, "moved")
    _check_meeting_input(
        session,
        case,
        today,
        kind=meeting.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        chair_member_id=None,
        minute_taker_member_id=None,
    )
    before = snapshot_of(meeting, MEETING_FIELDS)
    meeting.starts_at, meeting.ends_at, meeting.updated_at = starts_at, ends_at, now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.rescheduled",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=snapshot_of(meeting, MEETING_FIELDS),
    )
    return meeting


def update_meeting(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    venue: str | Unset | None = UNSET,
    online_url: str | Unset | None = UNSET,
    chair_member_id: int | Unset | None = UNSET,
    minute_taker_member_id: int | Unset | None = UNSET,
    calendar_event_id: str | Unset | None = UNSET,
    online: bool | Unset = UNSET,
) -> Meeting:
    """Venue, link, online, chair, minute-taker, calendar event id; UNSET leaves a field as it
    is."""
    actor = check_actor(actor)
    today = london_today(now)
    changes: dict[str, Any] = {}
    if online is not UNSET:
        if not isinstance(online, bool):
            raise InvalidValue("online", f"expected true or false, got {online!r}", "online=True")
        changes["online"] = online
    if venue is not UNSET:
        changes["venue"] = clean_text(venue, "venue", max_len=255, example='venue="Family centre"')
    if online_url is not UNSET:
        changes["online_url"] = clean_text(
            online_url, "online_url", max_len=1024, example='online_url="https://meet.example/…"'
        )
    if calendar_event_id is not UNSET:
        changes["calendar_event_id"] = clean_text(
            calendar_event_id, "calendar_event_id", max_len=255, example='"AAMkAG…"'
        )
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    for field, mid in (
        ("chair_member_id", chair_member_id),
        ("minute_taker_member_id", minute_taker_member_id),
    ):
        if mid is not UNSET:
            if mid is not None:
                load_member(session, case, mid, on=today)
            changes[field] = mid
    before = snapshot_of(meeting, MEETING_FIELDS)
    for key, value in changes.items():
        setattr(meeting, key, value)
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.updated",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after={**snapshot_of(meeting, MEETING_FIELDS), "fields_changed": sorted(changes)},
    )
    return meeting


def raise_calendar_sequence(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
) -> int:
    """The invitation changed: SEQUENCE goes up by one (RFC 5545 §3.8.7.4) and the new value is
    returned. Kept on the meeting so every later file or Graph change counts from it."""
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    before = meeting.calendar_sequence
    meeting.calendar_sequence = before + 1
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.calendar_sequence",
        entity="meeting",
        entity_id=meeting.id,
        before={"calendar_sequence": before},
        after={"calendar_sequence": meeting.calendar_sequence},
    )
    return meeting.calendar_sequence


def hold_meeting(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    social_worker_present: bool | None = None,
) -> Meeting:
    """Mark a scheduled meeting as held (on or after its start date)."""
    actor = check_actor(actor)
    today = london_today(now)
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    _scheduled(meeting, case, "recorded as held")
    if london_date(meeting.starts_at) > today:
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} is on "
            f"{london_date(meeting.starts_at)}; it can be recorded as held from "
            "that day.",
            f"/coregroup meetings {case.reference}",
        )
    before = snapshot_of(meeting, MEETING_FIELDS)
    meeting.status = "held"
    if social_worker_present is not None:
        meeting.social_worker_present = social_worker_present
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.held",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=snapshot_of(meeting, MEETING_FIELDS),
    )
    return meeting


def cancel_meeting(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> Meeting:
    actor = check_actor(actor)
    london_today(now)
    reason = clean_text(reason, "reason", max_len=255, example='reason="chair unwell"')
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    _scheduled(meeting, case, "cancelled")
    before = snapshot_of(meeting, MEETING_FIELDS)
    meeting.status = "cancelled"
    meeting.cancel_reason = reason
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.cancelled",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=snapshot_of(meeting, MEETING_FIELDS),
    )
    return meeting


def _refresh_attendance_counts(session: Session, meeting: Meeting) -> None:
    rows = session.execute(
        select(col(Attendance.status), col(Member.kind), col(Member.role))
        .join(Member, col(Member.id) == col(Attendance.member_id))
        .where(col(Attendance.meeting_id) == meeting.id)
    ).all()
    if not rows:
        meeting.professionals_present = meeting.lead_sw_present = None
        meeting.social_worker_attended = None
        return
    came = [(kind, role) for status, kind, role in rows if status == "attended"]
    meeting.professionals_present = sum(1 for kind, _ in came if kind == "professional")
    meeting.lead_sw_present = any(role == LEAD_SOCIAL_WORKER for _, role in came)
    meeting.social_worker_attended = any(role in SOCIAL_WORKER_ROLES for _, role in came)


def record_attendance(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    attended: Iterable[int] = (),
    apologies: Iterable[int] = (),
    absent: Iterable[int] = (),
) -> list[Attendance]:
    """Record (or correct) who attended / sent apologies; members not named are left as they are.

    Before a meeting this is the RSVP ("Attending", "Sending apologies"); after it, the minute-
    taker's record. Only a held meeting's attendance counts towards quorum in `case_state`.
    """
    actor = check_actor(actor)
    london_today(now)
    wanted: dict[int, str] = {}
    for status, ids in (("attended", attended), ("apologies", apologies), ("absent", absent)):
        assert status in ATTENDANCE_STATUSES
        for mid in ids:
            if mid in wanted:
                raise InvalidValue(
                    "attendance", f"member {mid} is listed twice", "attended=[3, 4], apologies=[5]"
                )
            wanted[mid] = status
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} was cancelled.",
            f"/coregroup meetings {case.reference}",
        )
    day = london_date(meeting.starts_at)
    for mid in wanted:
        m = load_member(session, case, mid)
        if m.left_on is not None and m.left_on <= day:
            raise NotAMember(mid, case.reference)
    existing = {
        a.member_id: a
        for a in session.scalars(select(Attendance).where(col(Attendance.meeting_id) == meeting.id))
    }
    out: list[Attendance] = []
    for mid, status in wanted.items():
        row = existing.get(mid)
        if row is None:
            row = Attendance(meeting_id=row_id(meeting), member_id=mid, status=status, recorded_at=now)
            session.add(row)
        else:
            row.status, row.recorded_at = status, now
        out.append(row)
    session.flush()
    _refresh_attendance_counts(session, meeting)
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="meeting.attendance",
        entity="meeting",
        entity_id=meeting.id,
        after={"attendance": {str(k): v for k, v in wanted.items()}},
    )
    return out


def attendance(session: Session, reference: str, meeting_id: int) -> list[Attendance]:
    case = load_case(session, reference, writable=False)
    meeting = load_meeting(session, case, meeting_id)
    return list(
        session.scalars(
            select(Attendance)
            .where(col(Attendance.meeting_id) == meeting.id)
            .order_by(col(Attendance.member_id))
        )
    )


def _mark_meeting_time(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    at: datetime | None,
    field: str,
    action: str,
) -> Meeting:
    actor = check_actor(actor)
    london_today(now)
    when = check_aware(at, "at") if at is not None else now
    if when > now:
        raise InvalidValue("at", f"{when.isoformat()} is in the future", "leave it out for now")
    case = load_case(session, reference)
    meeting = load_meeting(session, case, meeting_id)
    if meeting.status != "held":
        raise InvalidState(
            f"Meeting {meeting.id} of {case.reference} is {meeting.status}, not held.",
            f"/coregroup meetings {case.reference}",
        )
    before = snapshot_of(meeting, MEETING_FIELDS)
    setattr(meeting, field, when)
    meeting.updated_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action=action,
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=snapshot_of(meeting, MEETING_FIELDS),
    )
    return meeting


def mark_minutes_circulated(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    at: datetime | None = None,
) -> Meeting:
    return _mark_meeting_time(
        session,
        reference,
        meeting_id,
        actor=actor,
        now=now,
        at=at,
        field="minutes_circulated_at",
        action="meeting.minutes_circulated",
    )


def mark_chair_update_sent(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    at: datetime | None = None,
) -> Meeting:
    return _mark_meeting_time(
        session,
        reference,
        meeting_id,
        actor=actor,
        now=now,
        at=at,
        field="chair_update_sent_at",
        action="meeting.chair_update_sent",
    )


def get_meeting(session: Session, reference: str, meeting_id: int) -> Meeting:
    return load_meeting(session, load_case(session, reference, writable=False), meeting_id)


def meetings(session: Session, reference: str, *, status: str | None = None) -> list[Meeting]:
    case = load_case(session, reference, writable=False)
    stmt = select(Meeting).where(col(Meeting.case_id) == case.id)
    if status is not None:
        stmt = stmt.where(col(Meeting.status) == status)
    return list(session.scalars(stmt.order_by(col(Meeting.starts_at), col(Meeting.id))))


def next_meeting(
    session: Session, reference: str, *, now: datetime, kinds: Sequence[str] | None = None
) -> Meeting | None:
    """The earliest scheduled meeting starting at or after `now`."""
    check_aware(now, "now")
    case = load_case(session, reference, writable=False)
    stmt = select(Meeting).where(
        col(Meeting.case_id) == case.id, col(Meeting.status) == "scheduled", col(Meeting.starts_at) >= now
    )
    if kinds is not None:
        stmt = stmt.where(col(Meeting.kind).in_(list(kinds)))
    return session.scalars(stmt.order_by(col(Meeting.starts_at), col(Meeting.id)).limit(1)).first()
