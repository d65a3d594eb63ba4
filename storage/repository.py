"""Repository functions: every change to the record, each with its audit event in one transaction.

Conventions (all functions):

- The first argument is the `Session` from `Store.transaction()` (or `Store.read()` for look-ups);
  the caller's transaction commits or rolls back, so a handler can combine calls atomically.
- Cases are named by their reference (`"CG-0001"`), the only identifier chat ever sees; meetings,
  members, actions and escalations by their integer id within that case.
- `actor` is who did it, as an id string (`"<channel kind>:<address>"`, `"cli"`,
  `"system:sweep"`), never a person's name. `now` is an aware datetime from the injected clock:
  storage never reads the real clock. "Today" is the Europe/London date of `now`.
- People and channels are platform-neutral: a member is found by an address (channel kind,
  address) in `MemberAddress`, a case by a channel in `CaseConversation`. The channel kind is an
  opaque name an adapter registers; nothing here knows any.
- Bad input raises a `storage.errors.StorageError` subclass before anything is written.
- Audit payloads carry ids, dates, kinds and statuses, never names, emails, venues or free text.

How the record maps to the engine's `scheduling.case.CaseState` (`case_state`,
`active_case_states`):

- profile, plan, start, registered, lead_visit_every ← `CoreGroup` columns.
- meetings ← `Meeting` rows of kind core_group, school_move_core_group,
  resolution_review_core_group, resolution_tier1, resolution_tier2 (every status), ordered by
  start: date = Europe/London date of `starts_at`; status held / scheduled / cancelled passed
  explicitly; minutes_circulated / chair_update_sent = London dates of the `*_at` columns;
  professionals_present = professional members recorded as attended and lead_sw_present = the lead
  social worker recorded as attended (both only for held meetings with attendance recorded, else
  None); social_worker_present = what was said when it was held, else whether any social worker
  was recorded attending, else True.
- review_conferences ← dates of `review_conference` meetings that are not cancelled.
- resolution ← `CoreGroup.resolution_requested`, `.significant_risk_reduction`, and the dates of
  held resolution_tier1 / resolution_tier2 meetings.
- visits ← `Visit(visited_on, by, seen_alone)`; escalations ← `Escalation` (London dates of
  raised_at / stage_started_at / resolved_at); school_moves and significant_changes ← `CaseEvent`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Final, NoReturn, TypeVar, cast

from dateutil.relativedelta import relativedelta
from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session, SQLModel, col

from scheduling.case import MEETING_KINDS, PLANS, VISIT_BY, CaseState
from scheduling.london import LONDON
from storage import audit
from storage.db import insert_on_conflict
from storage.errors import (
    ActionsAreNeverDeleted,
    AlreadyExists,
    CaseClosed,
    ChildNameDisabled,
    InvalidState,
    InvalidValue,
    MeetingInPast,
    NotAMember,
    PurgeTooSoon,
    UnknownCase,
    UnknownChannel,
    UnknownRecord,
)
from storage.models import (
    ADDRESS_HOLDERS,
    ATTENDANCE_STATUSES,
    LEAD_SOCIAL_WORKER,
    MEMBER_KINDS,
    REVIEW_CONFERENCE,
    SOCIAL_WORKER_ROLES,
    Attendance,
    AuditEvent,
    CaseConversation,
    CaseEvent,
    ChildIdentity,
    CoreGroup,
    Escalation,
    Meeting,
    Member,
    MemberAddress,
    PlanAction,
    ProcessedRequest,
    Reminder,
    Visit,
    WrittenReport,
)
from storage.states import (
    CASE_COLUMNS,
    ActiveCase,
    Decoder,
    Parsers,
    assemble,
    encode,
    load_states,
)

#: Every kind a Meeting row may have.
ALL_MEETING_KINDS: Final[tuple[str, ...]] = (*MEETING_KINDS, REVIEW_CONFERENCE)
TIER_KINDS: Final = ("resolution_tier1", "resolution_tier2")
#: Retention floor: a closed case is kept at least this long (re-referrals; Sandwell).
MIN_RETENTION_MONTHS: Final = 3
_REFERENCE = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[A-Z0-9]{1,20}$")
_PROFILE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class _Unset(Enum):
    UNSET = "unset"


#: "Leave this field as it is" in update functions (None means "clear it").
UNSET: Final = _Unset.UNSET

_T = TypeVar("_T", bound=SQLModel)


# --- small helpers -----------------------------------------------------------------------------


def london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(field, f"{value!r} has no time zone; times must be aware",
                           "datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo('Europe/London'))")
    return value


def _today(now: datetime) -> date:
    return london_date(_aware(now, "now"))


def _actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 128:
        raise InvalidValue("actor", f"{actor!r} is not a user id", '"chat:U0123ABCD"')
    return actor.strip()


def _text(value: str | None, field: str, *, max_len: int, example: str,
          required: bool = False) -> str | None:
    if value is None:
        if required:
            raise InvalidValue(field, "is required", example)
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, f"expected text, got {type(value).__name__}", example)
    value = value.strip()
    if not value:
        if required:
            raise InvalidValue(field, "is empty", example)
        return None
    if len(value) > max_len:
        raise InvalidValue(field, f"is {len(value)} characters; at most {max_len}", example)
    return value


def _req(value: str | None, field: str, *, max_len: int, example: str) -> str:
    out = _text(value, field, max_len=max_len, example=example, required=True)
    assert out is not None
    return out


def normalise_reference(reference: str) -> str:
    return reference.strip().upper() if isinstance(reference, str) else reference


def normalise_role(role: str) -> str:
    """ "Health visitor" → "health_visitor": roles are compared, so one spelling."""
    return re.sub(r"[\s\-]+", "_", role.strip().lower())


def _choice(value: str, field: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidValue(field, f"{value!r} is not one of {', '.join(allowed)}",
                           f'{field}="{allowed[0]}"')
    return value


_KIND: Final = re.compile(r"^[a-z][a-z0-9_]{0,15}$")


def _kind(kind: str) -> str:
    """A channel kind: an adapter's short lowercase name, never interpreted here."""
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InvalidValue("kind", f"{kind!r} is not a channel kind", 'kind="chat"')
    return kind


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_CASE_FIELDS: Final = ("reference", "profile", "plan", "start", "registered", "status",
                       "lead_visit_every", "resolution_requested", "significant_risk_reduction",
                       "closed_at")
_MEMBER_FIELDS: Final = ("role", "kind", "joined_on", "left_on", "away_from", "away_until",
                         "cover_member_id")
_MEETING_FIELDS: Final = ("kind", "status", "starts_at", "ends_at", "chair_member_id",
                          "minute_taker_member_id", "calendar_event_id", "social_worker_present",
                          "minutes_circulated_at", "chair_update_sent_at", "online")
_ESCALATION_FIELDS: Final = ("stage", "raised_by_member_id", "about_member_id", "raised_at",
                             "stage_started_at", "resolved_at")


def _snap(obj: SQLModel, fields: Sequence[str]) -> dict[str, Any]:
    out = {f: getattr(obj, f) for f in fields}
    if isinstance(obj, Member):
        # Addresses are ids (a chat user id), like the member's own: the audit may hold them.
        out["addresses"] = {f"{a.whose}:{a.kind}": a.address for a in obj.addresses}
    return out


def _audit(session: Session, case: CoreGroup | None, *, actor: str, now: datetime, action: str,
           entity: str | None = None, entity_id: int | None = None,
           before: Mapping[str, Any] | None = None,
           after: Mapping[str, Any] | None = None) -> None:
    """Record a change. Every change passes here, so it also refreshes the case's snapshot."""
    if case is not None:
        refresh_snapshot(session, case)
    audit.append(session, actor=actor, now=now, action=action,
                 case_id=None if case is None else case.id,
                 case_ref=None if case is None else case.reference,
                 entity=entity, entity_id=entity_id, before=before, after=after)


def refresh_snapshot(session: Session, case: CoreGroup) -> None:
    """Recompute `case.state_snapshot` from the tables (in the caller's transaction)."""
    session.flush()
    conn = session.connection()
    row = conn.execute(select(*CASE_COLUMNS).where(col(CoreGroup.id) == case.id)).one()
    case.state_snapshot = encode(next(load_states(conn, [row])).state)
    session.flush()


def rebuild_snapshots(session: Session, *, batch_size: int = 2000) -> int:
    """Rewrite every case's snapshot from the tables (after a migration); returns how many."""
    conn = session.connection()
    last, n = 0, 0
    while True:
        rows = conn.execute(select(*CASE_COLUMNS).where(col(CoreGroup.id) > last)
                            .order_by(col(CoreGroup.id)).limit(batch_size)).all()
        if not rows:
            return n
        table = CoreGroup.__table__  # type: ignore[attr-defined]
        values = [{"case": a.id, "snapshot": encode(a.state)} for a in load_states(conn, rows)]
        conn.execute(update(table).where(table.c.id == bindparam("case"))
                     .values(state_snapshot=bindparam("snapshot")), values)
        n += len(values)
        last = cast(int, rows[-1][0])


