"""Calendar invitations, the handler's half: record that a meeting's invitation must change.

Why the outbox and not a call: the calendar (Microsoft Graph, or an .ics file posted in the channel)
can be slow or down, and the chat's acknowledgement must never wait for it. So a handler writes an
outbox row in the same transaction as the change itself -- scheduled, moved, cancelled, a member
joined or left -- and returns a `SyncInvitation` effect that merely wakes the calendar worker
(`bot.calendar.jobs`). If the process stops before the worker runs, the row is still there at the
next start; a retry of the same change finds the same unique key and adds nothing.

One row per change of the invitation: rule `calendar_invitation`, subject `meeting:<id>`, stage
`v<sequence>` (the meeting's RFC 5545 SEQUENCE, raised through the repository so it is audited).
The payload says what changed and carries the family members the lead social worker ticked
forward from the previous row, because that choice belongs to the invitation rather than to the
meeting record. (It also notes online and the venue as typed, which the worker reads from the
meeting itself since migration 0005; the payload only fills in for rows written before it.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlmodel import Session, col

from handlers.common import Context
from handlers.replies import SyncInvitation
from scheduling.roles import FAMILY_KINDS
from storage import outbox
from storage import repository as repo
from storage.models import Meeting, Member, Reminder

#: The outbox rule of calendar work. The chat reminder delivery must skip it (claim_due's
#: `exclude_rules`); only the calendar worker claims it.
CALENDAR_RULE: Final = "calendar_invitation"
#: Meeting kinds that get a calendar invitation (everything the bot books).
INVITED_KINDS: Final = frozenset(
    {
        "core_group",
        "school_move_core_group",
        "resolution_review_core_group",
        "resolution_tier1",
        "resolution_tier2",
        "review_conference",
    }
)

Change = Literal["create", "update", "attendees", "cancel"]


def subject_of(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def latest_row(s: Session, case_id: int, meeting_id: int) -> Reminder | None:
    """The newest calendar row of a meeting (its payload holds the invitation's choices)."""
    stmt = (
        select(Reminder)
        .where(
            col(Reminder.case_id) == case_id,
            col(Reminder.rule) == CALENDAR_RULE,
            col(Reminder.subject) == subject_of(meeting_id),
        )
        .order_by(col(Reminder.id).desc())
        .limit(1)
    )
    return s.scalars(stmt).first()


def family_ids(
    s: Session, reference: str, on_members: Iterable[Member], ticked: tuple[str, ...]
) -> list[int]:
    """The family members' ids from `family:all` or `family:m:12,m:14` (or plain numbers).
    Raises ValueError naming a value that is not a family member of this case."""
    family = {m.id: m for m in on_members if m.kind in FAMILY_KINDS and m.id is not None}
    if not ticked:
        return []
    if any(t.lower() == "all" for t in ticked):
        return sorted(i for i, m in family.items() if m.email)
    out: list[int] = []
    for t in ticked:
        raw = t[2:] if t.lower().startswith("m:") else t
        if not raw.isdigit() or int(raw) not in family:
            raise ValueError(t)
        out.append(int(raw))
    return sorted(set(out))


def record_change(
    s: Session,
    ctx: Context,
    reference: str,
    meeting: Meeting,
    change: Change,
    *,
    online: bool | None = None,
    venue: str | None = None,
    set_venue: bool = False,
    family: list[int] | None = None,
    message: str | None = None,
) -> SyncInvitation | None:
    """Write the outbox row for one change of `meeting`'s invitation (inside the handler's write
    transaction) and return the effect that wakes the calendar worker. None for meetings that
    get no invitation."""
    assert meeting.id is not None
    if meeting.kind not in INVITED_KINDS:
        return None
    prev = latest_row(s, meeting.case_id, meeting.id)
    carried: dict[str, Any] = dict(prev.payload or {}) if prev is not None else {}
    if prev is None and change != "create":
        # Booked before invitations existed (or by another route): nothing to change yet, so
        # the worker creates it -- unless it is a cancellation of something never sent.
        if change == "cancel":
            return None
        change = "create"
    payload: dict[str, Any] = {
        "change": change,
        "online": bool(carried.get("online", False) if online is None else online),
        "venue": (venue if set_venue else carried.get("venue", meeting.venue)),
        "family": list(carried.get("family", []) if family is None else family),
    }
    if message:
        payload["message"] = message
    if change == "create" and prev is None:
        sequence = meeting.calendar_sequence
    else:
        sequence = repo.raise_calendar_sequence(
            s, reference, meeting.id, actor=ctx.actor.audit_id, now=ctx.now
        )
    outbox.enqueue(
        s,
        case_id=meeting.case_id,
        rule=CALENDAR_RULE,
        subject=subject_of(meeting.id),
        stage=f"v{sequence}",
        recipient="calendar",
        due_at=ctx.now,
        now=ctx.now,
        payload=payload,
    )
    return SyncInvitation(reference, meeting.id)


def members_changed(s: Session, ctx: Context, reference: str) -> list[SyncInvitation]:
    """A member joined or left: every future booked meeting's attendee list is sent again."""
    out: list[SyncInvitation] = []
    for m in repo.meetings(s, reference, status="scheduled"):
        if m.starts_at <= ctx.now or m.id is None:
            continue
        if latest_row(s, m.case_id, m.id) is None:
            continue
        effect = record_change(s, ctx, reference, m, "attendees")
        if effect is not None:
            out.append(effect)
    return out
