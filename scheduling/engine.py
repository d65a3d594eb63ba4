"""The obligation engine: (case state, profile, calendar, today) -> what is due, by when, under which rule.

Pure: it never reads the clock, the database or the network, so the CLI, the chat handlers and the
reminder sweep all get the same answer for the same facts. One function per rule id (grep the id to
find it); each cites its rule's source clause through the profile.

Status: `met` (done), `due` (open, not yet late) or `overdue` (open and past its due date).
What is listed: the current instance of every rule the profile has for the plan (the next meeting,
the next visit…), every instance that is overdue, and one `minutes_circulated` per held meeting whose
minutes are not recorded as circulated. Choices where the catalogue is silent are marked
"Choice:" below and listed in docs/rules.md.

Speed. The reminder sweep runs this for every active case (bench/timeline.py: 50,000 of them), so the
work per case is kept to the dates themselves:

* what a rule needs from its profile (source, flags, the calendar steps for its periods) is worked out
  once per (profile, plan, calendar) in `_Step`, not once per case;
* every "N after / before X" is one dictionary lookup in a per-period memo (`WorkingCalendar.stepper`);
* an `Obligation` is a named tuple built in one step, and its words -- `about`, `subject` -- are kept
  as a function and its arguments and only written out when something reads them (the CLI, a chat
  message, a reminder). Same words, same order; tests/engine/test_speed_same_answers.py holds the
  engine to the answers of the slower version it replaced.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from scheduling.calendar import WorkingCalendar, calendar_for
from scheduling.case import CORE_GROUP_KINDS, CaseError, CaseState, Meeting
from scheduling.profiles import RULE_IDS, Period, Profile, Rule, RuleSpec

MET, DUE, OVERDUE = "met", "due", "overdue"

_START_EVENT = {
    "cp": "conference",
    "cin": "assessment completed",
    "lac": "first looked-after review",
}
_KIND_LABEL = {
    "core_group": "core group",
    "school_move_core_group": "school core group",
    "resolution_review_core_group": "resolution review core group",
    "resolution_tier1": "Tier 1 meeting",
    "resolution_tier2": "Tier 2 meeting",
}
_ORDER = {rid: i for i, rid in enumerate(RULE_IDS)}

#: (about, subject) of an obligation, from the arguments the rule kept.
Describe = Callable[..., tuple[str, str]]


class Obligation(NamedTuple):
    """One thing due on a case. Immutable; `about` and `subject` are written out when read."""

    rule: str
    due: date
    status: str
    source: str
    interpretation: bool
    earliest: date | None
    limit: date | None
    met_on: date | None
    #: The rule's place in the catalogue: the tie-break of the timeline's order after `due`.
    order: int
    #: `describe(*args)` gives (about, subject).
    describe: Describe
    args: tuple[Any, ...]

    @property
    def about(self) -> str:
        """What the obligation is about, in words (`core group 2027-01-05`)."""
        return self.describe(*self.args)[0]

    @property
    def subject(self) -> str:
        """Stable key of the thing the obligation is about (the outbox's `subject`)."""
        return self.describe(*self.args)[1]

    def as_json(self) -> dict[str, Any]:
        """The `--json` contract of `coregroup timeline`."""
        return {
            "rule": self.rule,
            "due": self.due.isoformat(),
            "earliest": None if self.earliest is None else self.earliest.isoformat(),
            "limit": None if self.limit is None else self.limit.isoformat(),
            "status": self.status,
            "about": self.about,
            "source": self.source,
            "interpretation": self.interpretation,
        }

    def __repr__(self) -> str:
        return (
            f"Obligation(rule={self.rule!r}, due={self.due!r}, status={self.status!r}, "
            f"about={self.about!r}, source={self.source!r}, "
            f"interpretation={self.interpretation!r}, subject={self.subject!r}, "
            f"earliest={self.earliest!r}, limit={self.limit!r}, met_on={self.met_on!r})"
        )


class PlanNotCovered(CaseError):
    """The profile has no rules for this plan type."""


def after(cal: WorkingCalendar, d: date, p: Period) -> date:
    """The deadline `p` after `d` under the catalogue's counting conventions."""
    return cal.after(d, p.n, p.unit)


def before(cal: WorkingCalendar, d: date, p: Period) -> date:
    """`p` before `d`: the N-th working day before, or the calendar date rolled back."""
    return cal.before(d, p.n, p.unit)


# ---- what every rule of a (profile, plan) needs, worked out once ---------------------------------

_Step = Callable[[date], date]


class _Plan:
    """Per (profile, plan, calendar): the steps other rules borrow (the review clock, Tier triggers)."""

    __slots__ = (
        "cal",
        "day_before",
        "profile",
        "review_after",
        "review_first",
        "tier1_after",
        "tier1_spec",
        "tier2_after",
    )

    def __init__(self, profile: Profile, plan: str, cal: WorkingCalendar) -> None:
        self.profile = profile
        self.cal = cal
        self.day_before = cal.stepper(1, "days", backwards=True)
        rc = profile.rules.get("review_conference")
        spec = rc.for_plan(plan) if rc else None
        self.review_first: _Step | None = None
        self.review_after: _Step | None = None
        if spec is not None:
            assert spec.first is not None and spec.period is not None
            self.review_first = _stepper(cal, spec.first)
            self.review_after = _stepper(cal, spec.period)
        t1 = profile.rules.get("resolution_tier1_trigger")
        self.tier1_spec = t1.for_plan(plan) if t1 else None
        self.tier1_after = (
            _stepper(cal, self.tier1_spec.period) if self.tier1_spec and self.tier1_spec.period else None
        )
        t2 = profile.rules.get("resolution_tier2_trigger")
        t2spec = t2.for_plan(plan) if t2 else None
        self.tier2_after = _stepper(cal, t2spec.period) if t2spec and t2spec.period else None


class _Rule:
    """One rule of a profile for one plan, with its calendar steps bound."""

    __slots__ = (
        "after",
        "before",
        "earliest_before",
        "id",
        "interpretation",
        "limit_after",
        "need",
        "order",
        "plan",
        "source",
        "spec",
    )

    def __init__(self, rule: Rule, spec: RuleSpec, plan: _Plan) -> None:
        cal = plan.cal
        self.id = rule.id
        self.order = _ORDER[rule.id]
        self.source = spec.source
        self.interpretation = spec.interpretation
        self.spec = spec
        self.plan = plan
        self.after = _stepper(cal, spec.period) if spec.period else None
        self.limit_after = _stepper(cal, spec.limit) if spec.limit else None
        self.before = cal.stepper(spec.period.n, spec.period.unit, backwards=True) if spec.period else None
        self.earliest_before = (
            cal.stepper(spec.earliest.n, spec.earliest.unit, backwards=True) if spec.earliest else None
        )
        self.need = (
            f"at least {spec.min_professionals} professional members"
            if spec.min_professionals
            else "the lead social worker or a representative"
        )


def _stepper(cal: WorkingCalendar, p: Period) -> _Step:
    return cal.stepper(p.n, p.unit)


_NOT_YET: Any = object()


class _Facts:
    """What several rules look at, computed once per case."""

    __slots__ = (
        "case",
        "held",
        "held_meetings",
        "held_reviews",
        "next_review",
        "plan",
        "scheduled",
        "tie",
        "tier1",
        "today",
        "upcoming_reviews",
    )

    def __init__(
        self,
        case: CaseState,
        today: date,
        held: list[date],
        held_meetings: list[Meeting],
        scheduled: list[Meeting],
        held_reviews: tuple[date, ...],
        upcoming_reviews: tuple[date, ...],
    ) -> None:
        self.case = case
        self.today = today
        self.plan = case.plan
        self.held = held  # held core group dates, ascending
        self.held_meetings = held_meetings  # held meetings of every kind, in the case's order
        self.scheduled = scheduled  # scheduled core group meetings, ascending
        self.held_reviews = held_reviews
        self.upcoming_reviews = upcoming_reviews
        self.next_review: tuple[date, bool] | None = _NOT_YET
        self.tier1: tuple[date, int | None] = _NOT_YET
        #: set by a rule that listed two or more obligations: only then can two tie on (due, order)
        self.tie = False


_Out = list[Obligation]
_RuleFn = Callable[[_Rule, _Facts, _Out], None]


# Rules build an Obligation with `_new(Obligation, (...))`, the fields in their declared order: one
# tuple and no Python-level __new__, which matters at seven obligations per case in a sweep.
_new = tuple.__new__


def _status(due: date, met_on: date | None, today: date) -> str:
    if met_on is not None and met_on <= today:
        return MET
    return OVERDUE if today > due else DUE


def _first_on_or_after(days: list[date], d: date) -> date | None:
    i = bisect.bisect_left(days, d)
    return days[i] if i < len(days) else None


def _first_after(days: list[date], d: date) -> date | None:
    i = bisect.bisect_right(days, d)
    return days[i] if i < len(days) else None


# ---- the rules, one function per rule id, each with the words it uses ----------------------------


def _t_start(plan: str, start: date) -> tuple[str, str]:
    iso = start.isoformat()
    return f"{_START_EVENT[plan]} {iso}", f"start:{iso}"


def first_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    assert r.after is not None
    start = f.case.start
    due = r.after(start)
    met = f.held[0] if f.held else None
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_start,
                (f.plan, start),
            ),
        )
    )


