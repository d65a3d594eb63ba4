"""The `/coregroup` grammar: a line of text → one typed command, or a `CommandError`.

Platform-neutral on purpose: every adapter (each chat's slash command, the console) hands the text
after `/coregroup` to `parse()`, with mentions in the shared chat markup (`<@U123|name>`,
`<mailto:…|…>`, `&amp;`), which is undone here so the adapters stay thin. Text is stored as the
person meant it, never as a live sequence: special mentions and links (`<!channel>`, `<#C1|name>`,
`<https://…|label>`)
become plain words (`@channel`, `#name`, the address itself), `&lt;!channel&gt;` becomes the
literal `<!channel>`, and the renderers escape it all again for their surface (docs/security.md).
Control characters and the mention token's brackets are stripped (`handlers.replies.clean`).

Every error names the problem in the words of the person who typed it and carries a correct
example to copy, because the reader is on a phone between visits and cannot look up a manual.
Checks that need the record (is the date before the case's start? is this person a member?) belong
to the handlers; this module needs nothing but the text.
"""

from __future__ import annotations

import calendar as _cal
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any, Final

from babel.dates import format_date

from handlers.i18n import Lang, Localised, _, ngettext
from handlers.replies import clean
from scheduling.case import PLANS

SLASH: Final = "/coregroup"

#: One correct example per sub-command, shown in errors and in `help`.
EXAMPLES: Final[dict[str, str]] = {
    "new": f"{SLASH} new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    "add": f'{SLASH} add @someone role:"health visitor" agency:"NHS"',
    "add_email": (
        f'{SLASH} add email:someone@example.org name:"A. Teacher" role:"designated teacher" agency:"School"'
    ),
    "remove": f"{SLASH} remove @someone",
    "grant": f"{SLASH} grant @someone",
    "revoke": f"{SLASH} revoke @someone",
    "members": f"{SLASH} members",
    "meeting": f'{SLASH} meeting 2027-02-26 10:00 venue:"Family centre"',
    "review": f"{SLASH} review 2027-03-30 14:00",
    "held": f"{SLASH} held 2027-01-15",
    "minutes": f"{SLASH} minutes sent 2027-01-20",
    "update": f"{SLASH} update sent 2027-01-20",
    "significant": f"{SLASH} significant 2027-01-18",
    "significant_reported": f"{SLASH} significant reported 2027-01-19",
    "cancel": f"{SLASH} cancel",
    "visit": f"{SLASH} visit 2027-01-12 seen-alone",
    "report": f"{SLASH} report",
    "attending": f"{SLASH} attending 2027-01-15",
    "apologies": f"{SLASH} apologies 2027-01-15",
    "away": f"{SLASH} away 2027-02-01 until 2027-02-12 cover:@someone",
    "back": f"{SLASH} back",
    "digest": f"{SLASH} digest on",
    "risk": f"{SLASH} risk reduced",
    "action": f'{SLASH} action add "Book the dental check-up" owner:@someone due:2027-02-01',
    "action_done": f"{SLASH} action done 1",
    "actions": f"{SLASH} actions",
    "concern": f'{SLASH} concern "The plan is not reducing the risk"',
    "escalate": f"{SLASH} escalate",
    "resolve": f"{SLASH} resolve",
    "resolution": f"{SLASH} resolution request",
    "tier1": f"{SLASH} tier1 2027-05-10 10:00",
    "tier2": f"{SLASH} tier2 2027-08-02 10:00",
    "status": f"{SLASH} status",
    "rota": f"{SLASH} rota",
    "close": f'{SLASH} close reason:"Plan ended at the review conference"',
    "change": f"{SLASH} change start:2027-01-04",
    "language": f"{SLASH} language cy",
    "help": f"{SLASH} help",
}

#: What each sub-command does, one line each, in the order `help` lists them.
SUMMARIES: Final[tuple[tuple[str, str], ...]] = (
    ("new", _("start a core group (opens a form without arguments)")),
    ("add", _("add a member, from the workspace or by email")),
    ("remove", _("take a member out of the core group")),
    ("members", _("list the members and their roles")),
    ("grant", _("give a member the manager powers (lead social worker; `revoke` takes them back)")),
    ("meeting", _("schedule the next core group")),
    ("review", _("record the date of the review conference")),
    ("held", _("record that a meeting took place, with attendance and apologies")),
    ("minutes", _("record that the minutes went to every member")),
    ("update", _("record the chair's update to the lead social worker (a meeting held without them)")),
    (
        "significant",
        _("record a significant change in the child's life; `significant reported` once the chair is told"),
    ),
    ("cancel", _("cancel the next scheduled meeting")),
    ("visit", _("record a visit to the child")),
    ("report", _("write your report for the next meeting (or the one on a date)")),
    ("attending", _("say you will attend the next meeting (or the one on a date)")),
    ("apologies", _("send apologies for the next meeting, then your written report")),
    ("away", _("mark yourself away; your reminders go to your cover or line manager")),
    ("back", _("end your absence: reminders come to you again")),
    ("digest", _("on: one reminder message a morning in the channel; off: separate posts")),
    ("action", _("add a plan action, or mark one done")),
    ("actions", _("list the plan's actions")),
    ("concern", _("raise a disagreement, with its stage clock")),
    ("escalate", _("move the open concern to the next stage")),
    ("resolve", _("close the open concern")),
    ("resolution", _("Wales: request the resolution process (Appendix 3)")),
    ("tier1", _("Wales: record the Tier 1 meeting")),
    ("tier2", _("Wales: record the Tier 2 meeting")),
    ("risk", _("Wales: record significant risk reduction after Tier 1 (no Tier 2)")),
    ("status", _("what is due, overdue and next")),
    ("rota", _("the chair and minute-taker rota")),
    ("change", _("change the profile or start date (lead social worker)")),
    ("close", _("close the case (lead social worker)")),
    ("language", _("cy or en: the language I use with you (Cymraeg neu Saesneg)")),
    ("help", _("this list")),
)

