"""One reminder sweep: active cases → obligations → planned reminders → outbox rows.

    load (storage.states + storage.facts, in batches) → engine.obligations → reminders.plan_reminders
    → one Outgoing per audience → outbox (INSERT … ON CONFLICT DO NOTHING on the unique key)

`plan_case` is pure (state, facts and `now` in, rows out), so the same function decides what is
planned in the sweep and, at delivery, whether a claimed row is still wanted (answered people,
circulated minutes and cancelled meetings stop the nagging even for a row already queued).

When a row may go out: `send_time_on(send_on)` — the start of the profile's working hours (default
09:00–17:00 Europe/London) on the planned working day of the case's nation, or 10:00 for the chair's
bundle — but never before the next moment inside working hours (`next_send_time(now)`). So a sweep
at 18:00, on a Saturday or on a bank holiday queues for the next working morning, and a sweep after
a day down sends what came due meanwhile at the next working-hours sweep, once (the key is unique).
Times are London wall-clock, stored as UTC: 09:00 stays 09:00 across the clock changes.

Audiences joined with "+" (`minute_taker+lead_sw`) become one row per person, the stage suffixed
with the role (`before:minute_taker`), so each row is one message and exactly-once holds per row;
a role that is the same member as an earlier one in the list is dropped (no double nag).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy.types import NullType, TypeDecorator

from scheduling.calendar import WorkingCalendar, calendar_for
from scheduling.case import CORE_GROUP_KINDS
from scheduling.engine import obligations
from scheduling.hours import LONDON, next_send_time, send_time_on
from scheduling.profiles import Profile, load_profile
from scheduling.reminders import CaseFacts, Planned, plan_reminders

#: The chair's bundle goes at this London time the working day before the meeting.
BUNDLE_AT: Final = time(10, 0)
#: Rows of the outbox that are not chat reminders (the calendar worker sends them).
NOT_REMINDERS: Final = ("calendar_invitation",)
_NO_FACTS: Final = CaseFacts()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One outbox row to be: a planned reminder for one audience, with its send time."""

    case_id: int
    reference: str
    profile: str
    plan: str
    planned: Planned
    audience: str
    stage: str
    send_at: datetime

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.case_id, self.planned.rule, self.planned.subject, self.stage)

    def payload(self) -> dict[str, Any]:
        """What delivery and the digest render from: ids, dates, kinds and counts, no names."""
        p = self.planned
        ob = p.obligation
        return {
            "kind": p.kind, "rule": p.rule, "subject": p.subject, "audience": self.audience,
            "profile": self.profile, "plan": self.plan,
            "send_on": p.send_on.isoformat(), "due": p.due.isoformat(), "thread": p.thread,
            "progress": list(p.progress) if p.progress else None,
            "received": list(p.received), "waiting": list(p.waiting),
            "about": ob.about if ob else None,
            "interpretation": bool(ob.interpretation) if ob else False,
        }


class Profiles:
    """Profiles and calendars, loaded once per sweep (there are a handful; cases are many)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Profile, WorkingCalendar]] = {}
        self._earliest: dict[tuple[str, datetime], datetime] = {}
        self._horizon: dict[tuple[str, date], date] = {}
        self._now: tuple[datetime, date] | None = None

    def today(self, now: datetime) -> date:
        """The London date of `now` (one conversion per sweep, not one per case)."""
        if self._now is None or self._now[0] != now:
            self._now = (now, london_today(now))
        return self._now[1]

    def horizon(self, name: str, today: date) -> date:
        """The furthest meeting date whose nags can be due today: 5 working days ahead (the
        attendance question), in this profile's calendar."""
        got = self._horizon.get((name, today))
        if got is None:
            _prof, cal = self.get(name)
            got = self._horizon[(name, today)] = cal.add_working_days(today, 5)
        return got

    def earliest(self, name: str, now: datetime) -> datetime:
        """`next_send_time(now)` for a profile, computed once per sweep."""
        got = self._earliest.get((name, now))
        if got is None:
            prof, cal = self.get(name)
            got = self._earliest[(name, now)] = next_send_time(now, cal, prof.working_hours)
        return got

    def get(self, name: str) -> tuple[Profile, WorkingCalendar]:
        got = self._cache.get(name)
        if got is None:
            prof = load_profile(name)
            got = self._cache[name] = (prof, calendar_for(prof.nation, prof.closures))
        return got


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def _member_of(role: str, p: Planned, facts: Any) -> int | None:
    """The member a role resolves to, for de-duplicating joined audiences (None: not a member)."""
    if facts is None:
        return None
    if role.startswith("member:"):
        return int(role[7:]) if role[7:].isdigit() else None
    if role == "lead_sw":
        return facts.lead_sw
    m = facts.meetings.get(p.subject)
    if role == "minute_taker":
        return m.minute_taker if m and m.minute_taker else facts.lead_sw
    if role == "chair":
        return m.chair if m else None
    return None


