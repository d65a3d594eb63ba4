"""The Microsoft Graph adapter: real calendar invitations from one organiser mailbox.

Why app-only credentials on one organiser mailbox: most core group members (police, school,
health visitor) are not in the chat workspace and many are not in the council's tenant, so the
bot cannot act as each user. It sends every invitation from a shared mailbox (`GRAPH_ORGANISER`)
and Exchange delivers it to any address; docs/graph.md shows how an administrator restricts the
app to that one mailbox.

Choices that are easy to get wrong:
- `transactionId` on create is derived from the meeting's UID, so a retried POST -- by kiota's
  retry handler after a 429/503, or by the outbox after a crash before the event id was stored --
  returns the event Graph already made instead of a second one.
- Times are sent as Europe/London wall-clock times with `timeZone: "Europe/London"` (one of the
  zones Graph's calendar API accepts), so a meeting at 10:00 stays at 10:00 across clock changes.
- Free/busy uses `calendar/getSchedule`, not `findMeetingTimes`: `findMeetingTimes` supports
  delegated permissions only, and this app has no signed-in user. Working days and hours (bank
  holidays included, which Graph does not know) come from `scheduling`.
- Errors are mapped once, after the SDK's own retries: 429/5xx and network failures are
  retryable, other 4xx are not. The message never carries Graph's error text, which can echo
  request data such as addresses.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.calendar.invite import Invite, body_text, london_wall, subject
from bot.calendar.port import CalendarError, SlotOffer, SlotRequest
from bot.calendar.slots import Busy, offer_slots
from bot.ops.metrics import graph_failed
from handlers.i18n import _
from scheduling.hours import local

if TYPE_CHECKING:
    from msgraph import GraphServiceClient
    from msgraph.generated.models.event import Event

    from bot.settings import Settings

T = TypeVar("T")

log = logging.getLogger("coregroup.calendar")

TZ = "Europe/London"
#: Graph refuses a getSchedule window longer than 62 days; ask in smaller pieces.
SCHEDULE_CHUNK = timedelta(days=31)
_BUSY = {"busy", "oof", "tentative"}


def graph_configured(settings: Settings) -> bool:
    """All four Graph settings present: otherwise the bot falls back to .ics files."""
    return all(
        (
            settings.graph_tenant_id,
            settings.graph_client_id,
            settings.graph_client_secret,
            settings.graph_organiser,
        )
    )


def scope_for(base_url: str) -> str:
    """`https://graph.microsoft.us/v1.0` -> `https://graph.microsoft.us/.default`: each national
    cloud has its own token audience, and Entra ID rejects a port in a `.default` scope."""
    host = urlsplit(base_url).hostname or "graph.microsoft.com"
    return f"https://{host}/.default"


def transaction_id(invite: Invite) -> str:
    """The same for every attempt to create this meeting's event (and only this meeting's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"coregroup:event:{invite.uid}"))


def warm_up() -> None:
    """Import the SDK's model tree now rather than on the first response.

    The first Graph response that is parsed into an `Event` imports every model class the SDK
    has (~1,250 modules, 3-4 s of CPU here). Call this at start-up, before the bot serves Slack, so
    that cost never lands beside a request that must be acknowledged within 3 s.
    """
    from msgraph.generated.models.event import Event

    Event().get_field_deserializers()


# --- building request bodies ---------------------------------------------------------------------


def _dttz(at: datetime) -> Any:
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

    return DateTimeTimeZone(date_time=london_wall(at).strftime("%Y-%m-%dT%H:%M:%S"), time_zone=TZ)


def _attendees(invite: Invite) -> list[Any]:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.email_address import EmailAddress

    return [
        Attendee(email_address=EmailAddress(address=a.email, name=a.role), type=AttendeeType.Required)
        for a in invite.attendees
    ]


def event_body(invite: Invite, *, creating: bool) -> Event:
    """The event as Graph should hold it. On update, `isOnlineMeeting` is only ever sent as true:
    once Teams has made the meeting, Outlook ignores turning it off."""
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.location import Location
    from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
    from msgraph.generated.models.sensitivity import Sensitivity

    ev = Event(
        subject=subject(invite),
        body=ItemBody(content_type=BodyType.Text, content=body_text(invite)),
        start=_dttz(invite.starts_at),
        end=_dttz(invite.ends_at),
    )
    if invite.venue:
        ev.location = Location(display_name=invite.venue)
    elif not creating:
        ev.location = Location(display_name="")
    if invite.online:
        ev.is_online_meeting = True
        ev.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
    if creating:
        ev.attendees = _attendees(invite)
        ev.transaction_id = transaction_id(invite)
        # Private: people who share an attendee's calendar see "busy", not the case reference.
        ev.sensitivity = Sensitivity.Private
        ev.response_requested = True
    return ev


