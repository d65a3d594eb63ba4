"""A real SMTP server on loopback (aiosmtpd), and a console session whose emails go through it.

The server is aiosmtpd's own `Controller` on a free port: smtplib talks real SMTP to it (EHLO,
MAIL, RCPT, DATA), so what the tests read is the bytes a council's relay would have received.
`server.refuse = "451"` (temporary) or `"550"` (permanent) makes DATA fail until set back to None.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fakes.env import MovableClock

from bot.console import ConsoleSession
from bot.email.transport import SmtpSettings, SmtpTransport
from storage.db import Store

SENDER = "coregroup@council.example"


@dataclass
class Inbox:
    """What the SMTP server accepted (parsed), and what it should refuse next."""

    mail: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None
    attempts: int = 0

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


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp(inbox: Inbox) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", inbox.port, implicit_tls=False), SENDER, timeout=10)  # type: ignore[attr-defined]


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


@pytest.fixture
def story(store: Store, clock: MovableClock, smtp: SmtpTransport, tmp_path: Any) -> Iterator[Story]:
    out = io.StringIO()
    session = ConsoleSession(
        store,
        clock,
        "U0LEAD",
        io.StringIO(),
        out,
        calendar_on=True,
        email_on=True,
        mail=smtp,
        files_dir=tmp_path / "files",
    )
    try:
        yield Story(session, out, clock)
    finally:
        session.close()


CASE = [
    "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    '/coregroup add email:gp@example.org name:"Practice GP" role:"GP" agency:"NHS"',
    '/coregroup add email:pc@police.example name:"PC Officer" role:"police officer" agency:"Police"',
]
