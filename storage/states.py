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

Even so, ~700,000 rows cost seconds. So each case also carries `CoreGroup.state_snapshot`: its
child-table facts encoded as one short string, rewritten by the repository in the same transaction
as every change to the case (it is refreshed where the audit event is written, which no change
skips). The sweep reads 50,000 snapshot strings instead of 700,000 rows; a case whose snapshot is
missing or in an older format is computed from the tables instead (and `coregroup db upgrade`
rewrites them all). A change rewrites its case's snapshot without reading the case's visits
back (`storage.snapshots.refresh_snapshot`), and `case_state` for one case reads the snapshot
too (`from_tables=True` reads the tables); the tests check that both ways give the same value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import Connection, String, select, type_coerce
from sqlmodel import col

from scheduling.case import CaseState, Change, Resolution
from scheduling.case import Escalation as CaseEscalation
from scheduling.case import Meeting as CaseMeeting
from scheduling.case import Visit as CaseVisit
from scheduling.london import LONDON
from storage.models import REVIEW_CONFERENCE, CaseEvent, CoreGroup, Escalation, Meeting, Visit

_NO_RESOLUTION: Final = Resolution()


class ActiveCase(NamedTuple):
    """One case as the reminder sweep needs it: ids to key reminders on, and the engine's state.

    A named tuple (immutable, same fields) rather than a frozen dataclass: the sweep makes 50,000
    of them and a tuple is made in one step, not one `object.__setattr__` per field."""

    id: int
    reference: str
    state: CaseState
    #: `CoreGroup.plan_revision` and `.replan_at` as read (the incremental sweep's write-back).
    revision: int = 0
    replan_at: datetime | None = None


CASE_COLUMNS: Final = (
    col(CoreGroup.id),
    col(CoreGroup.reference),
    col(CoreGroup.profile),
    col(CoreGroup.plan),
    col(CoreGroup.start),
    col(CoreGroup.registered),
    col(CoreGroup.lead_visit_every),
    col(CoreGroup.resolution_requested),
    col(CoreGroup.significant_risk_reduction),
)


def as_text(*columns: Any) -> list[Any]:
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
            d = self._dates[value] = value if isinstance(value, date) else date.fromisoformat(value)
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
            got = (
                kind,
                status,
                day,
                CaseMeeting(
                    date=day,
                    kind=kind,
                    status=status,
                    social_worker_present=(
                        bool(swp) if swp is not None else bool(swa) if swa is not None and held else True
                    ),
                    minutes_circulated=self.opt_london(minutes),
                    chair_update_sent=self.opt_london(chair),
                    professionals_present=int(pp) if held and pp is not None else None,
                    lead_sw_present=bool(lsp) if held and lsp is not None else None,
                ),
            )
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
                raised=self.london(raised),
                stage=int(stage),
                stage_started=self.opt_london(started),
                resolved=self.opt_london(resolved),
            )
        return got


#: Columns read per child table, in sort order (the covering indexes list them in this order).
MEETING_COLUMNS: Final = (
    col(Meeting.starts_at),
    col(Meeting.kind),
    col(Meeting.status),
    col(Meeting.social_worker_present),
    col(Meeting.professionals_present),
    col(Meeting.lead_sw_present),
    col(Meeting.social_worker_attended),
    col(Meeting.minutes_circulated_at),
    col(Meeting.chair_update_sent_at),
)
VISIT_COLUMNS: Final = (col(Visit.visited_on), col(Visit.by), col(Visit.seen_alone))
EVENT_COLUMNS: Final = (col(CaseEvent.occurred_on), col(CaseEvent.kind), col(CaseEvent.reported_on))
ESCALATION_COLUMNS: Final = (
    col(Escalation.raised_at),
    col(Escalation.stage),
    col(Escalation.stage_started_at),
    col(Escalation.resolved_at),
)


def _rows(
    conn: Connection, case_id: Any, columns: Sequence[Any], lo: int, hi: int
) -> dict[int, list[tuple[Any, ...]]]:
    stmt = select(case_id, *as_text(*columns)).where(case_id.between(lo, hi)).order_by(case_id, *columns)
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in conn.execute(stmt).all():  # fetchall: iterating the result fetches row by row
        out[row[0]].append(row[1:])
    return out


