"""What an email says: the chat message's words, as plain text, with a link to answer.

The subject is the message's preview line (the case reference, what and when: what a phone shows
in the notification), so an email and a chat post about the same thing read the same. The body is
the detail lines, then, for a message with answer buttons, one link to the answer page that offers
exactly those answers. Chat's markup (`**bold**`, `code`) is taken out: a mail client shows it as
stray characters. The child's name is never in a `Message` to begin with (handlers word them
with the case reference), so it cannot reach an email.

Meeting invitations are iMIP (RFC 6047 §2.4): a multipart/alternative of the text and a
`text/calendar; method=REQUEST` (or `CANCEL`) part carrying the same VCALENDAR, same UID and
SEQUENCE, as the .ics file posted in the case's channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from handlers.replies import Message

_MARKUP = re.compile(r"\*\*|__|`")
_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")


def plain(text: str) -> str:
    """Chat markup out; a mention becomes "a core group member" (an id means nothing in a mailbox)."""
    return _MARKUP.sub("", _MENTION.sub("a core group member", text))


def body_text(message: Message, *, answer_url: str | None = None, note: str | None = None) -> str:
    lines: list[str] = [plain(message.preview), ""]
    if note:
        lines += [note, ""]
    lines += [plain(d) for d in message.detail]
    answers = [b.label for b in message.buttons if b.action == "cg.run"]
    if answer_url and answers:
        lines += ["", f"To answer ({' / '.join(answers)}), open this link:", answer_url]
        lines += ["The link works for you only; please do not forward this email."]
    elif answers:
        lines += ["", "To answer, contact the lead social worker or reply in the core group's channel."]
    if message.context:
        lines += ["", "—", *(plain(c) for c in message.context)]
    lines += [
        "",
        "This email is from the core group's reminder service. It names the case by its reference only.",
    ]
    return "\n".join(lines).strip() + "\n"


def compose(
    message: Message,
    *,
    sender: str,
    to: Sequence[str],
    now: datetime,
    answer_url: str | None = None,
    calendar: bytes | None = None,
    method: str = "REQUEST",
    note: str | None = None,
) -> EmailMessage:
    """One email. `calendar` (an .ics body) makes it an iMIP invitation."""
    mail = EmailMessage()
    mail["Subject"] = plain(message.preview)
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "coregroup.invalid"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office loops
    mail.set_content(body_text(message, answer_url=answer_url, note=note))
    if calendar is not None:
        mail.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
    return mail
