"""`coregroup console`: the same handlers through a terminal, so anyone can try every command
without a Slack workspace, and see the messages the bot would post.

The console is one more adapter behind the chat port: channels are simulated (created, joined,
archived), forms are asked field by field on the same input (so a piped script can fill them in),
buttons are numbered and pressed with `/press N`. It reads lines such as

    /coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04

and a few console-only lines: `/as U0HV` (act as someone else), `/in #channel` or `/in CG-0001`
(type in a case's channel), `/time 2027-01-15T16:00` (move the clock, then run one reminder sweep
and deliver what is due, as a running bot would), `/press 1`, `/home`, `/pinned` (the channel's
pinned summary as last edited), `/sweep` (send the reminders due now), `/open URL` (open an answer
link from an email and answer it), `/quit`. Inside a form, `cancel` leaves it and records nothing,
and a command (`/coregroup status`, or `status` outside free-text fields) leaves it and runs. Lines
starting with `#` are comments, for scripted demos.

Emails are printed as channel posts are (`coregroup → email to …`), invitation emails with their
calendar part's METHOD and SEQUENCE, so the whole story of a member outside the workspace is
visible without a mail server. `/open` renders the answer page as text: its choices become the
next prompt, and the answer goes through the page's own code (bot/page/app.py), over HTTP, as a
browser would send it.
"""

from __future__ import annotations

import itertools
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.chat import ChatError, deliver, log_calendar
from bot.clock import LONDON, Clock
from bot.delivery import refresh_bundle_effect
from bot.email.chat import EmailChat
from bot.email.transport import MailTransport
from bot.page.links import LinkSigner, new_secret
from bot.slack.channel import SLACK
from handlers.common import Actor, Config, Context, Person
from handlers.dispatch import handle, handle_text
from handlers.forms import FormError, FormValue, submit
from handlers.home import home
from handlers.parse import CommandError, parse
from handlers.replies import (
    Button,
    Form,
    FormField,
    Message,
    OfferSlots,
    SyncInvitation,
    clean,
    render,
)
from storage.db import Store

if TYPE_CHECKING:
    from bot.calendar.jobs import CalendarJobs

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def plain(text: str) -> str:
    """Neutral markup for a terminal: bold dropped, mentions as @U…, and no control characters
    (a typed ESC sequence could otherwise move the cursor or recolour what the reader sees)."""
    return render(_BOLD.sub(r"\1", text), escape=clean, mention=lambda u: f"@{u}")


class ConsoleDirectory:
    """Anyone with a Slack-like id (`U…`) exists in the console's pretend workspace."""

    def person(self, user_id: str) -> Person | None:
        if not _USER_ID.match(user_id):
            return None
        return Person(name=f"user {user_id}")


@dataclass
class ConsoleChannel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    pins: list[str] = field(default_factory=list)
    archived: bool = False


class Lines:
    """The input, one line at a time, shared by commands and the forms they open."""

    def __init__(self, source: TextIO, out: TextIO, interactive: bool) -> None:
        self.source = source
        self.out = out
        self.interactive = interactive

    def read(self, prompt: str = "> ") -> str | None:
        if self.interactive:
            self.out.write(prompt)
            self.out.flush()
        line = self.source.readline()
        if line == "":
            return None
        line = line.rstrip("\n")
        if not self.interactive:
            self.out.write(f"{prompt}{clean(line)}\n")
        return line


#: Where the console's answer links point: `/open` serves them in-process, nothing listens here.
CONSOLE_URL = "http://console.invalid"


class ConsoleMail:
    """The console's mail transport: each email printed, as a channel post is."""

    sender = "coregroup@console.invalid"

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        self.out.write(f"\n  coregroup → email to {clean(str(message['To']))}\n")
        self.out.write(f"  Subject: {clean(str(message['Subject']))}\n")
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for line in str(text).splitlines():
            if line.strip():
                self.out.write(f"    {clean(line)}\n")
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                cal = str(part.get_content())
                seq = next(
                    (ln.split(":", 1)[1] for ln in cal.splitlines() if ln.startswith("SEQUENCE:")), "0"
                )
                self.out.write(
                    f"    📅 calendar part: METHOD {part.get_param('method')}, SEQUENCE {seq.strip()}\n"
                )


def channel_id_for(name: str) -> str:
    """Console channel ids are derived from the name, so a later session finds them again."""
    return "C" + re.sub(r"[^A-Z0-9]", "", name.upper())[:30]


