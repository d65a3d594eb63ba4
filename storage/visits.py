"""Statutory visits to the child."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from scheduling.case import VISIT_BY
from storage.common import (
    case_id_of,
    check_actor,
    check_choice,
    check_date,
    load_case,
    load_member,
    london_today,
    record_audit,
    snapshot_of,
)
from storage.errors import InvalidValue
from storage.models import Visit

# --- visits, actions, events --------------------------------------------------------------------


def record_visit(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    on: date,
    by: str,
    member_id: int | None = None,
    seen_alone: bool = False,
) -> Visit:
    """`by` is "lead_social_worker" or "professional" (the engine's two kinds of visit)."""
    actor = check_actor(actor)
    today = london_today(now)
    check_date(on, "on")
    if on > today:
        raise InvalidValue(
            "on",
            f"{on} is in the future; record a visit once it has happened",
            f"on=date({today.year}, {today.month}, {today.day})",
        )
    by = check_choice(by, "by", VISIT_BY)
    if not isinstance(seen_alone, bool):
        raise InvalidValue("seen_alone", f"expected true or false, got {seen_alone!r}", "seen_alone=True")
    case = load_case(session, reference)
    if member_id is not None:
        load_member(session, case, member_id, on=on)
    visit = Visit(
        case_id=case_id_of(case),
        visited_on=on,
        by=by,
        member_id=member_id,
        seen_alone=seen_alone,
        recorded_at=now,
    )
    session.add(visit)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="visit.recorded",
        entity="visit",
        entity_id=visit.id,
        after=snapshot_of(visit, ("visited_on", "by", "member_id", "seen_alone")),
    )
    return visit


def visits(session: Session, reference: str) -> list[Visit]:
    case = load_case(session, reference, writable=False)
    return list(
        session.scalars(
            select(Visit).where(col(Visit.case_id) == case.id).order_by(col(Visit.visited_on), col(Visit.id))
        )
    )
