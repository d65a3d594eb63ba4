"""The obligation engine: (case state, profile, calendar, today) -> what is due, by when, under which rule.

Pure: it never reads the clock, the database or the network, so the CLI, the chat handlers and the
reminder sweep all get the same answer for the same facts. One function per rule id (grep the id to
find it); each cites its rule's source clause through the profile.

Status: `met` (done), `due` (open, not yet late) or `overdue` (open and past its due date).
What is listed: the current instance of every rule the profile has for the plan (the next meeting,
the next visit…), every instance that is overdue, and one `minutes_circulated` per held meeting whose
minutes are not recorded as circulated. Choices where the catalogue is silent are marked
"Choice:" below and listed in docs/rules.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Obligation:
    rule: str
    due: date
    status: str
    about: str
    source: str
    interpretation: bool
    #: Stable key of the thing the obligation is about (the outbox's `subject`).
    subject: str
    earliest: date | None = None
    limit: date | None = None
    met_on: date | None = None

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


class PlanNotCovered(CaseError):
    """The profile has no rules for this plan type."""


@dataclass(slots=True)  # not frozen: built once per case on the sweep's hot path, never shared
class _Facts:
    """What several rules look at, computed once per case."""

    case: CaseState
    today: date
    held: list[date]  # held core group dates, ascending
    scheduled: list[Meeting]  # scheduled core group meetings, ascending
    held_reviews: list[date]
    upcoming_reviews: list[date]


def after(cal: WorkingCalendar, d: date, p: Period) -> date:
    """The deadline `p` after `d` under the catalogue's counting conventions."""
    return cal.after(d, p.n, p.unit)


def before(cal: WorkingCalendar, d: date, p: Period) -> date:
    """`p` before `d`: the N-th working day before, or the calendar date rolled back."""
    if p.unit == "working_days":
        return cal.subtract_working_days(d, p.n)
    if p.unit == "days":
        raw = d - timedelta(days=p.n)
    elif p.unit == "weeks":
        raw = d - timedelta(weeks=p.n)
    else:
        from dateutil.relativedelta import relativedelta

        raw = d - relativedelta(months=p.n)
    return cal.roll_back(raw)


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


_Out = list[Obligation]
_RuleFn = Callable[[Rule, RuleSpec, _Facts, WorkingCalendar, Profile, _Out], None]


# Obligation's generated __init__ goes through object.__setattr__ once per field (it is frozen) and was
# the largest single cost of a sweep; the rule functions below build it by setting the slots directly.
# Same fields, same values, same frozen object afterwards.
_OB_FIELDS = tuple(f.name for f in fields(Obligation))
assert _OB_FIELDS == ("rule", "due", "status", "about", "source", "interpretation", "subject",
                      "earliest", "limit", "met_on"), "update _ob when Obligation changes"
(_set_rule, _set_due, _set_status, _set_about, _set_source, _set_interpretation, _set_subject,
 _set_earliest, _set_limit, _set_met_on) = (getattr(Obligation, n).__set__ for n in _OB_FIELDS)
_new = object.__new__


def _ob(rule: Rule, spec: RuleSpec, due: date, status: str, about: str, subject: str,
        earliest: date | None = None, limit: date | None = None,
        met_on: date | None = None) -> Obligation:
    o: Obligation = _new(Obligation)
    _set_rule(o, rule.id)
    _set_due(o, due)
    _set_status(o, status)
    _set_about(o, about)
    _set_source(o, spec.source)
    _set_interpretation(o, spec.interpretation)
    _set_subject(o, subject)
    _set_earliest(o, earliest)
    _set_limit(o, limit)
    _set_met_on(o, met_on)
    return o


def first_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                     profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    start = f.case.start
    due = after(cal, start, spec.period)
    met = f.held[0] if f.held else None
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"{_START_EVENT[f.case.plan]} {start.isoformat()}", f"start:{start.isoformat()}",
                   met_on=met))


def _review_due(spec: RuleSpec, f: _Facts, cal: WorkingCalendar) -> tuple[date, date, bool]:
    """(anchor, due, is_first) of the next review conference."""
    assert spec.first is not None and spec.period is not None
    if f.held_reviews:
        anchor = f.held_reviews[-1]
        return anchor, after(cal, anchor, spec.period), False
    return f.case.start, after(cal, f.case.start, spec.first), True