def _review_due(p: _Plan, f: _Facts) -> tuple[date, date, bool]:
    """(anchor, due, is_first) of the next review conference."""
    assert p.review_first is not None and p.review_after is not None
    if f.held_reviews:
        anchor = f.held_reviews[-1]
        return anchor, p.review_after(anchor), False
    return f.case.start, p.review_first(f.case.start), True


def _t_review(plan: str, anchor: date, first: bool, booked: date | None) -> tuple[str, str]:
    about = (
        f"first review after {_START_EVENT[plan]} {anchor.isoformat()}"
        if first
        else f"next review after review conference {anchor.isoformat()}"
    )
    if booked is not None:
        about += f" (booked for {booked.isoformat()})"
    return about, f"review_after:{anchor.isoformat()}"


def review_conference(r: _Rule, f: _Facts, out: _Out) -> None:
    # Choice: a review conference listed with a date after today is "booked": the obligation stays
    # `due` until that date passes (then the next review's clock starts from it).
    anchor, due, first = _review_due(r.plan, f)
    booked = f.upcoming_reviews[0] if f.upcoming_reviews else None
    status = OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                None,
                r.order,
                _t_review,
                (f.plan, anchor, first, booked),
            ),
        )
    )


def _next_review(p: _Plan, f: _Facts) -> tuple[date, bool] | None:
    """The review conference ahead: the booked one, else the latest date the rule allows."""
    nr = f.next_review
    if nr is _NOT_YET:
        if f.upcoming_reviews:
            nr = f.upcoming_reviews[0], True
        elif p.review_first is None:
            nr = None
        else:
            nr = _review_due(p, f)[1], False
        f.next_review = nr
    return nr