def _case(session: Session, reference: str, *, writable: bool = True,
          closed_ok: bool = False) -> CoreGroup:
    """The case by reference; for a change, also locks its row and refuses a closed case.

    The row lock (PostgreSQL; SQLite has one writer anyway) serialises changes to one case, so
    its snapshot is always recomputed from a consistent view.
    """
    ref = normalise_reference(reference)
    stmt = select(CoreGroup).where(col(CoreGroup.reference) == ref)
    if writable:
        stmt = stmt.with_for_update()
    case = session.scalars(stmt).first()
    if case is None:
        raise UnknownCase(str(reference))
    if writable and not closed_ok and case.status != "active":
        raise CaseClosed(case.reference)
    return case


def _cid(case: CoreGroup) -> int:
    assert case.id is not None
    return case.id


def _id(obj: Meeting | Member) -> int:
    assert obj.id is not None
    return obj.id


def _rowcount(result: Any) -> int:
    """Rows a DML statement touched (Session.execute is typed as returning a plain Result)."""
    return int(result.rowcount)


def _one_of_case(session: Session, model: type[_T], ident: int, case: CoreGroup,
                 what: str, example: str) -> _T:
    obj = session.get(model, ident) if isinstance(ident, int) else None
    if obj is None or getattr(obj, "case_id", None) != case.id:
        raise UnknownRecord(what, ident, case.reference, example)
    return obj


def _member(session: Session, case: CoreGroup, member_id: int, *, on: date | None = None,
            include_left: bool = False) -> Member:
    """A member of this case (current on `on`, unless include_left) or NotAMember."""
    m = session.get(Member, member_id) if isinstance(member_id, int) else None
    if m is None or m.case_id != case.id:
        raise NotAMember(member_id, case.reference)
    if not include_left and on is not None and m.left_on is not None and m.left_on <= on:
        raise NotAMember(member_id, case.reference)
    return m


def _meeting(session: Session, case: CoreGroup, meeting_id: int) -> Meeting:
    return _one_of_case(session, Meeting, meeting_id, case, "meeting",
                        f"/coregroup meetings {case.reference} (lists the meeting numbers)")


def _check_profile(profile: str) -> str:
    profile = profile.strip().lower() if isinstance(profile, str) else profile
    names: list[str] | None = None
    try:
        from scheduling.profiles import profile_names

        names = list(profile_names())
    except ImportError:  # the engine is optional for storage; fall back to the name's shape
        names = None
    if names:
        if profile not in names:
            raise InvalidValue("profile", f"{profile!r} is not a known profile; known: "
                               f"{', '.join(names)}", f'profile="{names[0]}"')
    elif not isinstance(profile, str) or not _PROFILE.match(profile):
        raise InvalidValue("profile", f"{profile!r} is not a profile name", 'profile="suffolk"')
    return profile


def _check_date(value: date | None, field: str, example: str = "date(2027, 1, 5)") -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidValue(field, f"expected a date, got {value!r}", example)


# --- cases -------------------------------------------------------------------------------------


def _next_reference(session: Session) -> str:
    n = (session.execute(select(func.max(col(CoreGroup.id)))).scalar() or 0) + 1
    while True:
        ref = f"CG-{n:04d}"
        if session.scalars(select(col(CoreGroup.id)).where(col(CoreGroup.reference) == ref)).first() \
                is None:
            return ref
        n += 1


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
    actor = _actor(actor)
    _today(now)
    profile = _check_profile(profile)
    plan = _choice(plan, "plan", PLANS)
    _check_date(start, "start", "date(2026, 12, 18)")
    _check_date(registered, "registered")
    if registered is not None and registered < start:
        raise InvalidValue("registered", f"{registered} is before the start ({start})",
                           f"registered=date({start.year}, {start.month}, {start.day})")
    _check_visit_every(lead_visit_every)
    if reference is not None:
        ref = normalise_reference(reference)
        if not _REFERENCE.match(ref or ""):
            raise InvalidValue("reference", f"{reference!r} is not a case reference "
                               "(letters, a dash, then letters or digits)", '"CG-0421"')
        if session.scalars(select(col(CoreGroup.id)).where(col(CoreGroup.reference) == ref)).first():
            raise AlreadyExists(f"A case with reference {ref}",
                                "leave the reference out to get the next free one")
    else:
        ref = _next_reference(session)
    case = CoreGroup(reference=ref, profile=profile, plan=plan, start=start,
                     registered=registered, lead_visit_every=lead_visit_every, created_at=now,
                     created_by=actor)
    session.add(case)
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.created", entity="case",
           entity_id=case.id, after=_snap(case, _CASE_FIELDS))
    return case


def _check_visit_every(value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise InvalidValue("lead_visit_every", f"expected a number of working days, got {value!r}",
                           "lead_visit_every=10")


def get_case(session: Session, reference: str) -> CoreGroup:
    return _case(session, reference, writable=False)


def case_version(session: Session, reference: str) -> int:
    """A number that grows with every change to the case: its latest audit event id.

    Every change writes an audit event in its own transaction, so this is an exact, cheap cache
    key for views computed from the record (0 for a reference with no history).
    """
    ref = normalise_reference(reference)
    stmt = select(func.max(col(AuditEvent.id))).where(col(AuditEvent.case_ref) == ref)
    return int(session.execute(stmt).scalar() or 0)


def case_by_channel(session: Session, channel_id: str) -> CoreGroup:
    """The case linked to that channel, of whatever kind (UnknownChannel if none)."""
    case = session.scalars(
        select(CoreGroup).join(CaseConversation, col(CaseConversation.case_id) == col(CoreGroup.id))
        .where(col(CaseConversation.channel) == channel_id)
    ).first()
    if case is None:
        raise UnknownChannel(channel_id)
    return case


def conversation(session: Session, reference: str, kind: str) -> CaseConversation | None:
    """Where the case is talked about on that channel kind, None if nowhere yet."""
    case = _case(session, reference, writable=False, closed_ok=True)
    return _conversation(session, _cid(case), kind)


def _conversation(session: Session, case_id: int, kind: str) -> CaseConversation | None:
    return session.scalars(select(CaseConversation).where(
        col(CaseConversation.case_id) == case_id, col(CaseConversation.kind) == kind)).first()


def channel_of(session: Session, reference: str, kind: str) -> str | None:
    """The case's channel on that channel kind (None if it has none there)."""
    conv = conversation(session, reference, kind)
    return None if conv is None else conv.channel


def _conversation_for_write(session: Session, case: CoreGroup, kind: str) -> CaseConversation:
    conv = _conversation(session, _cid(case), kind)
    if conv is None:
        conv = CaseConversation(case_id=_cid(case), kind=kind)
        session.add(conv)
    return conv


def list_cases(session: Session, *, status: str | None = "active") -> list[CoreGroup]:
    stmt = select(CoreGroup).order_by(col(CoreGroup.id))
    if status is not None:
        stmt = stmt.where(col(CoreGroup.status) == status)
    return list(session.scalars(stmt))


def link_channel(
    session: Session, reference: str, *, actor: str, now: datetime, kind: str,
    channel_id: str,
) -> CoreGroup:
    """Link the case to its channel of that kind (one channel per case per kind)."""
    actor = _actor(actor)
    _today(now)
    kind = _kind(kind)
    channel_id = _req(channel_id, "channel_id", max_len=255, example='"C0123ABCD"')
    case = _case(session, reference)
    other = session.scalars(
        select(CoreGroup).join(CaseConversation, col(CaseConversation.case_id) == col(CoreGroup.id))
        .where(col(CaseConversation.kind) == kind, col(CaseConversation.channel) == channel_id)
    ).first()
    if other is not None and other.id != case.id:
        raise AlreadyExists(f"A link from this channel (to {other.reference})",
                            "create a new channel for this case")
    conv = _conversation_for_write(session, case, kind)
    before = {**_snap(case, _CASE_FIELDS), "kind": kind, "channel": conv.channel}
    conv.channel = channel_id
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.channel_linked", entity="case",
           entity_id=case.id, before=before,
           after={**_snap(case, _CASE_FIELDS), "kind": kind, "channel": channel_id})
    return case


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
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    changes: dict[str, Any] = {}
    if profile is not UNSET:
        changes["profile"] = _check_profile(profile)
    if registered is not UNSET:
        _check_date(registered, "registered")
        if registered is not None and registered < case.start:
            raise InvalidValue("registered", f"{registered} is before the start ({case.start})",
                               f"registered=date({case.start.year}, {case.start.month}, "
                               f"{case.start.day})")
        changes["registered"] = registered
    if lead_visit_every is not UNSET:
        _check_visit_every(lead_visit_every)
        changes["lead_visit_every"] = lead_visit_every
    before = _snap(case, _CASE_FIELDS)
    for key, value in changes.items():
        setattr(case, key, value)
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.updated", entity="case",
           entity_id=case.id, before=before, after=_snap(case, _CASE_FIELDS))
    return case