class ConsoleChat:
    """The chat port, printed. Forms are filled in from the input; buttons are remembered."""

    platform = "slack"  # the console pretends to be a Slack workspace (U… ids)

    def __init__(self, session: ConsoleSession) -> None:
        self.session = session
        self.channels: dict[str, ConsoleChannel] = {}
        #: The latest text of each channel's pinned summary (for `/pinned`).
        self.pinned: dict[str, Message] = {}
        self._ts = itertools.count(1)

    @property
    def out(self) -> TextIO:
        return self.session.out

    def _print(self, where: str, message: Message) -> str:
        ts = f"m{next(self._ts)}"
        self.out.write(f"\n  {where}\n")
        self.out.write(f"  {plain(message.preview)}\n")
        for line in message.detail:
            self.out.write(f"    {plain(line)}\n")
        if message.buttons:
            start = len(self.session.buttons) + 1
            labels = []
            for i, b in enumerate(message.buttons):
                self.session.buttons.append(b)
                labels.append(f"[{start + i}] {plain(b.label)}")
            self.out.write(f"    {'  '.join(labels)}   (press with /press N)\n")
        for c in message.context:
            self.out.write(f"    · {plain(c)}\n")
        return ts

    def _channel_label(self, channel: str) -> str:
        ch = self.channels.get(channel)
        return f"#{ch.name}" if ch else channel

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        ch = self.channels.get(channel)
        if ch is not None and ch.archived:
            raise ChatError("is_archived", channel)
        return self._print(f"{self._channel_label(channel)} · coregroup", message)

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None:
        self._print(f"(only @{user} sees this)", message)

    def direct_message(self, user: str, message: Message) -> str:
        return self._print(f"coregroup → @{user} (direct message)", message)

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        ch = self.channels.get(channel)
        if ch is not None and message_id in ch.pins:
            # The pinned summary is edited after every change: one line, not the whole summary
            # again (`/pinned` shows it).
            self.pinned[channel] = message
            self.out.write(
                f"    (pinned summary in {self._channel_label(channel)} updated: {plain(message.preview)})\n"
            )
            return
        self._print(f"{self._channel_label(channel)} · coregroup (edited)", message)

    def pin(self, channel: str, message_id: str) -> None:
        self.channels[channel].pins.append(message_id)
        self.out.write(f"    (pinned in {self._channel_label(channel)})\n")

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        self.session.fill_form(form, channel)

    def create_private_channel(self, name: str) -> str:
        if any(c.name == name for c in self.channels.values()):
            raise ChatError("name_taken", name)
        ch = ConsoleChannel(channel_id_for(name), name)
        self.channels[ch.id] = ch
        self.out.write(f"\n  (private channel #{name} created)\n")
        self.session.created.append(ch.id)
        return ch.id

    def invite(self, channel: str, users: Sequence[str]) -> None:
        ch = self.channels[channel]
        new = [u for u in users if u not in ch.members]
        ch.members.update(new)
        if new:
            self.out.write(f"    ({', '.join('@' + u for u in new)} invited to #{ch.name})\n")

    def kick(self, channel: str, user: str) -> None:
        ch = self.channels[channel]
        if user in ch.members:
            ch.members.discard(user)
            self.out.write(f"    (@{user} removed from #{ch.name})\n")

    def archive(self, channel: str) -> None:
        ch = self.channels[channel]
        ch.archived = True
        self.out.write(f"    (#{ch.name} archived)\n")

    def publish_home(self, user: str, cases: Sequence[Message]) -> None:
        self.out.write(f"\n  App Home of @{user}: your core groups, newest first\n")
        if not cases:
            self.out.write("    You aren't in any core group yet.\n")
        for m in cases:
            self._print("", m)

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, *, comment: str | None = None
    ) -> str:
        """An .ics invitation: the message is printed with the file's name, and the file is
        written under `files_dir` so it can be opened in a calendar."""
        folder = self.session.files_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(filename).name
        path.write_bytes(content)
        ts = self._print(
            f"{self._channel_label(channel)} · coregroup",
            Message(comment or title, (f"📎 {filename} ({title}), saved as {path}",)),
        )
        return f"file-{ts}"


