"""Shared values for the calendar tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.calendar.graph import GraphCalendar
from bot.calendar.invite import Attendee, Invite, make_uid
from bot.settings import Settings

T = TypeVar("T")
LONDON = ZoneInfo("Europe/London")
ORGANISER = "coregroup@council.example.test"


def with_graph(settings: Settings, fn: Callable[[GraphCalendar], Awaitable[T]]) -> T:
    """Run `fn(port)` on a fresh loop with a GraphCalendar made inside it, closed afterwards."""

    async def main() -> T:
        port = GraphCalendar.from_settings(settings)
        try:
            return await fn(port)
        finally:
            await port.aclose()

    return asyncio.run(main())


def london(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


ATTENDEES = (
    Attendee("lsw@council.example.test", "Lead social worker"),
    Attendee("hv@nhs.example.test", "Health visitor"),
    Attendee("dsl@school.example.test", "School"),
)


def make_invite(**over: object) -> Invite:
    base: dict[str, object] = dict(
        uid=make_uid("CG-0421", 17),
        case_ref="CG-0421",
        kind="core_group",
        starts_at=london(2027, 1, 5, 10),
        ends_at=london(2027, 1, 5, 11, 30),
        organiser=ORGANISER,
        attendees=ATTENDEES,
        venue="Family centre, Room 2",
        profile="shropshire",
    )
    base.update(over)
    return Invite(**base)  # type: ignore[arg-type]
