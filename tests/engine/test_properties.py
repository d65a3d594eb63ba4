"""Properties of the engine that must hold for any case, not just the golden ones.

* every due date is a working day of the case's nation (except where the due date *is* an event the
  user recorded: a meeting's quorum, or the review conference that triggers Tier 1);
* a calendar deadline (days, weeks, months) is never later than its raw calendar bound, and is the
  last working day on or before it; in fact every obligation matches the naive oracle;
* moving the start event, a held meeting or a visit later never moves any due date of the same rule
  earlier;
* adding, subtracting and counting working days are inverses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.calendar import NATIONS, calendar_for
from scheduling.case import (
    CORE_GROUP_KINDS,
    MEETING_KINDS,
    VISIT_BY,
    CaseState,
    Change,
    Escalation,
    Meeting,
    Resolution,
    Visit,
    case_to_dict,
)
from scheduling.engine import Obligation, obligations
from scheduling.profiles import Profile, load_profile, profile_names

from .naive import Naive, expected

PROFILES = {n: load_profile(n) for n in profile_names()}
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Rules whose due date is a date the user recorded rather than a counted deadline.
EVENT_DATED = {"quorum", "resolution_tier1_trigger"}
CAL_UNITS = ("days", "weeks", "months")

starts = st.dates(min_value=date(2001, 1, 1), max_value=date(2072, 6, 30))
# Strategies are built once: building them inside the composite costs more than the engine does.
_OFFSET = {lo: st.integers(lo, 560) for lo in range(0, 48)}
_VISIT_OFFSET = st.integers(-20, 560)
_STATUS = st.sampled_from((None, None, None, "cancelled"))
_KIND = st.sampled_from(MEETING_KINDS)
_BY = st.sampled_from(VISIT_BY)
_OPT_INT = st.one_of(st.none(), st.integers(0, 5))
_OPT_BOOL = st.one_of(st.none(), st.booleans())
_EVERY = st.one_of(st.none(), st.integers(1, 30))
_NAMES = st.sampled_from(sorted(PROFILES))
_PLANS = {n: st.sampled_from(p.plans) for n, p in PROFILES.items()}
_TODAY = st.integers(0, 600)
_STAGE = st.integers(1, 6)
_HOW_MANY = {n: st.integers(0, n) for n in range(7)}


@st.composite
def cases(draw: st.DrawFn, min_offset: int = 0) -> tuple[CaseState, date]:
    """An invented case and the day we ask; every meeting and review at least `min_offset` days
    after the start, so the start can be moved that far later without breaking the case."""
    name = draw(_NAMES)
    plan = draw(_PLANS[name])
    start = draw(starts)
    today = start + timedelta(days=draw(_TODAY))

    def at(lo: int = min_offset) -> date:
        return start + timedelta(days=draw(_OFFSET[lo]))

    def opt() -> date | None:
        return at(0) if draw(st.booleans()) else None

    def many(n: int) -> range:
        return range(draw(_HOW_MANY[n]))

    meetings = tuple(
        sorted(
            (
                Meeting(
                    date=at(),
                    kind=draw(_KIND),
                    status=draw(_STATUS),
                    social_worker_present=draw(st.booleans()),
                    minutes_circulated=opt(),
                    chair_update_sent=opt(),
                    professionals_present=draw(_OPT_INT),
                    lead_sw_present=draw(_OPT_BOOL),
                )
                for _ in many(6)
            ),
            key=lambda m: m.date,
        )
    )
    reviews = tuple(sorted({at(min_offset + 1) for _ in many(3)}))
    visits = tuple(
        sorted(
            (Visit(start + timedelta(days=draw(_VISIT_OFFSET)), draw(_BY)) for _ in many(5)),
            key=lambda v: v.date,
        )
    )
    changes = tuple(sorted((Change(at(0), opt()) for _ in many(2)), key=lambda c: c.date))
    escalations = tuple(
        Escalation(
            raised=at(0),
            stage=draw(_STAGE),
            stage_started=opt(),
            resolved=today if draw(st.booleans()) else None,
        )
        for _ in many(2)
    )
    resolution = Resolution(
        requested=opt(),
        tier1_meetings=tuple(sorted(at(0) for _ in many(2))),
        tier2_meetings=tuple(sorted(at(0) for _ in many(1))),
        significant_risk_reduction=draw(st.booleans()),
    )
    case = CaseState(
        profile=name,
        plan=plan,
        start=start,
        review_conferences=reviews,
        meetings=meetings,
        visits=visits,
        school_moves=tuple(sorted(at(0) for _ in many(2))),
        significant_changes=changes,
        resolution=resolution,
        escalations=escalations,
        lead_visit_every=draw(_EVERY),
    )
    return case, today


def _obs(case: CaseState, today: date) -> list[Obligation]:
    prof = PROFILES[case.profile]
    return obligations(case, prof, calendar_for(prof.nation, prof.closures), today)


def _naive(prof: Profile) -> Naive:
    return Naive(prof.nation, frozenset(prof.closures))


@FAST
@given(cases())
def test_every_due_date_is_a_working_day_of_the_cases_nation(ct: tuple[CaseState, date]) -> None:
    case, today = ct
    nv = _naive(PROFILES[case.profile])
    for o in _obs(case, today):
        if o.rule == "quorum":
            assert o.due in {m.date for m in case.meetings}
        elif o.rule == "resolution_tier1_trigger" and o.due in case.review_conferences:
            pass  # the review conference that triggers Tier 1 is the trigger date
        else:
            assert nv.working(o.due), (o.rule, o.due, o.about)
        if o.earliest is not None:
            assert nv.working(o.earliest)
        if o.limit is not None:
            assert nv.working(o.limit)


@FAST
@given(cases())
def test_every_obligation_matches_the_naive_oracle_and_calendar_deadlines_are_never_late(
    ct: tuple[CaseState, date],
) -> None:
    case, today = ct
    prof = PROFILES[case.profile]
    nv = _naive(prof)
    raw_case = case_to_dict(case)
    for o in _obs(case, today):
        due, earliest, limit, period = expected(o.rule, o.about, prof, case.plan, raw_case)
        assert (o.due, o.earliest, o.limit) == (due, earliest, limit), (o.rule, o.about)
        if period is not None and period.unit in CAL_UNITS and o.rule != "final_core_group_window":
            bound = nv.raw(_anchor(o), period)
            assert o.due <= bound, (o.rule, o.about, o.due, bound)
            # and nothing later would do: no working day between the deadline and the bound
            d = o.due + timedelta(days=1)
            while d <= bound:
                assert not nv.working(d), (o.rule, o.due, d)
                d += timedelta(days=1)


def _anchor(o: Obligation) -> date:
    from .naive import anchor

    return anchor(o.about)


def _dues(obs: list[Obligation]) -> dict[str, list[date]]:
    out: dict[str, list[date]] = defaultdict(list)
    for o in obs:
        out[o.rule].append(o.due)
    return {k: sorted(v) for k, v in out.items()}


def _never_earlier(before: list[Obligation], after: list[Obligation], what: str) -> None:
    b, a = _dues(before), _dues(after)
    for rule, old in b.items():
        new = a.get(rule)
        if new is None or len(new) != len(old):
            continue  # the rule now lists other instances (e.g. a meeting stopped being the last)
        for x, y in zip(old, new, strict=True):
            assert y >= x, f"{what}: {rule} moved earlier, {x} -> {y}"


@FAST
@given(st.integers(1, 45).flatmap(lambda k: st.tuples(st.just(k), cases(min_offset=k))))
def test_moving_the_start_later_never_moves_a_due_date_earlier(
    kc: tuple[int, tuple[CaseState, date]],
) -> None:
    k, (case, today) = kc
    later = replace(case, start=case.start + timedelta(days=k))
    _never_earlier(_obs(case, today), _obs(later, today), f"start +{k} days")


@FAST
@given(cases(), st.integers(0, 10), st.integers(1, 60))
def test_moving_a_held_meeting_later_never_moves_a_due_date_earlier(
    ct: tuple[CaseState, date], pick: int, k: int
) -> None:
    case, today = ct
    held = [i for i, m in enumerate(case.meetings) if m.status is None and m.date <= today]
    if not held:
        return
    i = held[pick % len(held)]
    m = case.meetings[i]
    new_date = min(m.date + timedelta(days=k), today)  # still held
    meetings = list(case.meetings)
    meetings[i] = replace(m, date=new_date)
    later = replace(case, meetings=tuple(sorted(meetings, key=lambda x: x.date)))
    _never_earlier(_obs(case, today), _obs(later, today), f"{m.kind} {m.date} -> {new_date}")


@FAST
@given(cases(), st.integers(0, 10), st.integers(1, 60))
def test_moving_a_visit_later_never_moves_a_due_date_earlier(
    ct: tuple[CaseState, date], pick: int, k: int
) -> None:
    case, today = ct
    past = [i for i, v in enumerate(case.visits) if v.date <= today]
    if not past:
        return
    i = past[pick % len(past)]
    v = case.visits[i]
    visits = list(case.visits)
    visits[i] = replace(v, date=min(v.date + timedelta(days=k), today))  # still in the past
    later = replace(case, visits=tuple(sorted(visits, key=lambda x: x.date)))
    _never_earlier(_obs(case, today), _obs(later, today), f"visit {v.date}")


@FAST
@given(cases())
def test_single_instance_rules_keep_their_instance_when_the_start_moves(ct: tuple[CaseState, date]) -> None:
    """So the monotonicity checks above are not vacuous for the start-dependent rules."""
    case, today = ct
    later = replace(case, start=case.start + timedelta(days=1))
    if any(m.date < later.start for m in case.meetings) or (
        case.review_conferences and case.review_conferences[0] <= later.start
    ):
        return
    single = {
        "first_core_group",
        "review_conference",
        "final_core_group_window",
        "child_seen",
        "resolution_tier1_trigger",
    }
    b = {o.rule for o in _obs(case, today) if o.rule in single}
    a = {o.rule for o in _obs(later, today) if o.rule in single}
    assert a == b


# ---- the calendar on its own ------------------------------------------------------------------

nations = st.sampled_from(sorted(NATIONS))
days = st.dates(min_value=date(2002, 1, 1), max_value=date(2073, 12, 31))  # ±400 WD stays in range
counts = st.integers(1, 400)


@FAST
@given(nations, days, counts)
def test_add_subtract_and_count_working_days_are_inverses(nation: str, d: date, n: int) -> None:
    cal = calendar_for(nation)
    nv = Naive(nation)
    fwd = cal.add_working_days(d, n)
    back = cal.subtract_working_days(d, n)
    assert cal.working_days_between(d, fwd) == n
    assert cal.working_days_between(fwd, d) == -n
    assert cal.subtract_working_days(fwd, n) == cal.roll_back(d)
    assert cal.add_working_days(back, n) == cal.roll_forward(d)
    assert cal.working_days_between(back, d) == n - 1 + cal.is_working_day(d)
    assert cal.is_working_day(fwd) and cal.is_working_day(back)
    assert cal.is_working_day(d) == nv.working(d)
    if n <= 60:  # the naive walk is slow; short counts are where holidays bite anyway
        assert fwd == nv.add_wd(d, n)
        assert back == nv.sub_wd(d, n)


@FAST
@given(nations, days, st.integers(1, 24), st.sampled_from(CAL_UNITS))
def test_calendar_deadline_is_the_last_working_day_on_or_before_the_bound(
    nation: str, d: date, n: int, unit: str
) -> None:
    from scheduling.profiles import Period

    cal = calendar_for(nation)
    nv = Naive(nation)
    bound = nv.raw(d, Period(n, unit))  # type: ignore[arg-type]
    due = cal.add_calendar(d, n, unit)
    assert due <= bound
    assert cal.is_working_day(due)
    assert due == nv.back(bound)


@FAST
@given(st.sampled_from(sorted(PROFILES)), days)
def test_core_group_kinds_all_count_as_core_groups(name: str, d: date) -> None:
    """A school-move or resolution review core group meets the first core group like any other."""
    prof = PROFILES[name]
    for kind in CORE_GROUP_KINDS:
        case = CaseState(
            profile=name, plan=prof.plans[0], start=d, meetings=(Meeting(d + timedelta(days=3), kind=kind),)
        )
        first = [o for o in _obs(case, d + timedelta(days=5)) if o.rule == "first_core_group"]
        assert first and first[0].met_on == d + timedelta(days=3)
