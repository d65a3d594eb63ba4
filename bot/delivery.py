"""Reminder delivery: due outbox rows → chat messages, exactly once per row.

For each batch: claim (`storage.outbox.claim_due`, a lease) → for each row: still wanted? inside
working hours? → resolve the audience to a chat destination → send through the `ChatPort` → mark
the row sent (its own short transaction). Only the port is used, so Slack, the console and Teams
deliver alike.

Exactly once, and what a crash costs. A row is marked sent only after the platform accepted the
message, in a transaction of its own. If the process dies between the send and the mark, the row
stays claimed; when its lease runs out (default 5 minutes) any sweep claims it again and sends it
again. So a crash causes at most one duplicate per row in flight — and a delivery process has one
row in flight at a time — and loses nothing (tests/reminders/test_crash.py kills a real process
exactly there). Two processes never hold the same row: claiming uses `FOR UPDATE SKIP LOCKED` on
PostgreSQL and the single write lock on SQLite. A batch is claimed at once but each row's lease is
taken again (`outbox.hold`) just before that row is handled: behind a slow or throttling platform
the end of a batch outlives the batch's lease, another sweeper may claim it, and then this one
leaves it alone (outcome "taken") instead of sending it a second time.

Still wanted. The sweep queued the row when it was due; by the time it goes, the person may have
answered, the minutes may have gone, the meeting may be cancelled. Delivery re-plans the row's case
(the same pure `scheduling.sweep.plan_case`) and skips a row the plan no longer contains — that is
how answering stops the nagging. The message is rendered from the fresh plan, so progress ("3 of 5
reports in") is as of sending.

Audiences: `channel`, `lead_sw`, `chair`, `minute_taker` (the meeting's, else the lead social
worker), `lead_sw_manager`, `raiser`, `next_stage` (the lead social worker's manager — the
escalation's next step is management), `owner` / `member:<id>`. A member who is away on the day
(`away_from..away_until`) has their nags sent to their cover, else their line manager, with a line
saying why (neither recorded: the case channel). Someone with no chat id on this platform (email
only), or a role nobody holds, falls back to the case channel, naming the role, never a person.

Noise: reminders for the channel about one meeting reply in one thread (`chat_thread`, key = the
meeting subject; the first message starts it). A core group in quiet mode (`digest`) gets one
channel message a day listing that day's channel reminders, edited in place as more come due.

Rate limits: at most one message per `interval` seconds per destination (a pacer with an injected
clock and sleep); Slack's 429 + Retry-After is waited out and retried by slack_sdk's
`RateLimitErrorRetryHandler` on the client (bot/slack/app.py). Any other failure is retried with
backoff (1, 5, 30, 120 minutes); after `max_attempts` the row is dead, and the case channel and the
log say so (ids and the error code only — no names, no message text).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import and_, select
from sqlmodel import col

from bot.clock import Clock
from bot.port import ChatError, ChatPort
from handlers.common import Context, is_family, rules_for
from handlers.i18n import Voice, _, verbatim, voiced
from handlers.language import address_voice, profile_channel_voice
from handlers.nags import digest, render
from handlers.replies import Message, RefreshBundle
from scheduling.hours import in_working_hours, next_send_time
from scheduling.london import LONDON
from scheduling.reminders import audience_member
from scheduling.sweep import BUNDLE_AT, NOT_REMINDERS, Outgoing, Profiles, plan_case
from storage import outbox, sending
from storage.errors import StorageError
from storage.facts import Person, ReminderFacts, load_facts
from storage.models import CaseConversation, CoreGroup
from storage.repository import case_state

log = logging.getLogger("coregroup.delivery")

BACKOFF: Final = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS: Final = 5
#: Nags whose buttons answer for the person who presses them.
_ANSWERED_BY_THEM: Final = frozenset({"attendance", "report_request"})


def default_worker() -> str:
    """Unique per deliverer, not just per host and pid: `outbox.hold` tells senders apart by this
    name, and two containers sharing the host's name can both be pid 1."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Pacer:
    """About one message per `interval` seconds per channel. Clock and sleep are injected so
    tests can check the pacing without waiting."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = _time.monotonic,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        last = self._last.get(channel)
        if last is not None:
            gap = self.interval - (self.clock() - last)
            if gap > 0:
                self.sleep(gap)
        self._last[channel] = self.clock()


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one row goes: a channel (maybe in a thread) or a person's direct messages."""

    kind: str  # "channel" | "dm"
    target: str
    note: str | None = None
    thread_key: str | None = None
    #: The channel kind of `target` when it is not the main port's (an email address).
    via: str | None = None
    #: Someone outside the core group (a line manager): they can't run the case's commands, so
    #: their copy carries no buttons (a "Done" they may not press is worse than none).
    outsider: bool = False


