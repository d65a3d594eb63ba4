"""Reminders go out on working days inside working hours, right across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from scheduling.calendar import calendar_for
from scheduling.hours import in_working_hours, next_send_time, send_time_on
from scheduling.profiles import WorkingHours

ENG = calendar_for("england")
SCT = calendar_for("scotland")
HOURS = WorkingHours()


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_inside_hours_sends_now() -> None:
    at = utc(2027, 1, 6, 11, 0)  # Wed, GMT
    assert next_send_time(at, ENG, HOURS) == at
    assert in_working_hours(at, ENG, HOURS)


def test_evening_waits_for_next_working_morning_over_easter_and_clock_change() -> None:
    # Thu 25 Mar 2027 17:30 GMT; Good Friday 26th, clocks go forward Sun 28th, Easter Monday 29th.
    at = utc(2027, 3, 25, 17, 30)
    assert next_send_time(at, ENG, HOURS) == utc(2027, 3, 30, 8, 0)  # 09:00 BST
    # Scotland has no Easter Monday holiday: Mon 29 Mar 09:00 BST.
    assert next_send_time(at, SCT, HOURS) == utc(2027, 3, 29, 8, 0)


def test_october_clock_change() -> None:
    # Fri 29 Oct 2027 17:00 BST is 16:00 UTC: closed. Clocks go back Sun 31 Oct.
    assert not in_working_hours(utc(2027, 10, 29, 16, 0), ENG, HOURS)
    assert next_send_time(utc(2027, 10, 29, 16, 0), ENG, HOURS) == utc(2027, 11, 1, 9, 0)
    # 08:30 UTC on Mon 1 Nov is 08:30 GMT: before opening.
    assert not in_working_hours(utc(2027, 11, 1, 8, 30), ENG, HOURS)
    # 08:30 UTC in summer is 09:30 BST: open.
    assert in_working_hours(utc(2027, 7, 1, 8, 30), ENG, HOURS)


def test_bank_holidays_and_weekends_are_closed() -> None:
    assert not in_working_hours(utc(2026, 12, 28, 11, 0), ENG, HOURS)  # Boxing Day observed
    assert not in_working_hours(utc(2026, 11, 30, 11, 0), SCT, HOURS)  # St Andrew's Day
    assert in_working_hours(utc(2026, 11, 30, 11, 0), ENG, HOURS)
    assert not in_working_hours(utc(2027, 1, 9, 11, 0), ENG, HOURS)  # Saturday


def test_send_time_on_a_holiday_moves_to_next_working_day() -> None:
    assert send_time_on(date(2027, 1, 1), ENG, HOURS) == utc(2027, 1, 4, 9, 0)
    assert send_time_on(date(2027, 1, 5), ENG, HOURS, time(10, 0)) == utc(2027, 1, 5, 10, 0)
    # a requested time outside working hours falls back to the opening time
    assert send_time_on(date(2027, 1, 5), ENG, HOURS, time(19, 0)) == utc(2027, 1, 5, 9, 0)
