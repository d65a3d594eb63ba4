"""The record: SQLModel tables for core groups and everything that happens in them.

Choices that matter beyond one function:

- Times are stored as UTC (`UTCDateTime`: naive UTC in the column, aware UTC in Python) so SQLite
  and PostgreSQL hold the same values; the engine's dates are the Europe/London date of them.
- The child's name is not a column of `CoreGroup`: it lives in `ChildIdentity`, written only when
  the deployment enables it, so the pseudonymous case reference and the key that re-identifies it
  are kept apart (ICO guidance on pseudonymisation) and nothing that reads a case can leak it.
- Nothing that happens to a case is overwritten: members leave with a date, meetings are
  cancelled (not deleted), plan actions are only ever achieved, escalations are resolved.
- `Meeting.professionals_present` / `lead_sw_present` are kept in step with `Attendance` by the
  repository in the same transaction, so the reminder sweep reads one row per meeting instead of
  aggregating attendance for 50,000 cases.
- Every constraint and index gets a predictable name (the metadata naming convention) so Alembic
  can alter them on SQLite (batch mode) and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import JSON, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel, col

from scheduling.roles import MEMBER_KINDS as MEMBER_KINDS  # the vocabulary lives with the roles

NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# --- vocabularies (kept as strings in the database; checked by the repository) ----------------

CASE_STATUSES: Final = ("active", "closed")
#: `CoreGroup.replan_at` for "plan this case at the next sweep" and for "nothing pending".
REPLAN_NOW: Final = datetime(1970, 1, 1, tzinfo=UTC)
REPLAN_NEVER: Final = datetime(9999, 12, 31, tzinfo=UTC)
#: Roles the rules look at; any other role (e.g. "school", "police", "gp") is free text.
LEAD_SOCIAL_WORKER: Final = "lead_social_worker"
#: The channel kind whose address is a member's `email` (and their `line_manager_email`): those
#: columns are read as that kind's addresses (`storage.facts`, `members.member_by_address`), so
#: the email adapter (bot/email/) is reached like any other kind without a copy of the column.
EMAIL_KIND: Final = "email"
SOCIAL_WORKER_ROLES: Final = frozenset({LEAD_SOCIAL_WORKER, "social_worker", "practice_lead"})
#: Meeting kinds the engine knows (scheduling.case.MEETING_KINDS) plus review conferences.
REVIEW_CONFERENCE: Final = "review_conference"
ATTENDANCE_STATUSES: Final = ("attended", "apologies", "absent")
ACTION_STATUSES: Final = ("open", "achieved")
CASE_EVENT_KINDS: Final = ("school_move", "significant_change")
#: Whose address a `MemberAddress` row is: the member's own, or their line manager's.
ADDRESS_HOLDERS: Final = ("member", "line_manager")
REMINDER_STATUSES: Final = ("pending", "claimed", "sent", "dead")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC, identical on SQLite and PostgreSQL.

    Naive datetimes are refused: a time without a zone is the classic source of one-hour errors
    across the clock change, and everything in coregroup is given an aware `now`.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: coregroup stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _dt(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class CoreGroup(SQLModel, table=True):
    """A case: one child's core group, known in chat only by its reference."""

    __tablename__ = "core_group"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    profile: str = Field(max_length=64)
    plan: str = Field(max_length=8)
    #: The start event (ICPC, SWA completion, first LAC review).
    start: date
    registered: date | None = None
    status: str = Field(default="active", max_length=16, index=True)
    #: Working days between lead social worker visits, where the core group agrees it.
    lead_visit_every: int | None = None
    #: Wales resolution process: the date a resolution (Tier 1) was requested.
    resolution_requested: date | None = None
    significant_risk_reduction: bool = False
    created_at: datetime = _dt()
    created_by: str = Field(max_length=128)
    closed_at: datetime | None = _dt(nullable=True)
    #: Why it was closed, as the person closing it said (`close reason:"…"`).
    closed_reason: str | None = Field(default=None, max_length=500)
    #: Derived, never edited by hand: the case's meetings/visits/… as the engine sees them,
    #: rewritten with every change (storage.states). Lets the sweep read one row per case.
    state_snapshot: str | None = Field(default=None, sa_type=Text)
    #: Quiet digest: one reminder message a morning instead of separate posts.
    digest: bool = False
    #: The incremental sweep's "look again at": the next moment this case's reminder plan can
    #: change without anyone touching it (a send day, a deadline), or `REPLAN_NOW` after a change;
    #: `REPLAN_NEVER` when nothing is pending. Derived, rewritten by the sweep (handlers/sweep.py).
    replan_at: datetime = Field(
        default=REPLAN_NOW,
        sa_type=UTCDateTime,
        sa_column_kwargs={"server_default": text("'1970-01-01 00:00:00'")},
    )
    #: Bumped by every change, so a sweep writing `replan_at` back never hides a change made
    #: while it planned (a compare-and-set on this number).
    plan_revision: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})

    __table_args__ = (Index("ix_core_group_replan", "status", "replan_at"),)


