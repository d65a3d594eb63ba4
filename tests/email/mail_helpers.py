"""Helpers of the email tests (a module of its own name: every folder has a `conftest`)."""

from __future__ import annotations

import io
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from fakes.env import MovableClock

from bot.console import ConsoleSession

SENDER = "coregroup@council.example"


@dataclass
class Inbox:
    """What the SMTP server accepted (parsed), and what it should refuse next."""

    mail: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None
    attempts: int = 0
    #: Recipients whose next RCPT TO is refused once with a 451 (a busy mailbox), then accepted.
    refuse_once: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "451 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.refuse == "451":
            return "451 4.3.0 Try again later"
        if self.refuse == "550":
            return "550 5.7.1 Relaying denied"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.mail.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mail if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Story:
    session: ConsoleSession
    out: io.StringIO
    clock: MovableClock

    def say(self, *lines: str) -> str:
        """Run console lines; what they printed."""
        start = len(self.out.getvalue())
        for line in lines:
            if not self.session.meta(line):
                self.session.run(line)
        return self.out.getvalue()[start:]


CASE = [
    "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    '/coregroup add email:gp@example.org name:"Practice GP" role:"GP" agency:"NHS"',
    '/coregroup add email:pc@police.example name:"PC Officer" role:"police officer" agency:"Police"',
]