def change_start(
    session: Session, reference: str, start: date, *, actor: str, now: datetime
) -> CoreGroup:
    """Correct the start event's date (the conference that started the plan).

    A registration date that equalled the old start moves with it. The whole record is then
    re-read as the engine reads it and validated (`case_from_dict`), so a start after a recorded
    meeting, visit or review is refused and the transaction leaves nothing changed.
    """
    from scheduling.case import CaseError, case_from_dict, case_to_dict

    actor = _actor(actor)
    today = _today(now)
    _check_date(start, "start", "date(2027, 1, 4)")
    if start > today:
        raise InvalidValue("start", f"{start} is still to come; the start is the conference "
                           "that started the plan", f"start=date({today.year}, {today.month}, "
                           f"{today.day})")
    case = _case(session, reference)
    recorded = [(london_date(m.starts_at), "meeting") for m in session.scalars(
        select(Meeting).where(col(Meeting.case_id) == case.id,
                              col(Meeting.status) != "cancelled"))]
    recorded += [(v.visited_on, "visit") for v in session.scalars(
        select(Visit).where(col(Visit.case_id) == case.id))]
    earlier = sorted(d for d in recorded if d[0] < start)
    if earlier:
        day, what = earlier[0]
        raise InvalidState(f"{case.reference} can't start on {start}: a {what} is recorded on "
                           f"{day}, before it.", f"/coregroup change start:{day}")
    before = _snap(case, _CASE_FIELDS)
    old = case.start
    case.start = start
    if case.registered is not None and (case.registered == old or case.registered < start):
        case.registered = start
    session.flush()
    try:
        case_from_dict(case_to_dict(case_state(session, case.reference)))
    except CaseError as exc:
        raise InvalidState(f"{case.reference} can't start on {start}: {exc.problem}.",
                           f"/coregroup change start:{old}") from None
    _audit(session, case, actor=actor, now=now, action="case.start_changed", entity="case",
           entity_id=case.id, before=before, after=_snap(case, _CASE_FIELDS))
    return case


def set_digest(
    session: Session, reference: str, value: bool, *, actor: str, now: datetime
) -> CoreGroup:
    """Quiet digest on or off: the sweep gathers the channel's reminders into one morning post."""
    actor = _actor(actor)
    _today(now)
    if not isinstance(value, bool):
        raise InvalidValue("value", f"expected true or false, got {value!r}", "value=True")
    case = _case(session, reference)
    before = {"digest": case.digest}
    case.digest = value
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.digest", entity="case",
           entity_id=case.id, before=before, after={"digest": value})
    return case


def summary_message_id(session: Session, reference: str, kind: str) -> str | None:
    """The id of the case's pinned summary on that channel kind (the adapter's message id)."""
    conv = conversation(session, reference, _kind(kind))
    return None if conv is None else conv.summary_message_id


def set_summary_message_id(
    session: Session, reference: str, kind: str, message_id: str | None, *,
    actor: str, now: datetime,
) -> CoreGroup:
    """Remember which message is the pinned summary, so later changes edit it in place."""
    actor = _actor(actor)
    _today(now)
    kind = _kind(kind)
    if message_id is not None:
        message_id = _req(message_id, "message_id", max_len=255, example='"1700000000.000100"')
    case = _case(session, reference)
    conv = _conversation_for_write(session, case, kind)
    before = {"kind": kind, "summary_message_id": conv.summary_message_id}
    conv.summary_message_id = message_id
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.summary_pinned", entity="case",
           entity_id=case.id, before=before,
           after={"kind": kind, "summary_message_id": message_id})
    return case


def close_case(session: Session, reference: str, *, actor: str, now: datetime) -> CoreGroup:
    """Close the case: it leaves the sweep, and reminders not yet sent are dropped."""
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    before = _snap(case, _CASE_FIELDS)
    case.status = "closed"
    case.closed_at = now
    dropped = _rowcount(session.execute(
        update(Reminder)
        .where(col(Reminder.case_id) == case.id, col(Reminder.status).in_(("pending", "claimed")))
        .values(status="dead", last_error="case closed")
    ))
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.closed", entity="case",
           entity_id=case.id, before=before,
           after={**_snap(case, _CASE_FIELDS), "reminders_dropped": dropped})
    return case


def reopen_case(session: Session, reference: str, *, actor: str, now: datetime) -> CoreGroup:
    """A re-referral soon after closure reopens the same record (why purge waits ≥ 3 months)."""
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference, closed_ok=True)
    if case.status == "active":
        raise InvalidState(f"{case.reference} is already open.",
                           f"/coregroup status {case.reference}")
    before = _snap(case, _CASE_FIELDS)
    case.status = "active"
    case.closed_at = None
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.reopened", entity="case",
           entity_id=case.id, before=before, after=_snap(case, _CASE_FIELDS))
    return case


def set_child_name(
    session: Session, reference: str, name: str, *, actor: str, now: datetime, enabled: bool
) -> None:
    """Store the child's name apart from the case; `enabled` is Settings.store_child_name."""
    if not enabled:
        raise ChildNameDisabled()
    actor = _actor(actor)
    _today(now)
    name = _req(name, "name", max_len=255, example='"…"')
    case = _case(session, reference)
    row = session.get(ChildIdentity, case.id)
    had = row is not None
    if row is None:
        session.add(ChildIdentity(case_id=_cid(case), name=name))
    else:
        row.name = name
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.child_name_set", entity="case",
           entity_id=case.id, before={"child_name_stored": had},
           after={"child_name_stored": True})


def child_name(session: Session, reference: str) -> str | None:
    """Never for chat: for the council's own export or screens, where the deployment allows."""
    case = _case(session, reference, writable=False)
    row = session.get(ChildIdentity, case.id)
    return None if row is None else row.name


# --- members -----------------------------------------------------------------------------------

_MEMBER_TEXT: Final = {
    "display_name": 255, "agency": 255, "email": 320, "line_manager_name": 255,
    "line_manager_email": 320,
}
#: An address's longest form (an email address); chat user ids are far shorter.
_ADDRESS_MAX: Final = 320


def _check_email(value: str | None, field: str) -> None:
    if value is not None and (value.count("@") != 1 or " " in value):
        raise InvalidValue(field, f"{value!r} is not an email address",
                           f'{field}="name@agency.example"')


def _addresses(values: Mapping[str, str | None] | None, field: str) -> dict[str, str | None]:
    """{kind: address} checked; None (or empty) as an address means "none on that kind"."""
    out: dict[str, str | None] = {}
    for kind, address in (values or {}).items():
        out[_kind(kind)] = _text(address, field, max_len=_ADDRESS_MAX,
                                 example=f'{field}={{"{kind}": "U0123ABCD"}}')
    return out


def _set_addresses(session: Session, member: Member, whose: str,
                   values: Mapping[str, str | None]) -> bool:
    """Write the member's (or line manager's) address per kind; True if anything changed."""
    assert whose in ADDRESS_HOLDERS
    have = {a.kind: a for a in member.addresses if a.whose == whose}
    changed = False
    for kind, address in values.items():
        row = have.get(kind)
        if address is None:
            if row is not None:
                session.delete(row)
                changed = True
        elif row is None:
            session.add(MemberAddress(member_id=_id(member), whose=whose, kind=kind,
                                      address=address))
            changed = True
        elif row.address != address:
            row.address = address
            changed = True
    if changed:
        session.flush()
        session.refresh(member, ["addresses"])
    return changed