def review_conference(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                      profile: Profile, out: _Out) -> None:
    # Choice: a review conference listed with a date after today is "booked": the obligation stays
    # `due` until that date passes (then the next review's clock starts from it).
    anchor, due, first = _review_due(spec, f, cal)
    about = (f"first review after {_START_EVENT[f.case.plan]} {anchor.isoformat()}" if first
             else f"next review after review conference {anchor.isoformat()}")
    if f.upcoming_reviews:
        about += f" (booked for {f.upcoming_reviews[0].isoformat()})"
    out.append(_ob(rule, spec, due, _status(due, None, f.today), about,
                   f"review_after:{anchor.isoformat()}"))


def _next_review(f: _Facts, cal: WorkingCalendar, profile: Profile) -> tuple[date, bool] | None:
    """The review conference ahead: the booked one, else the latest date the rule allows."""
    if f.upcoming_reviews:
        return f.upcoming_reviews[0], True
    rc = profile.rules.get("review_conference")
    spec = rc.for_plan(f.case.plan) if rc else None
    if spec is None:
        return None
    return _review_due(spec, f, cal)[1], False


def second_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                      profile: Profile, out: _Out) -> None:
    met = f.held[1] if len(f.held) > 1 else None
    if spec.before_review:
        reviews = f.held_reviews or f.upcoming_reviews
        first_review = reviews[0] if reviews else None
        if first_review is None:
            nr = _next_review(f, cal, profile)
            if nr is None:
                return
            first_review = nr[0]
        due = cal.roll_back(first_review - timedelta(days=1))
        out.append(_ob(rule, spec, due, _status(due, met, f.today),
                       f"before the first review conference {first_review.isoformat()}",
                       "second_core_group", met_on=met))
        return
    if not f.held:
        return
    assert spec.period is not None
    due = after(cal, f.held[0], spec.period)
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"after the first core group {f.held[0].isoformat()}", "second_core_group",
                   met_on=met))


def next_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                    profile: Profile, out: _Out) -> None:
    if not f.held:
        return  # first_core_group covers the time before any core group is held
    assert spec.period is not None
    last = f.held[-1]
    due = after(cal, last, spec.period)
    limit = after(cal, last, spec.limit) if spec.limit else None
    about = f"after core group {last.isoformat()}"
    if f.scheduled:
        about += f" (booked for {f.scheduled[0].date.isoformat()})"
    out.append(_ob(rule, spec, due, _status(due, None, f.today), about,
                   f"after:{last.isoformat()}", limit=limit))


def final_core_group_window(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                            profile: Profile, out: _Out) -> None:
    # Choice: the window belongs to the next review conference: the booked one, or, when none is
    # booked, the latest date the review_conference rule allows.
    nr = _next_review(f, cal, profile)
    if nr is None:
        return
    review, booked = nr
    due = cal.roll_back(review - timedelta(days=1))
    earliest = cal.subtract_working_days(review, spec.earliest.n) if spec.earliest else None
    lower = earliest if earliest else (f.held_reviews[-1] if f.held_reviews else f.case.start)
    met = None
    i = bisect.bisect_left(f.held, lower)
    if i < len(f.held) and f.held[i] < review and (earliest or f.held[i] > lower):
        met = f.held[i]
    about = (f"review conference {review.isoformat()}" if booked
             else f"review conference due by {review.isoformat()} (not booked)")
    out.append(_ob(rule, spec, due, _status(due, met, f.today), about,
                   f"before_review:{review.isoformat()}", earliest=earliest, met_on=met))


def post_review_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                           profile: Profile, out: _Out) -> None:
    if not f.held_reviews:
        return
    assert spec.period is not None
    r = f.held_reviews[-1]
    due = after(cal, r, spec.period)
    met = _first_after(f.held, r)
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"after review conference {r.isoformat()}", f"after_review:{r.isoformat()}",
                   met_on=met))


