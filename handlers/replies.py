"""What a handler hands back: messages, forms and slow work, with no platform's types in them.

Each chat adapter renders these its own way (Block Kit, Adaptive Cards, plain text for the
console) but in the same order, the order of messages.md: a one-line preview (case
reference, what, when), the detail, the buttons for the expected answers, then the rule and its
source, small.

Text uses a tiny neutral markup that every renderer can map: `**bold**` and `` `code` ``.
A person is named with `mention(user_id)`, a token no one can type (input is passed through
`clean`, which strips it): each renderer turns the token into its platform's mention from the id
and escapes everything else for its surface, so text a user typed can never become a live
`@channel`, a mention or a disguised link (docs/security.md).
Slow work that must not hold up the acknowledgement (creating a channel, inviting people,
publishing App Home) is described as `Effect` values and performed by the adapter after the ack.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

#: Brackets of a mention token: private-use characters, stripped from every input by `clean`.
MENTION_OPEN: Final = "\ue000"
MENTION_CLOSE: Final = "\ue001"
_MENTION_TOKEN: Final = re.compile("\ue000([A-Za-z0-9:_-]{1,100})\ue001")
_USER_ID: Final = re.compile(r"[A-Za-z0-9:_-]{1,100}")
#: What input may not carry: C0/C1 controls (terminal escapes) but tab and newline, the
#: private-use area (our mention brackets), bidi marks, overrides and isolates (text that reads
#: other than it is stored), zero-width spaces and invisible operators (ZWJ stays, for emoji).
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def mention(user_id: str) -> str:
    """The neutral form of "@this person": the adapter renders it from the id alone."""
    if not _USER_ID.fullmatch(user_id):
        # Not an id we could mention (it came from text): shown as typed, escaped by renderers.
        return clean(user_id)
    return f"{MENTION_OPEN}{user_id}{MENTION_CLOSE}"


def clean(text: str) -> str:
    """Input as it may be stored: no mention tokens, control characters or bidi tricks.

    Applied to everything people type (commands, forms) and to names a directory returns, so the
    only mention tokens in a message are the ones handlers made with `mention`."""
    return _UNSAFE.sub("", text)


def render(text: str, *, escape: Callable[[str], str], mention: Callable[[str], str]) -> str:
    """`text` for one surface: mention tokens through `mention(id)`, the rest through `escape`.

    A stray bracket (not a whole token) is dropped rather than shown."""
    parts: list[str] = []
    pos = 0
    for m in _MENTION_TOKEN.finditer(text):
        parts.append(escape(_strip_brackets(text[pos : m.start()])))
        parts.append(mention(m.group(1)))
        pos = m.end()
    parts.append(escape(_strip_brackets(text[pos:])))
    return "".join(parts)


def mentioned(text: str) -> list[str]:
    """The user ids mentioned in `text`, in order."""
    return _MENTION_TOKEN.findall(text)


def _strip_brackets(text: str) -> str:
    return text.replace(MENTION_OPEN, "").replace(MENTION_CLOSE, "")


Audience = Literal["actor", "channel", "user"]
FieldKind = Literal[
    "text", "long_text", "date", "time", "select", "multi_select", "user", "email", "checkbox"
]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    #: Stable id the adapter routes on (`cg.run`, `cg.form`, `cg.dismiss`).
    action: str
    #: Opaque to the adapter: a command line for `cg.run`, a form id for `cg.form`.
    value: str = ""
    primary: bool = False
    danger: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    #: One line that works as a notification preview: case reference, what, when.
    preview: str
    #: Detail lines (dates written out); more than ~6 lines belongs in a form or thread.
    detail: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    #: Rule id · source · how it counts; shown last and small.
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    message: Message
    #: actor: only the person who acted sees it; channel: the case's channel; user: a DM.
    audience: Audience = "actor"
    #: For `user`: the chat user id to message.
    user: str | None = None
    #: Pin it in the channel (the case summary).
    pin: bool = False


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FormField:
    id: str
    label: str
    kind: FieldKind = "text"
    optional: bool = False
    options: tuple[Option, ...] = ()
    #: Initial value: a string, or the selected values of a multi_select.
    initial: str | tuple[str, ...] | None = None
    hint: str | None = None
    placeholder: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A form the person fills in; its submission comes back as `handlers.forms.submit`."""

    id: str
    title: str  # at most 24 characters (the strictest chat's modal title limit)
    fields: tuple[FormField, ...]
    submit: str = "Save"
    #: Carried through the form unchanged (case reference, meeting id): never personal data.
    context: str = ""
    intro: str | None = None