def _duplicate_member(session: Session, case: CoreGroup, today: date, *, exclude: int | None,
                      addresses: Mapping[str, str | None], email: str | None) -> None:
    for m in members(session, case.reference, on=today):
        if m.id == exclude:
            continue
        if any(address and m.address(kind) == address for kind, address in addresses.items()) \
                or (email and m.email and m.email.lower() == email.lower()):
            raise AlreadyExists(f"Member {m.id} of {case.reference} with that user",
                                f"/coregroup members {case.reference}")


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
    addresses: Mapping[str, str | None] | None = None,
    line_manager_name: str | None = None,
    line_manager_email: str | None = None,
    line_manager_addresses: Mapping[str, str | None] | None = None,
    joined_on: date | None = None,
) -> Member:
    """Add someone to the core group. `addresses` ({channel kind: address}) are how the bot
    reaches them; people outside every chat have none (email only)."""
    actor = _actor(actor)
    today = _today(now)
    values: dict[str, str | None] = {
        "display_name": display_name, "agency": agency, "email": email,
        "line_manager_name": line_manager_name, "line_manager_email": line_manager_email,
    }
    own = _addresses(addresses, "addresses")
    manager = _addresses(line_manager_addresses, "line_manager_addresses")
    clean = {k: _text(v, k, max_len=_MEMBER_TEXT[k], example=f'{k}="…"')
             for k, v in values.items()}
    if clean["display_name"] is None:
        raise InvalidValue("display_name", "is required", 'display_name="A. Practitioner"')
    _check_email(clean["email"], "email")
    _check_email(clean["line_manager_email"], "line_manager_email")
    role = normalise_role(_req(role, "role", max_len=64, example='role="health visitor"'))
    if not _ROLE.match(role):
        raise InvalidValue("role", f"{role!r} is not a role", 'role="health visitor"')
    kind = _choice(kind, "kind", MEMBER_KINDS)
    _check_date(joined_on, "joined_on")
    case = _case(session, reference)
    _duplicate_member(session, case, today, exclude=None, addresses=own, email=clean["email"])
    member = Member(case_id=_cid(case), display_name=clean["display_name"], role=role,
                    kind=kind, joined_on=joined_on or today, created_at=now)
    for key, value in clean.items():
        setattr(member, key, value)
    session.add(member)
    session.flush()
    _set_addresses(session, member, "member", own)
    _set_addresses(session, member, "line_manager", manager)
    _audit(session, case, actor=actor, now=now, action="member.added", entity="member",
           entity_id=member.id, after=_snap(member, _MEMBER_FIELDS))
    return member


def update_member(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    changes: Mapping[str, str | None],
    addresses: Mapping[str, str | None] | None = None,
    line_manager_addresses: Mapping[str, str | None] | None = None,
) -> Member:
    """Change contact/role fields (display_name, role, agency, email, line manager) and
    addresses ({channel kind: address}, None removes that kind's)."""
    actor = _actor(actor)
    today = _today(now)
    allowed = {*_MEMBER_TEXT, "role", "kind"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidValue(unknown[0], f"cannot be changed here; changeable: "
                           f"{', '.join(sorted(allowed))}", 'changes={"role": "chair"}')
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "role":
            role = normalise_role(_req(value, "role", max_len=64, example='role="chair"'))
            if not _ROLE.match(role):
                raise InvalidValue("role", f"{role!r} is not a role", 'role="health visitor"')
            clean[key] = role
        elif key == "kind":
            clean[key] = _choice(value or "", "kind", MEMBER_KINDS)
        elif key == "display_name":
            clean[key] = _req(value, key, max_len=255, example='display_name="A. Practitioner"')
        else:
            clean[key] = _text(value, key, max_len=_MEMBER_TEXT[key], example=f'{key}="…"')
    _check_email(clean.get("email"), "email")
    _check_email(clean.get("line_manager_email"), "line_manager_email")
    own = _addresses(addresses, "addresses")
    manager = _addresses(line_manager_addresses, "line_manager_addresses")
    case = _case(session, reference)
    member = _member(session, case, member_id, on=today)
    _duplicate_member(session, case, today, exclude=member.id, addresses=own,
                      email=clean.get("email"))
    before = _snap(member, _MEMBER_FIELDS)
    for key, value in clean.items():
        setattr(member, key, value)
    session.flush()
    if _set_addresses(session, member, "member", own):
        clean["addresses"] = own
    if _set_addresses(session, member, "line_manager", manager):
        clean["line_manager_addresses"] = manager
    _audit(session, case, actor=actor, now=now, action="member.updated", entity="member",
           entity_id=member.id, before=before,
           after={**_snap(member, _MEMBER_FIELDS), "fields_changed": sorted(clean)})
    return member


def remove_member(
    session: Session, reference: str, member_id: int, *, actor: str, now: datetime,
    left_on: date | None = None,
) -> Member:
    """The member leaves (left_on, default today); their history stays on the record.

    Anyone they were covering for loses the cover (in the same transaction, audited).
    """
    actor = _actor(actor)
    today = _today(now)
    _check_date(left_on, "left_on")
    case = _case(session, reference)
    member = _member(session, case, member_id, on=today)
    left = left_on or today
    if left < member.joined_on:
        raise InvalidValue("left_on", f"{left} is before they joined ({member.joined_on})",
                           f"left_on=date({today.year}, {today.month}, {today.day})")
    before = _snap(member, _MEMBER_FIELDS)
    member.left_on = left
    covered = list(session.scalars(
        select(Member).where(col(Member.case_id) == case.id,
                             col(Member.cover_member_id) == member.id)))
    session.flush()
    _audit(session, case, actor=actor, now=now, action="member.removed", entity="member",
           entity_id=member.id, before=before, after=_snap(member, _MEMBER_FIELDS))
    for other in covered:
        ob = _snap(other, _MEMBER_FIELDS)
        other.cover_member_id = None
        session.flush()
        _audit(session, case, actor=actor, now=now, action="member.cover_cleared",
               entity="member", entity_id=other.id, before=ob,
               after=_snap(other, _MEMBER_FIELDS))
    return member


def grant_powers(session: Session, reference: str, member_id: int, *, actor: str,
                 now: datetime) -> Member:
    """Give a current professional member the case's powers (close, change, remove others,
    grant). Who may grant is the handlers' rule; here the grant is recorded with its grantor and
    audited. Family members never hold powers. Granting again changes nothing."""
    actor = _actor(actor)
    case = _case(session, reference)
    member = _member(session, case, member_id, on=_today(now))
    if member.kind == "family":
        raise InvalidValue("powers", "family members never hold a case's powers",
                           f"/coregroup grant @someone (a professional in {case.reference})")
    if member.powers:
        return member
    before = {"powers": False, "powers_granted_by": member.powers_granted_by}
    member.powers, member.powers_granted_by, member.powers_granted_at = True, actor, now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="member.powers_granted", entity="member",
           entity_id=member.id, before=before,
           after={"powers": True, "powers_granted_by": actor, "role": member.role})
    return member


def withdraw_powers(session: Session, reference: str, member_id: int, *, actor: str,
                    now: datetime) -> Member:
    """Take the case's powers back (audited with who withdrew them and who had granted them)."""
    actor = _actor(actor)
    case = _case(session, reference)
    member = _member(session, case, member_id, on=_today(now))
    if not member.powers:
        return member
    before = {"powers": True, "powers_granted_by": member.powers_granted_by}
    member.powers, member.powers_granted_by, member.powers_granted_at = False, None, None
    session.flush()
    _audit(session, case, actor=actor, now=now, action="member.powers_withdrawn",
           entity="member", entity_id=member.id, before=before,
           after={"powers": False, "role": member.role})
    return member


def get_member(session: Session, reference: str, member_id: int) -> Member:
    case = _case(session, reference, writable=False)
    return _member(session, case, member_id, include_left=True)


def members(
    session: Session, reference: str, *, on: date | None = None, include_left: bool = False
) -> list[Member]:
    """Members in joining order: those current on `on` (default: not yet left), or everyone."""
    case = _case(session, reference, writable=False)
    rows = session.scalars(select(Member).where(col(Member.case_id) == case.id)
                           .order_by(col(Member.id)))
    if include_left:
        return list(rows)
    if on is None:
        return [m for m in rows if m.left_on is None]
    return [m for m in rows if m.active_on(on)]


def member_by_address(
    session: Session, reference: str, kind: str, address: str, *, on: date | None = None
) -> Member:
    """The current member of this case with that address on that channel kind (NotAMember if
    none)."""
    kind = _kind(kind)
    for m in members(session, reference, on=on):
        if m.address(kind) == address:
            return m
    raise NotAMember(address, normalise_reference(reference))


def cases_for_address(session: Session, kind: str, address: str) -> list[CoreGroup]:
    """Active cases where this address is a current member (App Home, "my cases")."""
    kind = _kind(kind)
    stmt = (
        select(CoreGroup)
        .join(Member, col(Member.case_id) == col(CoreGroup.id))
        .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
        .where(col(MemberAddress.kind) == kind, col(MemberAddress.address) == address,
               col(MemberAddress.whose) == "member", col(Member.left_on).is_(None),
               col(CoreGroup.status) == "active")
        .order_by(col(CoreGroup.reference))
        .distinct()
    )
    return list(session.scalars(stmt))


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
    """A member is away (leave, sickness) from..until, optionally with a colleague covering."""
    actor = _actor(actor)
    today = _today(now)
    _check_date(away_from, "away_from")
    _check_date(away_until, "away_until")
    if away_until is not None and away_until < away_from:
        raise InvalidValue("away_until", f"{away_until} is before away_from ({away_from})",
                           "away_from=date(2027, 2, 1), away_until=date(2027, 2, 12)")
    case = _case(session, reference)
    member = _member(session, case, member_id, on=today)
    if cover_member_id is not None:
        if cover_member_id == member_id:
            raise InvalidValue("cover_member_id", "a member cannot cover for themselves",
                               "cover_member_id=<a colleague's member number>")
        cover = _member(session, case, cover_member_id, on=today)
        if cover.away_on(away_from):
            raise InvalidState(f"Member {cover.id} is away themselves on {away_from}.",
                               "choose another colleague to cover")
    before = _snap(member, _MEMBER_FIELDS)
    member.away_from, member.away_until = away_from, away_until
    member.cover_member_id = cover_member_id
    session.flush()
    _audit(session, case, actor=actor, now=now, action="member.away", entity="member",
           entity_id=member.id, before=before, after=_snap(member, _MEMBER_FIELDS))
    return member


