"""Time is injected: the one place that reads the real clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: A clock is any callable returning an aware datetime.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock stopped at `at` (tests, `--now`)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=LONDON)
    return lambda: at


def london_today(clock: Clock) -> date:
    return clock().astimezone(LONDON).date()