def minutes_circulated(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                       profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    for m in f.case.meetings:
        if m.minutes_circulated is None and m.is_held(f.today):
            due = after(cal, m.date, spec.period)
            out.append(_ob(rule, spec, due, _status(due, None, f.today),
                           f"{_KIND_LABEL.get(m.kind, m.kind)} {m.date.isoformat()}",
                           f"meeting:{m.date.isoformat()}:{m.kind}"))


def school_move_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                           profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    moves = f.case.school_moves
    for i, move in enumerate(moves):
        due = after(cal, move, spec.period)
        met = _first_on_or_after(f.held, move)
        status = _status(due, met, f.today)
        if i == len(moves) - 1 or status == OVERDUE:
            out.append(_ob(rule, spec, due, status, f"school move {move.isoformat()}",
                           f"school_move:{move.isoformat()}", met_on=met))


def chair_update_to_lead_sw(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                            profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    for m in f.case.meetings:
        if not m.social_worker_present and m.chair_update_sent is None and m.is_held(f.today):
            due = after(cal, m.date, spec.period)
            out.append(_ob(rule, spec, due, _status(due, None, f.today),
                           f"{_KIND_LABEL.get(m.kind, m.kind)} {m.date.isoformat()} held without "
                           "the social worker", f"meeting:{m.date.isoformat()}:{m.kind}"))


def significant_change_to_conference_chair(rule: Rule, spec: RuleSpec, f: _Facts,
                                           cal: WorkingCalendar, profile: Profile,
                                           out: _Out) -> None:
    assert spec.period is not None
    for c in f.case.significant_changes:
        if c.reported is None and c.date <= f.today:
            due = after(cal, c.date, spec.period)
            out.append(_ob(rule, spec, due, _status(due, None, f.today),
                           f"significant change {c.date.isoformat()}",
                           f"change:{c.date.isoformat()}"))


def _visit_rule(rule: Rule, spec: RuleSpec, period: Period, f: _Facts, cal: WorkingCalendar,
                out: _Out, lead_only: bool) -> None:
    last = None
    for v in f.case.visits:
        if v.date <= f.today and v.date >= f.case.start and (
                not lead_only or v.by == "lead_social_worker"):
            last = v.date
    anchor = last or f.case.start
    due = after(cal, anchor, period)
    about = (f"last seen {anchor.isoformat()}" if last
             else f"since the {_START_EVENT[f.case.plan]} {anchor.isoformat()}")
    out.append(_ob(rule, spec, due, _status(due, None, f.today), about,
                   f"after:{anchor.isoformat()}"))


def lead_sw_visit(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                  profile: Profile, out: _Out) -> None:
    if spec.record_only:
        return
    period = spec.period
    if spec.per_case:
        if not f.case.lead_visit_every:
            return  # Choice: no interval agreed yet for this case: nothing to count.
        period = Period(f.case.lead_visit_every, "working_days")
    assert period is not None
    _visit_rule(rule, spec, period, f, cal, out, lead_only=True)


def child_seen(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
               profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    _visit_rule(rule, spec, spec.period, f, cal, out, lead_only=False)


def written_report(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                   profile: Profile, out: _Out) -> None:
    if not f.scheduled:
        return
    assert spec.period is not None
    m = f.scheduled[0]
    due = before(cal, m.date, spec.period)
    out.append(_ob(rule, spec, due, _status(due, None, f.today),
                   f"from members who cannot attend the core group {m.date.isoformat()}",
                   f"meeting:{m.date.isoformat()}:{m.kind}"))


def quorum(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
           profile: Profile, out: _Out) -> None:
    need = (f"at least {spec.min_professionals} professional members" if spec.min_professionals
            else "the lead social worker or a representative")
    for m in reversed(f.case.meetings):
        if m.kind in CORE_GROUP_KINDS and m.is_held(f.today):
            short = (spec.min_professionals is not None and m.professionals_present is not None
                     and m.professionals_present < spec.min_professionals) or (
                spec.lead_sw_required and m.lead_sw_present is False)
            if short:
                out.append(_ob(rule, spec, m.date, OVERDUE,
                               f"core group {m.date.isoformat()} was not quorate: {need} needed",
                               f"meeting:{m.date.isoformat()}:{m.kind}"))
            break
    if f.scheduled:
        m = f.scheduled[0]
        out.append(_ob(rule, spec, m.date, _status(m.date, None, f.today),
                       f"core group {m.date.isoformat()}: {need} must attend",
                       f"meeting:{m.date.isoformat()}:{m.kind}"))


def escalation_stage(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                     profile: Profile, out: _Out) -> None:
    if spec.record_only or spec.period is None:
        return
    for e in f.case.escalations:
        if e.resolved is not None:
            continue
        start = e.clock_start
        due = after(cal, start, spec.period)
        name = spec.stages[e.stage - 1] if e.stage <= len(spec.stages) else "final stage"
        nxt = spec.stages[e.stage] if e.stage < len(spec.stages) else None
        about = f"stage {e.stage} ({name}) since {start.isoformat()}"
        if nxt:
            about += f"; then {nxt}"
        out.append(_ob(rule, spec, due, _status(due, None, f.today), about,
                       f"escalation:{e.raised.isoformat()}:{e.stage}"))


def _tier1_trigger(spec: RuleSpec, f: _Facts, cal: WorkingCalendar) -> tuple[date, str]:
    assert spec.period is not None and spec.review_count is not None
    reg = f.case.registered_on
    by_time = after(cal, reg, spec.period)
    reviews = sorted({*f.held_reviews, *f.upcoming_reviews})
    if len(reviews) >= spec.review_count and reviews[spec.review_count - 1] < by_time:
        return reviews[spec.review_count - 1], f"review conference no. {spec.review_count}"
    return by_time, f"{spec.period} on the register since {reg.isoformat()}"


def resolution_tier1_trigger(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                             profile: Profile, out: _Out) -> None:
    trigger, why = _tier1_trigger(spec, f, cal)
    res = f.case.resolution
    started = [d for d in (res.requested, *res.tier1_meetings) if d is not None]
    met = min(started) if started else None
    out.append(_ob(rule, spec, trigger, _status(trigger, met, f.today),
                   f"automatic Tier 1: {why}", "tier1_trigger", met_on=met))


def _tier1_start(f: _Facts, cal: WorkingCalendar, profile: Profile) -> date | None:
    """When the Tier 1 clock started: the request, or the automatic trigger once reached."""
    res = f.case.resolution
    candidates = [res.requested] if res.requested else []
    trig = profile.rules.get("resolution_tier1_trigger")
    tspec = trig.for_plan(f.case.plan) if trig else None
    if tspec is not None:
        t, _ = _tier1_trigger(tspec, f, cal)
        if t <= f.today:
            candidates.append(t)
    return min(candidates) if candidates else None


def resolution_tier1_meeting(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                             profile: Profile, out: _Out) -> None:
    assert spec.period is not None
    start = _tier1_start(f, cal, profile)
    if start is None:
        return
    due = after(cal, start, spec.period)
    held = [d for d in f.case.resolution.tier1_meetings if d <= f.today]
    met = _first_on_or_after(held, start)
    why = "request" if start == f.case.resolution.requested else "automatic trigger"
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"Tier 1 meeting after the {why} {start.isoformat()}",
                   f"tier1:{start.isoformat()}", met_on=met))


def _last_tier1(f: _Facts) -> date | None:
    held = [d for d in f.case.resolution.tier1_meetings if d <= f.today]
    return held[-1] if held else None


def resolution_review_core_group(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                                 profile: Profile, out: _Out) -> None:
    t = _last_tier1(f)
    if t is None:
        return
    assert spec.period is not None
    due = after(cal, t, spec.period)
    met = _first_after(f.held, t)
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"review core group after the Tier 1 meeting {t.isoformat()}",
                   f"after_tier1:{t.isoformat()}", met_on=met))


