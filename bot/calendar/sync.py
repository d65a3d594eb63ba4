"""One outbox step for a calendar invitation: try it, and decide what the outbox row becomes.

Why the decision lives here and not in the outbox: it is the same for every calendar change
(create, reschedule, attendee change, cancel) and for both adapters, and it has to be testable
without a database. The SDK has already retried 429/503/504 honouring `Retry-After` by the time a
`CalendarError` arrives, so what is left is the longer wait: exponential backoff measured in
minutes, never shorter than what the service asked for. The channel hears about it once -- when
the failure has persisted for `REPORT_AFTER` attempts, or at once when retrying cannot help --
because a message per attempt would bury the case channel (docs/messages.md, "Noise").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from bot.calendar.invite import Invite
from bot.calendar.port import CalendarError, CalendarPort
from bot.clock import Clock, system_clock
from scheduling.london import LONDON
from scheduling.wording import short_date

#: The attempt whose failure is reported in the channel (the row stays pending after it).
REPORT_AFTER = 3
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ATTENDEES = "attendees"
    CANCEL = "cancel"


_WHAT = {
    Action.CREATE: "the invitation",
    Action.UPDATE: "the new time and place",
    Action.ATTENDEES: "the updated invitation list",
    Action.CANCEL: "the cancellation",
}


@dataclass(frozen=True, slots=True)
class SyncResult:
    status: Literal["sent", "pending", "failed"]
    action: Action
    #: Attempts made so far, this one included (store it on the outbox row).
    attempts: int
    event_id: str | None = None
    #: When the outbox should try again (pending only).
    retry_at: datetime | None = None
    #: The channel message passed to `on_failure` by this call, if any.
    reported: str | None = None
    #: Sent after a failure had been reported: the channel may want to hear it went through.
    recovered: bool = False
    error: CalendarError | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most 6 hours, at least Retry-After."""
    wait = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempt - 1)))
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait


def _when(at: datetime, now: datetime) -> str:
    here, today = at.astimezone(LONDON), now.astimezone(LONDON).date()
    return f"{here:%H:%M}" if here.date() == today else f"{here:%H:%M} on {short_date(here.date())}"


def failure_message(
    invite: Invite, action: Action, err: CalendarError, retry_at: datetime | None, now: datetime
) -> str:
    """What the channel reads: what failed and why, what the bot does next, what people can do."""
    head = f"{invite.case_ref}: {_WHAT[action]} could not be sent: {err.message}."
    outside = (
        "Members outside this channel have not been told yet; if the meeting is soon, let them know yourself."
    )
    if retry_at is not None:
        return f"{head} I will try again at {_when(retry_at, now)}. {outside}"
    return f"{head} I will not retry this one. {outside}"


async def sync_invitation(
    port: CalendarPort,
    invite: Invite,
    on_failure: Callable[[str], None],
    *,
    action: Action = Action.CREATE,
    event_id: str | None = None,
    cancel_message: str = "the meeting has been cancelled",
    attempt: int = 1,
    clock: Clock = system_clock,
) -> SyncResult:
    """Carry out one calendar change. Never raises a `CalendarError`: the result says whether the
    outbox row is done, should stay pending until `retry_at`, or has failed for good."""
    now = clock().astimezone(UTC)
    try:
        if action is Action.CREATE:
            event_id = await port.create(invite)
        else:
            if not event_id:
                raise CalendarError("the meeting has no calendar event yet", retryable=False)
            if action is Action.UPDATE:
                await port.update(event_id, invite)
            elif action is Action.ATTENDEES:
                await port.update_attendees(event_id, invite)
            else:
                await port.cancel(event_id, invite, cancel_message)
    except CalendarError as err:
        if err.retryable:
            retry_at = now + backoff(attempt, err.retry_after)
            reported = None
            if attempt == REPORT_AFTER:
                reported = failure_message(invite, action, err, retry_at, now)
                on_failure(reported)
            return SyncResult("pending", action, attempt, event_id, retry_at, reported, error=err)
        reported = failure_message(invite, action, err, None, now)
        on_failure(reported)
        return SyncResult("failed", action, attempt, event_id, None, reported, error=err)
    return SyncResult("sent", action, attempt, event_id, recovered=attempt > REPORT_AFTER)
