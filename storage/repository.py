"""Repository functions: every change to the record, each with its audit event in one transaction.

Conventions (all functions):

- The first argument is the `Session` from `Store.transaction()` (or `Store.read()` for look-ups);
  the caller's transaction commits or rolls back, so a handler can combine calls atomically.
- Cases are named by their reference (`"CG-0001"`), the only identifier chat ever sees; meetings,
  members, actions and escalations by their integer id within that case.
- `actor` is who did it, as an id string (`"slack:U123"`, `"teams:29:1ab…"`, `"cli"`,
  `"system:sweep"`), never a person's name. `now` is an aware datetime from the injected clock:
  storage never reads the real clock.
- Bad input raises a `storage.errors.StorageError` subclass before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Final, Literal, NoReturn

from sqlmodel import Session

from scheduling.case import CaseState
from storage.models import (
    Attendance,
    CaseEvent,
    CoreGroup,
    Escalation,
    Meeting,
    Member,
    PlanAction,
    Visit,
    WrittenReport,
)


class _Unset(Enum):
    UNSET = "unset"


#: "Leave this field as it is" in update functions (None means "clear it").
UNSET: Final = _Unset.UNSET

Platform = Literal["slack", "teams"]


@dataclass(frozen=True, slots=True)
class ActiveCase:
    """One case as the reminder sweep needs it: ids to key reminders on, and the engine's state."""

    id: int
    reference: str
    slack_channel_id: str | None
    teams_channel_id: str | None
    state: CaseState


# --- cases -------------------------------------------------------------------------------------


def create_case(
    session: Session,
    *,
    actor: str,
    now: datetime,
    profile: str,
    plan: str,
    start: date,
    registered: date | None = None,
    reference: str | None = None,
    lead_visit_every: int | None = None,
) -> CoreGroup:
    """A new active case; `reference` defaults to the next free CG-NNNN."""
    raise NotImplementedError


def get_case(session: Session, reference: str) -> CoreGroup:
    raise NotImplementedError


def case_by_channel(session: Session, channel_id: str) -> CoreGroup:
    """The case linked to a Slack or Teams channel (UnknownChannel if none)."""
    raise NotImplementedError


def list_cases(session: Session, *, status: str | None = "active") -> list[CoreGroup]:
    raise NotImplementedError


def link_channel(
    session: Session, reference: str, *, actor: str, now: datetime, platform: Platform,
    channel_id: str,
) -> CoreGroup:
    raise NotImplementedError


def update_case(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    profile: str | _Unset = UNSET,
    registered: date | _Unset | None = UNSET,
    lead_visit_every: int | _Unset | None = UNSET,
) -> CoreGroup:
    raise NotImplementedError


def close_case(session: Session, reference: str, *, actor: str, now: datetime) -> CoreGroup:
    raise NotImplementedError


def reopen_case(session: Session, reference: str, *, actor: str, now: datetime) -> CoreGroup:
    """A re-referral soon after closure reopens the same record (why purge waits ≥ 3 months)."""
    raise NotImplementedError


def set_child_name(
    session: Session, reference: str, name: str, *, actor: str, now: datetime, enabled: bool
) -> None:
    """Store the child's name apart from the case; `enabled` is Settings.store_child_name."""
    raise NotImplementedError


def child_name(session: Session, reference: str) -> str | None:
    raise NotImplementedError


# --- members -----------------------------------------------------------------------------------


def add_member(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    display_name: str,
    role: str,
    kind: str = "professional",
    agency: str | None = None,
    email: str | None = None,
    slack_user_id: str | None = None,
    teams_user_id: str | None = None,
    line_manager_name: str | None = None,
    line_manager_email: str | None = None,
    line_manager_slack_user_id: str | None = None,
    line_manager_teams_user_id: str | None = None,
    joined_on: date | None = None,
) -> Member:
    raise NotImplementedError


def update_member(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    changes: Mapping[str, str | None],
) -> Member:
    """Change contact/role fields (display_name, role, agency, email, chat ids, line manager)."""
    raise NotImplementedError


def remove_member(
    session: Session, reference: str, member_id: int, *, actor: str, now: datetime,
    left_on: date | None = None,
) -> Member:
    """The member leaves (left_on, default today); their history stays on the record."""
    raise NotImplementedError


def get_member(session: Session, reference: str, member_id: int) -> Member:
    raise NotImplementedError


def members(
    session: Session, reference: str, *, on: date | None = None, include_left: bool = False
) -> list[Member]:
    raise NotImplementedError


def member_by_user(
    session: Session, reference: str, platform: Platform, user_id: str, *, on: date | None = None
) -> Member:
    """The current member of this case with that Slack/Teams user id (NotAMember if none)."""
    raise NotImplementedError


def cases_for_user(session: Session, platform: Platform, user_id: str) -> list[CoreGroup]:
    """Active cases where this chat user is a current member (App Home, "my cases")."""
    raise NotImplementedError


def set_away(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    away_from: date,
    away_until: date | None,
    cover_member_id: int | None = None,
) -> Member:
    raise NotImplementedError


def clear_away(
    session: Session, reference: str, member_id: int, *, actor: str, now: datetime
) -> Member:
    raise NotImplementedError


# --- meetings ----------------------------------------------------------------------------------


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
) -> Meeting:
    """A future meeting (MeetingInPast otherwise; use `record_held_meeting` for past ones)."""
    raise NotImplementedError


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
    raise NotImplementedError