def clear_away(
    session: Session, reference: str, member_id: int, *, actor: str, now: datetime
) -> Member:
    actor = _actor(actor)
    today = _today(now)
    case = _case(session, reference)
    member = _member(session, case, member_id, on=today)
    before = _snap(member, _MEMBER_FIELDS)
    member.away_from = member.away_until = member.cover_member_id = None
    session.flush()
    _audit(session, case, actor=actor, now=now, action="member.back", entity="member",
           entity_id=member.id, before=before, after=_snap(member, _MEMBER_FIELDS))
    return member


def cover_for(session: Session, reference: str, member_id: int, on: date) -> Member:
    """Who to contact instead of `member_id` on `on`: their cover if they are away, else them."""
    m = get_member(session, reference, member_id)
    if m.away_on(on) and m.cover_member_id is not None:
        cover = session.get(Member, m.cover_member_id)
        if cover is not None and cover.active_on(on):
            return cover
    return m


# --- meetings ----------------------------------------------------------------------------------


def _check_meeting_input(session: Session, case: CoreGroup, today: date, *, kind: str,
                         starts_at: datetime, ends_at: datetime | None,
                         chair_member_id: int | None,
                         minute_taker_member_id: int | None) -> None:
    _choice(kind, "kind", ALL_MEETING_KINDS)
    if london_date(starts_at) < case.start:
        raise InvalidValue("starts_at", f"{london_date(starts_at)} is before the case started "
                           f"({case.start})", "a date on or after the start event")
    if kind == REVIEW_CONFERENCE and london_date(starts_at) <= case.start:
        raise InvalidValue("starts_at", "a review conference comes after the conference that "
                           f"started the plan ({case.start})", "a later date")
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidValue("ends_at", f"{ends_at.isoformat()} is not after the start",
                           "ends_at one or two hours after starts_at")
    for mid in (chair_member_id, minute_taker_member_id):
        if mid is not None:
            _member(session, case, mid, on=today)


def _new_meeting(session: Session, reference: str, *, actor: str, now: datetime,
                 starts_at: datetime, kind: str, ends_at: datetime | None, venue: str | None,
                 online_url: str | None, chair_member_id: int | None,
                 minute_taker_member_id: int | None, status: str,
                 social_worker_present: bool | None, online: bool = False) -> Meeting:
    actor = _actor(actor)
    today = _today(now)
    _aware(starts_at, "starts_at")
    if ends_at is not None:
        _aware(ends_at, "ends_at")
    if status == "scheduled" and starts_at <= now:
        raise MeetingInPast(starts_at, now)
    if status == "held" and starts_at > now:
        raise InvalidValue("starts_at", f"{starts_at.isoformat()} is in the future; schedule the "
                           "meeting instead", "schedule_meeting(…, starts_at=…)")
    venue = _text(venue, "venue", max_len=255, example='venue="Family centre"')
    online_url = _text(online_url, "online_url", max_len=1024,
                       example='online_url="https://meet.example/…"')
    case = _case(session, reference)
    _check_meeting_input(session, case, today, kind=kind, starts_at=starts_at, ends_at=ends_at,
                         chair_member_id=chair_member_id,
                         minute_taker_member_id=minute_taker_member_id)
    meeting = Meeting(case_id=_cid(case), kind=kind, status=status, starts_at=starts_at,
                      ends_at=ends_at, venue=venue, online_url=online_url, online=bool(online),
                      chair_member_id=chair_member_id,
                      minute_taker_member_id=minute_taker_member_id,
                      social_worker_present=social_worker_present, created_at=now,
                      updated_at=now)
    session.add(meeting)
    session.flush()
    _audit(session, case, actor=actor, now=now, action=f"meeting.{status}", entity="meeting",
           entity_id=meeting.id, after=_snap(meeting, _MEETING_FIELDS))
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
    return _new_meeting(session, reference, actor=actor, now=now, starts_at=starts_at, kind=kind,
                        ends_at=ends_at, venue=venue, online_url=online_url,
                        chair_member_id=chair_member_id,
                        minute_taker_member_id=minute_taker_member_id, status="scheduled",
                        social_worker_present=None, online=online)


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
    return _new_meeting(session, reference, actor=actor, now=now, starts_at=starts_at, kind=kind,
                        ends_at=ends_at, venue=venue, online_url=online_url,
                        chair_member_id=chair_member_id,
                        minute_taker_member_id=minute_taker_member_id, status="held",
                        social_worker_present=social_worker_present)


def _scheduled(meeting: Meeting, case: CoreGroup, doing: str) -> None:
    if meeting.status != "scheduled":
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} is {meeting.status}; only a "
                           f"scheduled meeting can be {doing}.",
                           f"/coregroup meetings {case.reference}")


def reschedule_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    starts_at: datetime, ends_at: datetime | None = None,
) -> Meeting:
    actor = _actor(actor)
    today = _today(now)
    _aware(starts_at, "starts_at")
    if ends_at is not None:
        _aware(ends_at, "ends_at")
    if starts_at <= now:
        raise MeetingInPast(starts_at, now)
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    _scheduled(meeting, case, "moved")
    _check_meeting_input(session, case, today, kind=meeting.kind, starts_at=starts_at,
                         ends_at=ends_at, chair_member_id=None, minute_taker_member_id=None)
    before = _snap(meeting, _MEETING_FIELDS)
    meeting.starts_at, meeting.ends_at, meeting.updated_at = starts_at, ends_at, now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.rescheduled", entity="meeting",
           entity_id=meeting.id, before=before, after=_snap(meeting, _MEETING_FIELDS))
    return meeting


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
    online: bool | _Unset = UNSET,
) -> Meeting:
    """Venue, link, online, chair, minute-taker, calendar event id; UNSET leaves a field as it
    is."""
    actor = _actor(actor)
    today = _today(now)
    changes: dict[str, Any] = {}
    if online is not UNSET:
        if not isinstance(online, bool):
            raise InvalidValue("online", f"expected true or false, got {online!r}", "online=True")
        changes["online"] = online
    if venue is not UNSET:
        changes["venue"] = _text(venue, "venue", max_len=255, example='venue="Family centre"')
    if online_url is not UNSET:
        changes["online_url"] = _text(online_url, "online_url", max_len=1024,
                                      example='online_url="https://meet.example/…"')
    if calendar_event_id is not UNSET:
        changes["calendar_event_id"] = _text(calendar_event_id, "calendar_event_id",
                                             max_len=255, example='"AAMkAG…"')
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    for field, mid in (("chair_member_id", chair_member_id),
                       ("minute_taker_member_id", minute_taker_member_id)):
        if mid is not UNSET:
            if mid is not None:
                _member(session, case, mid, on=today)
            changes[field] = mid
    before = _snap(meeting, _MEETING_FIELDS)
    for key, value in changes.items():
        setattr(meeting, key, value)
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.updated", entity="meeting",
           entity_id=meeting.id, before=before,
           after={**_snap(meeting, _MEETING_FIELDS), "fields_changed": sorted(changes)})
    return meeting


def raise_calendar_sequence(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
) -> int:
    """The invitation changed: SEQUENCE goes up by one (RFC 5545 §3.8.7.4) and the new value is
    returned. Kept on the meeting so every later file or Graph change counts from it."""
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    before = meeting.calendar_sequence
    meeting.calendar_sequence = before + 1
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.calendar_sequence",
           entity="meeting", entity_id=meeting.id, before={"calendar_sequence": before},
           after={"calendar_sequence": meeting.calendar_sequence})
    return meeting.calendar_sequence


def hold_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    social_worker_present: bool | None = None,
) -> Meeting:
    """Mark a scheduled meeting as held (on or after its start date)."""
    actor = _actor(actor)
    today = _today(now)
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    _scheduled(meeting, case, "recorded as held")
    if london_date(meeting.starts_at) > today:
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} is on "
                           f"{london_date(meeting.starts_at)}; it can be recorded as held from "
                           "that day.", f"/coregroup meetings {case.reference}")
    before = _snap(meeting, _MEETING_FIELDS)
    meeting.status = "held"
    if social_worker_present is not None:
        meeting.social_worker_present = social_worker_present
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.held", entity="meeting",
           entity_id=meeting.id, before=before, after=_snap(meeting, _MEETING_FIELDS))
    return meeting


