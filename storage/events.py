"""Case events the engine schedules from: school moves and significant changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.common import (
    case_id_of,
    check_actor,
    check_date,
    load_case,
    london_today,
    one_of_case,
    record_audit,
    snapshot_of,
)
from storage.errors import InvalidValue, UnknownRecord
from storage.models import CaseEvent


def _event_snap(e: CaseEvent) -> dict[str, Any]:
    return snapshot_of(e, ("kind", "occurred_on", "reported_on"))


def _new_event(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    kind: str,
    on: date,
    reported_on: date | None,
) -> CaseEvent:
    actor = check_actor(actor)
    today = london_today(now)
    check_date(on, "on")
    check_date(reported_on, "reported_on")
    if kind == "significant_change" and on > today:
        raise InvalidValue(
            "on",
            f"{on} is in the future; record a change once it has happened",
            f"on=date({today.year}, {today.month}, {today.day})",
        )
    if reported_on is not None and (reported_on < on or reported_on > today):
        raise InvalidValue(
            "reported_on",
            f"{reported_on} must be between the change ({on}) and today ({today})",
            "leave it out until it is reported",
        )
    case = load_case(session, reference)
    event = CaseEvent(
        case_id=case_id_of(case), kind=kind, occurred_on=on, reported_on=reported_on, recorded_at=now
    )
    session.add(event)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action=f"event.{kind}",
        entity="case_event",
        entity_id=event.id,
        after=_event_snap(event),
    )
    return event


def record_school_move(session: Session, reference: str, *, actor: str, now: datetime, on: date) -> CaseEvent:
    """A school move (past or planned): the school-move core group clock counts from it."""
    return _new_event(session, reference, actor=actor, now=now, kind="school_move", on=on, reported_on=None)


def record_significant_change(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    on: date,
    reported_on: date | None = None,
) -> CaseEvent:
    """A significant change in the child's circumstances; `reported_on` = told the chair."""
    return _new_event(
        session, reference, actor=actor, now=now, kind="significant_change", on=on, reported_on=reported_on
    )


def mark_change_reported(
    session: Session,
    reference: str,
    event_id: int,
    *,
    actor: str,
    now: datetime,
    on: date | None = None,
) -> CaseEvent:
    actor = check_actor(actor)
    today = london_today(now)
    check_date(on, "on")
    case = load_case(session, reference)
    event = one_of_case(
        session, CaseEvent, event_id, case, "significant change", f"/coregroup changes {case.reference}"
    )
    if event.kind != "significant_change":
        raise UnknownRecord(
            "significant change", event_id, case.reference, f"/coregroup changes {case.reference}"
        )
    day = on or today
    if day < event.occurred_on or day > today:
        raise InvalidValue(
            "on",
            f"{day} must be between the change ({event.occurred_on}) and today ({today})",
            "leave it out for today",
        )
    before = _event_snap(event)
    event.reported_on = day
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="event.change_reported",
        entity="case_event",
        entity_id=event.id,
        before=before,
        after=_event_snap(event),
    )
    return event


def case_events(session: Session, reference: str) -> list[CaseEvent]:
    case = load_case(session, reference, writable=False)
    return list(
        session.scalars(
            select(CaseEvent)
            .where(col(CaseEvent.case_id) == case.id)
            .order_by(col(CaseEvent.occurred_on), col(CaseEvent.id))
        )
    )
