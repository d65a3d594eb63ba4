"""Named dates per nation: the places a working-day count goes wrong if a holiday or a convention slips.

Every expected date here was counted by hand against the catalogue (docs/rules.md, "Counting
conventions"); the comment shows the count.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduling.calendar import FIRST_YEAR, LAST_YEAR, DateOutOfRange, WorkingCalendar, calendar_for
from scheduling.case import case_from_dict
from scheduling.engine import timeline
from scheduling.profiles import load_profile

ENG = calendar_for("england")
WLS = calendar_for("wales")
SCT = calendar_for("scotland")
NIR = calendar_for("northern-ireland")
ALL = {"england": ENG, "wales": WLS, "scotland": SCT, "northern-ireland": NIR}
D = date


# ---- Christmas and New Year -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "n", "due"),
    [
        # Fri 18 Dec 2026: Dec 21,22,23,24, 29,30,31, Jan 4,5,6 → 10 (25 Dec, 28 Dec observed, 1 Jan off)
        (ENG, 10, D(2027, 1, 6)),
        (WLS, 10, D(2027, 1, 6)),
        (NIR, 10, D(2027, 1, 6)),
        # Scotland also loses Mon 4 Jan (2 January observed): ... 29,30,31 (7), Jan 5,6,7 → 10
        (SCT, 10, D(2027, 1, 7)),
        # 15 WD: England Jan 7,8,11,12,13 → Wed 13 Jan; Scotland Jan 8,11,12,13,14 → Thu 14 Jan
        (ENG, 15, D(2027, 1, 13)),
        (SCT, 15, D(2027, 1, 14)),
    ],
)
def test_ten_working_days_over_christmas_2026(cal: WorkingCalendar, n: int, due: date) -> None:
    assert cal.add_working_days(D(2026, 12, 18), n) == due


def test_christmas_2026_days_off() -> None:
    for cal in ALL.values():
        for d in (D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1)):  # 28 Dec: Boxing Day observed
            assert not cal.is_working_day(d), (cal.nation, d)
        for d in (D(2026, 12, 24), D(2026, 12, 29), D(2026, 12, 31)):
            assert cal.is_working_day(d), (cal.nation, d)


def test_christmas_2027_on_a_weekend_is_observed_on_monday_and_tuesday() -> None:
    for cal in ALL.values():
        assert not cal.is_working_day(D(2027, 12, 27))
        assert not cal.is_working_day(D(2027, 12, 28))
        assert not cal.is_working_day(D(2028, 1, 3))  # New Year's Day (Sat) observed
        # Fri 24 Dec 2027 + 1 WD: skip 25-26 (weekend), 27, 28 (observed) → Wed 29 Dec
        assert cal.add_working_days(D(2027, 12, 24), 1) == D(2027, 12, 29)


# ---- Scotland: 2 January and St Andrew's Day --------------------------------------------------


def test_scotlands_second_of_january() -> None:
    assert not SCT.is_working_day(D(2026, 1, 2))  # Fri 2 Jan 2026
    assert ENG.is_working_day(D(2026, 1, 2))
    assert not SCT.is_working_day(D(2027, 1, 4))  # 2 Jan 2027 is a Saturday: observed Mon 4 Jan
    assert ENG.is_working_day(D(2027, 1, 4))
    assert not SCT.is_working_day(D(2028, 1, 4))  # 1 and 2 Jan 2028 on a weekend: Mon 3 and Tue 4
    assert ENG.is_working_day(D(2028, 1, 4))
    # Thu 31 Dec 2026 + 1 WD: England Mon 4 Jan, Scotland Tue 5 Jan
    assert ENG.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert SCT.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)


def test_st_andrews_day() -> None:
    assert not SCT.is_working_day(D(2026, 11, 30))  # a Monday
    assert ENG.is_working_day(D(2026, 11, 30))
    assert not SCT.is_working_day(D(2025, 12, 1))  # 30 Nov 2025 a Sunday: observed Mon 1 Dec
    # Fri 27 Nov 2026 + 1 WD: England Mon 30 Nov, Scotland Tue 1 Dec
    assert ENG.add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)
    assert SCT.add_working_days(D(2026, 11, 27), 1) == D(2026, 12, 1)
    # a month after Sat 31 Oct 2026 is 30 Nov: a working day in England, back to Fri 27 Nov in Scotland
    assert ENG.add_calendar(D(2026, 10, 31), 1, "months") == D(2026, 11, 30)
    assert SCT.add_calendar(D(2026, 10, 31), 1, "months") == D(2026, 11, 27)


def test_scotlands_own_august_holiday() -> None:
    assert not SCT.is_working_day(D(2027, 8, 2))  # first Monday of August
    assert SCT.is_working_day(D(2027, 8, 30))  # England's Late Summer holiday is a working day
    assert not ENG.is_working_day(D(2027, 8, 30))
    assert ENG.is_working_day(D(2027, 8, 2))


# ---- Northern Ireland: St Patrick's Day and the Twelfth ---------------------------------------


def test_st_patricks_day() -> None:
    assert not NIR.is_working_day(D(2027, 3, 17))  # Wednesday
    assert not NIR.is_working_day(D(2026, 3, 17))  # Tuesday
    assert not NIR.is_working_day(D(2024, 3, 18))  # 17 Mar 2024 a Sunday: observed Mon 18
    assert ENG.is_working_day(D(2027, 3, 17))
    # Tue 16 Mar 2027 + 1 WD: NI Thu 18, England Wed 17
    assert NIR.add_working_days(D(2027, 3, 16), 1) == D(2027, 3, 18)
    assert ENG.add_working_days(D(2027, 3, 16), 1) == D(2027, 3, 17)


def test_the_twelfth() -> None:
    assert not NIR.is_working_day(D(2027, 7, 12))  # Monday
    assert not NIR.is_working_day(D(2026, 7, 13))  # 12 Jul 2026 a Sunday: observed Mon 13
    assert not NIR.is_working_day(D(2028, 7, 12))  # Wednesday
    assert WLS.is_working_day(D(2027, 7, 12))
    assert SCT.is_working_day(D(2026, 7, 13))
    # Fri 9 Jul 2027 + 1 WD: NI Tue 13, Wales Mon 12
    assert NIR.add_working_days(D(2027, 7, 9), 1) == D(2027, 7, 13)
    assert WLS.add_working_days(D(2027, 7, 9), 1) == D(2027, 7, 12)


# ---- Easter: England/Wales/NI have Good Friday and Easter Monday, Scotland Good Friday only ---


def test_easter_2027() -> None:
    good_friday, easter_monday = D(2027, 3, 26), D(2027, 3, 29)
    for cal in (ENG, WLS, NIR):
        assert not cal.is_working_day(good_friday)
        assert not cal.is_working_day(easter_monday)
        assert cal.add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
        assert cal.roll_back(easter_monday) == D(2027, 3, 25)
    assert not SCT.is_working_day(good_friday)
    assert SCT.is_working_day(easter_monday)
    assert SCT.add_working_days(D(2027, 3, 25), 1) == easter_monday
    assert SCT.roll_back(easter_monday) == easter_monday


def test_easter_2028() -> None:
    # Mon 10 Apr 2028 + 5 WD: England 11,12,13 [14 GF, 17 EM] 18,19 → Wed 19 Apr; Scotland → Tue 18
    assert ENG.add_working_days(D(2028, 4, 10), 5) == D(2028, 4, 19)
    assert SCT.add_working_days(D(2028, 4, 10), 5) == D(2028, 4, 18)


# ---- Month ends: a 31st rolls to the month's end, then back to a working day ------------------


@pytest.mark.parametrize(
    ("start", "months", "due", "why"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 26), "28 Feb 2027 is a Sunday → Fri 26 Feb"),
        (D(2028, 1, 31), 1, D(2028, 2, 29), "leap year: Tue 29 Feb 2028"),
        (D(2027, 1, 29), 1, D(2027, 2, 26), "29 Feb 2027 does not exist → 28 (Sun) → Fri 26"),
        (D(2026, 8, 31), 1, D(2026, 9, 30), "30 Sep 2026, a Wednesday"),
        (D(2027, 3, 31), 2, D(2027, 5, 28), "31 May 2027 is the Spring holiday → Fri 28 May"),
        (D(2026, 11, 30), 3, D(2027, 2, 26), "30 Nov + 3 months = 28 Feb 2027 (Sun) → Fri 26"),
        (D(2026, 12, 31), 2, D(2027, 2, 26), "31 Dec + 2 months = 28 Feb 2027 (Sun) → Fri 26"),
        (D(2027, 10, 31), 2, D(2027, 12, 31), "31 Oct + 2 months = Fri 31 Dec 2027, a working day"),
        (D(2027, 11, 28), 1, D(2027, 12, 24), "28 Nov + 1 month = Tue 28 Dec 2027 (observed) → Fri 24 Dec"),
    ],
)
def test_month_end_rollover(start: date, months: int, due: date, why: str) -> None:
    assert ENG.add_calendar(start, months, "months") == due, why


def test_calendar_deadlines_in_days_and_weeks_roll_back() -> None:
    # Wed 23 Dec 2026 + 3 days = Sat 26 → Fri 25 (Christmas) → Thu 24 Dec
    assert SCT.add_calendar(D(2026, 12, 23), 3, "days") == D(2026, 12, 24)
    # Tue 16 Nov 2027 + 6 weeks = Tue 28 Dec (observed) → Fri 24 Dec
    assert WLS.add_calendar(D(2027, 11, 16), 6, "weeks") == D(2027, 12, 24)
    # a deadline that is already a working day stays
    assert ENG.add_calendar(D(2027, 1, 5), 6, "weeks") == D(2027, 2, 16)
    with pytest.raises(ValueError, match="unknown calendar unit"):
        ENG.add_calendar(D(2027, 1, 5), 1, "fortnights")


# ---- Start events on a weekend or a holiday: day 1 is the first working day after -------------


@pytest.mark.parametrize("start", [D(2027, 1, 15), D(2027, 1, 16), D(2027, 1, 17)])
def test_weekend_start_counts_from_the_next_working_day(start: date) -> None:
    # Fri 15, Sat 16 and Sun 17 Jan 2027 all have day 1 = Mon 18 Jan: 18-22 (5), 25-29 → 10 = Fri 29 Jan
    assert ENG.add_working_days(start, 1) == D(2027, 1, 18)
    assert ENG.add_working_days(start, 10) == D(2027, 1, 29)


def test_bank_holiday_start_counts_from_the_next_working_day() -> None:
    # Mon 3 May 2027 (May Day): day 1 = Tue 4 May; Sat 1 May the same
    assert ENG.add_working_days(D(2027, 5, 3), 1) == D(2027, 5, 4)
    assert ENG.add_working_days(D(2027, 5, 1), 10) == D(2027, 5, 17)


def test_the_event_day_itself_never_counts() -> None:
    # Wed 6 Jan 2027 is a working day; 1 WD after it is Thu 7, not Wed 6
    assert ENG.add_working_days(D(2027, 1, 6), 1) == D(2027, 1, 7)


# ---- Counting backwards, distances, rolling ---------------------------------------------------


def test_working_days_before() -> None:
    # 15 WD before Wed 10 Mar 2027: Mar 9,8,5,4,3,2,1, Feb 26,25,24,23,22,19,18,17 → Wed 17 Feb
    assert ENG.subtract_working_days(D(2027, 3, 10), 15) == D(2027, 2, 17)
    # the working day before Tue 1 Jun 2027: Mon 31 May is the Spring holiday → Fri 28 May
    assert ENG.subtract_working_days(D(2027, 6, 1), 1) == D(2027, 5, 28)
    # from a Sunday: 1 WD before Sun 17 Jan 2027 is Fri 15
    assert ENG.subtract_working_days(D(2027, 1, 17), 1) == D(2027, 1, 15)
    # Scotland: 1 WD before Tue 5 Jan 2027 skips Mon 4 (2 Jan observed) and Fri 1 → Thu 31 Dec
    assert SCT.subtract_working_days(D(2027, 1, 5), 1) == D(2026, 12, 31)


def test_working_days_between() -> None:
    assert ENG.working_days_between(D(2026, 12, 18), D(2027, 1, 6)) == 10
    assert ENG.working_days_between(D(2027, 1, 6), D(2026, 12, 18)) == -10
    assert SCT.working_days_between(D(2026, 12, 18), D(2027, 1, 6)) == 9
    assert ENG.working_days_between(D(2027, 1, 16), D(2027, 1, 17)) == 0  # a weekend


def test_roll_back_and_forward() -> None:
    assert ENG.roll_back(D(2026, 12, 26)) == D(2026, 12, 24)
    assert ENG.roll_forward(D(2026, 12, 26)) == D(2026, 12, 29)
    assert ENG.roll_back(D(2027, 1, 6)) == D(2027, 1, 6)
    assert ENG.roll_forward(D(2027, 1, 6)) == D(2027, 1, 6)


def test_holiday_names_explain_a_date() -> None:
    names = dict(SCT.non_working_between(D(2026, 12, 31), D(2027, 1, 4)))
    assert set(names) == {D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 4)}
    assert "New Year" in names[D(2027, 1, 4)]


# ---- Local closure days from a profile file --------------------------------------------------

CLOSURES_TOML = """\
name = "testshire"
title = "Testshire (invented)"
nation = "england"
inherits = "england"
closures = [2026-12-24, 2026-12-29, 2026-12-30, 2026-12-31]
"""


def test_local_closure_days_from_a_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "testshire.toml"
    path.write_text(CLOSURES_TOML, encoding="utf-8")
    prof = load_profile("testshire", [path])
    assert prof.closures == {D(2026, 12, 24), D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)}
    cal = calendar_for(prof.nation, prof.closures)
    assert not cal.is_working_day(D(2026, 12, 24))
    assert dict(cal.non_working_between(D(2026, 12, 23), D(2026, 12, 24))) == {
        D(2026, 12, 24): "local closure day"
    }
    # Fri 18 Dec 2026: Dec 21,22,23 (3) [24 closed, 25, 28, 29-31 closed, 1 Jan] Jan 4-8 (8), 11, 12 → 10
    assert cal.add_working_days(D(2026, 12, 18), 10) == D(2027, 1, 12)
    # a calendar deadline landing on a closure day moves back too: 23 Dec + 1 week = Wed 30 → Wed 23 Dec
    assert cal.add_calendar(D(2026, 12, 23), 1, "weeks") == D(2026, 12, 23)
    # the shared England calendar is untouched
    assert ENG.is_working_day(D(2026, 12, 24))
    obs = timeline(
        case_from_dict({"profile": "testshire", "plan": "cp", "start": "2026-12-18"}),
        D(2026, 12, 21),
        extra_profile_files=[path],
    )
    assert [o.due for o in obs if o.rule == "first_core_group"] == [D(2027, 1, 12)]


# ---- Limits ----------------------------------------------------------------------------------


def test_out_of_range_and_bad_arguments() -> None:
    with pytest.raises(DateOutOfRange):
        ENG.is_working_day(D(1998, 12, 31))
    with pytest.raises(DateOutOfRange):
        ENG.add_working_days(D(2078, 12, 20), 10)
    with pytest.raises(DateOutOfRange):
        ENG.subtract_working_days(D(1999, 1, 5), 5)


def test_every_accepted_date_can_be_counted_from() -> None:
    """Cases may use 2000-2075; the calendar reaches far enough either side for any catalogue rule."""
    assert FIRST_YEAR == 2000 and LAST_YEAR == 2075
    # 1 working day before Tue 4 Jan 2000: Mon 3 Jan was the New Year substitute day and Fri 31 Dec
    # 1999 the Millennium bank holiday, so Thu 30 Dec 1999
    assert ENG.subtract_working_days(D(2000, 1, 4), 1) == D(1999, 12, 30)
    # 15 months after the last accepted day, and a year of working days after it
    assert ENG.after(D(2075, 12, 31), 15, "months") == D(2077, 3, 31)
    assert ENG.working_days_between(D(2075, 12, 31), ENG.add_working_days(D(2075, 12, 31), 260)) == 260
    with pytest.raises(ValueError, match="at least 1"):
        ENG.add_working_days(D(2027, 1, 4), 0)
    with pytest.raises(ValueError, match="at least 1"):
        ENG.subtract_working_days(D(2027, 1, 4), 0)
    with pytest.raises(ValueError, match="unknown nation"):
        WorkingCalendar("cornwall")


def test_one_calendar_per_nation_and_closures() -> None:
    assert calendar_for("england") is ENG
    assert calendar_for("england", frozenset({D(2026, 12, 24)})) is not ENG


def test_bank_holiday_data_is_the_pinned_release() -> None:
    """The golden table was reviewed against holidays 0.109; pyproject.toml pins it (<0.110) so a
    new release's data cannot move a date under the table. Upgrading is a reviewed change."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    assert version("holidays").split(".")[:2] == ["0", "109"]
    deps = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    assert "holidays>=0.109,<0.110" in deps
    assert any(d.startswith("python-dateutil>=2.9,<2.10") for d in deps)