def _tier2_trigger(spec: RuleSpec, t: date, cal: WorkingCalendar) -> date:
    assert spec.period is not None
    return after(cal, t, spec.period)


def resolution_tier2_trigger(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                             profile: Profile, out: _Out) -> None:
    t = _last_tier1(f)
    if t is None:
        return
    due = _tier2_trigger(spec, t, cal)
    res = f.case.resolution
    if res.significant_risk_reduction:
        status = MET
        about = f"12-week check after the Tier 1 meeting {t.isoformat()}: risk significantly reduced"
    else:
        t2 = _first_after([d for d in res.tier2_meetings if d <= f.today], t)
        status = MET if t2 else (OVERDUE if f.today > due else DUE)
        about = f"Tier 2 unless risk is significantly reduced after the Tier 1 meeting {t.isoformat()}"
    out.append(_ob(rule, spec, due, status, about, f"tier2_trigger:{t.isoformat()}"))


def resolution_tier2_meeting(rule: Rule, spec: RuleSpec, f: _Facts, cal: WorkingCalendar,
                             profile: Profile, out: _Out) -> None:
    t = _last_tier1(f)
    res = f.case.resolution
    trig_rule = profile.rules.get("resolution_tier2_trigger")
    tspec = trig_rule.for_plan(f.case.plan) if trig_rule else None
    if t is None or tspec is None or res.significant_risk_reduction:
        return
    trigger = _tier2_trigger(tspec, t, cal)
    if trigger > f.today:
        return
    assert spec.period is not None
    due = after(cal, trigger, spec.period)
    met = _first_on_or_after([d for d in res.tier2_meetings if d <= f.today], t)
    out.append(_ob(rule, spec, due, _status(due, met, f.today),
                   f"Tier 2 meeting after the trigger {trigger.isoformat()}",
                   f"tier2:{trigger.isoformat()}", met_on=met))


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