def reschedule_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    starts_at: datetime, ends_at: datetime | None = None,
) -> Meeting:
    raise NotImplementedError


def update_meeting(
    session: Session,
    reference: str,
    meeting_id: int,
    *,
    actor: str,
    now: datetime,
    venue: str | _Unset | None = UNSET,
    online_url: str | _Unset | None = UNSET,
    chair_member_id: int | _Unset | None = UNSET,
    minute_taker_member_id: int | _Unset | None = UNSET,
    calendar_event_id: str | _Unset | None = UNSET,
) -> Meeting:
    raise NotImplementedError


def hold_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    social_worker_present: bool | None = None,
) -> Meeting:
    """Mark a scheduled meeting as held (on or after its start date)."""
    raise NotImplementedError


def cancel_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    reason: str | None = None,
) -> Meeting:
    raise NotImplementedError


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
    """Record (or correct) who attended / sent apologies; members not named are left as they are."""
    raise NotImplementedError


def attendance(session: Session, reference: str, meeting_id: int) -> list[Attendance]:
    raise NotImplementedError


def mark_minutes_circulated(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    at: datetime | None = None,
) -> Meeting:
    raise NotImplementedError


def mark_chair_update_sent(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    at: datetime | None = None,
) -> Meeting:
    raise NotImplementedError


def get_meeting(session: Session, reference: str, meeting_id: int) -> Meeting:
    raise NotImplementedError


def meetings(
    session: Session, reference: str, *, status: str | None = None
) -> list[Meeting]:
    raise NotImplementedError


def next_meeting(
    session: Session, reference: str, *, now: datetime, kinds: Sequence[str] | None = None
) -> Meeting | None:
    """The earliest scheduled meeting starting at or after `now`."""
    raise NotImplementedError


# --- written reports ---------------------------------------------------------------------------


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
    raise NotImplementedError


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
    raise NotImplementedError


def reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    raise NotImplementedError


def outstanding_reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    """Requested and not yet submitted."""
    raise NotImplementedError


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
    """`by` is "lead_social_worker" or "professional"."""
    raise NotImplementedError


def visits(session: Session, reference: str) -> list[Visit]:
    raise NotImplementedError


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
    raise NotImplementedError


def update_action(
    session: Session,
    reference: str,
    action_id: int,
    *,
    actor: str,
    now: datetime,
    owner_member_id: int | _Unset | None = UNSET,
    due_on: date | _Unset | None = UNSET,
) -> PlanAction:
    raise NotImplementedError


def achieve_action(
    session: Session, reference: str, action_id: int, *, actor: str, now: datetime
) -> PlanAction:
    raise NotImplementedError


def delete_action(
    session: Session, reference: str, action_id: int, *, actor: str, now: datetime
) -> NoReturn:
    """Always refuses: actions are never deleted (ActionsAreNeverDeleted)."""
    raise NotImplementedError


def actions(session: Session, reference: str, *, status: str | None = None) -> list[PlanAction]:
    raise NotImplementedError


def record_school_move(
    session: Session, reference: str, *, actor: str, now: datetime, on: date
) -> CaseEvent:
    raise NotImplementedError


def record_significant_change(
    session: Session, reference: str, *, actor: str, now: datetime, on: date,
    reported_on: date | None = None,
) -> CaseEvent:
    raise NotImplementedError


def mark_change_reported(
    session: Session, reference: str, event_id: int, *, actor: str, now: datetime,
    on: date | None = None,
) -> CaseEvent:
    raise NotImplementedError


def case_events(session: Session, reference: str) -> list[CaseEvent]:
    raise NotImplementedError


# --- escalation and the Wales resolution process -----------------------------------------------


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
    raise NotImplementedError


def advance_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    """Move to the next stage; its clock starts now."""
    raise NotImplementedError


def resolve_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    raise NotImplementedError


def escalations(
    session: Session, reference: str, *, open_only: bool = False
) -> list[Escalation]:
    raise NotImplementedError


def request_resolution(
    session: Session, reference: str, *, actor: str, now: datetime, on: date | None = None
) -> CoreGroup:
    """Wales (Cwm Taf Morgannwg §5): a resolution (Tier 1) request."""
    raise NotImplementedError


def set_significant_risk_reduction(
    session: Session, reference: str, value: bool, *, actor: str, now: datetime
) -> CoreGroup:
    raise NotImplementedError


# --- the engine's view ---------------------------------------------------------------------------


def case_state(session: Session, reference: str) -> CaseState:
    """Exactly the engine's `CaseState` for a case (same as CASE.json would give)."""
    raise NotImplementedError


def active_case_states(session: Session, *, batch_size: int = 2000) -> Iterator[ActiveCase]:
    """Every active case, in batches of bulk queries (never one query per case)."""
    raise NotImplementedError


# --- chat idempotency -----------------------------------------------------------------------------


def first_time(session: Session, key: str, *, now: datetime) -> bool:
    """True the first time a platform request/event id is seen, False on a retry.

    Call it in the same transaction as the change it guards: a failed handler rolls it back too.
    """
    raise NotImplementedError


def forget_requests(session: Session, *, before: datetime) -> int:
    raise NotImplementedError


# --- retention ---------------------------------------------------------------------------------


def purge_closed_cases(
    session: Session,
    *,
    actor: str,
    now: datetime,
    closed_before: date,
    retention_months: int,
) -> list[str]:
    """Remove closed cases past retention (never < 3 months closed); returns their references."""
    raise NotImplementedError
