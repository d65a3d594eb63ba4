"""London time and the injected clock: the one definition every layer uses.

Every timescale is counted in Europe/London (the guidance's days are English, Welsh, Scottish and
Northern Irish days, all on London time); everything stored is UTC. A clock is any callable that
returns an aware datetime, injected so tests and `--now` decide what "now" is; the real clock is
read in exactly one place, `bot.clock.system_clock`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

LONDON: Final = ZoneInfo("Europe/London")

#: A clock is any callable returning an aware datetime.
Clock = Callable[[], datetime]


def fixed_clock(at: datetime) -> Clock:
    """A clock stopped at `at` (tests, `--now`); a naive time is read as London time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=LONDON)
    return lambda: at


def london_today(clock: Clock) -> date:
    return london_date(clock())


def london_date(at: datetime) -> date:
    """The London calendar day of an instant."""
    return at.astimezone(LONDON).date()