@dataclass
class ConsoleSession:
    store: Store
    clock: Clock
    user: str
    source: TextIO
    out: TextIO
    interactive: bool = False
    config: Config = field(default_factory=Config)
    channel: str | None = None
    #: Where files posted in a channel (.ics invitations) are written.
    files_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "coregroup-files")
    #: Run calendar work (.ics files, slot offers) in step with each command: `coregroup console`
    #: turns it on; sessions built directly (adapter contract tests) keep it off, like a Slack
    #: deps without a calendar worker.
    calendar_on: bool = False
    #: Print emails instead of sending them, with answer links `/open` understands (the
    #: console's own throw-away link secret). `coregroup console` turns it on.
    email_on: bool = False
    #: Send the emails through this transport instead of printing them (tests: a real SMTP
    #: server on loopback).
    mail: MailTransport | None = None
    _calendar: CalendarJobs | None = field(default=None, init=False, repr=False)
    email: EmailChat | None = field(default=None, init=False, repr=False)
    links: LinkSigner | None = field(default=None, init=False, repr=False)
    buttons: list[Button] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    #: `/quit` was typed inside a form: the loop ends once the form is left.
    quitting: bool = field(default=False, init=False)
    chat: ConsoleChat = field(init=False)
    lines: Lines = field(init=False)
    _triggers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.chat = ConsoleChat(self)
        self.lines = Lines(self.source, self.out, self.interactive)
        self._restore_channels()
        if self.email_on:
            self.links = LinkSigner(new_secret(), CONSOLE_URL)
            self.email = EmailChat(
                self.mail or ConsoleMail(self.out),
                clock=lambda: self.clock(),
                links=self.links,
                store=self.store,
            )
            self.config = replace(self.config, email=True)

    def _restore_channels(self) -> None:
        """Channels of cases made in earlier console sessions (the record keeps their ids)."""
        from storage import repository as repo

        with self.store.read() as s:
            for case in repo.list_cases(s, status=None):
                conv = repo.conversation(s, case.reference, SLACK.name)
                cid = conv.channel if conv else None
                if conv and cid and cid not in self.chat.channels:
                    members = {a for m in repo.members(s, case.reference) if (a := m.address(SLACK.name))}
                    name = f"{self.config.channel_prefix}{case.reference}".lower()
                    pin = conv.summary_message_id
                    self.chat.channels[cid] = ConsoleChannel(
                        cid, name, members, pins=[pin] if pin else [], archived=case.status == "closed"
                    )

    # -- running commands --

    def context(self, *, user: str | None = None) -> Context:
        return Context(
            actor=Actor(user or self.user, SLACK, "console"),
            store=self.store,
            clock=self.clock,
            channel_id=self.channel,
            request_key=None,
            directory=ConsoleDirectory(),
            config=self.config,
        )

    def tell(self, message: Message) -> None:
        self.chat.post_ephemeral(self.channel or "", self.user, message)

    def calendar(self, effect: SyncInvitation | OfferSlots) -> None:
        """Calendar invitations as .ics files in the simulated channel (never Graph: the console
        is for trying things), run in step with the command -- there is no ack to protect."""
        from bot.calendar.ics import IcsCalendar
        from bot.calendar.jobs import CalendarJobs

        if not self.calendar_on:
            log_calendar(effect)
            return
        if self._calendar is None:

            def now() -> datetime:  # follows `/time`, which replaces self.clock
                return self.clock()

            self._calendar = CalendarJobs(
                self.store,
                self.chat,
                now,
                lambda publish: IcsCalendar(publish, now),
                poll=0,
                warm_up=False,
                email=self.email,
            ).start()
        jobs = self._calendar
        try:
            if isinstance(effect, OfferSlots):
                jobs.worker.submit(lambda port: jobs.offer_slots(port, effect)).result(30)
            else:
                jobs.run_now(30)
        except Exception as exc:  # the record is saved; say the calendar step failed
            self.tell(
                Message(
                    f"{effect.reference}: the calendar step failed "
                    f"({type(exc).__name__}); the change itself is saved."
                )
            )

    def close(self) -> None:
        if self._calendar is not None:
            self._calendar.stop()
            self._calendar = None

    def run(self, text: str) -> None:
        ctx = self.context()
        self.created.clear()
        outcome = handle_text(ctx, text)
        deliver(
            outcome,
            ctx=ctx,
            port=self.chat,
            reply_to_actor=self.tell,
            trigger=f"t{next(self._triggers)}",
            calendar=self.calendar,
            bundle=partial(refresh_bundle_effect, email=self.email),
        )
        self._follow_new_channel()

    def _follow_new_channel(self) -> None:
        if self.created:
            self.channel = self.created[-1]
            self.out.write(f"  (you are now typing in #{self.chat.channels[self.channel].name})\n")

    def fill_form(self, form: Form, channel: str | None) -> None:
        """Ask each field on the input, then submit as Slack would."""
        self.out.write(f"\n  Form: {plain(form.title)}\n")
        if form.intro:
            self.out.write(f"    {plain(form.intro)}\n")
        while True:
            values: dict[str, FormValue] = {}
            for f in form.fields:
                value = self._ask(f)
                if isinstance(value, _Leave):
                    self.out.write("    (form cancelled: nothing was recorded)\n")
                    if value.command in ("/quit", "/exit"):
                        self.quitting = True  # the loop ends once the form is left
                    elif value.command:
                        self.out.write(f"  (running `{clean(value.command)}`)\n")
                        if not self.meta(value.command):
                            self.run(value.command)
                    return
                if value is None:
                    self.out.write("    (form cancelled)\n")
                    return
                values[f.id] = value
            try:
                command = submit(form.id, values, form.context)
            except FormError as exc:
                labels = {f.id: f.label for f in form.fields}  # people read labels, not ids
                for key, problem in exc.errors.items():
                    self.out.write(f"    {plain(labels.get(key, key))}: {plain(problem)}\n")
                self.out.write("    Please fill the form in again.\n")
                continue
            break
        ctx = replace(self.context(), channel_id=channel)
        outcome = handle(ctx, command)
        deliver(
            outcome,
            ctx=ctx,
            port=self.chat,
            reply_to_actor=self.tell,
            calendar=self.calendar,
            bundle=refresh_bundle_effect,
        )

    def _ask(self, f: FormField) -> FormValue | _Leave:
        hint = ""
        if f.options:
            hint = " — " + ", ".join(f"{i}) {plain(o.label)}" for i, o in enumerate(f.options, 1))
            hint += " — by number" + (
                ", several separated by commas" if f.kind in ("multi_select", "checkbox") else ""
            )
        if f.kind == "date":
            hint += " — YYYY-MM-DD"
        if f.initial and isinstance(f.initial, str):
            hint += f" [{plain(f.initial)}]"
        if f.optional:
            hint += " (optional)"
        line = self.lines.read(f"    {plain(f.label)}{hint}: ")
        if line is None:
            return None
        line = line.strip()
        if _leaves_form(line, f):
            return _Leave(None if line.lower().strip(".!") in _CANCEL else line)
        if not line and isinstance(f.initial, str):
            line = f.initial
        if f.options:
            picked = [self._option(f, p.strip()) for p in line.split(",") if p.strip()]
            if f.kind in ("multi_select", "checkbox"):
                return picked
            return picked[0] if picked else ""
        if f.kind == "user":
            line = line.lstrip("@").strip("<>").lstrip("@")
        return line

    @staticmethod
    def _option(f: FormField, answer: str) -> str:
        """An answer by number (1, 2…) or by the option's value, as typed."""
        if answer.isdigit() and 1 <= int(answer) <= len(f.options):
            return f.options[int(answer) - 1].value
        for o in f.options:
            if answer.lower() in (o.value.lower(), o.label.lower()):
                return o.value
        return answer

    # -- the loop --

    def meta(self, line: str) -> bool:
        """Console-only lines; True when handled (False: not a console command)."""
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "/as":
            self.user = clean(rest.lstrip("@")) or self.user
            self.out.write(f"  (you are now @{self.user})\n")
        elif word == "/in":
            self._switch_channel(rest)
        elif word == "/time":
            self._move_clock(rest)
        elif word == "/press":
            self._press(rest)
        elif word == "/pinned":
            self._show_pinned()
        elif word == "/sweep":
            self._sweep()
        elif word == "/open":
            self._open(rest)
        elif word == "/home":
            self.chat.publish_home(self.user, home(self.context()))
        elif word in ("/help", "/?"):
            self.out.write(__doc__ or "")
        else:
            return False
        return True

    def _move_clock(self, rest: str) -> None:
        """Move the clock, then do what a running bot would have done meanwhile: one reminder
        sweep and the delivery of what is due, so the reminders appear here as they would in
        the channel (the bot's main job, seen without a second terminal)."""
        try:
            at = datetime.fromisoformat(rest)
        except ValueError:
            shown = clean(rest) or "nothing"
            self.out.write(
                f"  (`/time {shown}` isn't a date and time I can read: give a real date, then the "
                f"time in London, e.g. /time {self.clock().astimezone(LONDON):%Y-%m-%dT%H:%M}; "
                "the clock has not moved)\n"
            )
            return
        at = at if at.tzinfo else at.replace(tzinfo=LONDON)
        self.clock = _fixed(at)
        self.out.write(f"  (the time is now {at:%a %d %b %Y %H:%M})\n")
        self.remind()

    def remind(self) -> None:
        """One sweep and one delivery run at the console's clock."""
        from bot.delivery import Delivery, Pacer
        from handlers.sweep import sweep

        sweep(self.store, self.clock())
        sent = Delivery(self.store, self.chat, clock=self.clock, pacer=Pacer(0.0), worker="console").run()
        delivered = sum(1 for s in sent if s.outcome in ("sent", "digest"))
        if delivered:
            self.out.write(f"  ({delivered} reminder{'s' if delivered != 1 else ''} sent)\n")

    def _switch_channel(self, where: str) -> None:
        where = where.lstrip("#")
        if not where or where in ("direct", "dm"):
            self.channel = None
            self.out.write("  (you are now in a direct message with the bot)\n")
            return
        for ch in self.chat.channels.values():
            if ch.name == where or ch.id == where or ch.name.endswith(where.lower()):
                self.channel = ch.id
                self.out.write(f"  (you are now typing in #{ch.name})\n")
                return
        self.out.write(f"  (no channel called {clean(where)} in this console session)\n")

    def _show_pinned(self) -> None:
        message = self.chat.pinned.get(self.channel or "")
        if message is None:
            self.out.write(
                "  (no pinned summary edited in this channel yet; `/coregroup status` shows the same facts)\n"
            )
            return
        self.chat._print(f"{self.chat._channel_label(self.channel or '')} · pinned", message)

    def _sweep(self) -> None:
        """The reminder sweep now: plan, queue, deliver (chat and email), as `serve` does."""
        from bot.delivery import Delivery, Pacer
        from handlers.sweep import sweep

        now = self.clock()
        result = sweep(self.store, now, email=self.email is not None)
        sent = Delivery(
            self.store,
            self.chat,
            clock=lambda: self.clock(),
            worker="console",
            pacer=Pacer(0),
            email=self.email,
        ).run()
        went = sum(1 for s in sent if s.outcome in ("sent", "digest"))
        later = sum(1 for s in sent if s.outcome == "postponed")
        self.out.write(
            f"  (sweep: {result.inserted} reminder(s) queued, {went} sent"
            + (f", {later} held for working hours" if later else "")
            + ")\n"
        )

    def _open(self, url: str) -> None:
        """An answer link from a printed email: the page as text, answered from the input."""
        from bot.page.console import open_link

        if self.links is None:
            self.out.write("  (email is off in this session, so there are no answer links to open)\n")
            return
        open_link(self, url)

    def _press(self, which: str) -> None:
        if not which.isdigit() or not 1 <= int(which) <= len(self.buttons):
            self.out.write(f"  (no button {which}: buttons are numbered 1 to {len(self.buttons)})\n")
            return
        button = self.buttons[int(which) - 1]
        self.out.write(f"  (pressed “{plain(button.label)}”)\n")
        if button.action == "cg.run":
            self.run(button.value)

    def loop(self) -> None:
        if self.interactive:
            self.out.write(
                "coregroup console — type /coregroup help, /help for console commands, /quit to leave.\n"
            )
        while True:
            line = self.lines.read()
            if line is None:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("/quit", "/exit"):
                break
            if not self.meta(line):
                self.run(line)
            if self.quitting:  # `/quit` typed inside a form
                break
        self.out.write("\n")


