"""Helpers every aggregate module of the record shares: input checks, row look-ups, the audit call.

They were private to the one big repository module; now several modules use them, so they are
public here (a private name is never imported across modules).

Conventions of every function of the record (`storage.repository` re-exports them all):

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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Final, TypeVar

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel, col

from scheduling.case import MEETING_KINDS
from scheduling.london import LONDON
from storage import audit
from storage.errors import CaseClosed, InvalidValue, NotAMember, UnknownCase, UnknownRecord
from storage.models import REPLAN_NOW, REVIEW_CONFERENCE, CoreGroup, Meeting, Member
from storage.snapshots import refresh_snapshot

#: Every kind a Meeting row may have.
ALL_MEETING_KINDS: Final[tuple[str, ...]] = (*MEETING_KINDS, REVIEW_CONFERENCE)
TIER_KINDS: Final = ("resolution_tier1", "resolution_tier2")
#: Retention floor: a closed case is kept at least this long (re-referrals; Sandwell).
MIN_RETENTION_MONTHS: Final = 3
REFERENCE_SHAPE = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[A-Z0-9]{1,20}$")
_PROFILE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ROLE_SHAPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Unset(Enum):
    UNSET = "unset"


#: "Leave this field as it is" in update functions (None means "clear it").
UNSET: Final = Unset.UNSET

_T = TypeVar("_T", bound=SQLModel)


# --- small helpers -----------------------------------------------------------------------------


def london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def check_aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(
            field,
            f"{value!r} has no time zone; times must be aware",
            "datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo('Europe/London'))",
        )
    return value


def london_today(now: datetime) -> date:
    return london_date(check_aware(now, "now"))


def check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 128:
        raise InvalidValue("actor", f"{actor!r} is not a user id", '"chat:U0123ABCD"')
    return actor.strip()


def clean_text(
    value: str | None, field: str, *, max_len: int, example: str, required: bool = False
) -> str | None:
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


def required_text(value: str | None, field: str, *, max_len: int, example: str) -> str:
    out = clean_text(value, field, max_len=max_len, example=example, required=True)
    assert out is not None
    return out


def normalise_reference(reference: str) -> str:
    return reference.strip().upper() if isinstance(reference, str) else reference


def normalise_role(role: str) -> str:
    """ "Health visitor" → "health_visitor": roles are compared, so one spelling."""
    return re.sub(r"[\s\-]+", "_", role.strip().lower())


def check_choice(value: str, field: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidValue(field, f"{value!r} is not one of {', '.join(allowed)}", f'{field}="{allowed[0]}"')
    return value


_KIND: Final = re.compile(r"^[a-z][a-z0-9_]{0,15}$")


def check_kind(kind: str) -> str:
    """A channel kind: an adapter's short lowercase name, never interpreted here."""
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InvalidValue("kind", f"{kind!r} is not a channel kind", 'kind="chat"')
    return kind


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


CASE_FIELDS: Final = (
    "reference",
    "profile",
    "plan",
    "start",
    "registered",
    "status",
    "lead_visit_every",
    "resolution_requested",
    "significant_risk_reduction",
    "closed_at",
)
MEMBER_FIELDS: Final = ("role", "kind", "joined_on", "left_on", "away_from", "away_until", "cover_member_id")
MEETING_FIELDS: Final = (
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "chair_member_id",
    "minute_taker_member_id",
    "calendar_event_id",
    "social_worker_present",
    "minutes_circulated_at",
    "chair_update_sent_at",
    "online",
)
ESCALATION_FIELDS: Final = (
    "stage",
    "raised_by_member_id",
    "about_member_id",
    "raised_at",
    "stage_started_at",
    "resolved_at",
)


def snapshot_of(obj: SQLModel, fields: Sequence[str]) -> dict[str, Any]:
    out = {f: getattr(obj, f) for f in fields}
    if isinstance(obj, Member):
        # Addresses are ids (a chat user id), like the member's own: the audit may hold them.
        out["addresses"] = {f"{a.whose}:{a.kind}": a.address for a in obj.addresses}
    return out


