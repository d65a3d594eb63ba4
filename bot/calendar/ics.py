"""The RFC 5545 fallback: without Graph settings every meeting becomes an .ics file in the channel.

Members open the attachment in whatever calendar they use. What makes repeated files behave as one
meeting rather than a pile of copies is RFC 5545/5546: the same UID for the meeting's whole life,
a SEQUENCE that goes up with every change (`Invite.changed`), METHOD:REQUEST for a new or changed
meeting and METHOD:CANCEL with STATUS:CANCELLED to remove it.

Times are written as Europe/London wall-clock times with a TZID and a VTIMEZONE that carries the UK
rule itself (last Sunday of March / October), so the file is right for any year and in clients that
do not know Olson names.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from bot.calendar.invite import Invite, body_text, subject, when_text, where_text
from bot.calendar.port import SlotOffer, SlotRequest
from bot.calendar.slots import offer_slots
from bot.clock import Clock, system_clock
from handlers.i18n import _

PRODID = "-//coregroup//coregroup calendar 1.0//EN"
TZID = "Europe/London"

#: The UK rule since 1996 (Summer Time Order; EU directive 2000/84/EC): BST from 01:00 GMT on the
#: last Sunday of March to 01:00 GMT (02:00 BST) on the last Sunday of October.
LONDON_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

Method = Literal["REQUEST", "CANCEL"]


def _london_timezone() -> Timezone:
    tz = Calendar.from_ical(LONDON_VTIMEZONE.replace("\n", "\r\n"))
    assert isinstance(tz, Timezone)
    return tz


def _address(email: str, cn: str, **params: str) -> vCalAddress:
    addr = vCalAddress(f"mailto:{email}")
    addr.params["CN"] = vText(cn)
    for k, v in params.items():
        addr.params[k] = vText(v)
    return addr


def to_ics(
    invite: Invite, *, method: Method = "REQUEST", comment: str | None = None, stamp: datetime | None = None
) -> bytes:
    """One VCALENDAR with the VTIMEZONE and one VEVENT for `invite` (CRLF lines, UTF-8)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_london_timezone())

    ev = Event()
    ev.add("uid", invite.uid)
    ev.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    ev.add("sequence", invite.sequence)
    ev.add("dtstart", invite.local_start.replace(tzinfo=None), parameters={"TZID": TZID})
    ev.add("dtend", invite.local_end.replace(tzinfo=None), parameters={"TZID": TZID})
    ev.add("summary", subject(invite))
    description = body_text(invite)
    if comment:
        description = f"Cancelled: {comment}\n\n{description}"
        ev.add("comment", comment)
    ev.add("description", description)
    ev.add("location", where_text(invite))
    if invite.online and invite.online_url:
        ev.add("url", invite.online_url)
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    ev.add("transp", "OPAQUE")
    ev.add("class", "PRIVATE")
    ev.add("organizer", _address(invite.organiser, f"{invite.case_ref} core group"))
    for a in invite.attendees:
        ev.add(
            "attendee",
            _address(
                a.email,
                a.role,
                CUTYPE="INDIVIDUAL",
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE",
            ),
        )
    cal.add_component(ev)
    return bytes(cal.to_ical())


def filename(invite: Invite, method: Method = "REQUEST") -> str:
    """`CG-0421-core_group-20270105.ics`: the case reference, the kind and the date, no names."""
    tail = "-cancelled" if method == "CANCEL" else ""
    return f"{invite.case_ref}-{invite.kind}-{invite.local_start:%Y%m%d}{tail}.ics"


@dataclass(frozen=True, slots=True)
class IcsFile:
    """An .ics attachment and the channel message it goes with."""

    filename: str
    content: bytes
    method: Method
    uid: str
    sequence: int
    message: str
    #: The case the file belongs to: `publish` posts it in that case's channel.
    case_ref: str = ""


Publish = Callable[[IcsFile], Awaitable[None] | None]


class IcsCalendar:
    """The `CalendarPort` for deployments without Graph: each change publishes an .ics file.

    `publish` attaches the file to a message in the case channel (the Slack adapter uploads it).
    The event id is the UID. SEQUENCE is the invite's: callers store it and pass `Invite.changed()`
    for every change, so two files for the same meeting never carry the same number.
    """

    def __init__(self, publish: Publish, clock: Clock = system_clock) -> None:
        self._publish = publish
        self._clock = clock

    async def _send(self, invite: Invite, method: Method, message: str, comment: str | None = None) -> None:
        f = IcsFile(
            filename=filename(invite, method),
            content=to_ics(invite, method=method, comment=comment, stamp=self._clock()),
            method=method,
            uid=invite.uid,
            sequence=invite.sequence,
            message=message,
            case_ref=invite.case_ref,
        )
        result = self._publish(f)
        if inspect.isawaitable(result):
            await result

    async def create(self, invite: Invite) -> str:
        await self._send(
            invite,
            "REQUEST",
            (
                # subject(): Welsh first for a Welsh profile's case (docs/cymraeg.md).
                f"{subject(invite)}, {when_text(invite)}, {where_text(invite)}. "
                "Open the attached invitation to add it to your calendar."
            ),
        )
        return invite.uid

    async def update(self, event_id: str, invite: Invite) -> None:
        await self._send(
            invite,
            "REQUEST",
            (
                f"{invite.case_ref}: the {invite.label} is now {when_text(invite)}, {where_text(invite)}. "
                "Open the attached invitation to update your calendar."
            ),
        )

    async def update_attendees(self, event_id: str, invite: Invite) -> None:
        await self._send(
            invite,
            "REQUEST",
            (
                f"{invite.case_ref}: the invitation list for the {invite.label} on {when_text(invite)} has "
                "changed. New members: open the attached invitation to add it to your calendar."
            ),
        )

    async def cancel(self, event_id: str, invite: Invite, message: str) -> None:
        await self._send(
            invite,
            "CANCEL",
            (
                f"{invite.case_ref}: the {invite.label} on {when_text(invite)} is cancelled: {message}. "
                "Open the attached file to remove it from your calendar."
            ),
            comment=message,
        )

    async def find_slots(self, request: SlotRequest) -> SlotOffer:
        return offer_slots(request, None, note=_("no Microsoft Graph connection, so calendars are not read"))
