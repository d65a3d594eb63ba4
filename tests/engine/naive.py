"""A deliberately naive second opinion on the catalogue's counting conventions.

It walks the calendar one day at a time over `holidays.UK(subdiv=…)` and does its own month
arithmetic, sharing nothing with `scheduling.calendar` (no bisection, no ordinal table, no
`relativedelta`), so the two can only agree by both following the catalogue. It also knows, per rule,
which date of the obligation's `about` text is the event the rule counts from; that is the one place
it leans on the engine's output, and a wrong anchor would show up as a disagreement anyway.
"""

from __future__ import annotations

import calendar as _cal
import re
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays

from scheduling.profiles import Period, Profile

SUBDIV = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}
ONE = timedelta(days=1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def _bank(nation: str) -> holidays.HolidayBase:
    return holidays.UK(subdiv=SUBDIV[nation])  # years fill in on demand


class Naive:
    """Working days of one nation plus local closure days, one day at a time."""

    def __init__(self, nation: str, closures: frozenset[date] = frozenset()) -> None:
        self.bank = _bank(nation)
        self.closures = closures

    def working(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.bank and d not in self.closures

    def add_wd(self, x: date, n: int) -> date:
        """The n-th working day after x, x never counted."""
        d, seen = x, 0
        while seen < n:
            d += ONE
            seen += self.working(d)
        return d

    def sub_wd(self, y: date, n: int) -> date:
        """The n-th working day before y."""
        d, seen = y, 0
        while seen < n:
            d -= ONE
            seen += self.working(d)
        return d

    def back(self, d: date) -> date:
        while not self.working(d):
            d -= ONE
        return d

    def raw(self, x: date, p: Period) -> date:
        """X + N days / weeks / months, a 31st rolling to the month's last day (not yet rolled back)."""
        if p.unit == "days":
            return x + timedelta(days=p.n)
        if p.unit == "weeks":
            return x + timedelta(days=7 * p.n)
        assert p.unit == "months"
        y, m0 = divmod(x.month - 1 + p.n, 12)
        year, month = x.year + y, m0 + 1
        return date(year, month, min(x.day, _cal.monthrange(year, month)[1]))

    def after(self, x: date, p: Period) -> date:
        if p.unit == "working_days":
            return self.add_wd(x, p.n)
        return self.back(self.raw(x, p))

    def before(self, y: date, p: Period) -> date:
        if p.unit == "working_days":
            return self.sub_wd(y, p.n)
        raise AssertionError("only working-day periods are counted backwards in the profiles")


def naive_for(profile: Profile) -> Naive:
    return Naive(profile.nation, frozenset(profile.closures))


def anchor(about: str) -> date:
    """The first date written in an obligation's `about`: the event its rule counts from."""
    m = _DATE.search(about)
    assert m, f"no date in {about!r}"
    return date.fromisoformat(m.group(0))


def expected(
    rule: str, about: str, profile: Profile, plan: str, case: Mapping[str, Any]
) -> tuple[date, date | None, date | None, Period | None]:
    """(due, earliest, limit, the period counted) for one obligation, worked out naively.

    The period is returned so callers can tell working-day rows from calendar rows; None means the
    due date is an event's own date or the day before one (no period is counted).
    """
    spec = profile.rules[rule].for_plan(plan)
    assert spec is not None
    nv = naive_for(profile)
    if rule == "resolution_tier1_trigger" and "review conference no." in about:
        n = spec.review_count
        assert n is not None
        return date.fromisoformat(sorted(case["review_conferences"])[n - 1]), None, None, None
    x = anchor(about)
    if rule == "review_conference":
        p = spec.first if about.startswith("first review") else spec.period
        assert p is not None
        return nv.after(x, p), None, None, p
    if rule == "final_core_group_window":
        earliest = nv.before(x, spec.earliest) if spec.earliest else None
        return nv.back(x - ONE), earliest, None, spec.earliest
    if rule == "second_core_group" and spec.before_review:
        return nv.back(x - ONE), None, None, None
    if rule == "written_report":
        assert spec.period is not None
        return nv.before(x, spec.period), None, None, spec.period
    if rule == "quorum":
        return x, None, None, None
    if rule == "resolution_tier2_meeting":
        # counted from the Tier 2 trigger, itself 12 weeks after the last Tier 1 meeting
        assert spec.period is not None
        return nv.after(x, spec.period), None, None, spec.period
    period = spec.period
    if rule == "lead_sw_visit" and spec.per_case:
        period = Period(int(case["lead_visit_every"]), "working_days")
    assert period is not None, rule
    limit = nv.after(x, spec.limit) if spec.limit else None
    return nv.after(x, period), None, limit, period
