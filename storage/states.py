"""Building the engine's `CaseState` for many cases at once (the reminder sweep's hot path).

The sweep reads every active case on each tick: 50,000 cases are ~700,000 child rows. What costs
is turning rows into Python objects, so:

- one query per child table per batch of cases (an id range, never one query per case), each
  answered from a covering index (`ix_meeting_sweep`, `ix_visit_sweep`: no table look-ups, rows
  already in case order);
- values come back raw (`type_coerce` skips SQLAlchemy's per-value conversion; SQLite gives text,
  PostgreSQL native dates), and are converted once per distinct value;
- the engine's values are immutable, so a row seen before (the same visit facts recur across
  thousands of cases) reuses the object already built — one dict look-up instead of a new object.

Within a case, facts are ordered by date and then by their other columns, the same on both
backends; the engine only needs date order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, String, select, type_coerce
from sqlmodel import col

from scheduling.case import CaseState, Change, Resolution
from scheduling.case import Escalation as CaseEscalation
from scheduling.case import Meeting as CaseMeeting
from scheduling.case import Visit as CaseVisit
from storage.models import REVIEW_CONFERENCE, CaseEvent, CoreGroup, Escalation, Meeting, Visit

LONDON: Final = ZoneInfo("Europe/London")
_NO_RESOLUTION: Final = Resolution()


@dataclass(frozen=True, slots=True)
class ActiveCase:
    """One case as the reminder sweep needs it: ids to key reminders on, and the engine's state."""

    id: int
    reference: str
    slack_channel_id: str | None
    teams_channel_id: str | None
    state: CaseState


CASE_COLUMNS: Final = (
    col(CoreGroup.id), col(CoreGroup.reference), col(CoreGroup.profile), col(CoreGroup.plan),
    col(CoreGroup.start), col(CoreGroup.registered), col(CoreGroup.lead_visit_every),
    col(CoreGroup.resolution_requested), col(CoreGroup.significant_risk_reduction),
    col(CoreGroup.slack_channel_id), col(CoreGroup.teams_channel_id),
)


def _raw(*columns: Any) -> list[Any]:
    return [type_coerce(c, String) for c in columns]


class Parsers:
    """Caches shared by every batch of one sweep: each distinct value is converted once."""

    def __init__(self) -> None:
        self._dates: dict[Any, date] = {}
        self._london: dict[Any, date] = {}
        self.meetings: dict[tuple[Any, ...], tuple[str, str, date, CaseMeeting | None]] = {}
        self.visits: dict[tuple[Any, ...], CaseVisit] = {}
        self.events: dict[tuple[Any, ...], tuple[str, date, Change]] = {}
        self.escalations: dict[tuple[Any, ...], CaseEscalation] = {}

    def to_date(self, value: Any) -> date:
        """A DATE column's raw value (ISO text on SQLite, a date on PostgreSQL)."""
        d = self._dates.get(value)
        if d is None:
            d = self._dates[value] = (value if isinstance(value, date)
                                      else date.fromisoformat(value))
        return d

    def opt_date(self, value: Any) -> date | None:
        return None if value is None else self.to_date(value)

    def london(self, value: Any) -> date:
        """The Europe/London date of a stored UTC time (text on SQLite, naive on PostgreSQL)."""
        d = self._london.get(value)
        if d is None:
            at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
            d = self._london[value] = at.replace(tzinfo=UTC).astimezone(LONDON).date()
        return d

    def opt_london(self, value: Any) -> date | None:
        return None if value is None else self.london(value)

    def meeting(self, key: tuple[Any, ...]) -> tuple[str, str, date, CaseMeeting | None]:
        got = self.meetings.get(key)
        if got is not None:
            return got
        starts, kind, status, swp, pp, lsp, swa, minutes, chair = key
        day = self.london(starts)
        if kind == REVIEW_CONFERENCE:
            got = (kind, status, day, None)
        else:
            held = status == "held"
            got = (kind, status, day, CaseMeeting(
                date=day,
                kind=kind,
                status=status,
                social_worker_present=(bool(swp) if swp is not None
                                       else bool(swa) if swa is not None and held else True),
                minutes_circulated=self.opt_london(minutes),
                chair_update_sent=self.opt_london(chair),
                professionals_present=int(pp) if held and pp is not None else None,
                lead_sw_present=bool(lsp) if held and lsp is not None else None,
            ))
        self.meetings[key] = got
        return got

    def visit(self, key: tuple[Any, ...]) -> CaseVisit:
        got = self.visits.get(key)
        if got is None:
            on, by, alone = key
            got = self.visits[key] = CaseVisit(self.to_date(on), by, bool(alone))
        return got

    def event(self, key: tuple[Any, ...]) -> tuple[str, date, Change]:
        got = self.events.get(key)
        if got is None:
            on, kind, reported = key
            day = self.to_date(on)
            got = self.events[key] = (kind, day, Change(day, self.opt_date(reported)))
        return got

    def escalation(self, key: tuple[Any, ...]) -> CaseEscalation:
        got = self.escalations.get(key)
        if got is None:
            raised, stage, started, resolved = key
            got = self.escalations[key] = CaseEscalation(
                raised=self.london(raised), stage=int(stage),
                stage_started=self.opt_london(started), resolved=self.opt_london(resolved))
        return got