def audiences(p: Planned, facts: Any = None) -> list[tuple[str, str]]:
    """(audience, stage) per row: one for a single audience, one per distinct person if joined."""
    parts = p.audience.split("+")
    if len(parts) == 1:
        return [(p.audience, p.stage)]
    out: list[tuple[str, str]] = []
    seen: set[int] = set()
    for part in parts:
        who = _member_of(part, p, facts)
        if who is not None:
            if who in seen:
                continue
            seen.add(who)
        out.append((part, f"{p.stage}:{part}"))
    return out


def plan_case(case_id: int, reference: str, state: Any, facts: Any, now: datetime,
              profiles: Profiles | None = None, *, bundle_at: time = BUNDLE_AT) -> list[Outgoing]:
    """Every reminder of one case that should be in the outbox at `now` (pure).

    `state` is the engine's CaseState, `facts` a `storage.facts.ReminderFacts` (or None: no
    meetings/actions facts).
    """
    profiles = profiles or Profiles()
    profile, cal = profiles.get(state.profile)
    today = profiles.today(now)
    hours = profile.working_hours
    earliest = profiles.earliest(state.profile, now)
    plan_facts: CaseFacts = facts.plan if facts is not None else _NO_FACTS
    out: list[Outgoing] = []
    booked = False
    for m in state.meetings:
        if (m.status == "scheduled" or (m.status is None and m.date >= today)) \
                and m.kind in CORE_GROUP_KINDS:
            booked = True
            break
    for p in plan_reminders(obligations(state, profile, cal, today), plan_facts, cal, today,
                            booked=booked):
        at = send_time_on(p.send_on, cal, hours, bundle_at if p.kind == "chair_bundle" else None)
        send_at = max(at, earliest)
        for audience, stage in audiences(p, facts):
            out.append(Outgoing(case_id, reference, state.profile, state.plan, p, audience, stage,
                                send_at))
    return out


def plan_sweep(cases: Iterable[tuple[Any, Any]], now: datetime, *,
               bundle_at: time = BUNDLE_AT) -> Iterator[Outgoing]:
    """`plan_case` over (storage.states.ActiveCase, ReminderFacts) pairs."""
    profiles = Profiles()
    for case, facts in cases:
        yield from plan_case(case.id, case.reference, case.state, facts, now, profiles,
                             bundle_at=bundle_at)


# --- with the database ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    planned: list[Outgoing]
    inserted: int
    cases: int


