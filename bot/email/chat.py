"""Email as a chat port: a member's "direct message" is an email to their address.

Why a `ChatPort`: the reminder delivery (bot/delivery.py) already knows how to pick a member's
address by channel kind, hold the outbox row, retry with backoff, dead-letter and stay inside
working hours; giving email the same port makes all of that apply to email with no second loop.
Email has no channels, so the channel calls refuse with `no_channel` (delivery then posts in the
case's chat channel instead, which is where channel reminders belong anyway).

Each email that expects an answer carries one link to the answer page (bot/page/), signed for
that member, that case and exactly the answers the message's buttons offer.

With the record (`store`), each email's own words are in the reader's language (their choice, else
the case's profile default), and in a case whose profile asks new members their language
(`[language] ask_new_members`), every email to someone who has not chosen yet carries the
question, in both languages, with a signed link for Cymraeg and one for English: an email-only
member (a parent, a GP) has no chat to press the buttons chat members get.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from email.message import EmailMessage

from icalendar import Calendar

from bot.clock import Clock
from bot.email.channel import EMAIL
from bot.email.compose import compose
from bot.email.transport import MailTransport
from bot.page.links import OPEN_ENDED, LanguageLink, Link, LinkSigner, answerable, until_for
from bot.port import ChatError
from handlers.i18n import LANGS, Lang, Voice
from handlers.replies import Form, Message
from scheduling.london import LONDON
from scheduling.profiles import LanguageSettings, load_profile
from storage import repository as repo
from storage.db import Store
from storage.errors import StorageError

log = logging.getLogger("coregroup.email")


class EmailChat:
    """The email adapter. `transport` sends (SMTP, Graph, or the console's screen)."""

    platform = EMAIL.name

    def __init__(
        self,
        transport: MailTransport,
        *,
        clock: Clock,
        links: LinkSigner | None = None,
        on_sent: Callable[[EmailMessage], None] | None = None,
        store: Store | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.links = links
        self.on_sent = on_sent
        self.store = store

    def reader(self, reference: str, address: str) -> tuple[Voice, bool]:
        """The reader's voice, and whether to ask them their language (English, and no question,
        without the record)."""
        if self.store is None:
            return "en", False
        with self.store.read() as s:
            chosen = repo.language_of_address(s, EMAIL.name, address)
            try:
                settings = load_profile(repo.get_case(s, reference).profile).language
            except StorageError:
                settings = LanguageSettings()
        if chosen in ("cy", "en"):
            return ("cy" if chosen == "cy" else "en"), False
        return settings.default, settings.ask_new_members

    def language_links(self, reference: str, address: str) -> dict[Lang, str] | None:
        """The language question's links for this member, None without the page."""
        if self.links is None:
            return None
        today = self.clock().astimezone(LONDON).date()
        link = LanguageLink(reference, address, today + OPEN_ENDED)
        return {lang: self.links.language_url(link, lang) for lang in LANGS[::-1]}

    def _frame(self, reference: str, address: str) -> tuple[Voice, dict[Lang, str] | None]:
        voice, ask = self.reader(reference, address)
        return voice, self.language_links(reference, address) if ask else None

    @property
    def sender(self) -> str:
        return self.transport.sender

    def answer_link(self, reference: str, address: str, message: Message) -> str | None:
        """The answer page's URL for this message's answers, None if it asks for none (or the
        page is not set up)."""
        commands = tuple(
            (b.label, b.value) for b in message.buttons if b.action == "cg.run" and answerable(b.value)
        )
        if self.links is None or not commands:
            return None
        today = self.clock().astimezone(LONDON).date()
        return self.links.url(Link(reference, address, commands, until_for(commands, today)))

    def _send(self, mail: EmailMessage) -> str:
        self.transport.send(mail)
        if self.on_sent is not None:
            self.on_sent(mail)
        log.info("email sent", extra={"message_id": mail["Message-ID"]})
        return str(mail["Message-ID"])

    # -- the chat port ----------------------------------------------------------------------------

    def direct_message(self, user: str, message: Message) -> str:
        reference = message.preview.split(":", 1)[0].strip()
        voice, language_urls = self._frame(reference, user)
        mail = compose(
            message,
            sender=self.sender,
            to=[user],
            now=self.clock(),
            answer_url=self.answer_link(reference, user, message),
            voice=voice,
            language_urls=language_urls,
        )
        return self._send(mail)

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        raise ChatError("no_channel", "email has no channels")

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None:
        self.direct_message(user, message)

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        # A sent email cannot be edited; the chair's bundle, edited in chat, is sent again.
        self.direct_message(channel, message)

    def pin(self, channel: str, message_id: str) -> None:
        return None

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        raise ChatError("no_forms", "email cannot open a form; the answer page does that")

    def create_private_channel(self, name: str) -> str:
        raise ChatError("no_channel", "email has no channels")

    def invite(self, channel: str, users: Sequence[str]) -> None:
        return None

    def kick(self, channel: str, user: str) -> None:
        return None

    def archive(self, channel: str) -> None:
        return None

    def publish_home(self, user: str, cases: Sequence[Message]) -> None:
        return None

    # -- invitations ------------------------------------------------------------------------------

    def send_invitation(
        self,
        message: Message,
        ics: bytes,
        method: str,
        *,
        skip: Collection[str] = (),
        on_each: Callable[[str], None] | None = None,
    ) -> list[str]:
        """iMIP: one email per attendee of the VCALENDAR, with the calendar part as it is.

        `skip`: attendees already emailed this file (a retried row), left out. `on_each` hears
        each address as soon as its email is accepted, so the caller can record it before the
        next is tried: one refused attendee then costs the others nothing on the retry."""
        done = {a.lower() for a in skip}
        cal = Calendar.from_ical(ics)
        to: list[str] = []
        for ev in cal.walk("VEVENT"):
            found = ev.get("attendee") or []
            for a in found if isinstance(found, list) else [found]:
                addr = str(a).removeprefix("mailto:").removeprefix("MAILTO:")
                if addr and addr.lower() not in {t.lower() for t in to}:
                    to.append(addr)
        ids = []
        reference = message.preview.split(":", 1)[0].strip()
        for address in to:
            if address.lower() in done:
                continue
            voice, language_urls = self._frame(reference, address)
            mail = compose(
                message,
                sender=self.sender,
                to=[address],
                now=self.clock(),
                calendar=ics,
                method=method,
                voice=voice,
                language_urls=language_urls,
            )
            ids.append(self._send(mail))
            if on_each is not None:
                on_each(address)
        return ids