_Step = tuple[_RuleFn, Rule, RuleSpec]
#: (profile, plan) -> the rule functions to run with their specs, in catalogue order. Keyed by the
#: profile's id with the profile kept in the value, so an id is never reused while its entry lives.
_PLANS: dict[tuple[int, str], tuple[Profile, list[_Step]]] = {}


def _steps(profile: Profile, plan: str) -> list[_Step]:
    """Which rules apply to a plan under a profile, worked out once rather than once per case."""
    key = (id(profile), plan)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1]
    steps: list[_Step] = []
    for rid, rule in profile.rules.items():
        spec = rule.for_plan(plan)
        if spec is not None:
            steps.append((RULES[rid], rule, spec))
    if len(_PLANS) >= 256:  # profile files loaded over and over (tests, a long-lived shell)
        _PLANS.clear()
    _PLANS[key] = (profile, steps)
    return steps


def _sort_key(o: Obligation) -> tuple[date, int, str]:
    return (o.due, _ORDER[o.rule], o.about)


def obligations(case: CaseState, profile: Profile, cal: WorkingCalendar,
                today: date) -> list[Obligation]:
    """Every open, overdue or (for one-off rules) met obligation of the case, sorted by due date."""
    if case.plan not in profile.plans:
        check_plan(case, profile)
    held: list[date] = []
    scheduled: list[Meeting] = []
    for m in case.meetings:
        if m.kind in CORE_GROUP_KINDS:
            # Meeting.is_held / is_scheduled, inlined: this loop runs for every meeting of every case
            status, d = m.status, m.date
            if status is None:
                if d <= today:
                    held.append(d)
                else:
                    scheduled.append(m)
            elif status == "held":
                held.append(d)
            elif status == "scheduled" and d >= today:
                scheduled.append(m)
    reviews = case.review_conferences
    i = bisect.bisect_right(reviews, today)
    facts = _Facts(case, today, held, scheduled, list(reviews[:i]), list(reviews[i:]))
    out: list[Obligation] = []
    for fn, rule, spec in _steps(profile, case.plan):
        fn(rule, spec, facts, cal, profile, out)
    if len(out) > 1:
        out.sort(key=_sort_key)
    return out


def timeline(case: CaseState, today: date, profile: Profile | None = None,
             extra_profile_files: Iterable[Any] = ()) -> list[Obligation]:
    """Convenience for callers that have only a case: loads its profile and calendar."""
    from scheduling.profiles import load_profile

    prof = profile or load_profile(case.profile, extra_profile_files)
    return obligations(case, prof, calendar_for(prof.nation, prof.closures), today)