@dataclass
class Sent:
    """One row handled, for the CLI and the tests."""

    reminder_id: int
    reference: str
    kind: str
    audience: str
    destination: str
    outcome: str  # sent | skipped | postponed | retry | dead | digest | duplicate | taken
    message_id: str | None = None
    preview: str = ""


@dataclass
class _Case:
    id: int
    reference: str
    channel: str | None
    status: str
    digest: bool
    plan: dict[tuple[str, str, str], Outgoing] = field(default_factory=dict)
    facts: ReminderFacts | None = None


def _label(role: str) -> str:
    return role.replace("_", " ")


def _actions_of(case: _Case) -> Callable[[str], tuple[str, str | None] | None]:
    """A plan action's words and owner by its number, from the facts delivery loaded (the
    outbox payload holds numbers only)."""
    acts = {str(a.number): (a.text, a.owner) for a in (case.facts.plan.actions if case.facts else ())}
    return acts.get


#: What to do about an email that would not go, by the transport's code (bot/email/transport.py).
_EMAIL_ADVICE = {
    "smtp_5xx": "The mail server refused it: check the email address with them, then "
    "`/coregroup remove` and `/coregroup add email:…` with the right one.",
    "graph_4xx": "Microsoft Graph refused it: check the email address with them, and ask an "
    "administrator to check the app's Mail.Send permission (docs/graph.md).",
    "smtp_4xx": "The mail server kept asking to try later: ask an administrator to check the "
    "council's mail relay.",
    "graph_5xx": "Microsoft Graph kept failing: ask an administrator to check the Graph settings.",
    "graph_token": "The bot could not sign in to Microsoft Graph: ask an administrator to check "
    "the GRAPH_* settings.",
    "unreachable": "The mail server could not be reached: ask an administrator to check COREGROUP_SMTP_URL.",
}


def _dead_letter_advice(o: Outgoing, code: str, by_email: bool) -> tuple[str, ...]:
    """The dead-letter notice's words. Why two kinds: "still in the workspace" means nothing for
    someone reached by email, whose problem is usually a mistyped or closed address."""
    who = _label(o.audience.split(":")[0])
    what = f"It was the {o.planned.kind.replace('_', ' ')} reminder for the {who}"
    if by_email:
        return (
            f"{what}, by email (the mail service said `{code}`).",
            _EMAIL_ADVICE.get(code, "Check the email address with them."),
            "Until then, tell them yourself; `/coregroup status` shows everything that is due.",
        )
    return (
        f"{what} (the chat service said `{code}`).",
        "Check the person is still in the workspace and the app is in this channel; "
        "`/coregroup status` shows everything that is due.",
    )