def _t_second_before(first_review: date) -> tuple[str, str]:
    return f"before the first review conference {first_review.isoformat()}", "second_core_group"


def _t_second_after(first: date) -> tuple[str, str]:
    return f"after the first core group {first.isoformat()}", "second_core_group"


def second_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    held = f.held
    met = held[1] if len(held) > 1 else None
    if r.spec.before_review:
        reviews = f.held_reviews or f.upcoming_reviews
        if reviews:
            first_review = reviews[0]
        else:
            nr = _next_review(r.plan, f)
            if nr is None:
                return
            first_review = nr[0]
        due = r.plan.day_before(first_review)
        status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
        out.append(
            _new(
                Obligation,
                (
                    r.id,
                    due,
                    status,
                    r.source,
                    r.interpretation,
                    None,
                    None,
                    met,
                    r.order,
                    _t_second_before,
                    (first_review,),
                ),
            )
        )
        return
    if not held:
        return
    assert r.after is not None
    due = r.after(held[0])
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_second_after,
                (held[0],),
            ),
        )
    )


def _t_next(last: date, booked: date | None) -> tuple[str, str]:
    about = f"after core group {last.isoformat()}"
    if booked is not None:
        about += f" (booked for {booked.isoformat()})"
    return about, f"after:{last.isoformat()}"


def next_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    if not f.held:
        return  # first_core_group covers the time before any core group is held
    assert r.after is not None
    last = f.held[-1]
    due = r.after(last)
    limit = r.limit_after(last) if r.limit_after else None
    booked = f.scheduled[0].date if f.scheduled else None
    status = OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                limit,
                None,
                r.order,
                _t_next,
                (last, booked),
            ),
        )
    )


def _t_window(review: date, booked: bool) -> tuple[str, str]:
    about = (
        f"review conference {review.isoformat()}"
        if booked
        else f"review conference due by {review.isoformat()} (not booked)"
    )
    return about, f"before_review:{review.isoformat()}"