class ChildIdentity(SQLModel, table=True):
    """The re-identifying key, kept apart from the case; only written when the deployment allows."""

    __tablename__ = "child_identity"

    case_id: int = Field(foreign_key="core_group.id", primary_key=True)
    name: str = Field(max_length=255)


class Member(SQLModel, table=True):
    """A person in a core group for a period (joined_on .. left_on)."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id", index=True)
    display_name: str = Field(max_length=255)
    role: str = Field(max_length=64)
    kind: str = Field(default="professional", max_length=16)
    agency: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    line_manager_name: str | None = Field(default=None, max_length=255)
    line_manager_email: str | None = Field(default=None, max_length=320)
    joined_on: date
    left_on: date | None = None
    away_from: date | None = None
    away_until: date | None = None
    cover_member_id: int | None = Field(default=None, foreign_key="member.id")
    #: May close the case, change its profile or start, remove others and grant these powers.
    #: A stored fact with its grantor, never derived from the role words anyone may type
    #: (`storage.repository.grant_powers`; migration 0006 carried over only provable grants).
    powers: bool = False
    #: Audit address of who granted the powers (`<kind>:<address>`), and when.
    powers_granted_by: str | None = Field(default=None, max_length=128)
    powers_granted_at: datetime | None = _dt(nullable=True)
    #: The language they chose for what the bot says to them (`en`, `cy`); None: not chosen yet,
    #: so the case's profile decides (`handlers.language`).
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = _dt()

    if TYPE_CHECKING:

        @property
        def addresses(self) -> list[MemberAddress]:
            """How to reach them and their line manager (`MemberAddress` rows, oldest first),
            loaded with the member: mapped below, as SQLModel can't map it in the class."""

    def address(self, kind: str) -> str | None:
        """Their address on that channel kind, None if they are not reachable there."""
        return next((a.address for a in self.addresses if a.kind == kind and a.whose == "member"), None)

    def any_address(self) -> str | None:
        """Their first chat address of any kind: None for someone reached by email only."""
        return next((a.address for a in self.addresses if a.whose == "member"), None)

    def manager_address(self, kind: str | None = None) -> str | None:
        """Their line manager's address on that channel kind (any kind if None)."""
        return next(
            (
                a.address
                for a in self.addresses
                if a.whose == "line_manager" and (kind is None or a.kind == kind)
            ),
            None,
        )

    def active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)

    def away_on(self, day: date) -> bool:
        return (
            self.away_from is not None
            and self.away_from <= day
            and (self.away_until is None or day <= self.away_until)
        )


