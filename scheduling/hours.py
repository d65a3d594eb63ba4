"""When a reminder may be sent: working days of the case's nation, inside the profile's working hours.

Times are Europe/London wall-clock times, so "09:00" stays 09:00 across the March and October clock
changes; everything stored is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from scheduling.calendar import WorkingCalendar
from scheduling.london import LONDON
from scheduling.profiles import WorkingHours


def local(d: date, t: time) -> datetime:
    """A London wall-clock time on `d`, as an aware UTC datetime."""
    return datetime.combine(d, t, tzinfo=LONDON).astimezone(UTC)


def in_working_hours(at: datetime, cal: WorkingCalendar, hours: WorkingHours) -> bool:
    here = at.astimezone(LONDON)
    return cal.is_working_day(here.date()) and hours.start <= here.time() < hours.end


def next_send_time(at: datetime, cal: WorkingCalendar, hours: WorkingHours) -> datetime:
    """`at` if a reminder may go out then, else the start of the next working morning."""
    here = at.astimezone(LONDON)
    d = here.date()
    if cal.is_working_day(d):
        if here.time() < hours.start:
            return local(d, hours.start)
        if here.time() < hours.end:
            return at.astimezone(UTC)
    nxt = cal.roll_forward(d + timedelta(days=1))
    return local(nxt, hours.start)


def send_time_on(d: date, cal: WorkingCalendar, hours: WorkingHours, at: time | None = None) -> datetime:
    """The moment a reminder planned for day `d` goes out: `at` (default the start of working hours)
    on `d`, or on the next working day when `d` is not one."""
    day = cal.roll_forward(d)
    t = at if at is not None and hours.start <= at < hours.end else hours.start
    return local(day, t)
