"""Golden rows re-counted by hand, and every golden row checked against a naive day-by-day oracle.

Each pinned row below was counted on paper against the catalogue's conventions (docs/rules.md,
"Counting conventions"): the event day never counts; an event on a non-working day makes the first
working day after it day 1; a calendar deadline on a non-working day moves back to the previous
working day. The comment under each row is that count. Bank holidays are those of `holidays.UK`
for the nation: E&W 2026-27 — Christmas Fri 25 Dec, Boxing Day observed Mon 28 Dec, New Year Fri
1 Jan, Good Friday 26 Mar, Easter Monday 29 Mar, May Day 3 May, Spring 31 May, Late Summer 30 Aug;
Christmas 2027 observed Mon 27 / Tue 28 Dec and New Year 2028 Mon 3 Jan; Scotland adds 2 January
(observed Mon 4 Jan 2027; Tue 4 Jan 2028), St Andrew's Day (Mon 30 Nov 2026), its Summer holiday
(Mon 2 Aug 2027) and has no Easter Monday; Northern Ireland adds St Patrick's Day (Wed 17 Mar 2027)
and the Twelfth (Mon 12 Jul 2027; Sun 12 Jul 2026 observed Mon 13 Jul).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from scheduling.case import case_from_dict
from scheduling.engine import timeline
from scheduling.profiles import load_profile

from .naive import expected

HERE = Path(__file__).resolve().parent
SCENARIOS = {s["id"]: s for s in json.loads((HERE / "golden_cases.json").read_text(encoding="utf-8"))}
ROWS = list(csv.DictReader((HERE / "golden.csv").read_text(encoding="utf-8").splitlines()))


def _computed(scenario: str, rule: str) -> list[dict[str, str]]:
    sc = SCENARIOS[scenario]
    obs = timeline(case_from_dict(sc["case"]), date.fromisoformat(sc["today"]))
    return [
        {
            "due": o.due.isoformat(),
            "earliest": o.earliest.isoformat() if o.earliest else "",
            "limit": o.limit.isoformat() if o.limit else "",
        }
        for o in obs
        if o.rule == rule
    ]


# (scenario, rule, due, earliest or limit if any) — with the count that gives the date.
BY_HAND: list[tuple[str, str, str, str]] = [
    # ---- England ----
    ("eng-xmas", "first_core_group", "2027-01-06", ""),
    # ICPC Fri 18 Dec 2026: Dec 21,22,23,24 (4) [25 Christmas, 26-27 weekend, 28 Boxing Day observed]
    # 29,30,31 (7) [Fri 1 Jan] Jan 4,5,6 → 10 = Wed 6 Jan 2027
    ("eng-sat-start", "first_core_group", "2027-05-17", ""),
    # ICPC Sat 1 May 2027; Sun 2; Mon 3 May Day; day 1 = Tue 4: May 4,5,6,7 (4), 10-14 (9), 17 → 10
    ("eng-easter-next", "next_core_group", "2027-03-25", ""),
    # Mon 15 Feb 2027 + 42 days = Mon 29 Mar (Easter Monday) ← Fri 26 (Good Friday) ← Thu 25 Mar
    ("eng-month-end", "review_conference", "2027-02-26", ""),
    # 30 Nov 2026 + 3 months = Sun 28 Feb 2027 (February has no 30th) ← Sat 27 ← Fri 26 Feb
    ("eng-review-held", "review_conference", "2027-03-25", ""),
    # held review Tue 29 Sep 2026 + 6 months = Mon 29 Mar 2027 (Easter Mon) ← Good Fri ← Thu 25 Mar
    ("eng-bank-holiday-start", "first_core_group", "2026-09-14", ""),
    # ICPC on Mon 31 Aug 2026 (Late Summer holiday): Sep 1,2,3,4 (4), 7-11 (9), 14 → 10
    # ---- Wales ----
    ("wls-xmas-2027", "first_core_group", "2028-01-05", ""),
    # Fri 17 Dec 2027: Dec 20-24 (5) [25-26 weekend, 27 & 28 observed] 29,30,31 (8)
    # [Sat 1, Sun 2, Mon 3 Jan observed] Jan 4, 5 → 10 = Wed 5 Jan 2028
    ("wls-easter-2028", "first_core_group", "2028-04-19", ""),
    # Mon 3 Apr 2028: Apr 4,5,6,7 (4), 10,11,12,13 (8) [Fri 14 Good Friday, Mon 17 Easter Monday] 18, 19 → 10
    ("wls-next-xmas", "next_core_group", "2027-12-24", ""),
    # Tue 16 Nov 2027 + 42 days = Tue 28 Dec (observed) ← Mon 27 (observed) ← Sun 26 ← Sat 25 ← Fri 24 Dec
    ("ctm-tiers", "resolution_tier2_meeting", "2027-07-14", ""),
    # Tier 2 trigger Wed 30 Jun 2027 (Tier 1 Wed 7 Apr + 12 weeks); Wales has no 12 July:
    # Jul 1,2 (2), 5-9 (7), 12,13,14 → 10
    ("ctm-request-xmas", "resolution_tier1_meeting", "2028-01-06", ""),
    # request Mon 20 Dec 2027: Dec 21,22,23,24 (4) [27, 28 observed] 29,30,31 (7)
    # [Mon 3 Jan observed] Jan 4,5,6 → 10
    ("ctm-new-year", "minutes_circulated", "2027-01-12", ""),
    # core group Tue 5 Jan 2027, record within 5 WD: Jan 6,7,8,11,12 → 5
    ("ctm-new-year", "resolution_tier1_trigger", "2028-03-17", ""),
    # registered 18 Dec 2026 + 15 months = Sat 18 Mar 2028 ← Fri 17 Mar
    # ---- Scotland ----
    ("sct-xmas", "first_core_group", "2027-01-14", ""),
    # CPPM Fri 18 Dec 2026, 15 WD: Dec 21-24 (4) [25, 28] 29,30,31 (7)
    # [Fri 1 Jan; Mon 4 Jan = 2 January observed]
    # Jan 5,6,7,8 (11), 11,12,13,14 → 15 = Thu 14 Jan (England's 15th would be Wed 13 Jan)
    ("sct-st-andrew", "first_core_group", "2026-12-08", ""),
    # CPPM Mon 16 Nov 2026: Nov 17-20 (4), 23-27 (9) [Mon 30 Nov St Andrew's Day] Dec 1-4 (13), 7, 8 → 15
    ("sct-easter", "first_core_group", "2027-04-06", ""),
    # CPPM Mon 15 Mar 2027: Mar 16-19 (4), 22-25 (8) [Fri 26 Good Friday] Mon 29 (no Easter Monday in
    # Scotland), 30, 31, Apr 1, 2 (13), 5, 6 → 15 (England: Apr 7)
    ("sct-change-xmas", "significant_change_to_conference_chair", "2026-12-24", ""),
    # change Wed 23 Dec 2026 + 3 calendar days = Sat 26 Dec ← Fri 25 (Christmas) ← Thu 24 Dec
    ("sct-new-year-2028", "significant_change_to_conference_chair", "2027-12-31", ""),
    # change Fri 31 Dec 2027 + 3 days = Mon 3 Jan 2028 (New Year observed) ← Sun 2 ← Sat 1 ← Fri 31 Dec:
    # rolled back to the day of the change itself
    ("sct-new-year-2028", "first_core_group", "2028-01-14", ""),
    # CPPM Mon 20 Dec 2027: Dec 21-24 (4) [27, 28] 29,30,31 (7) [Mon 3 Jan, Tue 4 Jan = 2 Jan observed]
    # Jan 5,6,7 (10), 10-14 → 15
    ("sct-change-on-christmas", "significant_change_to_conference_chair", "2027-12-24", ""),
    # change Sat 25 Dec 2027 + 3 days = Tue 28 Dec (observed) ← Mon 27 (observed) ← Sun 26 ← Sat 25
    # ← Fri 24 Dec: the convention puts the deadline the day BEFORE the change (reported as a doubt)
    ("sct-august", "next_core_group", "2027-07-30", ""),
    # Mon 21 Jun 2027 + 42 days = Mon 2 Aug (Scotland's Summer holiday) ← Sun ← Sat ← Fri 30 Jul
    ("sct-st-andrew", "review_conference", "2027-05-14", ""),
    # CPPM 16 Nov 2026 + 6 months = Sun 16 May 2027 ← Sat 15 ← Fri 14 May
    # ---- Northern Ireland ----
    ("nir-patrick", "first_core_group", "2027-03-22", ""),
    # Fri 5 Mar 2027: Mar 8-12 (5), 15, 16 (7) [Wed 17 St Patrick's Day] 18, 19 (9), 22 → 10
    ("nir-twelfth", "first_core_group", "2027-07-15", ""),
    # Wed 30 Jun 2027: Jul 1, 2 (2), 5-9 (7) [Mon 12 Jul] 13, 14, 15 → 10
    ("nir-twelfth-observed", "next_core_group", "2026-07-10", ""),
    # Mon 1 Jun 2026 + 42 days = Mon 13 Jul (12 July, a Sunday, observed) ← Sun ← Sat ← Fri 10 Jul
    ("nir-twelfth-observed", "first_core_group", "2026-06-01", ""),
    # Fri 15 May 2026: May 18-22 (5) [Mon 25 Spring holiday] 26, 27, 28, 29 (9), Jun 1 → 10
    ("nir-easter", "first_core_group", "2027-04-06", ""),
    # Fri 19 Mar 2027: Mar 22-25 (4) [26 Good Friday, 29 Easter Monday] 30, 31, Apr 1, 2 (8), 5, 6 → 10
    ("nir-patrick", "review_conference", "2027-06-04", ""),
    # 5 Mar 2027 + 3 months = Sat 5 Jun ← Fri 4 Jun
    # ---- Newham ----
    ("newham-full", "school_move_core_group", "2027-01-25", ""),
    # school move Mon 11 Jan 2027: Jan 12-15 (4), 18-22 (9), 25 → 10
    ("newham-full", "escalation_stage", "2027-02-03", ""),
    # stage 2 started Wed 27 Jan 2027, a working week: Jan 28, 29, Feb 1, 2, 3 → 5
    ("newham-full", "final_core_group_window", "2027-03-09", "2027-02-17"),
    # review Wed 10 Mar 2027; due the working day before = Tue 9 Mar; earliest, 15 WD before:
    # Mar 9,8 (2), 5,4,3,2,1 (7), Feb 26,25,24,23,22 (12), 19,18,17 → 15 = Wed 17 Feb
    ("newham-minutes-xmas", "minutes_circulated", "2026-12-24", ""),
    # core group Mon 21 Dec 2026 + 7 days = Mon 28 Dec (Boxing Day observed) ← Sun ← Sat ← Fri 25 ← Thu 24
    ("newham-not-quorate", "final_core_group_window", "2027-06-10", "2027-05-20"),
    # review due by Fri 11 Jun 2027 (12 Mar + 3 months = Sat 12 Jun ← Fri 11); due Thu 10 Jun;
    # earliest: Jun 10,9,8,7 (4), 4,3,2,1 (8) [Mon 31 May Spring holiday] May 28,27,26,25,24 (13), 21, 20 → 15
    # ---- Shropshire ----
    ("shrop-cp-month-end", "next_core_group", "2027-02-26", ""),
    # Fri 29 Jan 2027 + 1 month = 29 Feb → rolls to Sun 28 Feb 2027 ← Sat 27 ← Fri 26 Feb
    ("shrop-cp-leap", "next_core_group", "2028-02-29", ""),
    # Mon 31 Jan 2028 + 1 month = Tue 29 Feb 2028 (leap year, a working day)
    ("shrop-cp-leap", "review_conference", "2028-04-13", ""),
    # ICPC Fri 14 Jan 2028 + 3 months = Fri 14 Apr 2028 (Good Friday) ← Thu 13 Apr
    ("shrop-cp-month-end", "minutes_circulated", "2027-02-09", ""),
    # Fri 29 Jan 2027, 7 WD: Feb 1-5 (5), 8, 9 → 7
    ("shrop-cin-easter", "first_core_group", "2027-04-06", ""),
    # assessment Fri 19 Mar 2027: Mar 22-25 (4) [26, 29 Easter] 30, 31, Apr 1, 2 (8), 5, 6 → 10
    ("shrop-cin-easter", "next_core_group", "2027-04-30", "2027-06-24"),
    # Thu 1 Apr 2027 + 1 month = Sat 1 May ← Fri 30 Apr; limit + 12 weeks (84 days) = Thu 24 Jun
    ("shrop-lac-xmas", "first_core_group", "2027-12-24", ""),
    # first LAC review Tue 30 Nov 2027 + 28 days = Tue 28 Dec (observed) ← Mon 27 (observed)
    # ← Sun ← Sat ← Fri 24 Dec
    ("shrop-lac-review-xmas", "next_core_group", "2027-12-31", "2028-02-25"),
    # Fri 3 Dec 2027 + 1 month = Mon 3 Jan 2028 (New Year observed) ← Sun 2 ← Sat 1 ← Fri 31 Dec;
    # limit 3 Dec + 84 days = Fri 25 Feb 2028
    ("shrop-cp-review-held", "post_review_core_group", "2027-01-06", ""),
    # review Wed 23 Dec 2026 + 14 days = Wed 6 Jan 2027
    # ---- Suffolk ----
    ("suffolk-example", "minutes_circulated", "2027-01-26", ""),
    # core group Tue 5 Jan 2027, 15 WD: Jan 6,7,8 (3), 11-15 (8), 18-22 (13), 25, 26 → 15
    ("suffolk-example", "lead_sw_visit", "2027-01-13", ""),
    # since ICPC Fri 18 Dec 2026, 15 WD: ... Jan 6 is the 10th (see eng-xmas), Jan 7, 8, 11, 12, 13 → 15
    ("suffolk-easter", "significant_change_to_conference_chair", "2027-04-02", ""),
    # change Wed 24 Mar 2027, 5 WD: Mar 25 (1) [26 Good Friday, 29 Easter Monday] 30, 31, Apr 1, 2 → 5
    ("suffolk-easter", "chair_update_to_lead_sw", "2027-03-17", ""),
    # meeting Fri 12 Mar 2027 without the SW, 3 WD: Mar 15, 16, 17 → 3
    ("suffolk-easter", "final_core_group_window", "2027-05-19", "2027-04-28"),
    # review Thu 20 May 2027: May 19,18,17 (3), 14-10 (8), 7,6,5,4 (12) [Mon 3 May] Apr 30, 29, 28 → 15
    ("suffolk-sunday-start", "first_core_group", "2027-09-13", ""),
    # ICPC Sun 29 Aug 2027; Mon 30 Aug Late Summer holiday; Aug 31 (1), Sep 1,2,3 (4), 6-10 (9), 13 → 10
    # ---- Sandwell ----
    ("sandwell-may", "written_report", "2027-05-28", ""),
    # core group Tue 1 Jun 2027; the working day before: Mon 31 May is the Spring holiday → Fri 28 May
    ("sandwell-minutes-easter", "minutes_circulated", "2027-03-25", ""),
    # Mon 22 Mar 2027 + 7 days = Mon 29 Mar (Easter Monday) ← Sun ← Sat ← Fri 26 (Good Friday) ← Thu 25
    ("sandwell-minutes-easter", "next_core_group", "2027-04-30", ""),
    # Mon 22 Mar 2027 + 42 days = Mon 3 May (May Day) ← Sun ← Sat ← Fri 30 Apr
]


def test_enough_rows_are_pinned_by_hand_across_every_nation() -> None:
    assert len(BY_HAND) >= 25
    nations = {load_profile(SCENARIOS[s]["case"]["profile"]).nation for s, *_ in BY_HAND}
    assert nations == {"england", "wales", "scotland", "northern-ireland"}


@pytest.mark.parametrize(
    ("scenario", "rule", "due", "other"), BY_HAND, ids=[f"{s}:{r}" for s, r, *_ in BY_HAND]
)
def test_row_counted_by_hand(scenario: str, rule: str, due: str, other: str) -> None:
    got = _computed(scenario, rule)
    assert got, f"{scenario} has no {rule}"
    first = got[0]
    assert first["due"] == due
    if other:
        assert other in (first["earliest"], first["limit"])
    # and the reviewed table says the same
    rows = [r for r in ROWS if r["scenario"] == scenario and r["rule"] == rule]
    assert rows and rows[0]["due"] == due


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['scenario']}:{r['rule']}:{i}" for i, r in enumerate(ROWS)])
def test_every_golden_row_agrees_with_the_naive_oracle(row: dict[str, str]) -> None:
    profile = load_profile(row["profile"])
    case = SCENARIOS[row["scenario"]]["case"]
    due, earliest, limit, _period = expected(row["rule"], row["about"], profile, row["plan"], case)
    assert row["due"] == due.isoformat()
    assert row["earliest"] == (earliest.isoformat() if earliest else "")
    assert row["limit"] == (limit.isoformat() if limit else "")


def test_oracle_checks_many_working_day_rows() -> None:
    """Most rules count working days; make sure the oracle really exercised them."""
    wd = 0
    for row in ROWS:
        profile = load_profile(row["profile"])
        case = SCENARIOS[row["scenario"]]["case"]
        *_, period = expected(row["rule"], row["about"], profile, row["plan"], case)
        wd += period is not None and period.unit == "working_days"
    assert wd >= 60


def test_shropshire_window_before_the_first_review_needs_the_second_core_group() -> None:
    """001's table: "the second and later core groups are held before the review conference". Before
    the first review the first core group (held straight after the ICPC) does not meet the window;
    after a review any later core group does, even when one was held on the review's own day."""
    sc = SCENARIOS["shrop-cp-second-before-review"]
    today = date.fromisoformat(sc["today"])

    def window(doc: dict[str, object], on: date = today) -> tuple[str, date | None]:
        [w] = [o for o in timeline(case_from_dict(doc), on) if o.rule == "final_core_group_window"]
        return w.status, w.met_on

    assert window(sc["case"]) == ("met", date(2027, 2, 25))
    only_first = {**sc["case"], "meetings": sc["case"]["meetings"][:1]}
    assert window(only_first) == ("due", None)
    after_review = {
        **sc["case"],
        "review_conferences": ["2027-04-14"],
        "meetings": [*sc["case"]["meetings"], {"date": "2027-04-14"}, {"date": "2027-05-10"}],
    }
    assert window(after_review, date(2027, 6, 1)) == ("met", date(2027, 5, 10))