def final_core_group_window(r: _Rule, f: _Facts, out: _Out) -> None:
    # Choice: the window belongs to the next review conference: the booked one, or, when none is
    # booked, the latest date the review_conference rule allows.
    nr = _next_review(r.plan, f)
    if nr is None:
        return
    review, booked = nr
    due = r.plan.day_before(review)
    earliest = r.earliest_before(review) if r.earliest_before else None
    # Choice: without an earliest day (Shropshire) any core group since the last review counts, but
    # before the first review the first core group does not: "the second and later core groups are
    # held before the review conference" (001 quality-standard table).
    lower = (
        earliest
        if earliest
        else (f.held_reviews[-1] if f.held_reviews else (f.held[0] if f.held else f.case.start))
    )
    met = None
    held = f.held
    # the first core group on or after `earliest`, or strictly after the review / first core group
    i = bisect.bisect_left(held, lower) if earliest else bisect.bisect_right(held, lower)
    if i < len(held) and held[i] < review:
        met = held[i]
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                earliest,
                None,
                met,
                r.order,
                _t_window,
                (review, booked),
            ),
        )
    )


def _t_post_review(review: date) -> tuple[str, str]:
    iso = review.isoformat()
    return f"after review conference {iso}", f"after_review:{iso}"


def post_review_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    if not f.held_reviews:
        return
    assert r.after is not None
    review = f.held_reviews[-1]
    due = r.after(review)
    met = _first_after(f.held, review)
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_post_review,
                (review,),
            ),
        )
    )


def _t_meeting(kind: str, day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return f"{_KIND_LABEL.get(kind, kind)} {iso}", f"meeting:{iso}:{kind}"


def minutes_circulated(r: _Rule, f: _Facts, out: _Out) -> None:
    n0 = len(out)
    assert r.after is not None
    today = f.today
    for m in f.held_meetings:
        if m.minutes_circulated is None:
            due = r.after(m.date)
            status = OVERDUE if today > due else DUE
            out.append(
                _new(
                    Obligation,
                    (
                        r.id,
                        due,
                        status,
                        r.source,
                        r.interpretation,
                        None,
                        None,
                        None,
                        r.order,
                        _t_meeting,
                        (m.kind, m.date),
                    ),
                )
            )
    if len(out) - n0 > 1:
        f.tie = True


def _t_school(move: date) -> tuple[str, str]:
    iso = move.isoformat()
    return f"school move {iso}", f"school_move:{iso}"


def school_move_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    n0 = len(out)
    assert r.after is not None
    moves = f.case.school_moves
    for i, move in enumerate(moves):
        due = r.after(move)
        met = _first_on_or_after(f.held, move)
        status = _status(due, met, f.today)
        if i == len(moves) - 1 or status == OVERDUE:
            out.append(
                _new(
                    Obligation,
                    (
                        r.id,
                        due,
                        status,
                        r.source,
                        r.interpretation,
                        None,
                        None,
                        met,
                        r.order,
                        _t_school,
                        (move,),
                    ),
                )
            )
    if len(out) - n0 > 1:
        f.tie = True


def _t_without_sw(kind: str, day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return (f"{_KIND_LABEL.get(kind, kind)} {iso} held without the social worker", f"meeting:{iso}:{kind}")


def chair_update_to_lead_sw(r: _Rule, f: _Facts, out: _Out) -> None:
    n0 = len(out)
    assert r.after is not None
    today = f.today
    for m in f.held_meetings:
        if not m.social_worker_present and m.chair_update_sent is None:
            due = r.after(m.date)
            status = OVERDUE if today > due else DUE
            out.append(
                _new(
                    Obligation,
                    (
                        r.id,
                        due,
                        status,
                        r.source,
                        r.interpretation,
                        None,
                        None,
                        None,
                        r.order,
                        _t_without_sw,
                        (m.kind, m.date),
                    ),
                )
            )
    if len(out) - n0 > 1:
        f.tie = True


def _t_change(day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return f"significant change {iso}", f"change:{iso}"


def significant_change_to_conference_chair(r: _Rule, f: _Facts, out: _Out) -> None:
    n0 = len(out)
    assert r.after is not None
    today = f.today
    for c in f.case.significant_changes:
        if c.reported is None and c.date <= today:
            due = r.after(c.date)
            status = OVERDUE if today > due else DUE
            out.append(
                _new(
                    Obligation,
                    (
                        r.id,
                        due,
                        status,
                        r.source,
                        r.interpretation,
                        None,
                        None,
                        None,
                        r.order,
                        _t_change,
                        (c.date,),
                    ),
                )
            )
    if len(out) - n0 > 1:
        f.tie = True


def _t_visit(plan: str, anchor: date, seen: bool) -> tuple[str, str]:
    iso = anchor.isoformat()
    about = f"last seen {iso}" if seen else f"since the {_START_EVENT[plan]} {iso}"
    return about, f"after:{iso}"


def _visit_rule(r: _Rule, step: _Step, f: _Facts, out: _Out, lead_only: bool) -> None:
    last = None
    today, start = f.today, f.case.start
    for v in f.case.visits:
        if v.date <= today and v.date >= start and (not lead_only or v.by == "lead_social_worker"):
            last = v.date
    anchor = last or start
    due = step(anchor)
    status = OVERDUE if today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                None,
                r.order,
                _t_visit,
                (f.plan, anchor, last is not None),
            ),
        )
    )


