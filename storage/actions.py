"""The child protection plan's actions. They are achieved or changed, never deleted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final, NoReturn

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from storage.common import (
    UNSET,
    Unset,
    case_id_of,
    check_actor,
    check_date,
    load_case,
    load_member,
    london_today,
    one_of_case,
    record_audit,
    required_text,
)
from storage.errors import ActionsAreNeverDeleted, InvalidState
from storage.models import CoreGroup, PlanAction


def _action_snap(a: PlanAction) -> dict[str, Any]:
    return {
        "owner_member_id": a.owner_member_id,
        "due_on": a.due_on,
        "status": a.status,
        "achieved_at": a.achieved_at,
        "chars": len(a.text),
    }


def _action(session: Session, case: CoreGroup, action_id: int) -> PlanAction:
    return one_of_case(
        session,
        PlanAction,
        action_id,
        case,
        "plan action",
        f"/coregroup actions {case.reference} (lists the action numbers)",
    )


def add_action(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    text: str,
    owner_member_id: int | None = None,
    due_on: date | None = None,
) -> PlanAction:
    actor = check_actor(actor)
    today = london_today(now)
    body = required_text(text, "text", max_len=2000, example='text="Health visitor to check weight"')
    check_date(due_on, "due_on")
    case = load_case(session, reference)
    if owner_member_id is not None:
        load_member(session, case, owner_member_id, on=today)
    action = PlanAction(
        case_id=case_id_of(case), text=body, owner_member_id=owner_member_id, due_on=due_on, created_at=now
    )
    session.add(action)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="action.added",
        entity="action",
        entity_id=action.id,
        after=_action_snap(action),
    )
    return action


def update_action(
    session: Session,
    reference: str,
    action_id: int,
    *,
    actor: str,
    now: datetime,
    owner_member_id: int | Unset | None = UNSET,
    due_on: date | Unset | None = UNSET,
) -> PlanAction:
    """Reassign or re-date an open action (its text is the plan's wording and stays)."""
    actor = check_actor(actor)
    today = london_today(now)
    if due_on is not UNSET:
        check_date(due_on, "due_on")
    case = load_case(session, reference)
    action = _action(session, case, action_id)
    if action.status != "open":
        raise InvalidState(
            f"Action {action.id} of {case.reference} is already achieved.",
            f"/coregroup actions {case.reference}",
        )
    if owner_member_id is not UNSET and owner_member_id is not None:
        load_member(session, case, owner_member_id, on=today)
    before = _action_snap(action)
    if owner_member_id is not UNSET:
        action.owner_member_id = owner_member_id
    if due_on is not UNSET:
        action.due_on = due_on
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="action.updated",
        entity="action",
        entity_id=action.id,
        before=before,
        after=_action_snap(action),
    )
    return action


def achieve_action(
    session: Session, reference: str, action_id: int, *, actor: str, now: datetime
) -> PlanAction:
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference)
    action = _action(session, case, action_id)
    if action.status == "achieved":
        raise InvalidState(
            f"Action {action.id} of {case.reference} is already achieved.",
            f"/coregroup actions {case.reference}",
        )
    before = _action_snap(action)
    action.status, action.achieved_at = "achieved", now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="action.achieved",
        entity="action",
        entity_id=action.id,
        before=before,
        after=_action_snap(action),
    )
    return action


def delete_action(session: Session, reference: str, action_id: int, *, actor: str, now: datetime) -> NoReturn:
    """Always refuses: actions are never deleted (ActionsAreNeverDeleted)."""
    case = load_case(session, reference, writable=False)
    raise ActionsAreNeverDeleted(action_id, case.reference)


def actions(session: Session, reference: str, *, status: str | None = None) -> list[PlanAction]:
    case = load_case(session, reference, writable=False)
    stmt = select(PlanAction).where(col(PlanAction.case_id) == case.id)
    if status is not None:
        stmt = stmt.where(col(PlanAction.status) == status)
    return list(session.scalars(stmt.order_by(col(PlanAction.id))))


def action_number(session: Session, reference: str, action_id: int) -> int:
    """The action's number as people see it (1 for the case's first action, by id), counted by
    the database instead of loading every action: a case's plan only grows."""
    case = load_case(session, reference, writable=False)
    return int(session.connection().execute(_NUMBER, {"case": case.id, "action": action_id}).scalar() or 0)


#: Built once: every `action add` answers with its number.
_NUMBER: Final = (
    select(func.count())
    .select_from(PlanAction)
    .where(col(PlanAction.case_id) == bindparam("case"), col(PlanAction.id) <= bindparam("action"))
)


def open_actions_numbered(
    session: Session, reference: str, *, limit: int
) -> tuple[int, list[tuple[int, PlanAction]]]:
    """How many actions are open, and the first `limit` of them with their numbers: what the
    pinned summary shows, in two small queries however long the plan is (the numbers by a window
    over the case's actions, counted in the database: `action_number` for each)."""
    case = load_case(session, reference, writable=False)
    mine = col(PlanAction.case_id) == case.id
    is_open = col(PlanAction.status) == "open"
    total = int(session.scalar(select(func.count()).select_from(PlanAction).where(mine, is_open)) or 0)
    if not total:
        return 0, []
    numbered = (
        select(
            col(PlanAction.id).label("id"),
            col(PlanAction.status).label("status"),
            func.row_number().over(order_by=col(PlanAction.id)).label("number"),
        )
        .where(mine)
        .subquery()
    )
    rows = session.execute(
        select(PlanAction, numbered.c.number)
        .join(numbered, numbered.c.id == col(PlanAction.id))
        .where(numbered.c.status == "open")
        .order_by(col(PlanAction.id))
        .limit(limit)
    ).all()
    return total, [(int(number), action) for action, number in rows]
