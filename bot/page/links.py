"""The answer page's links: signed, bound to one member of one case and one thing asked, with an
end date after which the answer no longer makes sense.

Why `itsdangerous` and a payload rather than a random id stored in a table: the link has to be
checked by any process that serves the page, and nothing about it needs revoking that the record
does not already say (a report sent, a meeting held or cancelled). The signature makes the link
unforgeable; the payload holds only the case reference, the member's email address, the commands
the email offered (as the reminder's buttons carry them) and the last London date it is good for.
The payload is signed, not encrypted: it holds nothing that is not already in the email itself.

The end date is checked against the injected clock (itsdangerous's own `max_age` reads the system
clock, which tests and the sweep's working-day logic cannot move).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from scheduling.london import LONDON

SALT = "coregroup.answer-link.v1"
CSRF_SALT = "coregroup.answer-form.v1"
LANGUAGE_SALT = "coregroup.language-link.v1"
#: How long a link for something without a meeting date (a plan action) stays good.
OPEN_ENDED = timedelta(days=30)
_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
#: The verbs a link may carry: answers only, never a command that changes the core group.
ANSWER_VERBS = ("attending", "apologies", "report", "action done")


class LinkError(Exception):
    """A link that must not be used: `reason` is "forged" or "expired" (the page says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Link:
    """What a verified link allows: `commands` as the email's buttons carried them."""

    reference: str
    address: str
    commands: tuple[tuple[str, str], ...]  # (label, command line)
    until: date

    @property
    def day(self) -> date | None:
        """The meeting date the link answers for, if it is about a meeting."""
        for _, cmd in self.commands:
            m = _DAY.search(cmd)
            if m:
                return date.fromisoformat(m.group(1))
        return None

    def command(self, verb: str) -> str | None:
        return next((c for _, c in self.commands if _verb(c) == verb), None)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    """What a verified language link allows: that member choosing the language they read."""

    reference: str
    address: str
    until: date


def _verb(command: str) -> str:
    """`CG-0001 attending 2027-01-05` -> `attending`; `CG-0001 action done 3` -> `action done`."""
    words = command.split()[1:]
    two = " ".join(words[:2])
    return two if two in ANSWER_VERBS else (words[0] if words else "")


def answerable(command: str) -> bool:
    return _verb(command) in ANSWER_VERBS


def until_for(commands: tuple[tuple[str, str], ...], today: date) -> date:
    """The last day a link makes sense: the meeting's day (answers are for meetings still to
    come), else a month for an action."""
    for _, cmd in commands:
        m = _DAY.search(cmd)
        if m:
            return date.fromisoformat(m.group(1))
    return today + OPEN_ENDED


def new_secret() -> str:
    """A throw-away secret for the console (its links die with it)."""
    return secrets.token_urlsafe(32)


class LinkSigner:
    """Makes and checks links under one secret (`COREGROUP_LINK_SECRET`)."""

    def __init__(self, secret: str, public_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("COREGROUP_LINK_SECRET must be at least 16 characters (32 random ones is good)")
        self._links = URLSafeSerializer(secret, salt=SALT)
        self._forms = URLSafeSerializer(secret, salt=CSRF_SALT)
        self._languages = URLSafeSerializer(secret, salt=LANGUAGE_SALT)
        self.public_url = public_url.rstrip("/")

    def token(self, link: Link) -> str:
        return str(
            self._links.dumps(
                {
                    "r": link.reference,
                    "a": link.address,
                    "c": [list(c) for c in link.commands],
                    "u": link.until.isoformat(),
                }
            )
        )

    def url(self, link: Link) -> str:
        return f"{self.public_url}/r/{self.token(link)}"

    def read(self, token: str, now: datetime) -> Link:
        """The link, or `LinkError("forged")` / `LinkError("expired")`."""
        try:
            raw = self._links.loads(token)
            link = Link(
                str(raw["r"]),
                str(raw["a"]),
                tuple((str(label), str(cmd)) for label, cmd in raw["c"]),
                date.fromisoformat(str(raw["u"])),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            raise LinkError("forged") from None
        if not all(answerable(c) for _, c in link.commands):
            raise LinkError("forged")
        if now.astimezone(LONDON).date() > link.until:
            raise LinkError("expired")
        return link

    # -- the language question's links: a salt of their own, so one never opens the answer form --

    def language_token(self, link: LanguageLink) -> str:
        return str(
            self._languages.dumps({"r": link.reference, "a": link.address, "u": link.until.isoformat()})
        )

    def language_url(self, link: LanguageLink, lang: str) -> str:
        """The link that offers `lang` (`cy`, `en`); opening it asks, a button then sets it."""
        return f"{self.public_url}/l/{self.language_token(link)}/{lang}"

    def read_language(self, token: str, now: datetime) -> LanguageLink:
        try:
            raw = self._languages.loads(token)
            link = LanguageLink(str(raw["r"]), str(raw["a"]), date.fromisoformat(str(raw["u"])))
        except (BadSignature, KeyError, TypeError, ValueError):
            raise LinkError("forged") from None
        if now.astimezone(LONDON).date() > link.until:
            raise LinkError("expired")
        return link

    # -- CSRF: a double-submit pair, the form's field signed over the cookie and the link --------

    def form_token(self, nonce: str, token: str) -> str:
        return str(self._forms.dumps([nonce, token[-24:]]))

    def form_ok(self, field: str, nonce: str | None, token: str) -> bool:
        if not nonce:
            return False
        try:
            got = self._forms.loads(field)
        except BadSignature:
            return False
        return isinstance(got, list) and got == [nonce, token[-24:]]