def lead_sw_visit(r: _Rule, f: _Facts, out: _Out) -> None:
    spec = r.spec
    if spec.record_only:
        return
    step = r.after
    if spec.per_case:
        every = f.case.lead_visit_every
        if not every:
            return  # Choice: no interval agreed yet for this case: nothing to count.
        step = r.plan.cal.stepper(every, "working_days")
    assert step is not None
    _visit_rule(r, step, f, out, lead_only=True)


def child_seen(r: _Rule, f: _Facts, out: _Out) -> None:
    assert r.after is not None
    _visit_rule(r, r.after, f, out, lead_only=False)


def _t_report(kind: str, day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return f"from members who cannot attend the core group {iso}", f"meeting:{iso}:{kind}"


def written_report(r: _Rule, f: _Facts, out: _Out) -> None:
    if not f.scheduled:
        return
    assert r.before is not None
    m = f.scheduled[0]
    due = r.before(m.date)
    status = OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                None,
                r.order,
                _t_report,
                (m.kind, m.date),
            ),
        )
    )


def _t_not_quorate(need: str, kind: str, day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return f"core group {iso} was not quorate: {need} needed", f"meeting:{iso}:{kind}"


def _t_quorum(need: str, kind: str, day: date) -> tuple[str, str]:
    iso = day.isoformat()
    return f"core group {iso}: {need} must attend", f"meeting:{iso}:{kind}"


def quorum(r: _Rule, f: _Facts, out: _Out) -> None:
    n0 = len(out)
    spec = r.spec
    for m in reversed(f.held_meetings):
        if m.kind in CORE_GROUP_KINDS:
            short = (
                spec.min_professionals is not None
                and m.professionals_present is not None
                and m.professionals_present < spec.min_professionals
            ) or (spec.lead_sw_required and m.lead_sw_present is False)
            if short:
                out.append(
                    _new(
                        Obligation,
                        (
                            r.id,
                            m.date,
                            OVERDUE,
                            r.source,
                            r.interpretation,
                            None,
                            None,
                            None,
                            r.order,
                            _t_not_quorate,
                            (r.need, m.kind, m.date),
                        ),
                    )
                )
            break
    if f.scheduled:
        m = f.scheduled[0]
        status = OVERDUE if f.today > m.date else DUE
        out.append(
            _new(
                Obligation,
                (
                    r.id,
                    m.date,
                    status,
                    r.source,
                    r.interpretation,
                    None,
                    None,
                    None,
                    r.order,
                    _t_quorum,
                    (r.need, m.kind, m.date),
                ),
            )
        )
    if len(out) - n0 > 1:
        f.tie = True


def _t_escalation(stages: tuple[str, ...], stage: int, start: date, raised: date) -> tuple[str, str]:
    name = stages[stage - 1] if stage <= len(stages) else "final stage"
    nxt = stages[stage] if stage < len(stages) else None
    about = f"stage {stage} ({name}) since {start.isoformat()}"
    if nxt:
        about += f"; then {nxt}"
    return about, f"escalation:{raised.isoformat()}:{stage}"


def escalation_stage(r: _Rule, f: _Facts, out: _Out) -> None:
    if r.spec.record_only or r.after is None:
        return
    n0 = len(out)
    for e in f.case.escalations:
        if e.resolved is not None:
            continue
        start = e.clock_start
        due = r.after(start)
        status = OVERDUE if f.today > due else DUE
        out.append(
            _new(
                Obligation,
                (
                    r.id,
                    due,
                    status,
                    r.source,
                    r.interpretation,
                    None,
                    None,
                    None,
                    r.order,
                    _t_escalation,
                    (r.spec.stages, e.stage, start, e.raised),
                ),
            )
        )
    if len(out) - n0 > 1:
        f.tie = True


def _tier1_trigger(p: _Plan, f: _Facts) -> tuple[date, int | None]:
    """The automatic Tier 1 date, and the review conference number that set it (else None).

    Two rules ask (the trigger itself and the Tier 1 meeting's clock): worked out once per case.
    """
    got = f.tier1
    if got is not _NOT_YET:
        return got
    f.tier1 = got = _work_out_tier1_trigger(p, f)
    return got


def _work_out_tier1_trigger(p: _Plan, f: _Facts) -> tuple[date, int | None]:
    spec = p.tier1_spec
    assert spec is not None and spec.review_count is not None and p.tier1_after is not None
    by_time = p.tier1_after(f.case.registered_on)
    reviews = sorted({*f.held_reviews, *f.upcoming_reviews})
    if len(reviews) >= spec.review_count and reviews[spec.review_count - 1] < by_time:
        return reviews[spec.review_count - 1], spec.review_count
    return by_time, None


def _t_tier1_trigger(count: int | None, period: Period | None, registered: date) -> tuple[str, str]:
    why = (
        f"review conference no. {count}"
        if count is not None
        else f"{period} on the register since {registered.isoformat()}"
    )
    return f"automatic Tier 1: {why}", "tier1_trigger"


def resolution_tier1_trigger(r: _Rule, f: _Facts, out: _Out) -> None:
    trigger, count = _tier1_trigger(r.plan, f)
    res = f.case.resolution
    started = [d for d in (res.requested, *res.tier1_meetings) if d is not None]
    met = min(started) if started else None
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > trigger else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                trigger,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_tier1_trigger,
                (count, r.spec.period, f.case.registered_on),
            ),
        )
    )