def record_audit(
    session: Session,
    case: CoreGroup | None,
    *,
    actor: str,
    now: datetime,
    action: str,
    entity: str | None = None,
    entity_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Record a change. Every change passes here, so it also refreshes the case's snapshot and
    marks its reminder plan for the next (incremental) sweep."""
    if case is not None:
        case.replan_at = REPLAN_NOW
        case.plan_revision = (case.plan_revision or 0) + 1
        refresh_snapshot(session, case, entity=entity, entity_id=entity_id)
    audit.append(
        session,
        actor=actor,
        now=now,
        action=action,
        case_id=None if case is None else case.id,
        case_ref=None if case is None else case.reference,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def load_case(
    session: Session, reference: str, *, writable: bool = True, closed_ok: bool = False
) -> CoreGroup:
    """The case by reference; for a change, also locks its row and refuses a closed case.

    The row lock (PostgreSQL; SQLite has one writer anyway) serialises changes to one case, so
    its snapshot is always recomputed from a consistent view. A use case asks for its case many
    times in one transaction (the membership check, the write, the summary: ten times a write),
    so the transaction remembers it (`remember_case`): the same object the identity map would
    give, without the query. A case read unlocked is read again, locked, for a change.
    """
    ref = normalise_reference(reference)
    known = session.info.get(_CASES)
    hit = None if known is None else known.get(ref)
    if hit is not None and (hit[1] or not writable) and _still_here(hit[0]):
        case = hit[0]
    else:
        found = session.scalars(_BY_REFERENCE_LOCKED if writable else _BY_REFERENCE, {"ref": ref}).first()
        if found is None:
            raise UnknownCase(str(reference))
        case = found
        # SQLite has no row locks: a write transaction there holds the whole file already.
        remember_case(session, case, locked=writable or _one_writer(session))
    if writable and not closed_ok and case.status != "active":
        raise CaseClosed(case.reference)
    return case


#: Built once (a write sends them several times): the case by reference, and locked.
_BY_REFERENCE: Final = select(CoreGroup).where(col(CoreGroup.reference) == bindparam("ref"))
_BY_REFERENCE_LOCKED: Final = _BY_REFERENCE.with_for_update()

#: `Session.info` key: the cases this transaction has loaded, by reference: (case, row locked).
_CASES: Final = "coregroup.cases"


def remember_case(session: Session, case: CoreGroup, *, locked: bool = False) -> None:
    """Let later `load_case` calls in this transaction use `case` (found some other way)."""
    known = session.info.setdefault(_CASES, {})
    was = known.get(case.reference)
    locked = locked or _one_writer(session) or (was is not None and was[0] is case and was[1])
    known[case.reference] = (case, locked)


def _one_writer(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _still_here(case: CoreGroup) -> bool:
    state = inspect(case)
    return not (state.deleted or state.detached or state.was_deleted)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_cases(session: OrmSession, transaction: SessionTransaction) -> None:
    """A row lock ends with its transaction, and what another transaction wrote may differ, so
    what `load_case` remembers lasts one transaction (a SAVEPOINT's end forgets it too; the
    inner "subtransaction" every flush opens does not)."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_CASES, None)


def case_id_of(case: CoreGroup) -> int:
    assert case.id is not None
    return case.id


def row_id(obj: Meeting | Member) -> int:
    assert obj.id is not None
    return obj.id


def rowcount(result: Any) -> int:
    """Rows a DML statement touched (Session.execute is typed as returning a plain Result)."""
    return int(result.rowcount)


def one_of_case(
    session: Session, model: type[_T], ident: int, case: CoreGroup, what: str, example: str
) -> _T:
    obj = session.get(model, ident) if isinstance(ident, int) else None
    if obj is None or getattr(obj, "case_id", None) != case.id:
        raise UnknownRecord(what, ident, case.reference, example)
    return obj


def load_member(
    session: Session, case: CoreGroup, member_id: int, *, on: date | None = None, include_left: bool = False
) -> Member:
    """A member of this case (current on `on`, unless include_left) or NotAMember."""
    m = session.get(Member, member_id) if isinstance(member_id, int) else None
    if m is None or m.case_id != case.id:
        raise NotAMember(member_id, case.reference)
    if not include_left and on is not None and m.left_on is not None and m.left_on <= on:
        raise NotAMember(member_id, case.reference)
    return m


def load_meeting(session: Session, case: CoreGroup, meeting_id: int) -> Meeting:
    return one_of_case(
        session,
        Meeting,
        meeting_id,
        case,
        "meeting",
        f"/coregroup meetings {case.reference} (lists the meeting numbers)",
    )


def check_profile(profile: str) -> str:
    profile = profile.strip().lower() if isinstance(profile, str) else profile
    names: list[str] | None = None
    try:
        from scheduling.profiles import profile_names

        names = list(profile_names())
    except ImportError:  # the engine is optional for storage; fall back to the name's shape
        names = None
    if names:
        if profile not in names:
            raise InvalidValue(
                "profile",
                f"{profile!r} is not a known profile; known: {', '.join(names)}",
                f'profile="{names[0]}"',
            )
    elif not isinstance(profile, str) or not _PROFILE.match(profile):
        raise InvalidValue("profile", f"{profile!r} is not a profile name", 'profile="suffolk"')
    return profile


def check_date(value: date | None, field: str, example: str = "date(2027, 1, 5)") -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidValue(field, f"expected a date, got {value!r}", example)
