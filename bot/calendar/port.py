"""The calendar port: what the rest of the bot may ask of a calendar, whoever provides it.

Two adapters sit behind it -- Microsoft Graph (`bot.calendar.graph.GraphCalendar`) and the RFC 5545
file fallback (`bot.calendar.ics.IcsCalendar`) -- so the meeting handlers and the outbox never know
which one a deployment has. The methods are async because the Graph SDK is; they are called from
the background calendar worker, never from the code that acknowledges a Slack request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

from bot.calendar.invite import Invite
from scheduling.profiles import WorkingHours


class CalendarError(Exception):
    """A calendar operation that did not happen.

    `message` is written to be shown in the case channel as it is: it never carries tokens,
    addresses or Graph's own error text (which can echo request data). `retryable` tells the
    outbox whether trying again later can help (throttling, outages) or not (a refused request).
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.code = code
        #: Seconds the service asked us to wait (Retry-After), when it said so.
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """ "Book the next one before you leave": a window for the next meeting and who must fit."""

    case_ref: str
    #: The rule's deadline: the last London date the meeting may be held on (inclusive).
    deadline: date
    #: No slot starts before this (usually now, or the day after the meeting just held).
    earliest: datetime
    lead_social_worker: str | None
    #: Other members' addresses; free/busy is read for those in the organiser's tenant.
    attendees: tuple[str, ...] = ()
    kind: str = "core_group"
    duration: timedelta = timedelta(hours=1, minutes=30)
    nation: str = "england"
    hours: WorkingHours = field(default_factory=WorkingHours)
    closures: frozenset[date] = frozenset()
    max_slots: int = 3
    step: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    #: Of the people whose free/busy could be read, how many are free (lead social worker included).
    free: int = 0
    checked: int = 0


@dataclass(frozen=True, slots=True)
class SlotOffer:
    slots: tuple[Slot, ...]
    basis: Literal["free/busy", "working hours"]
    #: False when no slot with the lead social worker fits before the deadline.
    fits: bool
    #: The lines for the channel, catalogue sentences (the first works as a notification preview).
    lines: tuple[str, ...]
    checked: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """The offer as plain English text, a line each (logs and tests)."""
        return "\n".join(self.lines)


@runtime_checkable
class CalendarPort(Protocol):
    async def create(self, invite: Invite) -> str:
        """Send the invitation; returns the calendar's event id (the Invite's UID for .ics files).
        Safe to repeat for the same invite: a retry never makes a second event."""
        ...

    async def update(self, event_id: str, invite: Invite) -> None:
        """Time, place, subject and body changed (a reschedule)."""
        ...

    async def update_attendees(self, event_id: str, invite: Invite) -> None:
        """A member joined or left: the attendee list becomes `invite.attendees`."""
        ...

    async def cancel(self, event_id: str, invite: Invite, message: str) -> None:
        """Cancel the meeting for everyone, with `message` as the reason they see."""
        ...

    async def find_slots(self, request: SlotRequest) -> SlotOffer: ...