def load_states(
    conn: Connection, cases: Sequence[Any], parsers: Parsers | None = None, *, visits: bool = True
) -> Iterator[ActiveCase]:
    """CaseStates for case rows (`CASE_COLUMNS`, sorted by id): one query per child table.

    Child rows are selected by case id range (an index range scan, no giant IN list); rows of
    cases not in `cases` (closed ones in the range) are ignored. Pass one `Parsers` to every
    batch of a sweep so values seen in one batch are not converted again in the next.
    `visits=False` leaves the visits out (the longest history; `storage.snapshots` keeps them).
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
    visits_of = (
        {
            cid: tuple(map(visit, keys))
            for cid, keys in _rows(conn, col(Visit.case_id), VISIT_COLUMNS, lo, hi).items()
        }
        if visits
        else {}
    )

    moves: dict[int, tuple[date, ...]] = {}
    changes: dict[int, tuple[Change, ...]] = {}
    for cid, keys in _rows(conn, col(CaseEvent.case_id), EVENT_COLUMNS, lo, hi).items():
        parsed = [p.event(k) for k in keys]
        moves[cid] = tuple(day for kind, day, _ in parsed if kind == "school_move")
        changes[cid] = tuple(ch for kind, _, ch in parsed if kind == "significant_change")

    escalation = p.escalation
    escalations = {
        cid: tuple(map(escalation, keys))
        for cid, keys in _rows(conn, col(Escalation.case_id), ESCALATION_COLUMNS, lo, hi).items()
    }
    for row in cases:
        cid = row[0]
        tier1, tier2 = tiers.get(cid, ((), ()))
        yield assemble(
            row,
            Facts(
                meetings.get(cid, ()),
                reviews.get(cid, ()),
                tier1,
                tier2,
                visits_of.get(cid, ()),
                moves.get(cid, ()),
                changes.get(cid, ()),
                escalations.get(cid, ()),
            ),
        )


class Facts(NamedTuple):
    """What a case's child tables contribute to its CaseState (the part a snapshot stores).

    A named tuple for the same reason as `ActiveCase`: one per case per sweep."""

    meetings: tuple[CaseMeeting, ...] = ()
    review_conferences: tuple[date, ...] = ()
    tier1: tuple[date, ...] = ()
    tier2: tuple[date, ...] = ()
    visits: tuple[CaseVisit, ...] = ()
    school_moves: tuple[date, ...] = ()
    changes: tuple[Change, ...] = ()
    escalations: tuple[CaseEscalation, ...] = ()


def assemble(row: Sequence[Any], facts: Facts) -> ActiveCase:
    """A case row (`CASE_COLUMNS`) and its facts → the sweep's ActiveCase."""
    cid, ref, profile, plan, start, registered, every, requested, reduction = row[:9]
    if requested is None and not reduction and not facts.tier1 and not facts.tier2:
        resolution = _NO_RESOLUTION
    else:
        resolution = Resolution(
            requested=requested,
            tier1_meetings=facts.tier1,
            tier2_meetings=facts.tier2,
            significant_risk_reduction=bool(reduction),
        )
    state = CaseState(
        profile=profile,
        plan=plan,
        start=start,
        registered=registered,
        review_conferences=facts.review_conferences,
        meetings=facts.meetings,
        visits=facts.visits,
        school_moves=facts.school_moves,
        significant_changes=facts.changes,
        resolution=resolution,
        escalations=facts.escalations,
        lead_visit_every=every,
    )
    return ActiveCase(cid, ref, state)


# --- snapshots ------------------------------------------------------------------------------------

#: Bump when the encoding changes: older snapshots are then ignored (and rewritten on upgrade).
SNAPSHOT_FORMAT: Final = "f1"
_SECTIONS: Final = 8


def _o(d: date | None) -> str:
    return "" if d is None else d.isoformat()


def _b(v: bool | None) -> str:
    return "" if v is None else "1" if v else "0"


def visit_item(v: CaseVisit) -> str:
    """One visit as the snapshot writes it. Items sort as the loader orders visits: an ISO date
    of fixed length, then `by` (two words, neither a prefix of the other), then the flag 0/1."""
    return f"{v.date.isoformat()}|{v.by}|{_b(v.seen_alone)}"


#: Where the visits are among a snapshot's `;`-separated parts (after the format tag).
VISITS_PART: Final = 5


def is_current(snapshot: str | None) -> bool:
    """A snapshot in this format (so its parts can be reused as they are)."""
    return (
        snapshot is not None
        and snapshot.startswith(SNAPSHOT_FORMAT + ";")
        and snapshot.count(";") == _SECTIONS
    )


