"""Calendar invitations for core group meetings: Microsoft Graph when configured, .ics files otherwise.

`make_calendar` is the one place that chooses; everything else talks to `CalendarPort`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.calendar.invite import Attendee, Invite, MemberContact, attendees_for, make_uid
from bot.calendar.port import CalendarError, CalendarPort, Slot, SlotOffer, SlotRequest

if TYPE_CHECKING:
    from bot.calendar.ics import Publish
    from bot.clock import Clock
    from bot.settings import Settings

log = logging.getLogger("coregroup.calendar")

__all__ = [
    "Attendee",
    "CalendarError",
    "CalendarPort",
    "Invite",
    "MemberContact",
    "Slot",
    "SlotOffer",
    "SlotRequest",
    "attendees_for",
    "make_calendar",
    "make_uid",
]


def make_calendar(settings: Settings, publish: Publish, clock: Clock | None = None) -> CalendarPort:
    """Graph when all four GRAPH_* settings are set, else the .ics fallback that posts files through
    `publish`. Call it inside the calendar worker's event loop (`bot.calendar.worker`)."""
    from bot.calendar.graph import GraphCalendar, graph_configured
    from bot.calendar.ics import IcsCalendar
    from bot.clock import system_clock

    if graph_configured(settings):
        log.info(
            "calendar: Microsoft Graph at %s, organiser %s", settings.graph_base_url, settings.graph_organiser
        )
        return GraphCalendar.from_settings(settings)
    log.info("calendar: GRAPH_* settings incomplete; invitations are .ics files in the channel")
    return IcsCalendar(publish, clock or system_clock)