# --- errors --------------------------------------------------------------------------------------


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def map_error(exc: BaseException) -> CalendarError:
    """One CalendarError for anything the SDK, the credential or the network can raise."""
    if isinstance(exc, CalendarError):
        return exc
    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
    from kiota_abstractions.api_error import APIError

    if isinstance(exc, APIError):
        status = int(exc.response_status_code or 0)
        code = None
        err = getattr(exc, "error", None)
        if err is not None:
            code = getattr(err, "code", None)
        retry_after = _retry_after(exc.response_headers)
        if status == 429:
            return CalendarError(
                "Microsoft Graph is limiting requests (HTTP 429)",
                retryable=True,
                status=status,
                code=code,
                retry_after=retry_after,
            )
        if status >= 500:
            return CalendarError(
                f"Microsoft Graph is not answering (HTTP {status})",
                retryable=True,
                status=status,
                code=code,
                retry_after=retry_after,
            )
        if status in (401, 403):
            return CalendarError(
                f"the bot is not allowed to use the organiser's calendar (HTTP {status}); an "
                "administrator should check the app's Calendars.ReadWrite permission and its Exchange "
                "scope (docs/graph.md)",
                retryable=False,
                status=status,
                code=code,
            )
        if status == 404 and code == "ErrorInvalidUser":
            return CalendarError(
                "the organiser mailbox (GRAPH_ORGANISER) does not exist (HTTP 404)",
                retryable=False,
                status=status,
                code=code,
            )
        if status == 404:
            return CalendarError(
                "the calendar event no longer exists; it may have been deleted in Outlook (HTTP 404)",
                retryable=False,
                status=status,
                code=code,
            )
        suffix = f", {code}" if code else ""
        return CalendarError(
            f"Microsoft Graph refused the request (HTTP {status}{suffix})",
            retryable=False,
            status=status,
            code=code,
        )
    if isinstance(exc, ClientAuthenticationError):
        auth_status: int | None = getattr(exc, "status_code", None)
        retryable = auth_status is None or auth_status >= 500 or auth_status == 429
        return CalendarError(
            "the bot could not sign in to Microsoft Graph; check GRAPH_TENANT_ID, GRAPH_CLIENT_ID, "
            "GRAPH_CLIENT_SECRET and GRAPH_AUTHORITY (docs/graph.md)",
            retryable=retryable,
            status=auth_status,
        )
    import httpx

    if isinstance(exc, httpx.TransportError | ServiceRequestError | OSError | TimeoutError):
        return CalendarError("Microsoft Graph could not be reached", retryable=True)
    try:
        import aiohttp

        if isinstance(exc, aiohttp.ClientError):
            return CalendarError("Microsoft Graph could not be reached", retryable=True)
    except ImportError:  # pragma: no cover - aiohttp comes with azure-identity's async transport
        pass
    raise exc


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except Exception as exc:
        err = map_error(exc)
        log.warning(
            "graph call failed",
            extra={"status": err.status, "code": err.code, "retryable": err.retryable},
        )
        graph_failed(err.status, err.retryable)
        raise err from exc


_WINDOWS_ZONES = {"UTC": "UTC", "GMT Standard Time": TZ, "Greenwich Standard Time": "UTC"}


def _parse_dttz(value: Any) -> datetime:
    """Graph answers getSchedule in UTC unless asked otherwise; accept an Olson or Windows name."""
    text = str(value.date_time)[:19]
    name = _WINDOWS_ZONES.get(str(value.time_zone or "UTC"), str(value.time_zone))
    try:
        zone: Any = UTC if name.upper() == "UTC" else ZoneInfo(name)
    except (ValueError, KeyError):
        zone = UTC
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


# --- the adapter ---------------------------------------------------------------------------------