class MemberAddress(SQLModel, table=True):
    """One way to reach a member (or their line manager): (member, channel kind, address).

    The channel kind is an opaque name an adapter under `bot/` registers ("slack", "teams", later
    "email"); the address is what that channel calls the person (a Slack user id `U0123ABCD`, a
    Bot Framework user id `29:1abc…`, an email address). One person may have several kinds, one
    address per kind each. Nothing outside the adapters looks inside either string, so a new kind
    of channel needs no change here. `whose` is "member" or "line_manager" (the line manager is
    not a member, but is reached the same ways).
    """

    __tablename__ = "member_address"
    __table_args__ = (
        UniqueConstraint("member_id", "whose", "kind"),
        #: "Which member is this (kind, address)?": every command starts with it.
        Index("ix_member_address_kind_address", "kind", "address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    whose: str = Field(default="member", max_length=16)
    kind: str = Field(max_length=16)
    address: str = Field(max_length=320)


# Read-only (the repository writes the rows and refreshes it); "selectin" loads every listed
# member's addresses in one more query, so handlers can name people after the session ends.
sa_inspect(Member).add_property(
    "addresses", relationship(MemberAddress, lazy="selectin", order_by=col(MemberAddress.id), viewonly=True)
)


class CaseConversation(SQLModel, table=True):
    """Where a case is talked about on one channel kind: (case, kind, channel), keyed like
    `ChatThread` is, one per case per kind.

    `channel` is the adapter's id for it (a Slack channel id `C0123ABCD`, a Teams channel's
    conversation id `19:…@thread.tacv2`), unique within its kind. `reference` is anything the
    adapter needs to post there unprompted (for Teams the Bot Framework conversation reference as
    JSON: ids only, never names). `summary_message_id` is the pinned summary the bot edits in
    place after every change (a Slack message ts, a Teams activity id).
    """

    __tablename__ = "case_conversation"
    __table_args__ = (UniqueConstraint("case_id", "kind"), UniqueConstraint("kind", "channel"))

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id")
    kind: str = Field(max_length=16)
    channel: str | None = Field(default=None, max_length=255)
    reference: str | None = Field(default=None, sa_type=Text)
    summary_message_id: str | None = Field(default=None, max_length=255)


class Meeting(SQLModel, table=True):
    """A core group, review conference or Wales resolution meeting.

    Mapping to the engine (`storage.repository.case_state`): kinds in
    `scheduling.case.MEETING_KINDS` become `CaseState.meetings` (date = Europe/London date of
    `starts_at`, status passed explicitly); `review_conference` rows that are not cancelled become
    `CaseState.review_conferences`; held `resolution_tier1/2` rows also fill `Resolution`.
    """

    __tablename__ = "meeting"
    #: Covering index for the sweep (storage.states): its range scan never touches the table.
    __table_args__ = (
        Index(
            "ix_meeting_sweep",
            "case_id",
            "starts_at",
            "kind",
            "status",
            "social_worker_present",
            "professionals_present",
            "lead_sw_present",
            "social_worker_attended",
            "minutes_circulated_at",
            "chair_update_sent_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id")
    kind: str = Field(default="core_group", max_length=40)
    status: str = Field(default="scheduled", max_length=16)
    starts_at: datetime = _dt()
    ends_at: datetime | None = _dt(nullable=True)
    venue: str | None = Field(default=None, max_length=255)
    online_url: str | None = Field(default=None, max_length=1024)
    #: Held online (a video meeting), with or without a venue; `venue` stays as typed (migration 0005).
    online: bool = False
    chair_member_id: int | None = Field(default=None, foreign_key="member.id")
    minute_taker_member_id: int | None = Field(default=None, foreign_key="member.id")
    #: Said when the meeting was recorded as held; None = not said (then see below).
    social_worker_present: bool | None = None
    #: Kept in step with Attendance by the repository; None until attendance is recorded.
    professionals_present: int | None = None
    lead_sw_present: bool | None = None
    social_worker_attended: bool | None = None
    minutes_circulated_at: datetime | None = _dt(nullable=True)
    chair_update_sent_at: datetime | None = _dt(nullable=True)
    calendar_event_id: str | None = Field(default=None, max_length=255)
    #: RFC 5545 SEQUENCE of the invitation: raised on every change that is sent out.
    calendar_sequence: int = 0
    cancel_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _dt()
    updated_at: datetime = _dt()


class Attendance(SQLModel, table=True):
    """Who attended a meeting, who sent apologies, who simply did not come."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    member_id: int = Field(foreign_key="member.id")
    status: str = Field(max_length=16)
    recorded_at: datetime = _dt()


class WrittenReport(SQLModel, table=True):
    """A member's written report for a meeting: requested, due, submitted."""

    __tablename__ = "written_report"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    member_id: int = Field(foreign_key="member.id")
    requested_at: datetime | None = _dt(nullable=True)
    due_at: datetime | None = _dt(nullable=True)
    submitted_at: datetime | None = _dt(nullable=True)
    text: str | None = Field(default=None, sa_type=Text)


class Visit(SQLModel, table=True):
    """A visit to the child. `by` is "lead_social_worker" or "professional" (the engine's terms)."""

    __tablename__ = "visit"
    #: Covering index for the sweep (storage.states).
    __table_args__ = (Index("ix_visit_sweep", "case_id", "visited_on", "by", "seen_alone"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id")
    visited_on: date
    by: str = Field(max_length=32)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    seen_alone: bool = False
    recorded_at: datetime = _dt()


class PlanAction(SQLModel, table=True):
    """An action in the plan. Never deleted (Suffolk §2.3): status goes open → achieved."""

    __tablename__ = "plan_action"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id", index=True)
    text: str = Field(sa_type=Text)
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    due_on: date | None = None
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _dt()
    achieved_at: datetime | None = _dt(nullable=True)


class Escalation(SQLModel, table=True):
    """An inter-agency disagreement moving through stages until resolved.

    Engine mapping: `scheduling.case.Escalation(raised, stage, stage_started, resolved)`, each the
    Europe/London date of the `*_at` column.
    """

    __tablename__ = "escalation"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id", index=True)
    raised_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    about_member_id: int | None = Field(default=None, foreign_key="member.id")
    about: str | None = Field(default=None, max_length=255)
    stage: int = 1
    raised_at: datetime = _dt()
    stage_started_at: datetime = _dt()
    resolved_at: datetime | None = _dt(nullable=True)


class CaseEvent(SQLModel, table=True):
    """School moves and significant changes: dates the engine counts from.

    Engine mapping: kind "school_move" → `CaseState.school_moves`; kind "significant_change" →
    `CaseState.significant_changes` as `Change(occurred_on, reported_on)` (reported to the chair).
    """

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id", index=True)
    kind: str = Field(max_length=32)
    occurred_on: date
    reported_on: date | None = None
    recorded_at: datetime = _dt()


class Reminder(SQLModel, table=True):
    """The outbox: one row per reminder that should go out once.

    The key (case, rule, subject, stage) is unique, so a sweep that runs twice, or two bot
    processes sweeping at once, enqueue it once. `available_at` is when a row may next be claimed:
    its due time, then claim time + lease (a crashed sender's rows come back), then a retry time.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("case_id", "rule", "subject", "stage"),
        Index("ix_reminder_status_available_at", "status", "available_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id")
    rule: str = Field(max_length=64)
    subject: str = Field(max_length=128)
    stage: str = Field(max_length=32)
    recipient: str = Field(max_length=128)
    due_at: datetime = _dt()
    available_at: datetime = _dt()
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = _dt(nullable=True)
    sent_at: datetime | None = _dt(nullable=True)
    last_error: str | None = Field(default=None, max_length=1024)
    payload: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = _dt()


class ChatThread(SQLModel, table=True):
    """Where the bot's messages about one thing live, so later ones go in the same thread.

    `key` is the reminder thread key (a meeting's engine subject, "meeting:YYYY-MM-DD:kind") or a
    message the bot edits in place (e.g. "bundle:<subject>", the chair's bundle of reports).
    """

    __tablename__ = "chat_thread"
    __table_args__ = (UniqueConstraint("case_id", "key", "platform"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="core_group.id")
    key: str = Field(max_length=128)
    platform: str = Field(max_length=16)
    channel: str = Field(max_length=255)
    message_id: str = Field(max_length=255)
    created_at: datetime = _dt()


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained history of every change and every message sent.

    `hash` = SHA-256 of the event's canonical JSON including `prev_hash`, so editing or deleting a
    row breaks the chain at that row (`storage.audit.verify`). Payloads hold ids, dates, kinds and
    statuses only, never names or free text, so the log can outlive a purged case.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _dt()
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    case_id: int | None = None
    case_ref: str | None = Field(default=None, max_length=32, index=True)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: int | None = None
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64)


class ProcessedRequest(SQLModel, table=True):
    """Chat platforms retry: a request/event id seen once is not acted on twice."""

    __tablename__ = "processed_request"

    key: str = Field(primary_key=True, max_length=255)
    received_at: datetime = _dt(index=True)


INBOUND_STATUSES: Final = ("pending", "claimed", "dead")


class InboundRequest(SQLModel, table=True):
    """A chat request that was acknowledged but whose work is not finished yet.

    Written in one short transaction before the platform hears the acknowledgement, so "acked"
    means "on disk": a stop or crash leaves the row, and the next start redoes it (the request log
    in `processed_request` keeps a write from happening twice). The body is the minimum needed to
    redo the work and holds user text, so a finished row is deleted, and a dead one keeps no body.
    `available_at` is when a row may next be claimed (as in `reminder`): a fresh row is leased to
    the process that wrote it, a claimed row until its lease runs out, a failed one until its retry.
    """

    __tablename__ = "inbound_request"
    __table_args__ = (Index("ix_inbound_request_status_available_at", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    body: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    available_at: datetime = _dt()
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = _dt(nullable=True)
    last_error: str | None = Field(default=None, max_length=255)
    created_at: datetime = _dt()
