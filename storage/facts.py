"""The reminder facts of many cases at once: who is expected at which meeting, who has answered,
which actions are open, and who is who (lead social worker, chair, minute-taker, line manager,
away and cover).

The planner (`scheduling.reminders.plan_reminders`) needs, per case, a `CaseFacts`; delivery needs
to turn an audience (`chair`, `lead_sw_manager`, `member:12`…) into an address. Both come from
`load_facts`, which reads a whole batch of cases with one query per table (members, meetings,
attendance, written reports, plan actions, open escalations) — never one query per case — so the
sweep over 50,000 cases stays a handful of range scans.

Only what can still cause a reminder is read: current members, meetings that are booked from today
on or held with their minutes still outstanding, all plan actions (their numbers are their position
in the case, so achieved ones count too), unresolved escalations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, NamedTuple

from sqlalchemy import Connection, and_, or_, select
from sqlmodel import col

from scheduling.case import CORE_GROUP_KINDS
from scheduling.london import LONDON
from scheduling.reminders import ActionFacts, CaseFacts, MeetingFacts, owes_report
from storage.models import (
    EMAIL_KIND,
    LEAD_SOCIAL_WORKER,
    REVIEW_CONFERENCE,
    Attendance,
    Escalation,
    Meeting,
    Member,
    MemberAddress,
    PlanAction,
    WrittenReport,
)
from storage.states import Parsers, as_text

#: Above this many ids a batch is selected by id range (an index range scan) instead of IN (…).
_IN_LIMIT: Final = 500
#: Meetings this many days ahead or nearer have their people and answers loaded.
NEAR: Final = timedelta(days=21)


_NONE: Final[Mapping[str, str]] = {}


class Person(NamedTuple):
    """A current member as delivery needs them: addresses, line manager, absence and cover.

    A named tuple rather than a dataclass: a sweep builds one per member of every case with a
    meeting near, and a tuple is several times cheaper to make. `addresses` and
    `manager_addresses` map a channel kind to the address there (`MemberAddress`), so delivery
    picks the one for its channel kind without knowing any."""

    id: int
    role: str
    kind: str
    addresses: Mapping[str, str] = _NONE
    manager_addresses: Mapping[str, str] = _NONE
    away_from: date | None = None
    away_until: date | None = None
    cover: int | None = None

    def address(self, kind: str) -> str | None:
        """Their address on that channel kind (None: not reachable there)."""
        return self.addresses.get(kind)

    def manager_address(self, kind: str) -> str | None:
        return self.manager_addresses.get(kind)

    @property
    def reachable(self) -> bool:
        """Has an address on some channel (else they are reached by email only)."""
        return bool(self.addresses)

    def away_on(self, day: date) -> bool:
        """Same test as `storage.models.Member.away_on`."""
        return (
            self.away_from is not None
            and self.away_from <= day
            and (self.away_until is None or day <= self.away_until)
        )


@dataclass(frozen=True, slots=True)
class MeetingRoles:
    id: int
    date: date
    kind: str
    chair: int | None
    minute_taker: int | None


@dataclass(frozen=True, slots=True)
class ReminderFacts:
    """Everything about one case that planning and delivery need beyond the engine's state."""

    case_id: int
    plan: CaseFacts
    people: Mapping[int, Person] = field(default_factory=dict)
    lead_sw: int | None = None
    #: Meeting engine subject ("meeting:2027-01-19:core_group") → its id, chair and minute-taker.
    meetings: Mapping[str, MeetingRoles] = field(default_factory=dict)
    #: Escalation engine subject ("escalation:2027-01-04:1") → the member who raised it.
    raisers: Mapping[str, int | None] = field(default_factory=dict)
    digest: bool = False


EMPTY: Final = CaseFacts()


def _where(column: Any, ids: Collection[int]) -> Any:
    if len(ids) <= _IN_LIMIT:
        return column.in_(sorted(ids))
    return column.between(min(ids), max(ids))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _london(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LONDON).date()


def subject_of(day: date, kind: str) -> str:
    """The engine's subject for a meeting (scheduling.engine: "meeting:YYYY-MM-DD:kind")."""
    return f"meeting:{day.isoformat()}:{kind}"