def encode(state: CaseState) -> str:
    """The child-table facts of a state as one string: sections `;`, items `,`, fields `|`.

    Every value is a date, a number, a flag or a fixed-vocabulary word, so no separator can
    occur inside one.
    """
    res = state.resolution
    sections = (
        ",".join(
            f"{m.date.isoformat()}|{m.kind}|{m.status}|{_b(m.social_worker_present)}|"
            f"{_o(m.minutes_circulated)}|{_o(m.chair_update_sent)}|"
            f"{'' if m.professionals_present is None else m.professionals_present}|"
            f"{_b(m.lead_sw_present)}"
            for m in state.meetings
        ),
        ",".join(d.isoformat() for d in state.review_conferences),
        ",".join(d.isoformat() for d in res.tier1_meetings),
        ",".join(d.isoformat() for d in res.tier2_meetings),
        ",".join(map(visit_item, state.visits)),
        ",".join(d.isoformat() for d in state.school_moves),
        ",".join(f"{c.date.isoformat()}|{_o(c.reported)}" for c in state.significant_changes),
        ",".join(
            f"{e.raised.isoformat()}|{e.stage}|{_o(e.stage_started)}|{_o(e.resolved)}"
            for e in state.escalations
        ),
    )
    return ";".join((SNAPSHOT_FORMAT, *sections))


class Decoder:
    """Snapshot strings → Facts, each distinct item decoded once per sweep.

    The same items recur across thousands of cases, so after warm-up decoding a section is
    `tuple(map(cache.__getitem__, items))`, done in C.
    """

    def __init__(self) -> None:
        self._days_cache: dict[str, date] = {}
        self._caches: dict[str, dict[str, Any]] = {"m": {}, "v": {}, "c": {}, "e": {}}
        self._day_lists: dict[str, tuple[date, ...]] = {"": ()}

    def size(self) -> int:
        """How many decoded values it holds."""
        return len(self._days_cache) + len(self._day_lists) + sum(map(len, self._caches.values()))

    def _day(self, text: str) -> date:
        d = self._days_cache.get(text)
        if d is None:
            d = self._days_cache[text] = date.fromisoformat(text)
        return d

    def _opt(self, text: str) -> date | None:
        return self._day(text) if text else None

    def _parse(self, tag: str, text: str) -> Any:
        f = text.split("|")
        if tag == "m":
            return CaseMeeting(
                date=self._day(f[0]),
                kind=f[1],
                status=f[2],
                social_worker_present=f[3] == "1",
                minutes_circulated=self._opt(f[4]),
                chair_update_sent=self._opt(f[5]),
                professionals_present=int(f[6]) if f[6] else None,
                lead_sw_present=None if f[7] == "" else f[7] == "1",
            )
        if tag == "v":
            return CaseVisit(self._day(f[0]), f[1], f[2] == "1")
        if tag == "c":
            return Change(self._day(f[0]), self._opt(f[1]))
        return CaseEscalation(
            raised=self._day(f[0]), stage=int(f[1]), stage_started=self._opt(f[2]), resolved=self._opt(f[3])
        )

    def _items(self, tag: str, section: str) -> tuple[Any, ...]:
        if not section:
            return ()
        cache = self._caches[tag]
        texts = section.split(",")
        try:
            return tuple(map(cache.__getitem__, texts))
        except KeyError:  # first sight of an item: parse the new ones, then look up again
            for t in texts:
                if t not in cache:
                    cache[t] = self._parse(tag, t)
            return tuple(map(cache.__getitem__, texts))

    def _days(self, section: str) -> tuple[date, ...]:
        got = self._day_lists.get(section)
        if got is None:
            got = self._day_lists[section] = tuple(map(self._day, section.split(",")))
        return got

    def decode(self, snapshot: str | None) -> Facts | None:
        """The facts, or None when the snapshot is missing or in another format."""
        if not snapshot:
            return None
        parts = snapshot.split(";")
        if parts[0] != SNAPSHOT_FORMAT or len(parts) != _SECTIONS + 1:
            return None
        _, m, rc, t1, t2, v, sm, ch, esc = parts
        days, items = self._days, self._items
        return Facts(
            items("m", m),
            days(rc),
            days(t1),
            days(t2),
            items("v", v),
            days(sm),
            items("c", ch),
            items("e", esc),
        )
