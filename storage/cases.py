"""Cases: create, change, close and reopen one; its conversations, pinned summary and child's name."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session, col

from scheduling.case import PLANS
from storage.case_states import case_state
from storage.common import (
    CASE_FIELDS,
    REFERENCE_SHAPE,
    UNSET,
    Unset,
    case_id_of,
    check_actor,
    check_choice,
    check_date,
    check_kind,
    check_profile,
    load_case,
    london_date,
    london_today,
    normalise_reference,
    record_audit,
    remember_case,
    required_text,
    rowcount,
    snapshot_of,
)
from storage.errors import AlreadyExists, ChildNameDisabled, InvalidState, InvalidValue, UnknownChannel
from storage.models import AuditEvent, CaseConversation, ChildIdentity, CoreGroup, Meeting, Reminder, Visit

# --- cases -------------------------------------------------------------------------------------


def next_reference(session: Session, prefix: str = "CG") -> str:
    """The next free `<prefix>-NNNN`: what `new` allocates when the reference is left out."""
    n = (session.execute(select(func.max(col(CoreGroup.id)))).scalar() or 0) + 1
    while True:
        ref = f"{prefix}-{n:04d}"
        if session.scalars(select(col(CoreGroup.id)).where(col(CoreGroup.reference) == ref)).first() is None:
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
    prefix: str = "CG",
) -> CoreGroup:
    """A new active case; `reference` defaults to the next free `<prefix>-NNNN`."""
    actor = check_actor(actor)
    london_today(now)
    profile = check_profile(profile)
    plan = check_choice(plan, "plan", PLANS)
    check_date(start, "start", "date(2026, 12, 18)")
    check_date(registered, "registered")
    if registered is not None and registered < start:
        raise InvalidValue(
            "registered",
            f"{registered} is before the start ({start})",
            f"registered=date({start.year}, {start.month}, {start.day})",
        )
    _check_visit_every(lead_visit_every)
    if reference is not None:
        ref = normalise_reference(reference)
        if not REFERENCE_SHAPE.match(ref or ""):
            raise InvalidValue(
                "reference",
                f"{reference!r} is not a case reference (letters, a dash, then letters or digits)",
                '"CG-0421"',
            )
        if session.scalars(select(col(CoreGroup.id)).where(col(CoreGroup.reference) == ref)).first():
            raise AlreadyExists(
                f"A case with reference {ref}", "leave the reference out to get the next free one"
            )
    else:
        ref = next_reference(session, prefix)
    case = CoreGroup(
        reference=ref,
        profile=profile,
        plan=plan,
        start=start,
        registered=registered,
        lead_visit_every=lead_visit_every,
        created_at=now,
        created_by=actor,
    )
    session.add(case)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.created",
        entity="case",
        entity_id=case.id,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case


def _check_visit_every(value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise InvalidValue(
            "lead_visit_every", f"expected a number of working days, got {value!r}", "lead_visit_every=10"
        )


def get_case(session: Session, reference: str) -> CoreGroup:
    return load_case(session, reference, writable=False)


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
    return case_on_channel(session, channel_id)[0]


#: Built once, as the statements below: every command typed in a channel is resolved by it.
_ON_CHANNEL: Final = (
    select(CoreGroup, col(CaseConversation.kind))
    .join(CaseConversation, col(CaseConversation.case_id) == col(CoreGroup.id))
    .where(col(CaseConversation.channel) == bindparam("channel"))
)
_CONVERSATION: Final = (
    select(CaseConversation)
    .join(CoreGroup, col(CoreGroup.id) == col(CaseConversation.case_id))
    .where(col(CoreGroup.reference) == bindparam("ref"), col(CaseConversation.kind) == bindparam("kind"))
)


def case_on_channel(session: Session, channel_id: str) -> tuple[CoreGroup, str]:
    """The case linked to that channel and the channel's kind (UnknownChannel if none)."""
    found = session.execute(_ON_CHANNEL, {"channel": channel_id}).first()
    if found is None:
        raise UnknownChannel(channel_id)
    case, kind = found
    remember_case(session, case)
    return case, kind


def conversation(session: Session, reference: str, kind: str) -> CaseConversation | None:
    """Where the case is talked about on that channel kind, None if nowhere yet.

    One query by reference (every message delivered asks where its case's channel is); the
    case itself is read only when there is no such conversation, to tell "no case" apart."""
    found = session.scalars(_CONVERSATION, {"ref": normalise_reference(reference), "kind": kind}).first()
    if found is None:
        load_case(session, reference, writable=False, closed_ok=True)  # UnknownCase if none
    return found


def _conversation(session: Session, case_id: int, kind: str) -> CaseConversation | None:
    return session.scalars(
        select(CaseConversation).where(
            col(CaseConversation.case_id) == case_id, col(CaseConversation.kind) == kind
        )
    ).first()


def channel_of(session: Session, reference: str, kind: str) -> str | None:
    """The case's channel on that channel kind (None if it has none there)."""
    conv = conversation(session, reference, kind)
    return None if conv is None else conv.channel