#: Words that leave a form without recording anything.
_CANCEL = frozenset({"cancel", "/cancel", "quit", "stop"})


@dataclass(frozen=True, slots=True)
class _Leave:
    """The answer to a form field that ends the form: a cancel (`command` None) or a command
    typed instead of an answer, to run once the form is left."""

    command: str | None


def _leaves_form(line: str, f: FormField) -> bool:
    """`cancel`, a `/coregroup …` or console line, or (outside free-text fields, where any
    sentence is an answer) anything the command parser reads as a command, such as `status`."""
    if line.lower().strip(".!") in _CANCEL or line.startswith("/"):
        return True
    if f.kind == "long_text" or not line:
        return False
    try:
        parse(line)
    except CommandError:
        return False
    return True


def _fixed(at: datetime) -> Clock:
    return lambda: at


def run_console(
    store: Store,
    clock: Clock,
    *,
    user: str,
    source: TextIO | None = None,
    out: TextIO | None = None,
    config: Config | None = None,
    files_dir: Path | None = None,
) -> None:
    source = source or sys.stdin
    out = out or sys.stdout
    session = ConsoleSession(
        store=store,
        clock=clock,
        user=user,
        source=source,
        out=out,
        interactive=source.isatty(),
        config=config or Config(),
        calendar_on=True,
        email_on=True,
    )
    if files_dir is not None:
        session.files_dir = files_dir
    try:
        session.loop()
    finally:
        session.close()
