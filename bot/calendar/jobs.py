"""Calendar jobs: the outbox rows the handlers write, carried out on the calendar worker.

The handler records each change of a meeting's invitation as an outbox row (rule
`calendar_invitation`, see `handlers.invitations`) in the same transaction as the change, and its
`SyncInvitation` effect reaches `CalendarJobs.notify` after the chat acknowledgement. `notify`
only wakes the worker; the worker claims the due calendar rows, builds the invitation from the
record as it is *now*, and calls `sync_invitation` (Graph, or an .ics file in the channel).

Why rebuild from the record rather than replay each change: rows can pile up while Graph is down
(a booking, then a move, then a new member). Only the newest row of a meeting does the work --
older ones are marked done as superseded -- and it decides what the calendar needs from the
meeting's state: no event yet -> create (with everyone), cancelled -> cancel, otherwise the
update or attendee change the row asks for. So an outage ends with one correct event, and the
SEQUENCE in the newest row (the meeting's `calendar_sequence`) is higher than any file sent before.

Rows survive a restart (they are in the database); the worker claims due rows at start-up and
every `poll` seconds, so retries after a failure (`SyncResult.retry_at`) happen without a nudge.

"Book the next one before you leave" (`OfferSlots`) runs here too, because free/busy is a Graph
call: it is never run before the acknowledgement.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import object_session
from sqlmodel import Session

from bot.calendar.ics import IcsFile
from bot.calendar.invite import (
    Invite,
    InviteError,
    MemberContact,
    attendees_for,
    make_uid,
    role_label,
)
from bot.calendar.port import CalendarError, CalendarPort, SlotOffer, SlotRequest
from bot.calendar.sync import Action, SyncResult, sync_invitation
from bot.calendar.worker import CalendarWorker
from bot.clock import Clock
from bot.port import ChatError, ChatPort, FileUploads
from handlers.i18n import _, short_day
from handlers.invitations import CALENDAR_RULE
from handlers.parse import ScheduleMeeting, to_text
from handlers.replies import Button, Message, OfferSlots, SyncInvitation
from scheduling.hours import local
from scheduling.london import LONDON
from scheduling.roles import FAMILY_KINDS
from storage import outbox
from storage import repository as repo
from storage.db import Store
from storage.errors import InvalidState, StorageError
from storage.models import LEAD_SOCIAL_WORKER, SOCIAL_WORKER_ROLES, CoreGroup, Reminder

log = logging.getLogger("coregroup.calendar")
T = TypeVar("T")

#: Used as the .ics ORGANIZER when there is no organiser mailbox and no lead social worker email.
FALLBACK_ORGANISER = "noreply@coregroup.invalid"
ACTOR = "system:calendar"
DEFAULT_LENGTH = timedelta(hours=1)
#: How long a claimed calendar row is ours (Graph's own retries can take a minute or two).
LEASE = timedelta(minutes=10)

MakePort = Callable[[Callable[[IcsFile], Any]], CalendarPort]


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    case_id: int
    subject: str
    stage: str
    attempts: int
    payload: dict[str, Any]

    @property
    def meeting_id(self) -> int:
        return int(self.subject.split(":", 1)[1])

    @property
    def sequence(self) -> int:
        return int(self.stage.lstrip("v") or 0)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one row asks of the calendar, decided from the record (None action: nothing)."""

    reference: str
    channel: str | None
    action: Action | None
    invite: Invite | None = None
    event_id: str | None = None
    message: str = "the meeting has been cancelled"
    why_nothing: str = ""


def worker_name() -> str:
    """Unique per calendar worker (see bot.delivery.default_worker: `outbox.hold` relies on it)."""
    return f"{socket.gethostname()}:{os.getpid()}:calendar:{secrets.token_hex(3)}"