def _tier1_start(p: _Plan, f: _Facts) -> date | None:
    """When the Tier 1 clock started: the request, or the automatic trigger once reached."""
    res = f.case.resolution
    candidates = [res.requested] if res.requested else []
    if p.tier1_spec is not None:
        t, _ = _tier1_trigger(p, f)
        if t <= f.today:
            candidates.append(t)
    return min(candidates) if candidates else None


def _t_tier1_meeting(why: str, start: date) -> tuple[str, str]:
    iso = start.isoformat()
    return f"Tier 1 meeting after the {why} {iso}", f"tier1:{iso}"


def resolution_tier1_meeting(r: _Rule, f: _Facts, out: _Out) -> None:
    assert r.after is not None
    start = _tier1_start(r.plan, f)
    if start is None:
        return
    due = r.after(start)
    held = [d for d in f.case.resolution.tier1_meetings if d <= f.today]
    met = _first_on_or_after(held, start)
    why = "request" if start == f.case.resolution.requested else "automatic trigger"
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_tier1_meeting,
                (why, start),
            ),
        )
    )


def _last_tier1(f: _Facts) -> date | None:
    held = [d for d in f.case.resolution.tier1_meetings if d <= f.today]
    return held[-1] if held else None


def _t_resolution_review(t: date) -> tuple[str, str]:
    iso = t.isoformat()
    return f"review core group after the Tier 1 meeting {iso}", f"after_tier1:{iso}"


def resolution_review_core_group(r: _Rule, f: _Facts, out: _Out) -> None:
    t = _last_tier1(f)
    if t is None:
        return
    assert r.after is not None
    due = r.after(t)
    met = _first_after(f.held, t)
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_resolution_review,
                (t,),
            ),
        )
    )


def _t_tier2_trigger(t: date, reduced: bool) -> tuple[str, str]:
    iso = t.isoformat()
    about = (
        f"12-week check after the Tier 1 meeting {iso}: risk significantly reduced"
        if reduced
        else f"Tier 2 unless risk is significantly reduced after the Tier 1 meeting {iso}"
    )
    return about, f"tier2_trigger:{iso}"


def resolution_tier2_trigger(r: _Rule, f: _Facts, out: _Out) -> None:
    t = _last_tier1(f)
    if t is None:
        return
    assert r.after is not None
    due = r.after(t)
    res = f.case.resolution
    if res.significant_risk_reduction:
        status = MET
    else:
        t2 = _first_after([d for d in res.tier2_meetings if d <= f.today], t)
        status = MET if t2 else (OVERDUE if f.today > due else DUE)
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                None,
                r.order,
                _t_tier2_trigger,
                (t, res.significant_risk_reduction),
            ),
        )
    )


