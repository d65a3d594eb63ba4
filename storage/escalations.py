"""Escalations between professionals and the Wales resolution process."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from storage.common import (
    CASE_FIELDS,
    ESCALATION_FIELDS,
    case_id_of,
    check_actor,
    check_date,
    clean_text,
    load_case,
    load_member,
    london_today,
    one_of_case,
    record_audit,
    snapshot_of,
)
from storage.errors import InvalidState, InvalidValue
from storage.models import CoreGroup, Escalation

# --- escalation and the Wales resolution process -----------------------------------------------


def _escalation(session: Session, case: CoreGroup, escalation_id: int) -> Escalation:
    esc = one_of_case(
        session, Escalation, escalation_id, case, "escalation", f"/coregroup escalations {case.reference}"
    )
    if esc.resolved_at is not None:
        raise InvalidState(
            f"Escalation {esc.id} of {case.reference} is already resolved.",
            f"/coregroup escalate {case.reference} (raises a new one)",
        )
    return esc


def raise_escalation(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    raised_by_member_id: int | None = None,
    about_member_id: int | None = None,
    about: str | None = None,
) -> Escalation:
    """A disagreement raised at stage 1; `about` is a short subject kept on the record only."""
    actor = check_actor(actor)
    today = london_today(now)
    about = clean_text(about, "about", max_len=255, example='about="threshold for the plan"')
    case = load_case(session, reference)
    for mid in (raised_by_member_id, about_member_id):
        if mid is not None:
            load_member(session, case, mid, on=today)
    esc = Escalation(
        case_id=case_id_of(case),
        raised_by_member_id=raised_by_member_id,
        about_member_id=about_member_id,
        about=about,
        stage=1,
        raised_at=now,
        stage_started_at=now,
    )
    session.add(esc)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="escalation.raised",
        entity="escalation",
        entity_id=esc.id,
        after=snapshot_of(esc, ESCALATION_FIELDS),
    )
    return esc


def advance_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    """Move to the next stage; its clock starts now."""
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference)
    esc = _escalation(session, case, escalation_id)
    before = snapshot_of(esc, ESCALATION_FIELDS)
    esc.stage += 1
    esc.stage_started_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="escalation.advanced",
        entity="escalation",
        entity_id=esc.id,
        before=before,
        after=snapshot_of(esc, ESCALATION_FIELDS),
    )
    return esc


def resolve_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference)
    esc = _escalation(session, case, escalation_id)
    before = snapshot_of(esc, ESCALATION_FIELDS)
    esc.resolved_at = now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="escalation.resolved",
        entity="escalation",
        entity_id=esc.id,
        before=before,
        after=snapshot_of(esc, ESCALATION_FIELDS),
    )
    return esc


def escalations(session: Session, reference: str, *, open_only: bool = False) -> list[Escalation]:
    case = load_case(session, reference, writable=False)
    stmt = select(Escalation).where(col(Escalation.case_id) == case.id)
    if open_only:
        stmt = stmt.where(col(Escalation.resolved_at).is_(None))
    return list(session.scalars(stmt.order_by(col(Escalation.raised_at), col(Escalation.id))))


def request_resolution(
    session: Session, reference: str, *, actor: str, now: datetime, on: date | None = None
) -> CoreGroup:
    """Wales (Cwm Taf Morgannwg §5): a resolution (Tier 1) request."""
    actor = check_actor(actor)
    today = london_today(now)
    check_date(on, "on")
    day = on or today
    if day > today:
        raise InvalidValue("on", f"{day} is in the future", "leave it out for today")
    case = load_case(session, reference)
    before = snapshot_of(case, CASE_FIELDS)
    case.resolution_requested = day
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="resolution.requested",
        entity="case",
        entity_id=case.id,
        before=before,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case


def set_significant_risk_reduction(
    session: Session, reference: str, value: bool, *, actor: str, now: datetime
) -> CoreGroup:
    """Wales: Tier 1 found significant risk reduction (no Tier 2), or no longer does."""
    actor = check_actor(actor)
    london_today(now)
    if not isinstance(value, bool):
        raise InvalidValue("value", f"expected true or false, got {value!r}", "value=True")
    case = load_case(session, reference)
    before = snapshot_of(case, CASE_FIELDS)
    case.significant_risk_reduction = value
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="resolution.risk_reduction",
        entity="case",
        entity_id=case.id,
        before=before,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case