class GraphCalendar:
    """`CalendarPort` on Microsoft Graph. Create it inside the event loop that will use it (the
    calendar worker's): the SDK's HTTP clients belong to one loop."""

    def __init__(self, client: GraphServiceClient, organiser: str, *, credential: Any = None) -> None:
        self._client = client
        self._organiser = organiser
        self._credential = credential

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphCalendar:
        from azure.identity.aio import ClientSecretCredential
        from msgraph import GraphServiceClient

        if not graph_configured(settings):
            raise ValueError(
                "GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and GRAPH_ORGANISER "
                "must all be set to use Microsoft Graph (docs/graph.md)"
            )
        assert settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret
        assert settings.graph_organiser
        credential = ClientSecretCredential(
            settings.graph_tenant_id,
            settings.graph_client_id,
            settings.graph_client_secret,
            authority=settings.graph_authority,
            disable_instance_discovery=True,
        )
        client = GraphServiceClient(credentials=credential, scopes=[scope_for(settings.graph_base_url)])
        client.request_adapter.base_url = settings.graph_base_url.rstrip("/")
        return cls(client, settings.graph_organiser, credential=credential)

    async def aclose(self) -> None:
        http = getattr(self._client.request_adapter, "_http_client", None)
        if http is not None:
            await http.aclose()
        if self._credential is not None:
            await self._credential.close()

    def _user(self) -> Any:
        return self._client.users.by_user_id(self._organiser)

    async def create(self, invite: Invite) -> str:
        created = await _call(self._user().events.post(event_body(invite, creating=True)))
        if created is None or not created.id:
            raise CalendarError("Microsoft Graph did not return the new event", retryable=True)
        return str(created.id)

    async def update(self, event_id: str, invite: Invite) -> None:
        await _call(self._user().events.by_event_id(event_id).patch(event_body(invite, creating=False)))

    async def update_attendees(self, event_id: str, invite: Invite) -> None:
        from msgraph.generated.models.event import Event

        await _call(self._user().events.by_event_id(event_id).patch(Event(attendees=_attendees(invite))))

    async def cancel(self, event_id: str, invite: Invite, message: str) -> None:
        from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
            CancelPostRequestBody,
        )

        await _call(
            self._user()
            .events.by_event_id(event_id)
            .cancel.post(CancelPostRequestBody(comment=f"{invite.case_ref}: {message}"))
        )

    async def free_busy(
        self, emails: list[str], start: datetime, end: datetime, step: timedelta
    ) -> dict[str, list[tuple[datetime, datetime]]]:
        """Busy periods for each address whose free/busy the organiser's tenant can read. An
        address the service cannot answer for (outside the tenant, no mailbox) is left out."""
        from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
        from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
            GetSchedulePostRequestBody,
        )

        busy: dict[str, list[tuple[datetime, datetime]]] = {e.lower(): [] for e in emails}
        failed: set[str] = set()
        t = start
        while t < end:
            stop = min(end, t + SCHEDULE_CHUNK)
            body = GetSchedulePostRequestBody(
                schedules=list(emails),
                start_time=DateTimeTimeZone(
                    date_time=t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), time_zone="UTC"
                ),
                end_time=DateTimeTimeZone(
                    date_time=stop.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), time_zone="UTC"
                ),
                availability_view_interval=max(5, min(1440, int(step.total_seconds() // 60))),
            )
            result = await _call(self._user().calendar.get_schedule.post(body))
            answered: set[str] = set()
            for info in result.value if result is not None and result.value else []:
                who = str(info.schedule_id or "").lower()
                answered.add(who)
                if info.error is not None:
                    failed.add(who)
                    continue
                for item in info.schedule_items or []:
                    status = getattr(item.status, "value", item.status)
                    if str(status).lower() in _BUSY and item.start is not None and item.end is not None:
                        busy.setdefault(who, []).append((_parse_dttz(item.start), _parse_dttz(item.end)))
            failed |= {e.lower() for e in emails} - answered
            t = stop
        return {k: v for k, v in busy.items() if k not in failed}

    async def find_slots(self, request: SlotRequest) -> SlotOffer:
        emails = list(
            dict.fromkeys(
                e
                for e in ([request.lead_social_worker] if request.lead_social_worker else [])
                + list(request.attendees)
            )
        )
        if not emails:
            return offer_slots(request, None, note=_("no member has an email address"))
        end = local(request.deadline + timedelta(days=1), time(0, 0))
        start = min(request.earliest, end)
        try:
            busy: dict[str, list[tuple[datetime, datetime]]] = await self.free_busy(
                emails, start, end, request.step
            )
        except CalendarError as err:
            return offer_slots(
                request, None, note=_("free/busy could not be read: {problem}", problem=err.message)
            )
        known: dict[str, Busy] = dict(busy)
        if not known:
            return offer_slots(
                request, None, note=_("no member's calendar is in the organiser's organisation")
            )
        return offer_slots(request, known, note=_("others are outside the organiser's organisation"))