class Delivery:
    """Sends what is due. One instance per process; `run()` once per sweep tick."""

    def __init__(
        self,
        store: Any,
        port: ChatPort,
        *,
        clock: Clock,
        worker: str | None = None,
        pacer: Pacer | None = None,
        batch: int = 50,
        lease: timedelta = outbox.DEFAULT_LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        bundle_at: time = BUNDLE_AT,
        email: ChatPort | None = None,
    ) -> None:
        self.store = store
        self.port = port
        #: Members with no address on `port` but an email address are reached through this one
        #: (bot/email/): the same row, lease, backoff, working hours and dead letter.
        self.email = email
        self.clock = clock
        self.worker = worker or default_worker()
        self.pacer = pacer or Pacer()
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.bundle_at = bundle_at
        self.profiles = Profiles()

    # -- the loop ---------------------------------------------------------------------------------

    def run(self, *, limit: int | None = None) -> list[Sent]:
        """Deliver every row due now, batch by batch, until none is left (or `limit` rows)."""
        done: list[Sent] = []
        #: Destinations whose earlier row just failed: later rows wait, so order holds per channel.
        blocked: dict[str, datetime] = {}
        while limit is None or len(done) < limit:
            now = self.clock()
            with self.store.transaction() as s:
                rows = outbox.claim_due(
                    s,
                    now=now,
                    limit=self.batch,
                    worker=self.worker,
                    lease=self.lease,
                    exclude_rules=NOT_REMINDERS,
                )
                claimed = [
                    (
                        r.id,
                        r.case_id,
                        r.rule,
                        r.subject,
                        r.stage,
                        r.recipient,
                        r.attempts,
                        dict(r.payload or {}),
                    )
                    for r in rows
                ]
            if not claimed:
                break
            done += self._deliver(claimed, now, blocked)
        return done

    def _context(self, case_ids: Iterable[int], now: datetime) -> dict[int, _Case]:
        """Case rows, fresh plans and facts for the cases of one batch (one query per table)."""
        ids = set(case_ids)
        today = now.astimezone(LONDON).date()
        out: dict[int, _Case] = {}
        with self.store.read() as s:
            # The case's channel on this port's channel kind, whatever the kind is called.
            conv = and_(
                col(CaseConversation.case_id) == col(CoreGroup.id),
                col(CaseConversation.kind) == self.port.platform,
            )
            rows = s.execute(
                select(
                    col(CoreGroup.id),
                    col(CoreGroup.reference),
                    col(CaseConversation.channel),
                    col(CoreGroup.status),
                    col(CoreGroup.digest),
                )
                .outerjoin(CaseConversation, conv)
                .where(col(CoreGroup.id).in_(sorted(ids)))
            ).all()
            facts = load_facts(
                s.connection(),
                ids,
                today,
                digest={r[0]: bool(r[4]) for r in rows},
                all_people=True,
                email=self.email is not None,
            )
            for cid, ref, channel, status, dig in rows:
                c = _Case(cid, ref, channel, status, bool(dig), facts=facts.get(cid))
                if status == "active":
                    state = case_state(s, ref)
                    for o in plan_case(
                        cid, ref, state, c.facts, now, self.profiles, bundle_at=self.bundle_at
                    ):
                        c.plan[o.key[1:]] = o
                out[cid] = c
        return out

    def _deliver(
        self, claimed: list[tuple[Any, ...]], now: datetime, blocked: dict[str, datetime]
    ) -> list[Sent]:
        cases = self._context({row[1] for row in claimed}, now)
        done: list[Sent] = []
        digests: dict[int, list[tuple[int, Outgoing]]] = {}
        for rid, cid, rule, subject, stage, recipient, attempts, payload in claimed:
            case = cases.get(cid)
            kind = str(payload.get("kind", rule))
            ref = case.reference if case else f"case {cid}"
            if not self._hold(rid):
                done.append(Sent(rid, ref, kind, recipient, "", "taken"))
                continue
            fresh = case.plan.get((rule, subject, stage)) if case else None
            if case is None or fresh is None:
                why = "closed" if case is None or case.status != "active" else "not_due"
                with self.store.transaction() as s:
                    sending.skip(s, rid, now=now, worker=self.worker, why=why)
                done.append(Sent(rid, ref, kind, recipient, "", "skipped"))
                continue
            prof, cal = self.profiles.get(fresh.profile)
            if not in_working_hours(now, cal, prof.working_hours):
                until = next_send_time(now, cal, prof.working_hours)
                with self.store.transaction() as s:
                    sending.postpone(s, rid, until=until)
                done.append(Sent(rid, ref, kind, recipient, "", "postponed"))
                continue
            dest = self.resolve(case, fresh, now.astimezone(LONDON).date())
            # Quiet mode puts the day's channel reminders in one message; the daily repeat of
            # overdue items always goes in it (docs/messages.md "Noise": at most once a working
            # day, in the digest), so a case with several overdue items gets one post a day.
            daily = fresh.planned.kind == "overdue_daily"
            if dest.kind == "channel" and (case.digest or daily) and (dest.note is None or daily):
                digests.setdefault(cid, []).append((rid, fresh))
                continue
            if dest.target in blocked:
                with self.store.transaction() as s:
                    sending.postpone(s, rid, until=blocked[dest.target])
                done.append(Sent(rid, ref, kind, recipient, f"{dest.kind}:{dest.target}", "postponed"))
                continue
            message = self._message(case, fresh, now, dest.note)
            if dest.outsider and message.buttons:
                message = replace(
                    message,
                    buttons=(),
                    detail=(*message.detail, _("Only the core group can record this; pass it on to them.")),
                )
            result = self._send_one(rid, case, fresh, dest, message, attempts, now)
            if result.outcome == "retry":
                blocked[dest.target] = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
            done.append(result)
        for cid, items in digests.items():
            held = [(rid, o) for rid, o in items if self._hold(rid)]
            kept = {rid for rid, _ in held}
            done += [
                Sent(rid, cases[cid].reference, o.planned.kind, o.audience, "", "taken")
                for rid, o in items
                if rid not in kept
            ]
            if held:
                done += self._send_digest(cases[cid], held, now)
        return done

    def _hold(self, rid: int) -> bool:
        """Take this row's lease again now, just before it is handled; False if another sender
        has it (our lease ran out behind slow sends and it was re-claimed)."""
        with self.store.transaction() as s:
            held = outbox.hold(s, rid, now=self.clock(), worker=self.worker, lease=self.lease)
        if not held:
            log.info("reminder left to another sender", extra={"reminder_id": rid})
        return held

    # -- audiences --------------------------------------------------------------------------------

    def resolve(self, case: _Case, o: Outgoing, today: date) -> Destination:
        """The chat destination of one row's audience on `today` (see the module docstring)."""
        platform = self.port.platform
        facts = case.facts
        people = facts.people if facts else {}
        channel = case.channel or ""
        thread = o.planned.thread
        aud = o.audience
        if aud == "channel":
            return Destination("channel", channel, thread_key=thread)
        if facts is not None and aud in ("lead_sw_manager", "next_stage"):
            lead = people.get(facts.lead_sw) if facts.lead_sw else None
            mgr = lead.manager_address(platform) if lead else None
            if mgr:
                return Destination("dm", mgr, outsider=True)
            by_mail = self._mail(lead.manager_addresses if lead else {})
            if by_mail:
                return Destination("dm", by_mail, via=self._via, outsider=True)
            return Destination(
                "channel",
                channel,
                thread_key=thread,
                note=_("For the lead social worker's manager: no chat id is recorded for them."),
            )
        if aud.startswith("manager:"):
            # The chase's second step: the named line manager of whoever was chased first.
            whose = audience_member(aud[8:], o.planned.subject, facts)
            held = people.get(whose) if whose is not None else None
            mgr = held.manager_address(platform) if held else None
            if mgr:
                return Destination("dm", mgr)
            role = _label(held.role) if held else _label(aud[8:].split(":")[0])
            return Destination(
                "channel",
                channel,
                thread_key=thread,
                note=_(
                    "For the {role}'s line manager: no chat id is recorded for them.", role=verbatim(role)
                ),
            )
        # The same resolution the sweep used to plan the row (no chair: the lead social worker).
        member = audience_member(aud, o.planned.subject, facts)
        person = people.get(member) if member is not None else None
        if person is None:
            return Destination(
                "channel",
                channel,
                thread_key=thread,
                note=_(
                    "For the {role}: nobody with a chat id holds this role.",
                    role=verbatim(_label(aud.split(":")[0])),
                ),
            )
        return self._person(person, people, platform, channel, thread, today)

    def _person(
        self,
        person: Person,
        people: dict[int, Person] | Any,
        platform: str,
        channel: str,
        thread: str | None,
        today: date,
    ) -> Destination:
        if person.away_on(today):
            cover = people.get(person.cover) if person.cover is not None else None
            if cover is not None and not cover.away_on(today):
                # On chat if they are there, else by email (a cover outside the workspace).
                at = cover.address(platform)
                cover_mail = None if at else self._mail(cover.addresses)
                if at or cover_mail:
                    return Destination(
                        "dm",
                        str(at or cover_mail),
                        note=_(
                            "Sent to you as cover: the {role} (member {number}) is away.",
                            role=verbatim(_label(person.role)),
                            number=person.id,
                        ),
                        via=None if at else self._via,
                    )
            mgr = person.manager_address(platform)
            mail = None if mgr else self._mail(person.manager_addresses)
            if mgr or mail:
                return Destination(
                    "dm",
                    mgr or mail or "",
                    note=_(
                        "Sent to you as line manager: the {role} (member {number}) is away.",
                        role=verbatim(_label(person.role)),
                        number=person.id,
                    ),
                    via=None if mgr else self._via,
                    outsider=True,
                )
            return Destination(
                "channel",
                channel,
                thread_key=thread,
                note=_(
                    "For the core group: the {role} (member {number}) is away, with no cover or line "
                    "manager recorded.",
                    role=verbatim(_label(person.role)),
                    number=person.id,
                ),
            )
        # The member's address on this port's channel kind: a new kind of channel is reached
        # by registering its adapter, with no branch here.
        chat = person.address(platform)
        if chat:
            return Destination("dm", chat)
        mail = self._mail(person.addresses)
        if mail:
            return Destination("dm", mail, via=self._via)
        return Destination(
            "channel",
            channel,
            thread_key=thread,
            note=_(
                "For the {role} (member {number}), who is not on chat: please pass it on.",
                role=verbatim(_label(person.role)),
                number=person.id,
            ),
        )

    @property
    def _via(self) -> str | None:
        return self.email.platform if self.email is not None else None

    def _mail(self, book: Any) -> str | None:
        """The address in `book` on the email port's kind, when there is an email port."""
        if self.email is None or not book:
            return None
        return book.get(self.email.platform)

    def _port_for(self, dest: Destination) -> ChatPort:
        return self.email if dest.via is not None and self.email is not None else self.port

    # -- sending ----------------------------------------------------------------------------------

    def _message(self, case: _Case, o: Outgoing, now: datetime, note: str | None) -> Message:
        people = case.facts.people if case.facts else {}

        def role_of(mid: str) -> str:
            p = people.get(int(mid)) if mid.isdigit() else None
            return _label(p.role) if p else f"member {mid}"

        # Plain words when it goes to a parent or carer themselves (not to someone covering).
        member = audience_member(o.audience, o.planned.subject, case.facts) if case.facts else None
        person = people.get(member) if member is not None else None
        message = render(
            o.payload(),
            case.reference,
            now.astimezone(LONDON).date(),
            role_of=role_of,
            note=note,
            rules=_rules(o.profile),
            action_of=_actions_of(case),
            family=note is None and person is not None and is_family(person),
        )
        if note and o.planned.kind in _ANSWERED_BY_THEM:
            # A cover or manager pressing "Attending" would answer for themselves: no buttons.
            message = replace(
                message, buttons=(), detail=(*message.detail, _("Only they can answer this; pass it on."))
            )
        return message

    def _voice(self, dest: Destination, profile: str) -> Voice:
        """The reader's language: a DM in the person's, a channel post as the profile says."""
        if dest.kind == "dm":
            # `via`: the email port's kind for someone reached by email (their address's kind).
            return address_voice(self.store, dest.via or self.port.platform, dest.target, profile)
        return profile_channel_voice(profile)

    def _post(self, dest: Destination, message: Message, thread: str | None) -> str:
        self.pacer.wait(dest.target)
        if dest.kind == "dm":
            return self._port_for(dest).direct_message(dest.target, message)
        return self.port.post_message(dest.target, message, thread=thread)

    def _send_one(
        self,
        rid: int,
        case: _Case,
        o: Outgoing,
        dest: Destination,
        message: Message,
        attempts: int,
        now: datetime,
    ) -> Sent:
        platform = self.port.platform
        kind = o.planned.kind
        sent = Sent(
            rid,
            case.reference,
            kind,
            o.audience,
            f"{dest.kind}:{dest.target}",
            "sent",
            preview=message.preview,
        )
        message = voiced(message, self._voice(dest, o.profile))
        try:
            if not dest.target:
                raise ChatError("no_channel", "the case has no channel on this platform")
            parent: str | None = None
            if dest.kind == "channel" and dest.thread_key:
                with self.store.read() as s:
                    t = sending.thread(s, case.id, dest.thread_key, platform)
                parent = t.message_id if t is not None and t.channel == dest.target else None
            edit = None
            if kind == "chair_bundle":
                with self.store.read() as s:
                    t = sending.thread(s, case.id, f"bundle:{o.planned.subject}", dest.via or platform)
                edit = t
            if edit is not None:  # the bundle went already (a retried row): bring it up to date
                self.pacer.wait(edit.channel)
                self._port_for(dest).update_message(edit.channel, edit.message_id, message)
                message_id = edit.message_id
            else:
                message_id = self._post(dest, message, parent)
        except Exception as exc:
            return self._failed(rid, case, o, attempts, now, exc, sent, by_email=dest.via is not None)
        # Between the send above and this mark is the one place a crash duplicates a message.
        try:
            self._mark(rid, case, o, dest, message_id, parent, now)
        except StorageError:
            # Our lease ran out mid-send (a send slower than the lease) and another sender has
            # sent and marked it: the message went twice, the record is right; say so in the log.
            log.warning(
                "reminder already marked by another sender", extra={"reminder_id": rid, "case_id": case.id}
            )
            sent.outcome = "duplicate"
        sent.message_id = message_id
        return sent

    def _mark(
        self,
        rid: int,
        case: _Case,
        o: Outgoing,
        dest: Destination,
        message_id: str,
        parent: str | None,
        now: datetime,
    ) -> None:
        platform = self.port.platform
        kind = o.planned.kind
        with self.store.transaction() as s:
            outbox.mark_sent(s, rid, now=now, worker=self.worker)
            if dest.kind == "channel" and dest.thread_key and parent is None:
                sending.remember_thread(
                    s, case.id, dest.thread_key, platform, channel=dest.target, message_id=message_id, now=now
                )
            if kind == "chair_bundle":
                sending.remember_thread(
                    s,
                    case.id,
                    f"bundle:{o.planned.subject}",
                    dest.via or platform,
                    channel=dest.target,
                    message_id=message_id,
                    now=now,
                )

    def _failed(
        self,
        rid: int,
        case: _Case,
        o: Outgoing,
        attempts: int,
        now: datetime,
        exc: Exception,
        sent: Sent,
        *,
        by_email: bool = False,
    ) -> Sent:
        code = exc.code if isinstance(exc, ChatError) else type(exc).__name__
        dead = attempts >= self.max_attempts
        retry_at = None if dead else now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
        try:
            with self.store.transaction() as s:
                outbox.mark_failed(s, rid, now=now, worker=self.worker, error=code, retry_at=retry_at)
        except StorageError:
            # The send outlasted our lease and another sender holds the row now: theirs to finish.
            log.warning(
                "failed reminder now held by another sender",
                extra={"reminder_id": rid, "case_id": case.id, "error": code},
            )
            sent.outcome = "taken"
            return sent
        log.warning(
            "reminder not delivered",
            extra={
                "reminder_id": rid,
                "case_id": case.id,
                "rule": o.planned.rule,
                "error": code,
                "attempts": attempts,
                "dead": dead,
            },
        )
        sent.outcome = "dead" if dead else "retry"
        if dead and case.channel:
            notice = Message(
                f"{case.reference}: a reminder could not be delivered after {attempts} tries",
                _dead_letter_advice(o, code, by_email),
                (),
                (f"{o.planned.rule} · outbox row {rid}",),
            )
            try:
                self.pacer.wait(case.channel)
                self.port.post_message(case.channel, notice)
            except Exception as notice_exc:
                log.warning(
                    "dead-letter notice not posted",
                    extra={"reminder_id": rid, "case_id": case.id, "error": type(notice_exc).__name__},
                )
        return sent

    def _send_digest(self, case: _Case, items: list[tuple[int, Outgoing]], now: datetime) -> list[Sent]:
        """Quiet mode: the day's channel reminders as one message, edited as more come due."""
        platform = self.port.platform
        today = now.astimezone(LONDON).date()
        key = f"digest:{today.isoformat()}"
        day_start = datetime.combine(today, time(0), tzinfo=LONDON).astimezone(UTC)
        with self.store.read() as s:
            t = sending.thread(s, case.id, key, platform)
            earlier = [
                r
                for r in sending.sent_today(s, case.id, day_start)
                if (r.payload or {}).get("digest") == today.isoformat()
            ]
        previews = [
            render(r.payload or {}, case.reference, today, action_of=_actions_of(case)).preview
            for r in earlier
        ]
        previews += [self._message(case, o, now, None).preview for _, o in items]
        message = digest(case.reference, today, previews, quiet=case.digest)
        if items:
            message = voiced(message, profile_channel_voice(items[0][1].profile))
        out = [
            Sent(
                rid,
                case.reference,
                o.planned.kind,
                o.audience,
                f"channel:{case.channel}",
                "digest",
                preview=self._message(case, o, now, None).preview,
            )
            for rid, o in items
        ]
        try:
            if not case.channel:
                raise ChatError("no_channel", "the case has no channel on this platform")
            self.pacer.wait(case.channel)
            if t is not None:
                self.port.update_message(t.channel, t.message_id, message)
                message_id = t.message_id
            else:
                message_id = self.port.post_message(case.channel, message)
        except Exception as exc:
            return [
                self._failed(rid, case, o, attempts_of(self.store, rid), now, exc, sent)
                for (rid, o), sent in zip(items, out, strict=True)
            ]
        with self.store.transaction() as s:
            for rid, _o in items:
                r = outbox.mark_sent(s, rid, now=now, worker=self.worker)
                r.payload = {**(r.payload or {}), "digest": today.isoformat()}
            if t is None:
                sending.remember_thread(
                    s, case.id, key, platform, channel=case.channel, message_id=message_id, now=now
                )
        for sent in out:
            sent.message_id = message_id
        return out