def cancel_meeting(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    reason: str | None = None,
) -> Meeting:
    actor = _actor(actor)
    _today(now)
    reason = _text(reason, "reason", max_len=255, example='reason="chair unwell"')
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    _scheduled(meeting, case, "cancelled")
    before = _snap(meeting, _MEETING_FIELDS)
    meeting.status = "cancelled"
    meeting.cancel_reason = reason
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.cancelled", entity="meeting",
           entity_id=meeting.id, before=before, after=_snap(meeting, _MEETING_FIELDS))
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
    actor = _actor(actor)
    _today(now)
    wanted: dict[int, str] = {}
    for status, ids in (("attended", attended), ("apologies", apologies), ("absent", absent)):
        assert status in ATTENDANCE_STATUSES
        for mid in ids:
            if mid in wanted:
                raise InvalidValue("attendance", f"member {mid} is listed twice",
                                   "attended=[3, 4], apologies=[5]")
            wanted[mid] = status
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} was cancelled.",
                           f"/coregroup meetings {case.reference}")
    day = london_date(meeting.starts_at)
    for mid in wanted:
        m = _member(session, case, mid)
        if m.left_on is not None and m.left_on <= day:
            raise NotAMember(mid, case.reference)
    existing = {a.member_id: a for a in session.scalars(
        select(Attendance).where(col(Attendance.meeting_id) == meeting.id))}
    out: list[Attendance] = []
    for mid, status in wanted.items():
        row = existing.get(mid)
        if row is None:
            row = Attendance(meeting_id=_id(meeting), member_id=mid, status=status, recorded_at=now)
            session.add(row)
        else:
            row.status, row.recorded_at = status, now
        out.append(row)
    session.flush()
    _refresh_attendance_counts(session, meeting)
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="meeting.attendance", entity="meeting",
           entity_id=meeting.id, after={"attendance": {str(k): v for k, v in wanted.items()}})
    return out


def attendance(session: Session, reference: str, meeting_id: int) -> list[Attendance]:
    case = _case(session, reference, writable=False)
    meeting = _meeting(session, case, meeting_id)
    return list(session.scalars(select(Attendance).where(col(Attendance.meeting_id) == meeting.id)
                                .order_by(col(Attendance.member_id))))


def _mark_meeting_time(session: Session, reference: str, meeting_id: int, *, actor: str,
                       now: datetime, at: datetime | None, field: str, action: str) -> Meeting:
    actor = _actor(actor)
    _today(now)
    when = _aware(at, "at") if at is not None else now
    if when > now:
        raise InvalidValue("at", f"{when.isoformat()} is in the future", "leave it out for now")
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    if meeting.status != "held":
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} is {meeting.status}, not "
                           "held.", f"/coregroup meetings {case.reference}")
    before = _snap(meeting, _MEETING_FIELDS)
    setattr(meeting, field, when)
    meeting.updated_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action=action, entity="meeting",
           entity_id=meeting.id, before=before, after=_snap(meeting, _MEETING_FIELDS))
    return meeting


def mark_minutes_circulated(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    at: datetime | None = None,
) -> Meeting:
    return _mark_meeting_time(session, reference, meeting_id, actor=actor, now=now, at=at,
                              field="minutes_circulated_at", action="meeting.minutes_circulated")


def mark_chair_update_sent(
    session: Session, reference: str, meeting_id: int, *, actor: str, now: datetime,
    at: datetime | None = None,
) -> Meeting:
    return _mark_meeting_time(session, reference, meeting_id, actor=actor, now=now, at=at,
                              field="chair_update_sent_at", action="meeting.chair_update_sent")


def get_meeting(session: Session, reference: str, meeting_id: int) -> Meeting:
    return _meeting(session, _case(session, reference, writable=False), meeting_id)


def meetings(
    session: Session, reference: str, *, status: str | None = None
) -> list[Meeting]:
    case = _case(session, reference, writable=False)
    stmt = select(Meeting).where(col(Meeting.case_id) == case.id)
    if status is not None:
        stmt = stmt.where(col(Meeting.status) == status)
    return list(session.scalars(stmt.order_by(col(Meeting.starts_at), col(Meeting.id))))


def next_meeting(
    session: Session, reference: str, *, now: datetime, kinds: Sequence[str] | None = None
) -> Meeting | None:
    """The earliest scheduled meeting starting at or after `now`."""
    _aware(now, "now")
    case = _case(session, reference, writable=False)
    stmt = select(Meeting).where(col(Meeting.case_id) == case.id,
                                 col(Meeting.status) == "scheduled",
                                 col(Meeting.starts_at) >= now)
    if kinds is not None:
        stmt = stmt.where(col(Meeting.kind).in_(list(kinds)))
    return session.scalars(stmt.order_by(col(Meeting.starts_at), col(Meeting.id)).limit(1)).first()


# --- written reports ---------------------------------------------------------------------------


def _report_snap(r: WrittenReport) -> dict[str, Any]:
    return {"meeting_id": r.meeting_id, "member_id": r.member_id, "requested_at": r.requested_at,
            "due_at": r.due_at, "submitted_at": r.submitted_at,
            "chars": None if r.text is None else len(r.text)}


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
    actor = _actor(actor)
    today = _today(now)
    if due_at is not None:
        _aware(due_at, "due_at")
    ids = list(dict.fromkeys(member_ids))
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} was cancelled.",
                           f"/coregroup meetings {case.reference}")
    for mid in ids:
        _member(session, case, mid, on=today)
    existing = {r.member_id: r for r in session.scalars(
        select(WrittenReport).where(col(WrittenReport.meeting_id) == meeting.id))}
    out: list[WrittenReport] = []
    for mid in ids:
        row = existing.get(mid)
        if row is None:
            row = WrittenReport(meeting_id=_id(meeting), member_id=mid, requested_at=now,
                                due_at=due_at)
            session.add(row)
        else:
            row.requested_at = row.requested_at or now
            if due_at is not None:
                row.due_at = due_at
        out.append(row)
    session.flush()
    for row in out:
        _audit(session, case, actor=actor, now=now, action="report.requested", entity="report",
               entity_id=row.id, after=_report_snap(row))
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
    actor = _actor(actor)
    _today(now)
    body = _req(text, "text", max_len=20_000, example='text="Seen at school on 4 Jan; …"')
    case = _case(session, reference)
    meeting = _meeting(session, case, meeting_id)
    if meeting.status == "cancelled":
        raise InvalidState(f"Meeting {meeting.id} of {case.reference} was cancelled.",
                           f"/coregroup meetings {case.reference}")
    member = _member(session, case, member_id)
    if member.left_on is not None and member.left_on <= london_date(meeting.starts_at):
        raise NotAMember(member_id, case.reference)
    row = session.scalars(select(WrittenReport).where(
        col(WrittenReport.meeting_id) == meeting.id,
        col(WrittenReport.member_id) == member_id)).first()
    before = None if row is None else _report_snap(row)
    if row is None:
        row = WrittenReport(meeting_id=_id(meeting), member_id=member_id)
        session.add(row)
    row.text, row.submitted_at = body, now
    session.flush()
    _audit(session, case, actor=actor, now=now,
           action="report.submitted" if before is None or before["submitted_at"] is None
           else "report.resubmitted",
           entity="report", entity_id=row.id, before=before, after=_report_snap(row))
    return row


def reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    case = _case(session, reference, writable=False)
    meeting = _meeting(session, case, meeting_id)
    return list(session.scalars(select(WrittenReport)
                                .where(col(WrittenReport.meeting_id) == meeting.id)
                                .order_by(col(WrittenReport.member_id))))


def outstanding_reports(session: Session, reference: str, meeting_id: int) -> list[WrittenReport]:
    """Requested and not yet submitted."""
    return [r for r in reports(session, reference, meeting_id)
            if r.requested_at is not None and r.submitted_at is None]


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
    actor = _actor(actor)
    today = _today(now)
    _check_date(on, "on")
    if on > today:
        raise InvalidValue("on", f"{on} is in the future; record a visit once it has happened",
                           f"on=date({today.year}, {today.month}, {today.day})")
    by = _choice(by, "by", VISIT_BY)
    if not isinstance(seen_alone, bool):
        raise InvalidValue("seen_alone", f"expected true or false, got {seen_alone!r}",
                           "seen_alone=True")
    case = _case(session, reference)
    if member_id is not None:
        _member(session, case, member_id, on=on)
    visit = Visit(case_id=_cid(case), visited_on=on, by=by, member_id=member_id,
                  seen_alone=seen_alone, recorded_at=now)
    session.add(visit)
    session.flush()
    _audit(session, case, actor=actor, now=now, action="visit.recorded", entity="visit",
           entity_id=visit.id, after=_snap(visit, ("visited_on", "by", "member_id",
                                                   "seen_alone")))
    return visit