class CalendarJobs:
    """Owns the calendar worker thread; the Slack deps hold it as their calendar sender."""

    def __init__(
        self,
        store: Store,
        chat: ChatPort,
        clock: Clock,
        make_port: MakePort,
        *,
        organiser: str | None = None,
        poll: float = 30.0,
        warm_up: bool = True,
        worker: str | None = None,
        email: Any = None,
    ) -> None:
        self.store = store
        self.chat = chat
        #: `bot.email.chat.EmailChat` when email is set up: each .ics also goes to every
        #: attendee as an iMIP email (with Graph, Exchange sends the invitations itself).
        self.email = email
        self.clock = clock
        self.organiser = organiser
        self.poll = poll
        self.name = worker or worker_name()
        self.worker = CalendarWorker(lambda: make_port(self.publish), warm_up=warm_up)
        self._lock: asyncio.Lock | None = None
        #: The outbox row being carried out (rows go one at a time, under `_lock`): `publish`
        #: records on it which attendees have had their invitation email.
        self._row: _Row | None = None
        self._poller: concurrent.futures.Future[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> CalendarJobs:
        """Start the worker (the port is built in its loop) and claim what a previous run left."""
        self.worker.start()
        if self.poll > 0:
            self._poller = self.worker.submit(self._poll_forever)
        else:
            self.worker.submit(self.run_due)
        return self

    def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        self.worker.stop()

    async def _poll_forever(self, port: CalendarPort) -> None:
        while True:
            try:
                await self.run_due(port)
            except Exception:  # a database hiccup must not end the poller
                log.exception("calendar outbox pass failed")
            await asyncio.sleep(self.poll)

    # -- the sender handed to deliver() -------------------------------------------------------

    def notify(self, effect: SyncInvitation | OfferSlots) -> None:
        """Called after the acknowledgement; returns at once (the work runs on the worker)."""
        if isinstance(effect, OfferSlots):
            self.worker.submit(lambda port: _logged(self.offer_slots(port, effect), "slot offer"))
        else:
            self.worker.submit(lambda port: _logged(self.run_due(port), "calendar outbox pass"))

    def run_now(self, timeout: float = 60.0) -> list[SyncResult]:
        """Claim and carry out the due rows now and wait for them (start-up, tests, the CLI)."""
        return self.worker.submit(self.run_due).result(timeout)

    # -- the outbox pass ----------------------------------------------------------------------

    async def run_due(self, port: CalendarPort) -> list[SyncResult]:
        if self._lock is None:
            self._lock = asyncio.Lock()
        results: list[SyncResult] = []
        async with self._lock:
            while True:
                rows = self._claim()
                if not rows:
                    return results
                for row in rows:
                    if not self._hold(row):
                        continue  # our lease ran out behind slow Graph calls; another has it
                    result = await self._carry_out(port, row)
                    if result is not None:
                        results.append(result)

    def _claim(self) -> list[_Row]:
        with self.store.transaction() as s:
            claimed = outbox.claim_due(
                s, now=self.clock(), limit=20, worker=self.name, lease=LEASE, rules=(CALENDAR_RULE,)
            )
            return [
                _Row(r.id or 0, r.case_id, r.subject, r.stage, r.attempts, dict(r.payload or {}))
                for r in claimed
            ]

    def _hold(self, row: _Row) -> bool:
        """The row's lease taken again just before its Graph calls (storage.outbox.hold): rows
        claimed together are carried out one after another, and the last may outwait the lease."""
        with self.store.transaction() as s:
            held = outbox.hold(s, row.id, now=self.clock(), worker=self.name, lease=LEASE)
        if not held:
            log.info("calendar row left to another worker", extra={"row": row.id})
        return held

    async def _carry_out(self, port: CalendarPort, row: _Row) -> SyncResult | None:
        try:
            plan = self._plan(row)
        except (StorageError, InviteError) as exc:
            text = getattr(exc, "message", None) or str(exc)
            self._finish(row, "failed", error=text)
            await self._post_text(row, f"the invitation could not be sent: {text}.")
            return None
        if plan.action is None:
            self._finish(row, "sent", note=plan.why_nothing)
            return None
        assert plan.invite is not None
        failures: list[str] = []
        self._row = row
        try:
            result = await sync_invitation(
                port,
                plan.invite,
                failures.append,
                action=plan.action,
                event_id=plan.event_id,
                cancel_message=plan.message,
                attempt=row.attempts,
                clock=self.clock,
            )
        finally:
            self._row = None
        if result.status == "sent":
            self._finish(
                row,
                "sent",
                event_id=result.event_id if plan.action is Action.CREATE else None,
                reference=plan.reference,
            )
            if result.recovered:
                failures.append(
                    f"{plan.reference}: {plan.invite.label} — the invitation has now "
                    "been sent; no need to tell people yourself."
                )
        else:
            self._finish(
                row,
                result.status,
                retry_at=result.retry_at,
                error=result.error.message if result.error else "",
            )
        for text in failures:
            await self._post(plan.channel, Message(text))
        return result

    def _finish(
        self,
        row: _Row,
        status: str,
        *,
        event_id: str | None = None,
        reference: str | None = None,
        retry_at: datetime | None = None,
        error: str = "",
        note: str = "",
    ) -> None:
        now = self.clock()
        with self.store.transaction() as s:
            if event_id and reference:
                current = repo.get_meeting(s, reference, row.meeting_id)
                if current.calendar_event_id != event_id:
                    repo.update_meeting(
                        s, reference, row.meeting_id, actor=ACTOR, now=now, calendar_event_id=event_id
                    )
            if status == "sent":
                outbox.mark_sent(s, row.id, now=now, worker=self.name)
                if note:
                    log.info("calendar row needed no call", extra={"row": row.id, "why": note})
            else:
                try:
                    outbox.mark_failed(
                        s,
                        row.id,
                        now=now,
                        worker=self.name,
                        error=error,
                        retry_at=retry_at if status == "pending" else None,
                    )
                except InvalidState:  # Graph outlasted our lease; the row's new holder finishes it
                    log.warning("calendar row now held by another worker", extra={"row": row.id})

    # -- reading the record -------------------------------------------------------------------

    def _plan(self, row: _Row) -> _Plan:
        now = self.clock()
        with self.store.read() as s:
            case = s.get(CoreGroup, row.case_id)
            if case is None:
                raise StorageError("the case no longer exists")
            ref = case.reference
            channel = self._channel_of(case)
            meeting = repo.get_meeting(s, ref, row.meeting_id)
            newest = _newest_stage(s, row)
            if newest > row.sequence:
                return _Plan(ref, channel, None, why_nothing=f"superseded by v{newest}")
            event_id = meeting.calendar_event_id
            change = str(row.payload.get("change", "create"))
            if meeting.status == "cancelled":
                if not event_id:
                    return _Plan(ref, channel, None, why_nothing="cancelled before it was sent")
                action: Action | None = Action.CANCEL
            elif meeting.status != "scheduled" or meeting.starts_at <= now:
                return _Plan(ref, channel, None, why_nothing="the meeting is no longer ahead")
            elif not event_id:
                action = Action.CREATE
            elif change == "attendees":
                action = Action.ATTENDEES
            elif change in ("update", "cancel"):
                action = Action.UPDATE
            else:
                return _Plan(ref, channel, None, why_nothing="already created")
            day = meeting.starts_at.astimezone(LONDON).date()
            people = repo.members(s, ref, include_left=True)
            contacts = [
                MemberContact(
                    m.id or 0, m.role, m.email, family=m.kind in FAMILY_KINDS, current=m.active_on(day)
                )
                for m in people
            ]
            chair = next((m for m in people if m.id == meeting.chair_member_id), None)
            lead = _lead_email(people)
            ticked = [int(i) for i in row.payload.get("family", [])]
            # The record is the source (migration 0005: venue as typed, `online` a flag); the
            # payload only fills in for rows written before that column existed.
            venue = meeting.venue if meeting.venue is not None else row.payload.get("venue")
            online = bool(meeting.online or row.payload.get("online", False))
            invite = Invite(
                uid=make_uid(ref, row.meeting_id),
                case_ref=ref,
                kind=meeting.kind,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH,
                organiser=self.organiser or lead or FALLBACK_ORGANISER,
                attendees=attendees_for(contacts, meeting.kind, ticked),
                venue=str(venue) if venue else None,
                online=online,
                online_url=meeting.online_url,
                sequence=row.sequence,
                profile=case.profile,
                chair_role=role_label(chair.role) if chair else None,
            )
        return _Plan(
            ref,
            channel,
            action,
            invite,
            event_id,
            message=str(
                row.payload.get("message") or meeting.cancel_reason or "the meeting has been cancelled"
            ),
        )

    # -- the channel --------------------------------------------------------------------------

    def _channel_of(self, case: CoreGroup) -> str | None:
        """The case's channel on the chat port's channel kind (in the case's own session if it
        still has one)."""
        session = object_session(case)
        if isinstance(session, Session):
            return repo.channel_of(session, case.reference, self.chat.platform)
        with self.store.read() as s:
            return repo.channel_of(s, case.reference, self.chat.platform)

    async def _post(self, channel: str | None, message: Message) -> None:
        if channel is None:
            log.warning("calendar message not posted: the case has no channel")
            return
        try:
            await asyncio.to_thread(self.chat.post_message, channel, message)
        except ChatError as exc:
            log.warning("calendar message not posted", extra={"code": exc.code})

    async def _post_text(self, row: _Row, text: str) -> None:
        with self.store.read() as s:
            case = s.get(CoreGroup, row.case_id)
        if case is not None:
            await self._post(self._channel_of(case), Message(f"{case.reference}: {text}"))

    async def publish(self, f: IcsFile) -> None:
        """The .ics fallback's delivery: the file attached to a message in the case channel."""
        with self.store.read() as s:
            try:
                case = repo.get_case(s, f.case_ref)
            except StorageError:
                raise CalendarError("the case is not in the record", retryable=False) from None
        channel = self._channel_of(case)
        if not channel:
            raise CalendarError("the case has no channel to post the invitation in yet", retryable=True)
        if self.email is not None:
            # Emails first: if one fails the row is retried before the channel sees a file, so
            # the channel gets each file once. Each attendee's email is recorded on the row as
            # it goes, so a retry (an attendee refused, or the channel upload failing after the
            # emails) emails only those not yet reached.
            row, key = self._row, f"{f.method}:{f.uid}:{f.sequence}"
            try:
                head, _, rest = f.message.partition(". ")
                await asyncio.to_thread(
                    self.email.send_invitation,
                    Message(head, (rest,) if rest else ()),
                    f.content,
                    f.method,
                    skip=self._emailed(row, key),
                    on_each=(lambda address: self._record_emailed(row, key, address)) if row else None,
                )
            except ChatError as exc:
                raise CalendarError(
                    f"the invitation emails could not be sent ({exc.code})", retryable=True
                ) from exc
        title = f"{f.case_ref} invitation (update {f.sequence})" if f.sequence else f"{f.case_ref} invitation"
        if f.method == "CANCEL":
            title = f"{f.case_ref} cancellation"
        try:
            if isinstance(self.chat, FileUploads):
                await asyncio.to_thread(
                    self.chat.upload_file, channel, f.filename, f.content, title, comment=f.message
                )
            else:
                await asyncio.to_thread(
                    self.chat.post_message,
                    channel,
                    Message(
                        f.message,
                        ("This chat cannot carry the .ics file; add the meeting to your calendar by hand.",),
                    ),
                )
        except ChatError as exc:
            raise CalendarError(
                f"the file could not be posted in the channel ({exc.code})", retryable=True
            ) from exc

    def _emailed(self, row: _Row | None, key: str) -> frozenset[str]:
        """The attendees this row's file `key` has been emailed to (read fresh: another worker may
        have carried the row before its lease ran out)."""
        if row is None:
            return frozenset()
        with self.store.read() as s:
            r = s.get(Reminder, row.id)
            done = dict((r.payload or {}).get("emailed") or {}) if r is not None else {}
        return frozenset(str(a).lower() for a in done.get(key, []))

    def _record_emailed(self, row: _Row, key: str, address: str) -> None:
        """One attendee emailed, committed before the next is tried. Recorded whoever holds the
        row now: it is a fact about what left, not the row's state."""
        with self.store.transaction() as s:
            r = s.get(Reminder, row.id, with_for_update=True)
            if r is None:
                return
            payload = dict(r.payload or {})
            emailed = dict(payload.get("emailed") or {})
            emailed[key] = sorted({*emailed.get(key, []), address.lower()})
            payload["emailed"] = emailed
            r.payload = payload  # a new dict: the JSON column sees the change
            s.add(r)

    # -- "book the next one before you leave" ------------------------------------------------

    async def offer_slots(self, port: CalendarPort, effect: OfferSlots) -> SlotOffer | None:
        from scheduling.profiles import ProfileError, load_profile

        now = self.clock()
        with self.store.read() as s:
            try:
                case = repo.get_case(s, effect.reference)
            except StorageError:
                return None
            people = repo.members(s, case.reference, on=now.astimezone(LONDON).date())
            channel = self._channel_of(case)
            profile_name = case.profile
        try:
            profile = load_profile(profile_name)
            nation, hours, closures = profile.nation, profile.working_hours, profile.closures
        except ProfileError:
            from scheduling.profiles import WorkingHours

            nation, hours, closures = "england", WorkingHours(), frozenset()
        lead = _lead_email(people)
        others = tuple(
            dict.fromkeys(
                m.email for m in people if m.email and m.kind not in FAMILY_KINDS and m.email != lead
            )
        )
        tomorrow = now.astimezone(LONDON).date() + timedelta(days=1)
        if effect.earliest is not None:
            tomorrow = max(tomorrow, effect.earliest)
        request = SlotRequest(
            case_ref=case.reference,
            deadline=effect.deadline,
            earliest=max(now, local(tomorrow, time(0, 0))),
            lead_social_worker=lead,
            attendees=others,
            kind=effect.kind,
            nation=nation,
            hours=hours,
            closures=closures,
            duration=DEFAULT_LENGTH,
        )  # what a slot's button books (handlers.meetings)
        offer = await port.find_slots(request)
        await self._post(channel, slot_message(case.reference, offer, effect.venue, effect.deadline))
        return offer


async def _logged(job: Awaitable[T], what: str) -> T | None:
    """Nobody waits on a notify()'s future, so its failure is logged here (the outbox row, if
    any, stays and the next pass retries it)."""
    try:
        return await job
    except Exception:
        log.exception("%s failed", what)
        return None


def slot_message(reference: str, offer: SlotOffer, venue: str | None, deadline: date) -> Message:
    """The offer as a channel message: each slot a button that books it (`cg.run`)."""
    lines = offer.lines
    buttons: list[Button] = []
    for i, slot in enumerate(offer.slots):
        start = slot.starts_at.astimezone(LONDON)
        cmd = ScheduleMeeting(
            case=reference, day=start.date(), at=start.time().replace(second=0), venue=venue
        )
        buttons.append(
            Button(
                _("Book {day} {time}", day=short_day(start.date()), time=f"{start:%H:%M}"),
                "cg.run",
                to_text(cmd),
                primary=i == 0,
            )
        )
    if not offer.fits:
        buttons.append(Button(_("Book another date"), "cg.run", f"meeting case:{reference}"))
    if offer.basis == "free/busy":
        context = _(
            "Times checked against calendars (free/busy) · next core group due by {day}",
            day=short_day(deadline),
        )
    else:
        context = _(
            "Times from working hours only; calendars were not read · next core group due by {day}",
            day=short_day(deadline),
        )
    return Message(lines[0], tuple(line for line in lines[1:] if line), tuple(buttons), (context,))


def _newest_stage(s: Any, row: _Row) -> int:
    from sqlalchemy import select
    from sqlmodel import col

    stages = s.scalars(
        select(col(Reminder.stage)).where(
            col(Reminder.case_id) == row.case_id,
            col(Reminder.rule) == CALENDAR_RULE,
            col(Reminder.subject) == row.subject,
        )
    )
    return max((int(str(st).lstrip("v") or 0) for st in stages), default=row.sequence)


def _lead_email(people: list[Any]) -> str | None:
    for roles in ({LEAD_SOCIAL_WORKER}, SOCIAL_WORKER_ROLES):
        for m in people:
            if m.role in roles and m.email and (getattr(m, "left_on", None) is None):
                return str(m.email)
    return None