def load_facts(
    conn: Connection,
    case_ids: Collection[int],
    today: date,
    digest: Mapping[int, bool] | None = None,
    parsers: Parsers | None = None,
    *,
    all_people: bool = False,
    horizon: Callable[[int], date] | None = None,
    email: bool = False,
) -> dict[int, ReminderFacts]:
    """Reminder facts for `case_ids`; a case with none (no near meeting, no action, nobody
    needed) is left out, so `.get(case_id)` is None.

    One query per table for the whole batch. Values come back raw and are converted once per
    distinct value (`storage.states.Parsers`, shared across a sweep's batches): SQLAlchemy's
    per-value conversion made the member query six times slower than the database itself.

    Only what can be due is read: meetings in the next `NEAR` days (the attendance nag goes 5
    working days before: 12 calendar days across Christmas, more with local closures) — and of
    those only the ones on or before `horizon(case_id)` when given (the sweep passes the 5th
    working day ahead in the case's own calendar) — with their members, attendance and reports;
    and held meetings whose minutes are outstanding (the minute-taker and the lead social worker).
    Whether anything is booked at all comes from the engine's state
    (`scheduling.sweep.plan_case`), so later meetings are not read here. Delivery passes
    `all_people=True` (its handful of cases, everyone: audiences, cover, line managers).
    `digest` (case id → flag) comes from the caller; the sweep does not need it.
    """
    ids = set(case_ids)
    if not ids:
        return {}
    p = parsers or Parsers()
    day_start = datetime.combine(today, time(0), tzinfo=LONDON).astimezone(UTC)

    roles: dict[int, dict[str, MeetingRoles]] = defaultdict(dict)
    upcoming: dict[int, list[MeetingRoles]] = defaultdict(list)
    meeting_case: dict[int, int] = {}  # near meetings (their nags may be due): id -> case id
    pending_minutes: set[int] = set()
    subjects: dict[int, str] = {}
    for cid, mid, kind, status, starts_at, chair, taker in conn.execute(
        select(
            *as_text(
                col(Meeting.case_id),
                col(Meeting.id),
                col(Meeting.kind),
                col(Meeting.status),
                col(Meeting.starts_at),
                col(Meeting.chair_member_id),
                col(Meeting.minute_taker_member_id),
            )
        )
        .where(
            _where(col(Meeting.case_id), ids),
            col(Meeting.kind) != REVIEW_CONFERENCE,
            or_(
                and_(
                    col(Meeting.status) == "scheduled",
                    col(Meeting.starts_at).between(day_start, day_start + NEAR),
                ),
                and_(col(Meeting.status) == "held", col(Meeting.minutes_circulated_at).is_(None)),
            ),
        )
        .order_by(col(Meeting.case_id), col(Meeting.starts_at))
    ).all():
        cid, mid = int(cid), int(mid)
        if cid not in ids:
            continue
        m = MeetingRoles(
            mid,
            p.london(starts_at),
            kind,
            None if chair is None else int(chair),
            None if taker is None else int(taker),
        )
        roles[cid][subject_of(m.date, kind)] = m
        subjects[mid] = subject_of(m.date, kind)
        if status == "scheduled" and kind in CORE_GROUP_KINDS:
            if horizon is not None and m.date > horizon(cid):
                continue  # too far off for any nag today
            upcoming[cid].append(m)
            meeting_case[mid] = cid
        elif status == "held":
            pending_minutes.add(cid)

    # People are needed where a meeting is near (its nags), minutes are pending (the minute-taker
    # and the lead social worker), or delivery asks for everyone (`all_people`).
    who_for = set(ids) if all_people else set(meeting_case.values()) | pending_minutes
    people: dict[int, dict[int, Person]] = defaultdict(dict)
    lead: dict[int, int] = {}
    # One row per (member, address): members left-joined to their addresses, so one range scan.
    member_rows = (
        conn.execute(
            select(
                *as_text(
                    col(Member.case_id),
                    col(Member.id),
                    col(Member.role),
                    col(Member.kind),
                    col(Member.left_on),
                    col(Member.away_from),
                    col(Member.away_until),
                    col(Member.cover_member_id),
                ),
                col(Member.email),
                col(Member.line_manager_email),
                col(MemberAddress.whose),
                col(MemberAddress.kind),
                col(MemberAddress.address),
            )
            .outerjoin(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
            .where(_where(col(Member.case_id), who_for))
            .order_by(col(Member.case_id), col(Member.id), col(MemberAddress.id))
        ).all()
        if who_for
        else []
    )
    own: dict[int, dict[str, str]] = {}
    managers: dict[int, dict[str, str]] = {}
    for row in member_rows:
        cid, mid, role, kind, left_on, away_from, away_until, cover, mail, manager_email = row[:10]
        whose, channel, address = row[10:]
        if left_on is not None and p.to_date(left_on) <= today:
            continue
        cid, mid = int(cid), int(mid)
        if email and mail:
            own.setdefault(mid, {}).setdefault(EMAIL_KIND, mail)
        if email and manager_email:
            managers.setdefault(mid, {}).setdefault(EMAIL_KIND, manager_email)
        if address is not None:
            book = own if whose == "member" else managers
            book.setdefault(mid, {}).setdefault(channel, address)
        if mid in people[cid]:
            continue  # a second address of someone already seen: their book has it
        people[cid][mid] = Person(
            mid,
            role,
            kind,
            own.setdefault(mid, {}),
            managers.setdefault(mid, {}),
            None if away_from is None else p.to_date(away_from),
            None if away_until is None else p.to_date(away_until),
            None if cover is None else int(cover),
        )
        if role == LEAD_SOCIAL_WORKER and cid not in lead:
            lead[cid] = mid

    answers: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    if meeting_case:
        mids = set(meeting_case)
        for meeting_id, member_id, status in conn.execute(
            select(
                *as_text(col(Attendance.meeting_id), col(Attendance.member_id), col(Attendance.status))
            ).where(col(Attendance.meeting_id).in_(sorted(mids)))
        ).all():
            if status == "attended":
                answers[int(meeting_id)]["attending"].add(int(member_id))
            elif status == "apologies":
                answers[int(meeting_id)]["apologies"].add(int(member_id))
        for meeting_id, member_id in conn.execute(
            select(*as_text(col(WrittenReport.meeting_id), col(WrittenReport.member_id))).where(
                col(WrittenReport.meeting_id).in_(sorted(mids)), col(WrittenReport.submitted_at).is_not(None)
            )
        ).all():
            answers[int(meeting_id)]["reports"].add(int(member_id))

    actions: dict[int, list[ActionFacts]] = defaultdict(list)
    for cid, _aid, owner, due_on, status, text in conn.execute(
        select(
            *as_text(
                col(PlanAction.case_id),
                col(PlanAction.id),
                col(PlanAction.owner_member_id),
                col(PlanAction.due_on),
                col(PlanAction.status),
                col(PlanAction.text),
            )
        )
        .where(_where(col(PlanAction.case_id), ids))
        .order_by(col(PlanAction.case_id), col(PlanAction.id))
    ).all():
        cid = int(cid)
        if cid not in ids:
            continue
        number = len(actions[cid]) + 1
        actions[cid].append(
            ActionFacts(
                number,
                None if owner is None else str(int(owner)),
                p.opt_date(due_on),
                achieved=status == "achieved",
                text=str(text or ""),
            )
        )

    raisers: dict[int, dict[str, int | None]] = defaultdict(dict)
    for cid, raised_at, stage, by in conn.execute(
        select(
            *as_text(
                col(Escalation.case_id),
                col(Escalation.raised_at),
                col(Escalation.stage),
                col(Escalation.raised_by_member_id),
            )
        ).where(_where(col(Escalation.case_id), ids), col(Escalation.resolved_at).is_(None))
    ).all():
        if int(cid) in ids:
            raisers[int(cid)][f"escalation:{p.london(raised_at).isoformat()}:{int(stage)}"] = (
                None if by is None else int(by)
            )

    digest = digest or {}

    out: dict[int, ReminderFacts] = {}
    for cid in ids:
        if not (cid in roles or cid in actions or cid in people or cid in raisers or digest.get(cid)):
            continue  # nothing beyond the engine's state: the caller's .get() gives None
        who = people.get(cid, {})
        meetings = []
        for m in upcoming.get(cid, ()):
            a = answers.get(m.id, {})
            present = [p for p in who.values() if p.reachable]
            # The chair and the minute-taker are not asked for a written report, but anyone who
            # sent one unasked is counted with it (as handlers/answers.progress counts it).
            sent = a.get("reports", set())
            # Whoever runs the meeting (its chair and minute-taker, the lead social worker whose
            # meeting it is) is asked neither whether they are coming nor for a report.
            running = {m.chair, m.minute_taker, lead.get(cid)}
            professionals = tuple(
                str(p.id)
                for p in who.values()
                if p.id in sent or (owes_report(p.kind, p.id in running) and p.reachable)
            )
            meetings.append(
                MeetingFacts(
                    subjects[m.id],
                    m.date,
                    professionals=professionals,
                    members=tuple(str(p.id) for p in present if p.id not in running),
                    attending=frozenset(map(str, a.get("attending", ()))),
                    apologies=frozenset(map(str, a.get("apologies", ()))),
                    reports_in=frozenset(map(str, a.get("reports", ()))),
                )
            )
        acts = tuple(actions.get(cid, ()))
        plan = CaseFacts(tuple(meetings), acts) if meetings or acts else EMPTY
        out[cid] = ReminderFacts(
            cid,
            plan,
            who,
            lead.get(cid),
            roles.get(cid, {}),
            raisers.get(cid, {}),
            bool(digest.get(cid, False)),
        )
    return out