def attempts_of(store: Any, rid: int) -> int:
    from storage.models import Reminder

    with store.read() as s:
        r = s.get(Reminder, rid)
        return r.attempts if r else 1


_RULES: dict[str, Any] = {}


def _rules(profile: str) -> Any:
    got = _RULES.get(profile)
    if got is None:
        got = _RULES[profile] = rules_for(profile)
    return got


def refresh_bundle(
    store: Any,
    port: ChatPort,
    *,
    reference: str,
    meeting_subject: str,
    clock: Clock,
    email: ChatPort | None = None,
) -> bool:
    """A report arrived after the chair's bundle went: edit the bundle in place (or, for a chair
    reached by email, send it again). False when no bundle was sent for that meeting."""
    now = clock()
    with store.read() as s:
        case = s.scalars(select(CoreGroup).where(col(CoreGroup.reference) == reference)).first()
        if case is None or case.id is None:
            return False
        t = sending.thread(s, case.id, f"bundle:{meeting_subject}", port.platform)
        if t is None and email is not None:
            t = sending.thread(s, case.id, f"bundle:{meeting_subject}", email.platform)
            port = email if t is not None else port
        if t is None:
            return False
        state = case_state(s, reference)
        facts = load_facts(
            s.connection(), [case.id], now.astimezone(LONDON).date(), all_people=True, email=email is not None
        )
    c = _Case(case.id, reference, t.channel, case.status, case.digest, facts=facts.get(case.id))
    today = now.astimezone(LONDON).date()
    # The bundle's plan row as of the day it was for (the working day before the meeting).
    bundle = next(
        (
            o
            for o in plan_case(case.id, reference, state, c.facts, now)
            if o.planned.kind == "chair_bundle" and o.planned.subject == meeting_subject
        ),
        None,
    ) or _bundle_anyway(case.id, reference, state, c.facts, meeting_subject, today)
    if bundle is None:
        return False
    sender = Delivery(store, port, clock=clock)
    message = sender._message(c, bundle, now, None)
    # Read by whoever it was sent to: the chair (their language) or the channel (the profile's).
    voice = sender._voice(sender.resolve(c, bundle, today), bundle.profile)
    port.update_message(t.channel, t.message_id, voiced(message, voice))
    return True


