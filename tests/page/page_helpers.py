"""Helpers of the answer page tests (a module of its own name: every folder has a `conftest`)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from fakes.env import MovableClock

from bot.console import ConsoleSession
from bot.delivery import Delivery, Pacer, Sent
from handlers.sweep import sweep

GP = "gp@example.org"
PC = "pc@police.example"
CASE = [
    "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    '/coregroup add email:gp@example.org name:"Practice GP" role:"GP" agency:"NHS"',
    '/coregroup add email:pc@police.example name:"PC Officer" role:"police officer" agency:"Police"',
    '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"',
]
_LINK = re.compile(r"http://[^\s]+/r/[A-Za-z0-9._-]+")


@dataclass
class Caught:
    """A mail transport that keeps what it is given (the SMTP path has its own tests)."""

    sender: str = "coregroup@council.example"
    mail: list[EmailMessage] = field(default_factory=list)

    def send(self, message: EmailMessage) -> None:
        self.mail.append(message)

    def link(self, to: str, subject_part: str) -> str:
        for m in reversed(self.mail):
            if m["To"] == to and subject_part in m["Subject"]:
                body = m.get_body(("plain",))
                assert body is not None
                found = _LINK.search(body.get_content())
                assert found, "the email carries an answer link"
                return found.group(0)
        raise AssertionError(f"no email to {to} about {subject_part!r}")


@dataclass
class Page:
    session: ConsoleSession
    out: io.StringIO
    clock: MovableClock
    mail: Caught
    url: str

    def say(self, *lines: str) -> str:
        start = len(self.out.getvalue())
        for line in lines:
            if not self.session.meta(line):
                self.session.run(line)
        return self.out.getvalue()[start:]

    def deliver(self) -> list[Sent]:
        s = self.session
        sweep(s.store, self.clock(), email=True)
        return Delivery(s.store, s.chat, clock=self.clock, worker="t", pacer=Pacer(0), email=s.email).run()

    def local(self, link: str) -> str:
        """The emailed link, pointed at the test's server."""
        return self.url + link[link.index("/r/") :]

    def local_path(self, link: str) -> str:
        """An emailed language link, pointed at the test's server."""
        return self.url + link[link.index("/l/") :]


PARENT = "parent@example.org"
#: A Cwm Taf Morgannwg case (the `wales` profile's language settings): the GP reads Welsh, the
#: officer English, and the parent has not said (so reads both and is asked).
WELSH_CASE = [
    "/coregroup new CG-0001 profile:cwm-taf-morgannwg plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    f'/coregroup add email:{GP} name:"Practice GP" role:"GP" agency:"NHS" lang:cy',
    f'/coregroup add email:{PC} name:"PC Officer" role:"police officer" agency:"Police" lang:en',
    f'/coregroup add email:{PARENT} name:"Parent" role:"mother"',
    '/coregroup meeting 2027-01-15 10:00 venue:"Family centre" family',
]
_LANGUAGE_LINK = re.compile(r"http://\S+/l/[A-Za-z0-9._-]+/(?:cy|en)")


def language_links(mail: list[EmailMessage], to: str) -> list[str]:
    """The language question's links in the latest email to `to` that carries them."""
    for m in reversed(mail):
        body = m.get_body(("plain",))
        if m["To"] == to and body is not None:
            found = _LANGUAGE_LINK.findall(body.get_content())
            if found:
                return list(found)
    raise AssertionError(f"no language question in the emails to {to}")
