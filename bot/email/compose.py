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

The message itself arrives already in the reader's language (the handlers and the delivery voice
it); the email's own words around it (the answer link's sentence, the footer, the language
question) come from the same catalogue, in the reader's voice: Welsh, English, or Welsh then
English for someone who has not chosen in a Welsh profile's case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from handlers.i18n import LANGUAGE_NAMES, Lang, Voice, _, localise
from handlers.replies import Message

_MARKUP = re.compile(r"\*\*|__|`")
_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")


def plain(text: str, lang: Lang = "en") -> str:
    """Chat markup out; a mention becomes "a core group member" (an id means nothing in a mailbox)."""
    someone = localise(_("a core group member"), lang)
    return _MARKUP.sub("", _MENTION.sub(someone, text))


def said(text: str, voice: Voice) -> list[str]:
    """One sentence of the email's own frame in the reader's voice: a line, or Welsh then English."""
    if voice == "both":
        cy, en = localise(text, "cy"), localise(text, "en")
        return [cy] if cy == en else [cy, en]
    return [localise(text, voice)]


def language_question(reference: str, urls: dict[Lang, str]) -> list[str]:
    """What an email asks a member who has not chosen a language, in a Welsh profile's case:
    always in both languages (the choice is offered, not assumed), one signed link each."""
    lines = [
        *said(
            _("{reference}: which language would you like me to use with you?", reference=reference), "both"
        ),
        *said(_("Open one of these links to choose; you can change it later on the answer page."), "both"),
    ]
    for lang in ("cy", "en"):
        if lang in urls:
            lines += [f"{LANGUAGE_NAMES[lang]}: {urls[lang]}"]
    return lines


def body_text(
    message: Message,
    *,
    answer_url: str | None = None,
    note: str | None = None,
    voice: Voice = "en",
    language_urls: dict[Lang, str] | None = None,
) -> str:
    lang: Lang = "en" if voice == "en" else "cy"
    lines: list[str] = [plain(message.preview, lang), ""]
    if note:
        lines += [note, ""]
    lines += [plain(d, lang) for d in message.detail]
    answers = [b.label for b in message.buttons if b.action == "cg.run"]
    if answer_url and answers:
        choices = " / ".join(answers)
        lines += ["", *said(_("To answer ({answers}), open this link:", answers=choices), voice), answer_url]
        lines += said(_("The link works for you only; please do not forward this email."), voice)
    elif answers:
        lines += [
            "",
            *said(
                _("To answer, contact the lead social worker or reply in the core group's channel."), voice
            ),
        ]
    if language_urls:
        reference = message.preview.split(":", 1)[0].strip()
        lines += ["", *language_question(reference, language_urls)]
    if message.context:
        lines += ["", "—", *(plain(c, lang) for c in message.context)]
    lines += [
        "",
        *said(
            _(
                "This email is from the core group's reminder service. It names the case by its reference "
                "only."
            ),
            voice,
        ),
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
    voice: Voice = "en",
    language_urls: dict[Lang, str] | None = None,
) -> EmailMessage:
    """One email. `calendar` (an .ics body) makes it an iMIP invitation; `voice` is the reader's
    (the frame's words); `language_urls` add the language question."""
    mail = EmailMessage()
    mail["Subject"] = plain(message.preview, "en" if voice == "en" else "cy")
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "coregroup.invalid"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office loops
    mail.set_content(
        body_text(message, answer_url=answer_url, note=note, voice=voice, language_urls=language_urls)
    )
    if calendar is not None:
        mail.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
    # RFC 3282; last: setting the content moves Content-* headers into the parts.
    mail["Content-Language"] = {"en": "en", "cy": "cy", "both": "cy, en"}[voice]
    return mail
