"""A real SMTP server on loopback (aiosmtpd), and a console session whose emails go through it.

The server is aiosmtpd's own `Controller` on a free port: smtplib talks real SMTP to it (EHLO,
MAIL, RCPT, DATA), so what the tests read is the bytes a council's relay would have received.
`server.refuse = "451"` (temporary) or `"550"` (permanent) makes DATA fail until set back to None.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fakes.env import MovableClock
from mail_helpers import SENDER, Inbox, Story, free_port

from bot.console import ConsoleSession
from bot.email.transport import SmtpSettings, SmtpTransport
from storage.db import Store


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