_MONTHS: Final = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class _Month(Localised):
    """A month and its year, `February 2027` / `Chwefror 2027`, in the reader's language."""

    year: int
    month: int

    def __new__(cls, year: int, month: int) -> _Month:
        self = super().__new__(cls, f"{_MONTHS[month]} {year}")
        self.year = year
        self.month = month
        return self

    def render(self, lang: Lang) -> str:
        if lang == "en":
            return str.__str__(self)
        return format_date(date(self.year, self.month, 1), "LLLL y", locale=lang)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.year, self.month)


REFERENCE_RE: Final = re.compile(r"^[A-Z]{1,6}-\d{1,8}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
#: The chat user ids the adapters hand over in mentions (U…/W…, and Bot Framework's 29:…).
_USER = re.compile(r"^<@([UW][A-Z0-9]+|29:[A-Za-z0-9_-]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")
_MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_QUOTES: Final = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'}


class CommandError(ValueError):
    """Input we could not use: `problem` says why, `example` is a correct line to copy.

    `problem` is a catalogue sentence (`_()`), kept as it is so each reader gets it in their
    language: read it from `exc.problem`, never from `str(exc)` (the English, for logs only)."""

    def __init__(self, problem: str, example: str) -> None:
        self.problem = problem
        self.example = example
        super().__init__(f"{problem} Try `{example}`.")


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """Base: `case` is an explicit reference; None means "the case of this channel"."""

    case: str | None = None
    #: The sub-command's name, for messages and audit.
    name: str = field(default="", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Help(Command):
    topic: str | None = None
    name: str = field(default="help", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCase(Command):
    reference: str | None = None  # None: open the form
    profile: str | None = None
    plan: str | None = None
    start: date | None = None
    name: str = field(default="new", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddMember(Command):
    user: str | None = None  # a workspace user id
    email: str | None = None  # someone outside the workspace
    display_name: str | None = None
    role: str = ""
    agency: str | None = None
    #: `cy` or `en` when the person's language is known as they are added; None: they are asked
    #: (Welsh profiles) or their case's profile decides.
    language: str | None = None
    #: professional, family, child or other (scheduling/roles.py); None: read from the role.
    kind: str | None = None
    name: str = field(default="add", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLanguage(Command):
    """The language the bot uses with this person (`en`, `cy`), in every case they are in."""

    language: str
    name: str = field(default="language", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveMember(Command):
    user: str
    name: str = field(default="remove", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantPowers(Command):
    """Give (or, with `withdraw`, take back) the case's powers: close, change, remove others."""

    user: str
    withdraw: bool = False
    name: str = field(default="grant", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListMembers(Command):
    name: str = field(default="members", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleMeeting(Command):
    day: date
    at: time
    venue: str | None = None
    online: bool = False
    #: Set by the "Book it anyway" button after a warning about the rule's window.
    confirmed: bool = False
    #: `move`: change the date of the next booked meeting instead of booking another.
    move: bool = False
    #: `another`: book it although a core group is booked already (asked first: one next at a time).
    another: bool = False
    #: Family members the lead social worker invites: ("all",) or ("m:12", ...).
    family: tuple[str, ...] = ()
    #: `chair:@x minutes:@y` (user ids); None: as the profile's chair rule gives.
    chair: str | None = None
    minutes: str | None = None
    name: str = field(default="meeting", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleReview(Command):
    day: date
    at: time | None = None
    name: str = field(default="review", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordHeld(Command):
    day: date | None = None
    #: None: ask with the attendance form.
    attended: tuple[str, ...] | None = None
    apologies: tuple[str, ...] = ()
    #: Set by the attendance form: the meeting it was opened for.
    meeting_id: int | None = None
    name: str = field(default="held", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinutesSent(Command):
    day: date | None = None
    name: str = field(default="minutes", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChairUpdateSent(Command):
    """The chair told the lead social worker what a meeting held without them decided."""

    day: date | None = None
    name: str = field(default="update", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignificantChange(Command):
    """A significant change (`reported` False: it happened on `day`) or the report of the
    latest unreported one to the conference chair (`reported` True: told on `day`)."""

    day: date | None = None
    reported: bool = False
    name: str = field(default="significant", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelMeeting(Command):
    name: str = field(default="cancel", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVisit(Command):
    #: None: today (`visit today`, `visit seen-alone`), or the form when `ask` is set.
    day: date | None = None
    seen_alone: bool = False
    by: str | None = None
    #: Bare `visit` (the "Record a visit" reminder button): open the visit form.
    ask: bool = False
    name: str = field(default="visit", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport(Command):
    text: str | None = None  # None: open the form
    #: Set by the report form: the meeting it was opened for.
    meeting_id: int | None = None
    #: The meeting's date (a reminder's button names it); None: the next meeting.
    day: date | None = None
    name: str = field(default="report", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SendApologies(Command):
    #: The meeting's date; None: the next meeting.
    day: date | None = None
    name: str = field(default="apologies", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attending(Command):
    """The caller's answer before a meeting: they will be there."""

    day: date | None = None
    name: str = field(default="attending", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Away(Command):
    """The caller is away from `start` (None: today) until `until` (None: open-ended)."""

    start: date | None = None
    until: date | None = None
    cover: str | None = None  # a workspace user id, or the email of a member outside it
    #: Their line manager (a workspace user id), who hears when no member covers.
    manager: str | None = None
    name: str = field(default="away", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Back(Command):
    name: str = field(default="back", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest(Command):
    on: bool
    name: str = field(default="digest", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskReduced(Command):
    """Cwm Taf Morgannwg: Tier 1 found significant risk reduction (False: it no longer does)."""

    reduced: bool = True
    name: str = field(default="risk", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddAction(Command):
    text: str
    owner: str | None = None
    #: An owner reached by email (a parent, a GP outside the workspace), or named as the
    #: members list shows them ("Gran"): members without a chat address own actions too.
    owner_email: str | None = None
    owner_name: str | None = None
    due: date | None = None
    name: str = field(default="action", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionDone(Command):
    number: int
    name: str = field(default="action_done", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListActions(Command):
    name: str = field(default="actions", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RaiseConcern(Command):
    text: str
    name: str = field(default="concern", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalate(Command):
    name: str = field(default="escalate", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolve(Command):
    name: str = field(default="resolve", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolutionRequest(Command):
    """Cwm Taf Morgannwg Appendix 3; `reason` None opens the form."""

    reason: str | None = None
    requested: date | None = None
    name: str = field(default="resolution", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TierMeeting(Command):
    tier: int
    day: date
    at: time | None = None
    #: Book it even on a non-working day, out of hours or after its deadline (asked first).
    confirmed: bool = False
    name: str = field(default="tier", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenForm(Command):
    """A sub-command typed without its arguments, where a form asks for them instead."""

    form: str
    name: str = field(default="form", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Status(Command):
    name: str = field(default="status", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rota(Command):
    #: `rota chair:@x minutes:@y`: set the next booked core group's (user ids).
    chair: str | None = None
    minutes: str | None = None
    name: str = field(default="rota", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseCase(Command):
    #: Why the case is closing (asked for when left out).
    reason: str | None = None
    #: The person has seen what is still open and closes anyway.
    confirmed: bool = False
    name: str = field(default="close", init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeCase(Command):
    profile: str | None = None
    start: date | None = None
    name: str = field(default="change", init=False)


# --- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    key: str | None = None  # `key:value` → key
    quoted: bool = False


def unescape(text: str) -> str:
    """Undo the chat markup's HTML escaping of the three characters it escapes."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


#: The markup's special mentions (`<!channel>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`),
#: channel links and links, as they arrive in a command's text (typed `<` arrives as `&lt;`).
_SPECIAL = re.compile(r"<!([A-Za-z]+)[^|>]*(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|ftp)://[^|>\s]+)(?:\|[^>]*)?>")


def plain_entities(text: str) -> str:
    """The markup's live sequences as the words they stand for, before the text is stored.

    `<!channel>` → `@channel`, `<#C1|case>` → `#case`, `<https://x|Confirm>` → `https://x` (the
    address, never a label over it). Person mentions and mailto links stay: the grammar reads
    them, and they are ids, never shown as typed."""
    text = _SPECIAL.sub(lambda m: m.group(2) or f"@{m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    return _LINK.sub(lambda m: m.group(1), text)


_PERSON = re.compile(r"<@([UW][A-Z0-9]+|29:[A-Za-z0-9_-]+)(?:\|([^>]*))?>")
_MAIL = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")


def _spoken(text: str) -> str:
    """A mention or mailto inside free text (a quoted value, a concern, a report) as the words
    it reads as, `@jo` and `a@b.org`: stored text is never shown as a mention again."""
    return _MAIL.sub(lambda m: m.group(1), _PERSON.sub(lambda m: "@" + (m.group(2) or m.group(1)), text))


def tokenize(text: str, example: str = EXAMPLES["help"]) -> list[_Tok]:
    """Split on spaces; "double quotes" (straight or curly) keep spaces; `key:value` pairs."""
    for curly, straight in _QUOTES.items():
        text = text.replace(curly, straight)
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] == "<":  # a markup entity: <@U123|name>, <mailto:a@b|a@b>, <#C1|name>
            j = text.find(">", i)
            if j != -1:
                out.append(_Tok(text[i : j + 1]))
                i = j + 1
                continue
        start = i
        key: str | None = None
        buf: list[str] = []
        quoted = False
        while i < n and not text[i].isspace():
            ch = text[i]
            if (
                ch == ":"
                and key is None
                and not quoted
                and buf
                and re.fullmatch(r"[a-zA-Z][a-zA-Z_-]*", "".join(buf))
            ):
                key = "".join(buf).lower().replace("-", "_")
                buf = []
                i += 1
                continue
            if ch == '"':
                end = text.find('"', i + 1)
                if end == -1:
                    raise CommandError(
                        _("A quote opened at `{text}` is never closed.", text=text[start : start + 20]),
                        example,
                    )
                buf.append(_spoken(text[i + 1 : end]))
                quoted = True
                i = end + 1
                continue
            buf.append(ch)
            i += 1
        out.append(_Tok("".join(buf), key, quoted))
    return out


# --- values --------------------------------------------------------------------------------------


def parse_date(raw: str, example: str) -> date:
    """YYYY-MM-DD, with a near miss explained (`February 2027 has 28 days`)."""
    m = _ISO.match(raw)
    if not m:
        uk = _UK.match(raw)
        if uk:
            d, mo, y = (int(g) for g in uk.groups())
            if y < 100:
                y += 2000
            hint = f"{y:04d}-{mo:02d}-{d:02d}"
            raise CommandError(
                _(
                    "I couldn't read `{raw}`: write dates as year-month-day, here `{hint}`.",
                    raw=raw,
                    hint=hint,
                ),
                example,
            )
        raise CommandError(
            _("I couldn't read `{raw}` as a date: write it as year-month-day, like 2027-02-26.", raw=raw),
            example,
        )
    y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        raise CommandError(_("I couldn't read `{raw}`: months run from 01 to 12.", raw=raw), example)
    if not 2000 <= y <= 2075:
        raise CommandError(
            _("I couldn't read `{raw}`: the year should be between 2000 and 2075.", raw=raw), example
        )
    last = _cal.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise CommandError(
            ngettext(
                "I couldn't read `{raw}` — {month} has {n} day.",
                "I couldn't read `{raw}` — {month} has {n} days.",
                last,
                raw=raw,
                month=_Month(y, mo),
            ),
            example,
        )
    return date(y, mo, d)


def parse_time(raw: str, example: str) -> time:
    """`10:00`, `14.30`, `10am`, `2:30pm`."""
    m = _TIME.match(raw.strip())
    if not m:
        raise CommandError(
            _("I couldn't read `{raw}` as a time: write it as 10:00 or 14:30.", raw=raw), example
        )
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    ampm = (m.group(3) or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise CommandError(
                _("I couldn't read `{raw}`: with am/pm the hour runs 1 to 12.", raw=raw), example
            )
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif m.group(2) is None:
        hint = f"{hour:02d}:00"
        raise CommandError(
            _("I couldn't read `{raw}` as a time: write it as {hint}.", raw=raw, hint=hint),
            example,
        )
    if hour > 23 or minute > 59:
        raise CommandError(_("I couldn't read `{raw}`: there is no such time of day.", raw=raw), example)
    return time(hour, minute)


def parse_user(raw: str, example: str) -> str:
    """A workspace user id from a mention (`<@U123|name>`) or a bare id (`@U123`, `U123`)."""
    m = _USER.match(raw)
    if m:
        return m.group(1) or m.group(2)
    if raw.startswith("@"):
        raise CommandError(
            _(
                "I couldn't tell who `{raw}` is. Pick the person from the list your chat shows as you "
                "type @, so their mention turns blue.",
                raw=raw,
            ),
            example,
        )
    raise CommandError(_("`{raw}` is not a person: mention them with @.", raw=raw), example)


def parse_email(raw: str, example: str) -> str:
    m = _MAILTO.match(raw)
    value = m.group(1) if m else raw
    if not _EMAIL.match(value):
        raise CommandError(_("`{value}` is not an email address.", value=value), example)
    return value.lower()


def parse_reference(raw: str, example: str) -> str:
    ref = raw.upper()
    if not REFERENCE_RE.match(ref):
        raise CommandError(
            _(
                "`{raw}` is not a case reference: use letters, a hyphen and digits, like CG-0001 "
                "(never a name).",
                raw=raw,
            ),
            example,
        )
    return ref


# --- the parser ----------------------------------------------------------------------------------


class _Args:
    """The tokens of one sub-command, consumed as they are understood; leftovers are errors."""

    def __init__(self, sub: str, toks: list[_Tok], example: str) -> None:
        self.sub = sub
        self.example = example
        self.case: str | None = None
        self.positional: list[_Tok] = []
        self.keys: dict[str, _Tok] = {}
        for t in toks:
            if t.key == "case":
                self.case = parse_reference(t.text, example)
            elif t.key is not None:
                if t.key in self.keys:
                    raise CommandError(_("`{key}:` is given twice.", key=t.key), example)
                self.keys[t.key] = t
            elif not t.quoted and REFERENCE_RE.match(t.text.upper()) and sub != "new":
                self.case = t.text.upper()
            else:
                self.positional.append(t)

    def key(self, name: str) -> str | None:
        t = self.keys.pop(name, None)
        if t is None:
            return None
        if not t.text.strip():
            raise CommandError(_("`{key}:` needs a value.", key=name), self.example)
        return t.text.strip()

    def flag(self, *words: str) -> bool:
        for i, t in enumerate(self.positional):
            if not t.quoted and t.text.lower() in words:
                del self.positional[i]
                return True
        return False

    def take(self) -> _Tok | None:
        return self.positional.pop(0) if self.positional else None

    def need(self, what: str) -> _Tok:
        """The next positional token; `what` (a catalogue phrase: "a date and a time") names what
        is missing in the error."""
        t = self.take()
        if t is None:
            raise CommandError(_("`{command}` needs {what}.", command=self.sub, what=what), self.example)
        return t

    def done(self) -> None:
        if self.keys:
            k = next(iter(self.keys))
            raise CommandError(
                _("`{command}` does not take `{key}:`.", command=self.sub, key=k), self.example
            )
        if self.positional:
            raise CommandError(
                _(
                    "I didn't understand `{text}` after `{command}`.",
                    text=self.positional[0].text,
                    command=self.sub,
                ),
                self.example,
            )


def parse(text: str) -> Command:
    """The command in `text` (what follows `/coregroup`). Raises CommandError."""
    return _parse(unescape(plain_entities(clean(text))).strip())


def _parse(text: str) -> Command:
    if text.lower().startswith(SLASH):
        text = text[len(SLASH) :].strip()
    if not text:
        return Help()
    head_raw, _sep, rest_raw = text.partition(" ")
    if head_raw.lower() in WELSH_ALIASES:
        head_raw = WELSH_ALIASES[head_raw.lower()]
        text = f"{head_raw} {rest_raw}".strip()
    if REFERENCE_RE.match(head_raw.upper()) and rest_raw.strip():
        # `CG-0001 attending 2027-01-05`: a reminder's button names the case first, so the line
        # works from a direct message or App Home as well as the case's channel.
        command = _parse(rest_raw.strip())
        ref = head_raw.upper()
        if command.case is not None and command.case != ref:
            raise CommandError(
                _("The line names two cases, {first} and {second}.", first=ref, second=command.case),
                f"{SLASH} {ref} status",
            )
        return replace(command, case=ref) if command.case is None else command
    if head_raw.lower() in _FREE_TEXT:
        return _FREE_TEXT[head_raw.lower()](head_raw.lower(), rest_raw)
    toks = tokenize(text, EXAMPLES.get(head_raw.lower(), EXAMPLES["help"]))
    head = toks[0].text.lower() if toks[0].key is None else ""
    rest = toks[1:]
    fn = _SUBCOMMANDS.get(head)
    if fn is None:
        near = _closest(head)
        problem = (
            _(
                "I don't know `{word}`. Did you mean `{near}`? `{help}` lists everything I can do.",
                word=toks[0].text,
                near=near,
                help=EXAMPLES["help"],
            )
            if near
            else _(
                "I don't know `{word}`. `{help}` lists everything I can do.",
                word=toks[0].text,
                help=EXAMPLES["help"],
            )
        )
        raise CommandError(problem, EXAMPLES.get(near or "", EXAMPLES["status"]))
    return fn(head, rest)


def _closest(word: str) -> str | None:
    import difflib

    names = [*_SUBCOMMANDS, *_FREE_TEXT]
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return match[0] if match else None


def _p_help(sub: str, toks: list[_Tok]) -> Command:
    topic = toks[0].text.lower() if toks else None
    return Help(topic=topic)


def _p_new(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["new"]
    a = _Args(sub, toks, ex)
    if not a.positional and not a.keys:
        return NewCase()
    # Left out, the reference is allocated (`ref` "").
    first = a.take()
    ref = parse_reference(first.text, ex) if first is not None else ""
    profile = a.key("profile")
    plan = a.key("plan")
    start_raw = a.key("start")
    missing = [k for k, v in (("profile", profile), ("plan", plan), ("start", start_raw)) if not v]
    if missing:
        raise CommandError(_("`new` needs {keys} too.", keys=", ".join(k + ":" for k in missing)), ex)
    assert profile and plan and start_raw
    if plan.lower() not in PLANS:
        raise CommandError(_("`plan:{plan}` is not a plan type: use cp, cin or lac.", plan=plan), ex)
    start = parse_date(start_raw, ex)
    a.done()
    return NewCase(reference=ref, profile=profile.lower(), plan=plan.lower(), start=start)


def _p_add(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["add"]
    a = _Args(sub, toks, ex)
    if not a.positional and not a.keys:
        return AddMember(case=a.case)
    email_raw = a.key("email")
    if email_raw is None:
        # An address typed straight after `add` (the chat may link it as <mailto:…>).
        first = a.positional[0].text if a.positional else ""
        if _MAILTO.match(first) or _EMAIL.match(first):
            email_raw = a.need(_("an email")).text
    if email_raw is not None:
        ex = EXAMPLES["add_email"]
        a.example = ex
        email = parse_email(email_raw, ex)
        display = a.key("name")
        role = a.key("role")
        if not display or not role:
            raise CommandError(
                _("Someone outside the workspace needs `name:` and `role:` as well as the email."), ex
            )
        agency = a.key("agency")
        kind = a.key("kind")
        language = _language_key(a, ex)
        a.done()
        return AddMember(
            case=a.case,
            email=email,
            display_name=display,
            role=role,
            agency=agency,
            kind=kind,
            language=language,
        )
    who = a.need(_("a person (@someone) or an email address"))
    user = parse_user(who.text, ex)
    role = a.key("role")
    if not role:
        raise CommandError(_("`add` needs the person's `role:`."), ex)
    agency = a.key("agency")
    display = a.key("name")
    kind = a.key("kind")
    language = _language_key(a, ex)
    a.done()
    return AddMember(
        case=a.case, user=user, role=role, agency=agency, display_name=display, kind=kind, language=language
    )


_LANGUAGE_WORDS: Final = {
    "cy": "cy",
    "cymraeg": "cy",
    "welsh": "cy",
    "en": "en",
    "english": "en",
    "saesneg": "en",
}


def parse_language(text: str, example: str) -> str:
    """`cy`, `en`, or either language's name in Welsh or English."""
    lang = _LANGUAGE_WORDS.get(text.strip().lower())
    if lang is None:
        raise CommandError(
            _("`{text}` is not a language I speak: use cy (Cymraeg) or en (English).", text=text), example
        )
    return lang


def _language_key(a: _Args, example: str) -> str | None:
    raw = a.key("lang") or a.key("language")
    return parse_language(raw, f"{example} lang:cy") if raw else None


def _p_language(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["language"]
    a = _Args(sub, toks, ex)
    lang = parse_language(a.need(_("cy (Cymraeg) or en (English)")).text, ex)
    a.done()
    return SetLanguage(case=a.case, language=lang)


def _p_close(sub: str, toks: list[_Tok]) -> Command:
    a = _Args(sub, toks, EXAMPLES["close"])
    reason = a.key("reason")
    confirmed = a.flag("confirm", "confirmed")
    a.done()
    return CloseCase(case=a.case, reason=reason, confirmed=confirmed)


def _p_remove(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["remove"]
    a = _Args(sub, toks, ex)
    user = parse_user(a.need(_("the person to remove (@someone)")).text, ex)
    a.done()
    return RemoveMember(case=a.case, user=user)


def _p_grant(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES[sub]
    a = _Args(sub, toks, ex)
    what = _("the person to revoke (@someone)") if sub == "revoke" else _("the person to grant (@someone)")
    user = parse_user(a.need(what).text, ex)
    a.done()
    return GrantPowers(case=a.case, user=user, withdraw=sub == "revoke")


def _simple(cls: type[Command], example: str) -> Callable[[str, list[_Tok]], Command]:
    def parse_simple(sub: str, toks: list[_Tok]) -> Command:
        a = _Args(sub, toks, example)
        a.done()
        return cls(case=a.case)

    return parse_simple


#: Words that mean "held online" after `meeting`. The runtime adds its calendar provider's own
#: word at start-up (`also_online`, from `bot.settings.handler_config`), so the parser names no
#: product.
ONLINE_WORDS: set[str] = {"online", "virtual"}


def also_online(*words: str) -> None:
    """Accept more words for an online meeting, for this process."""
    ONLINE_WORDS.update(w.lower() for w in words)


def _p_meeting(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["meeting"]
    a = _Args(sub, toks, ex)
    if not a.positional and not a.keys:
        return OpenForm(case=a.case, form="meeting")
    day = parse_date(a.need(_("a date and a time")).text, ex)
    at = parse_time(a.need(_("a time")).text, ex)
    online = a.flag(*ONLINE_WORDS)
    venue = a.key("venue")
    confirmed = a.flag("confirm", "confirmed")
    move = a.flag("move", "moved", "reschedule")
    another = a.flag("another", "also")
    family_raw = a.key("family")
    family = tuple(p for p in re.split(r"[,\s]+", family_raw) if p) if family_raw else ()
    if a.flag("family"):
        family = ("all",)
    chair_raw, minutes_raw = a.key("chair"), a.key("minutes")
    a.done()
    return ScheduleMeeting(
        case=a.case,
        day=day,
        at=at,
        venue=venue,
        online=online,
        confirmed=confirmed,
        move=move,
        family=family,
        chair=parse_user(chair_raw, ex) if chair_raw else None,
        minutes=parse_user(minutes_raw, ex) if minutes_raw else None,
        another=another,
    )


def _p_rota(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["rota"]
    a = _Args(sub, toks, ex)
    chair_raw, minutes_raw = a.key("chair"), a.key("minutes")
    a.done()
    return Rota(
        case=a.case,
        chair=parse_user(chair_raw, ex) if chair_raw else None,
        minutes=parse_user(minutes_raw, ex) if minutes_raw else None,
    )


def _p_review(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["review"]
    a = _Args(sub, toks, ex)
    day = parse_date(a.need(_("the conference date")).text, ex)
    t = a.take()
    at = parse_time(t.text, ex) if t else None
    a.done()
    return ScheduleReview(case=a.case, day=day, at=at)


def _users_list(raw: str | None, example: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    parts = [p for p in re.split(r"[,\s]+", raw) if p]
    return tuple(parse_user(p, example) for p in parts)


def _p_held(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["held"]
    a = _Args(sub, toks, ex)
    t = a.take()
    day = parse_date(t.text, ex) if t else None
    attended_raw = a.key("attended")
    apologies = _users_list(a.key("apologies"), ex)
    a.done()
    attended = _users_list(attended_raw, ex) if attended_raw is not None else None
    return RecordHeld(case=a.case, day=day, attended=attended, apologies=apologies)


def _p_minutes(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["minutes"]
    a = _Args(sub, toks, ex)
    a.flag("sent", "circulated")
    t = a.take()
    day = parse_date(t.text, ex) if t else None
    a.done()
    return MinutesSent(case=a.case, day=day)


def _p_update(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["update"]
    a = _Args(sub, toks, ex)
    a.flag("sent")
    t = a.take()
    day = parse_date(t.text, ex) if t else None
    a.done()
    return ChairUpdateSent(case=a.case, day=day)


def _p_significant(sub: str, toks: list[_Tok]) -> Command:
    a = _Args(sub, toks, EXAMPLES["significant"])
    reported = a.flag("reported")
    ex = EXAMPLES["significant_reported" if reported else "significant"]
    t = a.take()
    if t is None and not reported:
        raise CommandError(_("`significant` needs the date the change happened."), ex)
    day = parse_date(t.text, ex) if t else None
    a.done()
    return SignificantChange(case=a.case, day=day, reported=reported)


def _p_visit(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["visit"]
    a = _Args(sub, toks, ex)
    first = a.positional[0] if a.positional else None
    word = first.text.lower() if first is not None and not first.quoted else None
    day: date | None = None
    dated = first is not None and word not in _VISIT_WORDS
    if word == "today":
        a.take()
    elif dated:
        day = parse_date(a.need(_("the date of the visit")).text, ex)
    seen_alone = a.flag("seen-alone", "seen_alone", "alone")
    by_raw = a.key("by")
    if by_raw is None and a.flag("by"):
        by_raw = a.need(_("the person after `by` (by @someone)")).text
    by = parse_user(by_raw, ex) if by_raw else None
    a.done()
    # Bare `visit` (the reminder's button): the form, with today filled in and "seen alone" to
    # tick -- recording "not seen alone" for someone who only pressed a button would be wrong.
    return RecordVisit(
        case=a.case,
        day=day,
        seen_alone=seen_alone,
        by=by,
        ask=first is None and not seen_alone and by is None,
    )


#: Words after `visit` that are not its date (so `visit seen-alone` means today).
_VISIT_WORDS = frozenset({"today", "seen-alone", "seen_alone", "alone", "by"})


def _free_text(rest: str) -> tuple[str, str | None]:
    """Free text as typed (colons and all), minus an explicit `case:REF`, quotes stripped."""
    case = None
    m = re.search(r"(?:^|\s)case:([A-Za-z]{1,6}-\d{1,8})(?=\s|$)", rest)
    if m:
        case = m.group(1).upper()
        rest = rest[: m.start()] + rest[m.end() :]
    for curly, straight in _QUOTES.items():
        rest = rest.replace(curly, straight)
    rest = rest.strip()
    if len(rest) >= 2 and rest[0] == rest[-1] == '"':
        rest = rest[1:-1].strip()
    return _spoken(rest), case


def _p_report(sub: str, rest: str) -> Command:
    """`report` (form), `report TEXT`, `report DATE` (form for that meeting), `report DATE TEXT`."""
    text, case = _free_text(rest)
    first, _sep, more = text.partition(" ")
    if _ISO.match(first):
        day = parse_date(first, EXAMPLES["report"] + " 2027-01-15")
        return WriteReport(case=case, text=more.strip() or None, day=day)
    return WriteReport(case=case, text=text or None)


def _p_answer(cls: type[Attending] | type[SendApologies]) -> Callable[[str, list[_Tok]], Command]:
    def parse_answer(sub: str, toks: list[_Tok]) -> Command:
        ex = EXAMPLES[sub]
        a = _Args(sub, toks, ex)
        t = a.take()
        day = parse_date(t.text, ex) if t else None
        a.done()
        return cls(case=a.case, day=day)

    return parse_answer


def _p_away(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["away"]
    a = _Args(sub, toks, ex)
    until_raw = a.key("until") or a.key("to")
    cover_raw = a.key("cover")
    manager_raw = a.key("manager")
    start: date | None = None
    if (
        a.positional
        and not a.positional[0].quoted
        and a.positional[0].text.lower() not in ("until", "to", "cover")
    ):
        start = parse_date(a.need(_("the first day away")).text, ex)
    if until_raw is None and a.flag("until", "to"):
        until_raw = a.need(_("the last day away after `until`")).text
    if cover_raw is None and a.flag("cover"):
        cover_raw = a.need(_("the person covering after `cover` (cover @someone)")).text
    if start is None and until_raw is None:
        raise CommandError(_("`away` needs the first day you are away, or `until` a date."), ex)
    until = parse_date(until_raw, ex) if until_raw else None
    # A cover outside the workspace is named by their email (`cover:gp@example.org`), as an owner is.
    cover = (
        (parse_email(cover_raw, ex) if "@" in cover_raw.lstrip("<@") else parse_user(cover_raw, ex))
        if cover_raw
        else None
    )
    manager = parse_user(manager_raw, ex) if manager_raw else None
    a.done()
    if start is not None and until is not None and until < start:
        raise CommandError(
            _(
                "`until {until}` is before the first day away ({start}).",
                until=until_raw,
                start=start.isoformat(),
            ),
            ex,
        )
    return Away(case=a.case, start=start, until=until, cover=cover, manager=manager)


def _p_digest(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["digest"]
    a = _Args(sub, toks, ex)
    word = a.need(_("`on` or `off`")).text.lower()
    if word not in ("on", "off"):
        raise CommandError(_("`digest {word}`: say `digest on` or `digest off`.", word=word), ex)
    a.done()
    return Digest(case=a.case, on=word == "on")


def _p_risk(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["risk"]
    a = _Args(sub, toks, ex)
    negated = a.flag("not", "no")
    if not a.flag("reduced", "reduction"):
        raise CommandError(_("Say `risk reduced` (or `risk not reduced` to undo it)."), ex)
    a.done()
    return RiskReduced(case=a.case, reduced=not negated)


def _p_action(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["action"]
    a = _Args(sub, toks, ex)
    if not a.positional and not a.keys:
        return OpenForm(case=a.case, form="action")
    verb = a.need(_("`add` or `done`")).text.lower()
    if verb in ("done", "achieved", "achieve", "complete"):
        ex = EXAMPLES["action_done"]
        a.example = ex
        raw = a.need(_("the action's number (see `/coregroup actions`)")).text.lstrip("#")
        if not raw.isdigit() or int(raw) < 1:
            raise CommandError(_("`{raw}` is not an action number.", raw=raw), ex)
        a.done()
        return ActionDone(case=a.case, number=int(raw))
    if verb in ("delete", "remove"):
        raise CommandError(
            _("Plan actions are never deleted: they stay on the record and are marked done."),
            EXAMPLES["action_done"],
        )
    if verb != "add":
        raise CommandError(_("`action {verb}`: use `action add` or `action done`.", verb=verb), ex)
    t = a.need(_('the action in quotes ("…")'))
    if not t.quoted:
        words = [t.text]
        while a.positional and not a.positional[0].quoted:
            words.append(a.positional.pop(0).text)
        text = " ".join(words)
    else:
        text = t.text
    if not text.strip():
        raise CommandError(_("The action's text is empty."), ex)
    owner_raw = a.key("owner")
    owner = owner_email = owner_name = None
    if owner_raw and (_MAILTO.match(owner_raw) or _EMAIL.match(owner_raw)):
        owner_email = parse_email(owner_raw, ex)
    elif owner_raw and (_USER.match(owner_raw) or owner_raw.startswith("@")):
        owner = parse_user(owner_raw, ex)
    elif owner_raw:
        owner_name = owner_raw
    due_raw = a.key("due")
    due = parse_date(due_raw, ex) if due_raw else None
    a.done()
    return AddAction(
        case=a.case, text=text.strip(), owner=owner, owner_email=owner_email, owner_name=owner_name, due=due
    )


def _p_concern(sub: str, rest: str) -> Command:
    text, case = _free_text(rest)
    if not text:
        raise CommandError(_("Say briefly what the concern is about, in quotes."), EXAMPLES["concern"])
    return RaiseConcern(case=case, text=text)


def _p_resolution(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["resolution"]
    a = _Args(sub, toks, ex)
    a.flag("request", "requested")
    reason = a.key("reason")
    t = a.take()
    requested = parse_date(t.text, ex) if t else None
    a.done()
    return ResolutionRequest(case=a.case, reason=reason, requested=requested)


def _p_tier(sub: str, toks: list[_Tok]) -> Command:
    tier = 1 if sub in ("tier1", "tier-1") else 2
    ex = EXAMPLES[f"tier{tier}"]
    a = _Args(sub, toks, ex)
    confirmed = a.flag("confirm", "confirmed")
    day = parse_date(a.need(_("the meeting date")).text, ex)
    t = a.take()
    at = parse_time(t.text, ex) if t else None
    a.done()
    return TierMeeting(case=a.case, tier=tier, day=day, at=at, confirmed=confirmed)


def _p_change(sub: str, toks: list[_Tok]) -> Command:
    ex = EXAMPLES["change"]
    a = _Args(sub, toks, ex)
    profile = a.key("profile")
    start_raw = a.key("start")
    if not profile and not start_raw:
        raise CommandError(_("`change` needs `profile:` or `start:`."), ex)
    start = parse_date(start_raw, ex) if start_raw else None
    a.done()
    return ChangeCase(case=a.case, profile=profile.lower() if profile else None, start=start)


_SUBCOMMANDS: Final = {
    "help": _p_help,
    "new": _p_new,
    "add": _p_add,
    "remove": _p_remove,
    "grant": _p_grant,
    "revoke": _p_grant,
    "members": _simple(ListMembers, EXAMPLES["members"]),
    "meeting": _p_meeting,
    "review": _p_review,
    "held": _p_held,
    "minutes": _p_minutes,
    "update": _p_update,
    "significant": _p_significant,
    "cancel": _simple(CancelMeeting, EXAMPLES["cancel"]),
    "visit": _p_visit,
    "apologies": _p_answer(SendApologies),
    "attending": _p_answer(Attending),
    "away": _p_away,
    "back": _simple(Back, EXAMPLES["back"]),
    "digest": _p_digest,
    "risk": _p_risk,
    "action": _p_action,
    "actions": _simple(ListActions, EXAMPLES["actions"]),
    "escalate": _simple(Escalate, EXAMPLES["escalate"]),
    "resolve": _simple(Resolve, EXAMPLES["resolve"]),
    "resolution": _p_resolution,
    "tier1": _p_tier,
    "tier2": _p_tier,
    "status": _simple(Status, EXAMPLES["status"]),
    "rota": _p_rota,
    "close": _p_close,
    "change": _p_change,
    "language": _p_language,
}

#: Welsh names for the sub-commands used most: each stands for its English name, which stays
#: the identifier (examples, audit, buttons).
WELSH_ALIASES: Final = {
    "iaith": "language",
    "cymorth": "help",
    "statws": "status",
    "aelodau": "members",
    "adroddiad": "report",
    "ymddiheuriadau": "apologies",
    "mynychu": "attending",
    "ymweliad": "visit",
    "cyfarfod": "meeting",
}


_FREE_TEXT: Final = {"report": _p_report, "concern": _p_concern}


def to_text(cmd: Command) -> str:
    """A command back as the line that produces it: carried by buttons such as "Book it anyway"."""
    parts: list[str] = []
    if isinstance(cmd, ScheduleMeeting):
        parts = ["meeting", cmd.day.isoformat(), f"{cmd.at:%H:%M}"]
        if cmd.venue:
            parts.append(f'venue:"{cmd.venue}"')
        if cmd.online:
            parts.append("online")
        if cmd.move:
            parts.append("move")
        if cmd.another:
            parts.append("another")
        if cmd.family:
            parts.append(f"family:{','.join(cmd.family)}")
        if cmd.chair:
            parts.append(f"chair:<@{cmd.chair}>")
        if cmd.minutes:
            parts.append(f"minutes:<@{cmd.minutes}>")
        if cmd.confirmed:
            parts.append("confirm")
    elif isinstance(cmd, ScheduleReview):
        parts = ["review", cmd.day.isoformat()] + ([f"{cmd.at:%H:%M}"] if cmd.at else [])
    elif isinstance(cmd, TierMeeting):
        parts = [f"tier{cmd.tier}", cmd.day.isoformat()] + ([f"{cmd.at:%H:%M}"] if cmd.at else [])
        if cmd.confirmed:
            parts.append("confirm")
    else:
        raise TypeError(f"no text form for {type(cmd).__name__}")
    if cmd.case:
        parts.append(f"case:{cmd.case}")
    return " ".join(parts)