def test_tier_meetings_entered_as_meetings_count_for_the_resolution_rules() -> None:
    """A Tier 1 meeting given as `meetings[].kind = "resolution_tier1"` (the way the bot records it)
    is the same fact as `resolution.tier1_meetings`: the case goes on to the Tier 2 trigger (004 §5),
    and a cancelled Tier meeting counts for nothing."""
    base = {
        "profile": "cwm-taf-morgannwg",
        "plan": "cp",
        "start": "2026-01-05",
        "review_conferences": ["2026-04-01", "2026-09-30", "2027-03-17"],
        "meetings": [{"kind": "core_group", "date": "2026-01-15"}],
    }
    as_meeting = {**base, "meetings": [*base["meetings"], {"kind": "resolution_tier1", "date": "2027-03-25"}]}
    as_resolution = {**base, "resolution": {"tier1_meetings": ["2027-03-25"]}}
    on = date(2027, 7, 1)

    def rules(doc: dict[str, object]) -> dict[str, tuple[str, date]]:
        return {
            o.rule: (o.status, o.due)
            for o in timeline(case_from_dict(doc), on)
            if o.rule.startswith("resolution_")
        }

    got = rules(as_meeting)
    assert got == rules(as_resolution)
    assert got["resolution_tier1_meeting"][0] == "met"
    assert got["resolution_tier2_trigger"] == ("overdue", date(2027, 6, 17))
    assert "resolution_tier2_meeting" in got
    cancelled = {
        **base,
        "meetings": [
            *base["meetings"],
            {"kind": "resolution_tier1", "date": "2027-03-25", "status": "cancelled"},
        ],
    }
    assert "resolution_tier2_trigger" not in rules(cancelled)