def visits(session: Session, reference: str) -> list[Visit]:
    case = _case(session, reference, writable=False)
    return list(session.scalars(select(Visit).where(col(Visit.case_id) == case.id)
                                .order_by(col(Visit.visited_on), col(Visit.id))))


def _action_snap(a: PlanAction) -> dict[str, Any]:
    return {"owner_member_id": a.owner_member_id, "due_on": a.due_on, "status": a.status,
            "achieved_at": a.achieved_at, "chars": len(a.text)}


def _action(session: Session, case: CoreGroup, action_id: int) -> PlanAction:
    return _one_of_case(session, PlanAction, action_id, case, "plan action",
                        f"/coregroup actions {case.reference} (lists the action numbers)")


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
    actor = _actor(actor)
    today = _today(now)
    body = _req(text, "text", max_len=2000, example='text="Health visitor to check weight"')
    _check_date(due_on, "due_on")
    case = _case(session, reference)
    if owner_member_id is not None:
        _member(session, case, owner_member_id, on=today)
    action = PlanAction(case_id=_cid(case), text=body, owner_member_id=owner_member_id,
                        due_on=due_on, created_at=now)
    session.add(action)
    session.flush()
    _audit(session, case, actor=actor, now=now, action="action.added", entity="action",
           entity_id=action.id, after=_action_snap(action))
    return action


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
    """Reassign or re-date an open action (its text is the plan's wording and stays)."""
    actor = _actor(actor)
    today = _today(now)
    if due_on is not UNSET:
        _check_date(due_on, "due_on")
    case = _case(session, reference)
    action = _action(session, case, action_id)
    if action.status != "open":
        raise InvalidState(f"Action {action.id} of {case.reference} is already achieved.",
                           f"/coregroup actions {case.reference}")
    if owner_member_id is not UNSET and owner_member_id is not None:
        _member(session, case, owner_member_id, on=today)
    before = _action_snap(action)
    if owner_member_id is not UNSET:
        action.owner_member_id = owner_member_id
    if due_on is not UNSET:
        action.due_on = due_on
    session.flush()
    _audit(session, case, actor=actor, now=now, action="action.updated", entity="action",
           entity_id=action.id, before=before, after=_action_snap(action))
    return action


def achieve_action(
    session: Session, reference: str, action_id: int, *, actor: str, now: datetime
) -> PlanAction:
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    action = _action(session, case, action_id)
    if action.status == "achieved":
        raise InvalidState(f"Action {action.id} of {case.reference} is already achieved.",
                           f"/coregroup actions {case.reference}")
    before = _action_snap(action)
    action.status, action.achieved_at = "achieved", now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="action.achieved", entity="action",
           entity_id=action.id, before=before, after=_action_snap(action))
    return action


def delete_action(
    session: Session, reference: str, action_id: int, *, actor: str, now: datetime
) -> NoReturn:
    """Always refuses: actions are never deleted (ActionsAreNeverDeleted)."""
    case = _case(session, reference, writable=False)
    raise ActionsAreNeverDeleted(action_id, case.reference)


def actions(session: Session, reference: str, *, status: str | None = None) -> list[PlanAction]:
    case = _case(session, reference, writable=False)
    stmt = select(PlanAction).where(col(PlanAction.case_id) == case.id)
    if status is not None:
        stmt = stmt.where(col(PlanAction.status) == status)
    return list(session.scalars(stmt.order_by(col(PlanAction.id))))


def _event_snap(e: CaseEvent) -> dict[str, Any]:
    return _snap(e, ("kind", "occurred_on", "reported_on"))


def _new_event(session: Session, reference: str, *, actor: str, now: datetime, kind: str,
               on: date, reported_on: date | None) -> CaseEvent:
    actor = _actor(actor)
    today = _today(now)
    _check_date(on, "on")
    _check_date(reported_on, "reported_on")
    if kind == "significant_change" and on > today:
        raise InvalidValue("on", f"{on} is in the future; record a change once it has happened",
                           f"on=date({today.year}, {today.month}, {today.day})")
    if reported_on is not None and (reported_on < on or reported_on > today):
        raise InvalidValue("reported_on", f"{reported_on} must be between the change ({on}) "
                           f"and today ({today})", "leave it out until it is reported")
    case = _case(session, reference)
    event = CaseEvent(case_id=_cid(case), kind=kind, occurred_on=on, reported_on=reported_on,
                      recorded_at=now)
    session.add(event)
    session.flush()
    _audit(session, case, actor=actor, now=now, action=f"event.{kind}", entity="case_event",
           entity_id=event.id, after=_event_snap(event))
    return event


def record_school_move(
    session: Session, reference: str, *, actor: str, now: datetime, on: date
) -> CaseEvent:
    """A school move (past or planned): the school-move core group clock counts from it."""
    return _new_event(session, reference, actor=actor, now=now, kind="school_move", on=on,
                      reported_on=None)


def record_significant_change(
    session: Session, reference: str, *, actor: str, now: datetime, on: date,
    reported_on: date | None = None,
) -> CaseEvent:
    """A significant change in the child's circumstances; `reported_on` = told the chair."""
    return _new_event(session, reference, actor=actor, now=now, kind="significant_change",
                      on=on, reported_on=reported_on)


def mark_change_reported(
    session: Session, reference: str, event_id: int, *, actor: str, now: datetime,
    on: date | None = None,
) -> CaseEvent:
    actor = _actor(actor)
    today = _today(now)
    _check_date(on, "on")
    case = _case(session, reference)
    event = _one_of_case(session, CaseEvent, event_id, case, "significant change",
                         f"/coregroup changes {case.reference}")
    if event.kind != "significant_change":
        raise UnknownRecord("significant change", event_id, case.reference,
                            f"/coregroup changes {case.reference}")
    day = on or today
    if day < event.occurred_on or day > today:
        raise InvalidValue("on", f"{day} must be between the change ({event.occurred_on}) and "
                           f"today ({today})", "leave it out for today")
    before = _event_snap(event)
    event.reported_on = day
    session.flush()
    _audit(session, case, actor=actor, now=now, action="event.change_reported",
           entity="case_event", entity_id=event.id, before=before, after=_event_snap(event))
    return event


def case_events(session: Session, reference: str) -> list[CaseEvent]:
    case = _case(session, reference, writable=False)
    return list(session.scalars(select(CaseEvent).where(col(CaseEvent.case_id) == case.id)
                                .order_by(col(CaseEvent.occurred_on), col(CaseEvent.id))))


# --- escalation and the Wales resolution process -----------------------------------------------


def _escalation(session: Session, case: CoreGroup, escalation_id: int) -> Escalation:
    esc = _one_of_case(session, Escalation, escalation_id, case, "escalation",
                       f"/coregroup escalations {case.reference}")
    if esc.resolved_at is not None:
        raise InvalidState(f"Escalation {esc.id} of {case.reference} is already resolved.",
                           f"/coregroup escalate {case.reference} (raises a new one)")
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
    actor = _actor(actor)
    today = _today(now)
    about = _text(about, "about", max_len=255, example='about="threshold for the plan"')
    case = _case(session, reference)
    for mid in (raised_by_member_id, about_member_id):
        if mid is not None:
            _member(session, case, mid, on=today)
    esc = Escalation(case_id=_cid(case), raised_by_member_id=raised_by_member_id,
                     about_member_id=about_member_id, about=about, stage=1, raised_at=now,
                     stage_started_at=now)
    session.add(esc)
    session.flush()
    _audit(session, case, actor=actor, now=now, action="escalation.raised", entity="escalation",
           entity_id=esc.id, after=_snap(esc, _ESCALATION_FIELDS))
    return esc


def advance_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    """Move to the next stage; its clock starts now."""
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    esc = _escalation(session, case, escalation_id)
    before = _snap(esc, _ESCALATION_FIELDS)
    esc.stage += 1
    esc.stage_started_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="escalation.advanced",
           entity="escalation", entity_id=esc.id, before=before,
           after=_snap(esc, _ESCALATION_FIELDS))
    return esc


def resolve_escalation(
    session: Session, reference: str, escalation_id: int, *, actor: str, now: datetime
) -> Escalation:
    actor = _actor(actor)
    _today(now)
    case = _case(session, reference)
    esc = _escalation(session, case, escalation_id)
    before = _snap(esc, _ESCALATION_FIELDS)
    esc.resolved_at = now
    session.flush()
    _audit(session, case, actor=actor, now=now, action="escalation.resolved",
           entity="escalation", entity_id=esc.id, before=before,
           after=_snap(esc, _ESCALATION_FIELDS))
    return esc


