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
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from scheduling.calendar import WorkingCalendar, calendar_for
from scheduling.case import CORE_GROUP_KINDS
from scheduling.engine import obligations
from scheduling.hours import next_send_time, send_time_on
from scheduling.london import LONDON, london_date
from scheduling.profiles import Profile, load_profile
from scheduling.reminders import CaseFacts, Planned, audience_member, plan_reminders

#: The chair's bundle goes at this London time the working day before the meeting.
BUNDLE_AT: Final = time(10, 0)
#: Rows of the outbox that are not chat reminders (the calendar worker sends them).
NOT_REMINDERS: Final = ("calendar_invitation",)
_NO_FACTS: Final = CaseFacts()
#: More calendar days than 5 working days ever span (Christmas, local closures): where the search
#: for the day a meeting enters the facts' horizon starts.
_HORIZON_SPAN: Final = timedelta(days=21)


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
            "kind": p.kind,
            "rule": p.rule,
            "subject": p.subject,
            "audience": self.audience,
            "profile": self.profile,
            "plan": self.plan,
            "send_on": p.send_on.isoformat(),
            "due": p.due.isoformat(),
            "thread": p.thread,
            "progress": list(p.progress) if p.progress else None,
            "received": list(p.received),
            "waiting": list(p.waiting),
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
            self._now = (now, london_date(now))
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


def audiences(p: Planned, facts: Any = None) -> list[tuple[str, str]]:
    """(audience, stage) per row: one for a single audience, one per distinct person if joined."""
    parts = p.audience.split("+")
    if len(parts) == 1:
        return [(p.audience, p.stage)]
    out: list[tuple[str, str]] = []
    seen: set[int] = set()
    for part in parts:
        who = audience_member(part, p.subject, facts)
        if who is not None:
            if who in seen:
                continue
            seen.add(who)
        out.append((part, f"{p.stage}:{part}"))
    return out


def plan_case(
    case_id: int,
    reference: str,
    state: Any,
    facts: Any,
    now: datetime,
    profiles: Profiles | None = None,
    *,
    bundle_at: time = BUNDLE_AT,
    upcoming: list[date] | None = None,
) -> list[Outgoing]:
    """Every reminder of one case that should be in the outbox at `now` (pure).

    `state` is the engine's CaseState, `facts` a `storage.facts.ReminderFacts` (or None: no
    meetings/actions facts). `upcoming`: when given, every later day on which this plan can
    change with nothing recorded is appended to it (`next_look` reads it): the send days of rows
    still to come (from the planner itself, whatever the row), and the deadlines that change what
    the planner sees — each open obligation's window opening, due day and the day after, a
    booked meeting entering the facts' horizon and the day after it, an open action's due day.
    """
    profiles = profiles or Profiles()
    profile, cal = profiles.get(state.profile)
    today = profiles.today(now)
    hours = profile.working_hours
    earliest = profiles.earliest(state.profile, now)
    plan_facts: CaseFacts = facts.plan if facts is not None else _NO_FACTS
    out: list[Outgoing] = []
    booked_on = [
        m.date
        for m in state.meetings
        if (m.status == "scheduled" or (m.status is None and m.date >= today)) and m.kind in CORE_GROUP_KINDS
    ]
    obs = obligations(state, profile, cal, today)
    if upcoming is not None:
        _deadlines(upcoming, obs, state, plan_facts, profiles, today)
    for p in plan_reminders(
        obs, plan_facts, cal, today, booked=bool(booked_on), booked_on=booked_on, upcoming=upcoming
    ):
        at = send_time_on(p.send_on, cal, hours, bundle_at if p.row.fixed_time else None)
        send_at = max(at, earliest)
        for audience, stage in audiences(p, facts):
            out.append(Outgoing(case_id, reference, state.profile, state.plan, p, audience, stage, send_at))
    return out


def _deadlines(
    upcoming: list[date], obs: Iterable[Any], state: Any, facts: CaseFacts, profiles: Profiles, today: date
) -> None:
    """The days on which what the planner is given changes by itself (see `plan_case`)."""
    day = timedelta(days=1)
    for ob in obs:
        if ob.status != "met":
            upcoming.append(ob.due)
            upcoming.append(ob.due + day)
            if ob.earliest is not None:
                upcoming.append(ob.earliest)
    horizon = profiles.horizon
    for m in state.meetings:
        if m.date >= today:
            upcoming.append(m.date + day)
            if m.date > horizon(state.profile, today):
                # The first day the facts read this meeting (storage.facts, `horizon`).
                enters = max(today + day, m.date - _HORIZON_SPAN)
                while horizon(state.profile, enters) < m.date:
                    enters += day
                upcoming.append(enters)
    for a in facts.actions:
        if not a.achieved and a.due is not None:
            upcoming.append(a.due + day)


def next_look(upcoming: Iterable[date], today: date) -> datetime | None:
    """When the incremental sweep must plan a case again: London midnight of the first day after
    `today` in `upcoming` (what `plan_case` collected), or None when nothing is pending."""
    first = min((d for d in upcoming if d > today), default=None)
    if first is None:
        return None
    return datetime.combine(first, time(0), tzinfo=LONDON).astimezone(UTC)


def plan_sweep(
    cases: Iterable[tuple[Any, Any]], now: datetime, *, bundle_at: time = BUNDLE_AT
) -> Iterator[Outgoing]:
    """`plan_case` over (storage.states.ActiveCase, ReminderFacts) pairs."""
    profiles = Profiles()
    for case, facts in cases:
        yield from plan_case(case.id, case.reference, case.state, facts, now, profiles, bundle_at=bundle_at)