def _t_tier2_meeting(trigger: date) -> tuple[str, str]:
    iso = trigger.isoformat()
    return f"Tier 2 meeting after the trigger {iso}", f"tier2:{iso}"


def resolution_tier2_meeting(r: _Rule, f: _Facts, out: _Out) -> None:
    t = _last_tier1(f)
    res = f.case.resolution
    tier2_after = r.plan.tier2_after
    if t is None or tier2_after is None or res.significant_risk_reduction:
        return
    trigger = tier2_after(t)
    if trigger > f.today:
        return
    assert r.after is not None
    due = r.after(trigger)
    met = _first_on_or_after([d for d in res.tier2_meetings if d <= f.today], t)
    status = MET if met is not None and met <= f.today else OVERDUE if f.today > due else DUE
    out.append(
        _new(
            Obligation,
            (
                r.id,
                due,
                status,
                r.source,
                r.interpretation,
                None,
                None,
                met,
                r.order,
                _t_tier2_meeting,
                (trigger,),
            ),
        )
    )


RULES: dict[str, _RuleFn] = {
    "first_core_group": first_core_group,
    "review_conference": review_conference,
    "second_core_group": second_core_group,
    "next_core_group": next_core_group,
    "final_core_group_window": final_core_group_window,
    "post_review_core_group": post_review_core_group,
    "minutes_circulated": minutes_circulated,
    "school_move_core_group": school_move_core_group,
    "chair_update_to_lead_sw": chair_update_to_lead_sw,
    "significant_change_to_conference_chair": significant_change_to_conference_chair,
    "lead_sw_visit": lead_sw_visit,
    "child_seen": child_seen,
    "written_report": written_report,
    "quorum": quorum,
    "escalation_stage": escalation_stage,
    "resolution_tier1_trigger": resolution_tier1_trigger,
    "resolution_tier1_meeting": resolution_tier1_meeting,
    "resolution_review_core_group": resolution_review_core_group,
    "resolution_tier2_trigger": resolution_tier2_trigger,
    "resolution_tier2_meeting": resolution_tier2_meeting,
}
assert set(RULES) == set(RULE_IDS), "every catalogue rule id needs an engine function"


def check_plan(case: CaseState, profile: Profile) -> None:
    if case.plan not in profile.plans:
        raise PlanNotCovered(
            "plan",
            f"the {profile.name} profile covers {', '.join(profile.plans)} plans, not "
            f"{case.plan!r} (only Shropshire's guidance covers cin and lac; a profile file can add "
            "them)",
            f'"plan": "{profile.plans[0]}"',
        )


_Steps = list[tuple[_RuleFn, _Rule]]
#: Rules that list nothing when a case field is empty: a case with no school move, significant
#: change, escalation or Tier 1 meeting (most cases) skips them rather than calling each to find
#: out. Bit i of a case's mask is set when `_GATE_FIELDS[i]` is non-empty (`obligations` tests them
#: in that order).
_GATES: tuple[tuple[str, str], ...] = (
    ("school_move_core_group", "school_moves"),
    ("significant_change_to_conference_chair", "significant_changes"),
    ("escalation_stage", "escalations"),
    # these three follow the last held Tier 1 meeting: with none listed there is nothing to follow
    ("resolution_review_core_group", "resolution.tier1_meetings"),
    ("resolution_tier2_trigger", "resolution.tier1_meetings"),
    ("resolution_tier2_meeting", "resolution.tier1_meetings"),
)
_GATE_FIELDS = tuple(dict.fromkeys(field for _rid, field in _GATES))
_GATE_BIT = {rid: 1 << _GATE_FIELDS.index(field) for rid, field in _GATES}
assert _GATE_FIELDS == ("school_moves", "significant_changes", "escalations", "resolution.tier1_meetings")
#: (profile, plan, calendar) -> the steps for each mask, in catalogue order.
#: Keyed by ids with the objects kept in the value, so an id is never reused while its entry lives.
_PLANS: dict[tuple[int, str, int], tuple[Profile, WorkingCalendar, tuple[_Steps, ...]]] = {}


def _never_lists(r: _Rule) -> bool:
    if r.id == "escalation_stage":
        return bool(r.spec.record_only) or r.after is None
    if r.id == "lead_sw_visit":
        return bool(r.spec.record_only)
    return False