#: Columns read per child table, in sort order (the covering indexes list them in this order).
MEETING_COLUMNS: Final = (
    col(Meeting.starts_at), col(Meeting.kind), col(Meeting.status),
    col(Meeting.social_worker_present), col(Meeting.professionals_present),
    col(Meeting.lead_sw_present), col(Meeting.social_worker_attended),
    col(Meeting.minutes_circulated_at), col(Meeting.chair_update_sent_at),
)
VISIT_COLUMNS: Final = (col(Visit.visited_on), col(Visit.by), col(Visit.seen_alone))
EVENT_COLUMNS: Final = (col(CaseEvent.occurred_on), col(CaseEvent.kind),
                        col(CaseEvent.reported_on))
ESCALATION_COLUMNS: Final = (col(Escalation.raised_at), col(Escalation.stage),
                             col(Escalation.stage_started_at), col(Escalation.resolved_at))


def _rows(conn: Connection, case_id: Any, columns: Sequence[Any], lo: int, hi: int
          ) -> dict[int, list[tuple[Any, ...]]]:
    stmt = (select(case_id, *_raw(*columns)).where(case_id.between(lo, hi))
            .order_by(case_id, *columns))
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in conn.execute(stmt):
        out[row[0]].append(row[1:])
    return out


def load_states(conn: Connection, cases: Sequence[Any],
                parsers: Parsers | None = None) -> Iterator[ActiveCase]:
    """CaseStates for case rows (`CASE_COLUMNS`, sorted by id): one query per child table.

    Child rows are selected by case id range (an index range scan, no giant IN list); rows of
    cases not in `cases` (closed ones in the range) are ignored. Pass one `Parsers` to every
    batch of a sweep so values seen in one batch are not converted again in the next.
    """
    if not cases:
        return
    lo, hi = cases[0][0], cases[-1][0]
    p = parsers or Parsers()

    meetings: dict[int, tuple[CaseMeeting, ...]] = {}
    reviews: dict[int, tuple[date, ...]] = {}
    tiers: dict[int, tuple[tuple[date, ...], tuple[date, ...]]] = {}
    for cid, keys in _rows(conn, col(Meeting.case_id), MEETING_COLUMNS, lo, hi).items():
        ms: list[CaseMeeting] = []
        rcs: list[date] = []
        t1: list[date] = []
        t2: list[date] = []
        for key in keys:
            kind, status, day, m = p.meeting(key)
            if m is None:
                if status != "cancelled":
                    rcs.append(day)
                continue
            ms.append(m)
            if status == "held" and kind == "resolution_tier1":
                t1.append(day)
            elif status == "held" and kind == "resolution_tier2":
                t2.append(day)
        meetings[cid] = tuple(ms)
        if rcs:
            reviews[cid] = tuple(rcs)
        if t1 or t2:
            tiers[cid] = (tuple(t1), tuple(t2))

    visit = p.visit
    visits = {cid: tuple(map(visit, keys))
              for cid, keys in _rows(conn, col(Visit.case_id), VISIT_COLUMNS, lo, hi).items()}

    moves: dict[int, tuple[date, ...]] = {}
    changes: dict[int, tuple[Change, ...]] = {}
    for cid, keys in _rows(conn, col(CaseEvent.case_id), EVENT_COLUMNS, lo, hi).items():
        parsed = [p.event(k) for k in keys]
        moves[cid] = tuple(day for kind, day, _ in parsed if kind == "school_move")
        changes[cid] = tuple(ch for kind, _, ch in parsed if kind == "significant_change")

    escalation = p.escalation
    escalations = {cid: tuple(map(escalation, keys)) for cid, keys in
                   _rows(conn, col(Escalation.case_id), ESCALATION_COLUMNS, lo, hi).items()}
    for (cid, ref, profile, plan, start, registered, every, requested, reduction, slack,
         teams) in cases:
        tier1, tier2 = tiers.get(cid, ((), ()))
        if requested is None and not reduction and not tier1 and not tier2:
            resolution = _NO_RESOLUTION
        else:
            resolution = Resolution(requested=requested, tier1_meetings=tier1,
                                    tier2_meetings=tier2,
                                    significant_risk_reduction=bool(reduction))
        state = CaseState(
            profile=profile,
            plan=plan,
            start=start,
            registered=registered,
            review_conferences=reviews.get(cid, ()),
            meetings=meetings.get(cid, ()),
            visits=visits.get(cid, ()),
            school_moves=moves.get(cid, ()),
            significant_changes=changes.get(cid, ()),
            resolution=resolution,
            escalations=escalations.get(cid, ()),
            lead_visit_every=every,
        )
        yield ActiveCase(cid, ref, slack, teams, state)