def _conversation_for_write(session: Session, case: CoreGroup, kind: str) -> CaseConversation:
    conv = _conversation(session, case_id_of(case), kind)
    if conv is None:
        conv = CaseConversation(case_id=case_id_of(case), kind=kind)
        session.add(conv)
    return conv


def list_cases(session: Session, *, status: str | None = "active") -> list[CoreGroup]:
    stmt = select(CoreGroup).order_by(col(CoreGroup.id))
    if status is not None:
        stmt = stmt.where(col(CoreGroup.status) == status)
    return list(session.scalars(stmt))


def link_channel(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    kind: str,
    channel_id: str,
) -> CoreGroup:
    """Link the case to its channel of that kind (one channel per case per kind)."""
    actor = check_actor(actor)
    london_today(now)
    kind = check_kind(kind)
    channel_id = required_text(channel_id, "channel_id", max_len=255, example='"C0123ABCD"')
    case = load_case(session, reference)
    other = session.scalars(
        select(CoreGroup)
        .join(CaseConversation, col(CaseConversation.case_id) == col(CoreGroup.id))
        .where(col(CaseConversation.kind) == kind, col(CaseConversation.channel) == channel_id)
    ).first()
    if other is not None and other.id != case.id:
        raise AlreadyExists(
            f"A link from this channel (to {other.reference})", "create a new channel for this case"
        )
    conv = _conversation_for_write(session, case, kind)
    before = {**snapshot_of(case, CASE_FIELDS), "kind": kind, "channel": conv.channel}
    conv.channel = channel_id
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.channel_linked",
        entity="case",
        entity_id=case.id,
        before=before,
        after={**snapshot_of(case, CASE_FIELDS), "kind": kind, "channel": channel_id},
    )
    return case


def update_case(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    profile: str | Unset = UNSET,
    registered: date | Unset | None = UNSET,
    lead_visit_every: int | Unset | None = UNSET,
) -> CoreGroup:
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference)
    changes: dict[str, Any] = {}
    if profile is not UNSET:
        changes["profile"] = check_profile(profile)
    if registered is not UNSET:
        check_date(registered, "registered")
        if registered is not None and registered < case.start:
            raise InvalidValue(
                "registered",
                f"{registered} is before the start ({case.start})",
                f"registered=date({case.start.year}, {case.start.month}, {case.start.day})",
            )
        changes["registered"] = registered
    if lead_visit_every is not UNSET:
        _check_visit_every(lead_visit_every)
        changes["lead_visit_every"] = lead_visit_every
    before = snapshot_of(case, CASE_FIELDS)
    for key, value in changes.items():
        setattr(case, key, value)
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.updated",
        entity="case",
        entity_id=case.id,
        before=before,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case


def change_start(session: Session, reference: str, start: date, *, actor: str, now: datetime) -> CoreGroup:
    """Correct the start event's date (the conference that started the plan).

    A registration date that equalled the old start moves with it. The whole record is then
    re-read as the engine reads it and validated (`case_from_dict`), so a start after a recorded
    meeting, visit or review is refused and the transaction leaves nothing changed.
    """
    from scheduling.case import CaseError, case_from_dict, case_to_dict

    actor = check_actor(actor)
    today = london_today(now)
    check_date(start, "start", "date(2027, 1, 4)")
    if start > today:
        raise InvalidValue(
            "start",
            f"{start} is still to come; the start is the conference that started the plan",
            f"start=date({today.year}, {today.month}, {today.day})",
        )
    case = load_case(session, reference)
    recorded = [
        (london_date(m.starts_at), "meeting")
        for m in session.scalars(
            select(Meeting).where(col(Meeting.case_id) == case.id, col(Meeting.status) != "cancelled")
        )
    ]
    recorded += [
        (v.visited_on, "visit") for v in session.scalars(select(Visit).where(col(Visit.case_id) == case.id))
    ]
    earlier = sorted(d for d in recorded if d[0] < start)
    if earlier:
        day, what = earlier[0]
        raise InvalidState(
            f"{case.reference} can't start on {start}: a {what} is recorded on {day}, before it.",
            f"/coregroup change start:{day}",
        )
    before = snapshot_of(case, CASE_FIELDS)
    old = case.start
    case.start = start
    if case.registered is not None and (case.registered == old or case.registered < start):
        case.registered = start
    session.flush()
    try:
        case_from_dict(case_to_dict(case_state(session, case.reference)))
    except CaseError as exc:
        raise InvalidState(
            f"{case.reference} can't start on {start}: {exc.problem}.", f"/coregroup change start:{old}"
        ) from None
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.start_changed",
        entity="case",
        entity_id=case.id,
        before=before,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case


def set_digest(session: Session, reference: str, value: bool, *, actor: str, now: datetime) -> CoreGroup:
    """Quiet digest on or off: the sweep gathers the channel's reminders into one morning post."""
    actor = check_actor(actor)
    london_today(now)
    if not isinstance(value, bool):
        raise InvalidValue("value", f"expected true or false, got {value!r}", "value=True")
    case = load_case(session, reference)
    before = {"digest": case.digest}
    case.digest = value
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.digest",
        entity="case",
        entity_id=case.id,
        before=before,
        after={"digest": value},
    )
    return case