def _steps(profile: Profile, plan: str, cal: WorkingCalendar, mask: int = 0b1111) -> _Steps:
    """Which rules apply to a plan under a profile, worked out once rather than once per case.

    `mask` says which gated case fields are non-empty (all, by default: every rule that applies).
    """
    key = (id(profile), plan, id(cal))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is profile and hit[1] is cal:
        return hit[2][mask]
    shared = _Plan(profile, plan, cal)
    steps: _Steps = []
    for rid, rule in profile.rules.items():
        spec = rule.for_plan(plan)
        if spec is not None:
            steps.append((RULES[rid], _Rule(rule, spec, shared)))
    steps.sort(key=lambda st: st[1].order)  # catalogue order: `obligations` relies on it
    # an escalation or lead visit rule that only records (or has no period) never lists anything
    steps = [st for st in steps if not _never_lists(st[1])]
    variants = tuple(
        [st for st in steps if _GATE_BIT.get(st[1].id, m) & m or st[1].id not in _GATE_BIT]
        for m in range(1 << len(_GATE_FIELDS))
    )
    if len(_PLANS) >= 256:  # profile files loaded over and over (tests, a long-lived shell)
        _PLANS.clear()
    _PLANS[key] = (profile, cal, variants)
    return variants[mask]


#: The timeline's order is (due, catalogue order, about). Sorting on the first two is enough unless
#: two obligations tie on both (two meetings whose minutes fall due the same day); only then are the
#: words written out to break the tie, which gives the same order as sorting on all three.
_BY_DUE_AND_RULE = itemgetter(1, 8)
_DUE = itemgetter(1)


def _full_key(o: Obligation) -> tuple[date, int, str]:
    return (o.due, o.order, o.about)


def obligations(case: CaseState, profile: Profile, cal: WorkingCalendar, today: date) -> list[Obligation]:
    """Every open, overdue or (for one-off rules) met obligation of the case, sorted by due date."""
    if case.plan not in profile.plans:
        check_plan(case, profile)
    held: list[date] = []
    held_meetings: list[Meeting] = []
    scheduled: list[Meeting] = []
    kinds = CORE_GROUP_KINDS
    for m in case.meetings:
        # Meeting.is_held / is_scheduled, inlined: this loop runs for every meeting of every case
        status = m.status
        if status is None:  # CASE.json: held if on or before today, else booked
            d = m.date
            if d <= today:
                held_meetings.append(m)
                if m.kind in kinds:
                    held.append(d)
            elif m.kind in kinds:
                scheduled.append(m)
        elif status == "held":
            held_meetings.append(m)
            if m.kind in kinds:
                held.append(m.date)
        elif status == "scheduled" and m.date >= today and m.kind in kinds:
            scheduled.append(m)
    reviews = case.review_conferences
    if reviews:
        i = bisect.bisect_right(reviews, today)
        facts = _Facts(case, today, held, held_meetings, scheduled, reviews[:i], reviews[i:])
    else:
        facts = _Facts(case, today, held, held_meetings, scheduled, (), ())
    mask = 0
    if case.school_moves:
        mask = 1
    if case.significant_changes:
        mask |= 2
    if case.escalations:
        mask |= 4
    if case.resolution.tier1_meetings:
        mask |= 8
    hit = _PLANS.get((id(profile), case.plan, id(cal)))
    steps = (
        hit[2][mask]
        if hit is not None and hit[0] is profile and hit[1] is cal
        else _steps(profile, case.plan, cal, mask)
    )
    out: list[Obligation] = []
    for fn, rule in steps:
        fn(rule, facts, out)
    n = len(out)
    if n > 1:
        # the steps run in catalogue order and each appends only its own rule, so `out` is already
        # in catalogue order: one stable sort on the due date alone orders it by (due, order)
        out.sort(key=_DUE)
        # a tie on (due, order) needs one rule to have listed two obligations (facts.tie): look
        # for one only then, as a set of (date, int) pairs costs about as much as the sort
        if facts.tie and len(set(map(_BY_DUE_AND_RULE, out))) < n:
            out.sort(key=_full_key)
    return out


def timeline(
    case: CaseState, today: date, profile: Profile | None = None, extra_profile_files: Iterable[Any] = ()
) -> list[Obligation]:
    """Convenience for callers that have only a case: loads its profile and calendar."""
    from scheduling.profiles import load_profile

    prof = profile or load_profile(case.profile, extra_profile_files)
    return obligations(case, prof, calendar_for(prof.nation, prof.closures), today)