def load_and_plan(store: Any, now: datetime, *, batch_size: int = 2000,
                  bundle_at: time = BUNDLE_AT) -> tuple[list[Outgoing], int]:
    """Plan every active case at `now` (read-only): (rows, number of cases)."""
    from storage.facts import load_facts
    from storage.repository import active_case_states
    from storage.states import Parsers

    today = london_today(now)
    out: list[Outgoing] = []
    n = 0
    profiles = Profiles()
    parsers = Parsers()
    with store.read() as s:
        conn = s.connection()
        batch: list[Any] = []

        def flush() -> None:
            profile_of = {c.id: c.state.profile for c in batch}
            facts = load_facts(conn, list(profile_of), today, parsers=parsers,
                               horizon=lambda cid: profiles.horizon(profile_of[cid], today))
            for c in batch:
                out.extend(plan_case(c.id, c.reference, c.state, facts.get(c.id), now, profiles,
                                     bundle_at=bundle_at))

        for case in active_case_states(s, batch_size=batch_size):
            batch.append(case)
            n += 1
            if len(batch) >= batch_size:
                flush()
                batch = []
        if batch:
            flush()
    return out, n


def insert(store: Any, rows: list[Outgoing], now: datetime,
           known: set[tuple[int, str, str, str]] | None = None) -> int:
    """Put rows in the outbox in one transaction; rows already there (same key) are left alone.

    One executemany of INSERT … ON CONFLICT DO NOTHING, so two sweeps racing (two processes, or
    a sweep repeated) leave exactly one row per key. Returns how many rows are new.

    `known`: keys this process has put in the outbox before (outbox rows are never deleted while
    their case is active), kept by the caller across sweeps so a sweep every few minutes does
    not re-send the same few thousand rows to the database; it is only a shortcut — the unique
    key decides.
    """
    if known is not None:
        rows = [o for o in rows if o.key not in known]
    if not rows:
        return 0
    from sqlalchemy import bindparam

    from storage.models import Reminder
    from storage.repository import _insert

    with store.transaction() as s:
        # The three times go in already converted: the columns' own bind processing (UTC, then
        # the dialect's DATETIME form) runs once per distinct value -- a sweep has a handful of
        # send times and one `now` -- instead of once per value of thousands of rows, and the
        # converted value is bound as is. Same stored values; about a third of the insert's CPU.
        dialect = s.get_bind().dialect
        table = Reminder.__table__  # type: ignore[attr-defined]
        process = table.c.due_at.type.dialect_impl(dialect).bind_processor(dialect)
        converted: dict[datetime, Any] = {}

        def at(t: datetime) -> Any:
            got = converted.get(t)
            if got is None:
                got = converted[t] = process(t) if process is not None else t
            return got

        created = at(now)
        values = [{"case_id": o.case_id, "rule": o.planned.rule, "subject": o.planned.subject,
                   "stage": o.stage, "recipient": o.audience, "raw_due_at": at(o.send_at),
                   "raw_available_at": at(o.send_at), "status": "pending", "attempts": 0,
                   "payload": o.payload(), "raw_created_at": created} for o in rows]
        stmt = _insert(s, Reminder).values(
            {c: bindparam(f"raw_{c}", type_=_AsIs()) for c in ("due_at", "available_at",
                                                                "created_at")}
        ).on_conflict_do_nothing(index_elements=["case_id", "rule", "subject", "stage"])
        result = s.execute(stmt, values)
        new = result.rowcount
        if new is None or new < 0:  # a driver that does not count executemany
            new = len(values)
    if known is not None:
        known.update(o.key for o in rows)
    return int(new)


class _AsIs(TypeDecorator[Any]):
    """A bound value already in the driver's form (see `insert`): no conversion at all."""

    impl = NullType
    cache_ok = True


def sweep(store: Any, now: datetime, *, dry_run: bool = False, batch_size: int = 2000,
          bundle_at: time = BUNDLE_AT,
          known: set[tuple[int, str, str, str]] | None = None) -> SweepResult:
    """Plan every active case and (unless `dry_run`) insert the rows. Delivery is separate
    (`bot.delivery.Delivery`): the outbox is the hand-over, so a crash between the two loses
    nothing."""
    rows, n = load_and_plan(store, now, batch_size=batch_size, bundle_at=bundle_at)
    inserted = 0 if dry_run else insert(store, rows, now, known)
    return SweepResult(rows, inserted, n)