# --- slow work after the acknowledgement -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateChannel:
    """Create the case's private channel, link it, invite `members`, post and pin `summary`."""

    reference: str
    name: str
    members: tuple[str, ...]
    summary: Message


@dataclass(frozen=True, slots=True)
class Invite:
    reference: str
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Kick:
    reference: str
    user: str


@dataclass(frozen=True, slots=True)
class ArchiveChannel:
    reference: str


@dataclass(frozen=True, slots=True)
class EmailInvitation:
    """Someone outside the workspace hears by email (calendar invitations through Graph/ICS).

    Carries member and meeting ids only; the adapter that sends it looks the address up.
    """

    reference: str
    member_id: int
    meeting_id: int | None = None


@dataclass(frozen=True, slots=True)
class RefreshHome:
    """Publish a person's finished App Home page (built by `handlers.home.refresh_home`)."""

    user: str
    page: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class SyncInvitation:
    """A meeting's calendar invitation has work waiting in the outbox (recorded by the handler in
    the same transaction as the change); the adapter wakes the calendar worker to send it."""

    reference: str
    meeting_id: int


@dataclass(frozen=True, slots=True)
class OfferSlots:
    """ "Book the next one before you leave": look up times for the next meeting before
    `deadline` (free/busy where the calendar can read it) and offer them in the channel."""

    reference: str
    deadline: date
    kind: str = "core_group"
    venue: str | None = None
    #: No slot before this day: the window's opening (the final core group before a booked
    #: review), else the last two working weeks before the deadline, not the next three days.
    earliest: date | None = None


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    """Edit the case's pinned summary in place: the record changed (added by `handlers.dispatch`
    after every successful change, so no handler has to remember it).

    `message` is the finished summary, built by `handlers.dispatch` once the change is saved, so
    delivering it only talks to the chat port. It takes no part in equality: two refreshes of
    one case are the same effect."""

    reference: str
    message: Message | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RefreshBundle:
    """A written report came in: if the chair's bundle for that meeting has gone out already,
    edit it in place so the chair sees the late report (`bot.delivery.refresh_bundle`)."""

    reference: str
    meeting_subject: str  # the engine's subject, "meeting:2027-01-19:core_group"


Effect = (
    CreateChannel
    | Invite
    | Kick
    | ArchiveChannel
    | EmailInvitation
    | RefreshHome
    | SyncInvitation
    | OfferSlots
    | RefreshSummary
    | RefreshBundle
)


@dataclass
class Outcome:
    """Everything one command produced, in the order it should reach people."""

    replies: list[Reply] = field(default_factory=list)
    form: Form | None = None
    effects: list[Effect] = field(default_factory=list)
    #: The case the command was about (for routing channel replies), if any.
    reference: str | None = None
    #: True when the request was a platform retry already handled: send nothing.
    duplicate: bool = False
    #: The language the acting person reads (set by `handlers.language.localise_outcome`), for
    #: what the adapter itself says to them.
    voice: Literal["en", "cy", "both"] = "en"

    def say(
        self, message: Message, audience: Audience = "actor", *, user: str | None = None, pin: bool = False
    ) -> Outcome:
        self.replies.append(Reply(message, audience, user, pin))
        return self


def only(message: Message) -> Outcome:
    """An outcome that is one private reply to the person who acted."""
    return Outcome(replies=[Reply(message)])