def refresh_bundle_effect(
    effect: RefreshBundle, ctx: Context, port: ChatPort, *, email: ChatPort | None = None
) -> bool:
    """A handler's `RefreshBundle`, as `bot.chat.deliver` hands it over (its `bundle`); `email`
    (bound with functools.partial by the wiring) reaches a chair outside the chat."""
    return refresh_bundle(
        ctx.store,
        port,
        reference=effect.reference,
        meeting_subject=effect.meeting_subject,
        clock=ctx.clock,
        email=email,
    )


def _bundle_anyway(
    case_id: int, reference: str, state: Any, facts: ReminderFacts | None, subject: str, today: date
) -> Outgoing | None:
    """The bundle row planned for its own day, when today is past it (the meeting day itself)."""
    if facts is None:
        return None
    for m in facts.plan.meetings:
        if m.subject == subject:
            prof = load_profile_cached(state.profile)
            cal = prof[1]
            day = cal.subtract_working_days(m.date, 1)
            at = datetime.combine(day, BUNDLE_AT, tzinfo=LONDON)
            for o in plan_case(case_id, reference, state, facts, at):
                if o.planned.kind == "chair_bundle" and o.planned.subject == subject:
                    return o
    return None


_PROFILES = Profiles()


def load_profile_cached(name: str) -> Any:
    return _PROFILES.get(name)