def escalations(
    session: Session, reference: str, *, open_only: bool = False
) -> list[Escalation]:
    case = _case(session, reference, writable=False)
    stmt = select(Escalation).where(col(Escalation.case_id) == case.id)
    if open_only:
        stmt = stmt.where(col(Escalation.resolved_at).is_(None))
    return list(session.scalars(stmt.order_by(col(Escalation.raised_at), col(Escalation.id))))


def request_resolution(
    session: Session, reference: str, *, actor: str, now: datetime, on: date | None = None
) -> CoreGroup:
    """Wales (Cwm Taf Morgannwg §5): a resolution (Tier 1) request."""
    actor = _actor(actor)
    today = _today(now)
    _check_date(on, "on")
    day = on or today
    if day > today:
        raise InvalidValue("on", f"{day} is in the future", "leave it out for today")
    case = _case(session, reference)
    before = _snap(case, _CASE_FIELDS)
    case.resolution_requested = day
    session.flush()
    _audit(session, case, actor=actor, now=now, action="resolution.requested", entity="case",
           entity_id=case.id, before=before, after=_snap(case, _CASE_FIELDS))
    return case


def set_significant_risk_reduction(
    session: Session, reference: str, value: bool, *, actor: str, now: datetime
) -> CoreGroup:
    """Wales: Tier 1 found significant risk reduction (no Tier 2), or no longer does."""
    actor = _actor(actor)
    _today(now)
    if not isinstance(value, bool):
        raise InvalidValue("value", f"expected true or false, got {value!r}", "value=True")
    case = _case(session, reference)
    before = _snap(case, _CASE_FIELDS)
    case.significant_risk_reduction = value
    session.flush()
    _audit(session, case, actor=actor, now=now, action="resolution.risk_reduction",
           entity="case", entity_id=case.id, before=before, after=_snap(case, _CASE_FIELDS))
    return case


# --- the engine's view ---------------------------------------------------------------------------

def case_state(session: Session, reference: str) -> CaseState:
    """Exactly the engine's `CaseState` for a case (the same value CASE.json would give).

    Works for closed cases too (the record is still there); see the module docstring for the
    mapping from tables to fields.
    """
    case = _case(session, reference, writable=False)
    conn = session.connection()
    row = conn.execute(select(*CASE_COLUMNS).where(col(CoreGroup.id) == case.id)).one()
    return next(load_states(conn, [row])).state


def active_case_states(session: Session, *, batch_size: int = 2000) -> Iterator[ActiveCase]:
    """Every active case, in batches (never one query per case).

    Reads each case's snapshot (one row per case); a case without a current snapshot is computed
    from the tables with bulk queries. Streams: at most `batch_size` cases are in memory at once.
    Use a `Store.read()` session; the batches are read in one transaction.
    """
    conn = session.connection()
    decoder = Decoder()
    parsers = Parsers()
    last: int = 0
    while True:
        rows = conn.execute(
            select(*CASE_COLUMNS, col(CoreGroup.state_snapshot))
            .where(col(CoreGroup.status) == "active", col(CoreGroup.id) > last)
            .order_by(col(CoreGroup.id))
            .limit(batch_size)
        ).all()
        if not rows:
            return
        decoded = [(row, decoder.decode(row[-1])) for row in rows]
        stale = [row for row, facts in decoded if facts is None]
        computed = {a.id: a for a in load_states(conn, stale, parsers)} if stale else {}
        for row, facts in decoded:
            yield assemble(row, facts) if facts is not None else computed[cast(int, row[0])]
        last = cast(int, rows[-1][0])


# --- chat idempotency -----------------------------------------------------------------------------


def first_time(session: Session, key: str, *, now: datetime) -> bool:
    """True the first time a platform request/event id is seen, False on a retry.

    Call it in the same transaction as the change it guards: a failed handler rolls it back too,
    so the platform's retry is then processed. Keys look like "<channel kind>:<event id>".
    """
    key = _req(key, "key", max_len=255, example='"chat:Ev0123ABCD"')
    _aware(now, "now")
    table = ProcessedRequest.__table__  # type: ignore[attr-defined]
    stmt = (insert_on_conflict(session, ProcessedRequest).values(key=key, received_at=now)
            .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key))
    return session.execute(stmt).scalar() is not None


#: How long a request id is remembered. Chat platforms retry a request within about five minutes
#: (three tries) or redeliver within seconds to minutes; a day covers them with a wide margin
#: (a clock step, a long outage) while keeping the table small. Pruned by the sweep tick.
REQUEST_LOG_KEEP: Final = timedelta(hours=24)


def forget_requests(session: Session, *, before: datetime) -> int:
    """Drop request ids older than any platform retries (they retry for minutes, not days)."""
    _aware(before, "before")
    result = session.execute(delete(ProcessedRequest)
                             .where(col(ProcessedRequest.received_at) < before))
    return _rowcount(result)


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
    actor = _actor(actor)
    today = _today(now)
    _check_date(closed_before, "closed_before")
    latest = latest_purgeable(today, retention_months)
    if closed_before > latest:
        raise PurgeTooSoon(closed_before.isoformat(), latest.isoformat(),
                           max(retention_months, MIN_RETENTION_MONTHS))
    candidates = list(session.scalars(
        select(CoreGroup).where(col(CoreGroup.status) == "closed")
        .order_by(col(CoreGroup.id)).with_for_update()))
    doomed = [c for c in candidates
              if c.closed_at is not None and london_date(c.closed_at) < closed_before]
    if dry_run:
        return [c.reference for c in doomed]
    for case in doomed:
        _purge_one(session, case, actor=actor, now=now, closed_before=closed_before)
    session.expire_all()
    return [c.reference for c in doomed]


def _purge_one(session: Session, case: CoreGroup, *, actor: str, now: datetime,
               closed_before: date) -> None:
    cid = _cid(case)
    meeting_ids = select(col(Meeting.id)).where(col(Meeting.case_id) == cid).scalar_subquery()
    counts: dict[str, int] = {
        "attendance": _rowcount(session.execute(
            delete(Attendance).where(col(Attendance.meeting_id).in_(meeting_ids)))),
        "written_report": _rowcount(session.execute(
            delete(WrittenReport).where(col(WrittenReport.meeting_id).in_(meeting_ids)))),
    }
    models: tuple[Any, ...] = (Meeting, Visit, PlanAction, Escalation, CaseEvent, Reminder,
                               ChildIdentity)
    for model in models:
        table = model.__table__
        counts[table.name] = _rowcount(session.execute(
            delete(table).where(table.c.case_id == cid)))
    session.execute(update(Member).where(col(Member.case_id) == cid).values(cover_member_id=None))
    member_ids = select(col(Member.id)).where(col(Member.case_id) == cid).scalar_subquery()
    session.execute(delete(MemberAddress).where(col(MemberAddress.member_id).in_(member_ids)))
    session.execute(delete(CaseConversation).where(col(CaseConversation.case_id) == cid))
    counts["member"] = _rowcount(session.execute(delete(Member).where(col(Member.case_id) == cid)))
    closed_at, reference = case.closed_at, case.reference
    session.execute(delete(CoreGroup).where(col(CoreGroup.id) == cid))
    session.expunge(case)
    audit.append(session, actor=actor, now=now, action="case.purged", case_id=cid,
                 case_ref=reference, entity="case", entity_id=cid,
                 after={"reference": reference, "closed_at": closed_at,
                        "closed_before": closed_before, "rows_removed": counts})


# --- conversation references for proactive messages -------------------------------------------


def set_conversation_reference(
    session: Session, reference: str, kind: str, conversation_reference: str, *, actor: str,
    now: datetime,
) -> CoreGroup:
    """Remember how to reach the case's channel of that kind without being spoken to first.

    `conversation_reference` is whatever the adapter needs to post unprompted (e.g. a JSON
    conversation reference of service URL, channel and tenant ids): the sweep needs it to post
    reminders proactively. Holds ids only, never names. Writing the same value again changes
    nothing and is not audited twice.
    """
    actor = _actor(actor)
    _today(now)
    kind = _kind(kind)
    conversation_reference = _req(conversation_reference, "conversation_reference",
                                  max_len=4000, example='\'{"serviceUrl": "https://…"}\'')
    case = _case(session, reference)
    conv = _conversation_for_write(session, case, kind)
    if conv.reference == conversation_reference:
        return case
    before = {"kind": kind, "reference": conv.reference}
    conv.reference = conversation_reference
    session.flush()
    _audit(session, case, actor=actor, now=now, action="case.conversation_reference",
           entity="case", entity_id=case.id, before=before,
           after={"kind": kind, "reference": conversation_reference})
    return case