def summary_message_id(session: Session, reference: str, kind: str) -> str | None:
    """The id of the case's pinned summary on that channel kind (the adapter's message id)."""
    conv = conversation(session, reference, check_kind(kind))
    return None if conv is None else conv.summary_message_id


def set_summary_message_id(
    session: Session,
    reference: str,
    kind: str,
    message_id: str | None,
    *,
    actor: str,
    now: datetime,
) -> CoreGroup:
    """Remember which message is the pinned summary, so later changes edit it in place."""
    actor = check_actor(actor)
    london_today(now)
    kind = check_kind(kind)
    if message_id is not None:
        message_id = required_text(message_id, "message_id", max_len=255, example='"1700000000.000100"')
    case = load_case(session, reference)
    conv = _conversation_for_write(session, case, kind)
    before = {"kind": kind, "summary_message_id": conv.summary_message_id}
    conv.summary_message_id = message_id
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.summary_pinned",
        entity="case",
        entity_id=case.id,
        before=before,
        after={"kind": kind, "summary_message_id": message_id},
    )
    return case


def close_case(
    session: Session, reference: str, *, actor: str, now: datetime, reason: str | None = None
) -> CoreGroup:
    """Close the case: it leaves the sweep, and reminders not yet sent are dropped. `reason` is
    why, as the person closing it said (kept with the record and its audit event)."""
    actor = check_actor(actor)
    london_today(now)
    if reason is not None and (not reason.strip() or len(reason) > 500):
        raise InvalidValue(
            "reason", "give why the case is closing, in at most 500 characters", '"Plan ended"'
        )
    case = load_case(session, reference)
    before = snapshot_of(case, CASE_FIELDS)
    case.status = "closed"
    case.closed_at = now
    case.closed_reason = reason.strip() if reason else None
    dropped = rowcount(
        session.execute(
            update(Reminder)
            .where(col(Reminder.case_id) == case.id, col(Reminder.status).in_(("pending", "claimed")))
            .values(status="dead", last_error="case closed")
        )
    )
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.closed",
        entity="case",
        entity_id=case.id,
        before=before,
        after={**snapshot_of(case, CASE_FIELDS), "reminders_dropped": dropped},
    )
    return case


def reopen_case(session: Session, reference: str, *, actor: str, now: datetime) -> CoreGroup:
    """A re-referral soon after closure reopens the same record (why purge waits ≥ 3 months)."""
    actor = check_actor(actor)
    london_today(now)
    case = load_case(session, reference, closed_ok=True)
    if case.status == "active":
        raise InvalidState(f"{case.reference} is already open.", f"/coregroup status {case.reference}")
    before = snapshot_of(case, CASE_FIELDS)
    case.status = "active"
    case.closed_at = None
    case.closed_reason = None
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.reopened",
        entity="case",
        entity_id=case.id,
        before=before,
        after=snapshot_of(case, CASE_FIELDS),
    )
    return case


def set_child_name(
    session: Session, reference: str, name: str, *, actor: str, now: datetime, enabled: bool
) -> None:
    """Store the child's name apart from the case; `enabled` is Settings.store_child_name."""
    if not enabled:
        raise ChildNameDisabled()
    actor = check_actor(actor)
    london_today(now)
    name = required_text(name, "name", max_len=255, example='"…"')
    case = load_case(session, reference)
    row = session.get(ChildIdentity, case.id)
    had = row is not None
    if row is None:
        session.add(ChildIdentity(case_id=case_id_of(case), name=name))
    else:
        row.name = name
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.child_name_set",
        entity="case",
        entity_id=case.id,
        before={"child_name_stored": had},
        after={"child_name_stored": True},
    )


def child_name(session: Session, reference: str) -> str | None:
    """Never for chat: for the council's own export or screens, where the deployment allows."""
    case = load_case(session, reference, writable=False)
    row = session.get(ChildIdentity, case.id)
    return None if row is None else row.name


# --- conversation references for proactive messages -------------------------------------------


def set_conversation_reference(
    session: Session,
    reference: str,
    kind: str,
    conversation_reference: str,
    *,
    actor: str,
    now: datetime,
) -> CoreGroup:
    """Remember how to reach the case's channel of that kind without being spoken to first.

    `conversation_reference` is whatever the adapter needs to post unprompted (e.g. a JSON
    conversation reference of service URL, channel and tenant ids): the sweep needs it to post
    reminders proactively. Holds ids only, never names. Writing the same value again changes
    nothing and is not audited twice.
    """
    actor = check_actor(actor)
    london_today(now)
    kind = check_kind(kind)
    conversation_reference = required_text(
        conversation_reference,
        "conversation_reference",
        max_len=4000,
        example='\'{"serviceUrl": "https://…"}\'',
    )
    case = load_case(session, reference)
    conv = _conversation_for_write(session, case, kind)
    if conv.reference == conversation_reference:
        return case
    before = {"kind": kind, "reference": conv.reference}
    conv.reference = conversation_reference
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="case.conversation_reference",
        entity="case",
        entity_id=case.id,
        before=before,
        after={"kind": kind, "reference": conversation_reference},
    )
    return case
