"""Every sentence the bot says, in English or Welsh, from one gettext catalogue.

A handler writes `_("Meeting booked for {when}.", when=day)`: the result is an ordinary `str`
(the English sentence, so nothing downstream changes) that also remembers its message id and
its values. Handlers never decide who reads it. Once the outcome is finished, each message is
rendered for its reader (`localise_message` with that person's `Lang`, or `bilingual` for a
channel whose profile posts in Welsh and English), so the same outcome speaks Welsh to one member
and English to another, on every platform, with no platform code in the choice.

Why a `str` that remembers: a sentence must be translated whole (a translator cannot reorder
fragments glued together in code), so `_()` takes named placeholders and the whole sentence is
one catalogue entry. Dates and nested sentences passed as values are rendered in the reader's
language too, a date after a Welsh preposition can be asked for in its soft-mutated form
(`{when:soft}` in the translation: "ar ddydd Mawrth"), and counts go through `ngettext` with
the six plural forms of Welsh.

The catalogue is `handlers/locale/cy/LC_MESSAGES/coregroup.po`, read and compiled with babel at
first use (no build step, no `.mo` to keep in step); a council corrects a translation by editing
that file (docs/cymraeg.md).
"""

from __future__ import annotations

import gettext
import io
import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handlers.replies import Form, FormField, Message, Option

Lang = Literal["en", "cy"]
#: How a message reaches a reader: one language, or both (Welsh first, then English).
Voice = Literal["en", "cy", "both"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)
LANGUAGE_NAMES: Final[dict[Lang, str]] = {"en": "English", "cy": "Cymraeg"}
CATALOGUE: Final = Path(__file__).parent / "locale" / "cy" / "LC_MESSAGES" / "coregroup.po"
#: Between the Welsh and the English of a bilingual message.
BILINGUAL_RULE: Final = "———"


class Localised(str):
    """A `str` (its English) that can say itself in another language: what `localise` renders."""

    def render(self, lang: Lang) -> str:
        return str.__str__(self)


class Text(Localised):
    """A sentence from the catalogue: its English text, and how to say it in another language."""

    msgid: str
    msgid_plural: str | None
    n: int | None
    values: Mapping[str, object]

    def __new__(
        cls, msgid: str, values: Mapping[str, object], msgid_plural: str | None = None, n: int | None = None
    ) -> Text:
        self = super().__new__(cls, _render(msgid, values, msgid_plural, n, "en"))
        self.msgid = msgid
        self.msgid_plural = msgid_plural
        self.n = n
        self.values = dict(values)
        return self

    def render(self, lang: Lang) -> str:
        return _render(self.msgid, self.values, self.msgid_plural, self.n, lang)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.msgid, self.values, self.msgid_plural, self.n)


class Day(Localised):
    """A date written out in the reader's language: `Tue 5 Jan 2027` / `Dydd Mawrth 5 Ionawr
    2027` (`style="long"`), without the year (`"short"`), or the full English weekday and month
    (`"full"`, as in the calendar's texts)."""

    day: date
    style: str

    def __new__(cls, day: date, style: Literal["long", "short", "full"] = "long") -> Day:
        self = super().__new__(cls, _date(day, style, "en"))
        self.day = day
        self.style = style
        return self

    def render(self, lang: Lang) -> str:
        return _date(self.day, self.style, lang)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.day, self.style)


class Either(Localised):
    """Text that comes with its own Welsh rather than from the catalogue: a council's profile
    wording (`text_cy`). Without a Welsh version it stays as written."""

    cy: str | None

    def __new__(cls, en: str, cy: str | None = None) -> Either:
        self = super().__new__(cls, en)
        self.cy = cy
        return self

    def render(self, lang: Lang) -> str:
        return self.cy if lang == "cy" and self.cy else str.__str__(self)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (str.__str__(self), self.cy)


def either(en: str, *, cy: str | None = None) -> str:
    return Either(en, cy)


class Verbatim(Localised):
    """Text that is the same in every language because a person wrote it or it names something:
    a note someone typed, a role, a place, a reference. Marked so the check for sentences that
    bypassed the catalogue (`unlocalised`) can tell data from a forgotten `_()`."""


def verbatim(text: str) -> str:
    return text if isinstance(text, Localised) else Verbatim(text)


def _(msgid: str, /, **values: object) -> str:
    """The sentence `msgid` (English, with `{named}` placeholders), translated when read."""
    return Text(msgid, values)


def N_(msgid: str, /) -> str:
    """Marks a sentence for the catalogue where its values come later (`Text(msgid, values)`)."""
    return msgid


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """A sentence that depends on a count; `{n}` is the count (Welsh has six plural forms)."""
    return Text(singular, {"n": n, **values}, plural, n)


def long_day(day: date) -> str:
    return Day(day, "long")


def short_day(day: date) -> str:
    return Day(day, "short")


def localise(text: str, lang: Lang) -> str:
    """`text` in `lang`: a catalogue sentence translated, anything else (a name, a reference, text
    someone typed) as it is."""
    if isinstance(text, Localised):
        return text.render(lang)
    return text


def unlocalised(message: Message | Form) -> list[str]:
    """The texts of `message` (or a form) that are neither a catalogue sentence nor marked as
    data: a sentence that bypassed the catalogue, or one glued together from translated pieces
    (`a + b` and f-strings give a plain `str`). Empty texts and texts with no letters (a rule, an
    emoji, a reference's digits) are not sentences. What the contract suite checks every output
    against."""
    if isinstance(message, Form):
        texts = [message.title, message.submit, message.intro or ""]
        for f in message.fields:
            texts += [f.label, f.hint or "", f.placeholder or "", *(o.label for o in f.options)]
    else:
        texts = [message.preview, *message.detail, *(b.label for b in message.buttons), *message.context]
    return [t for t in texts if not isinstance(t, Localised) and re.search(r"[^\W\d_]", t)]


def localise_message(message: Message, lang: Lang) -> Message:
    if lang == "en":
        return message
    return Message(
        localise(message.preview, lang),
        tuple(localise(d, lang) for d in message.detail),
        tuple(replace(b, label=localise(b.label, lang)) for b in message.buttons),
        tuple(localise(c, lang) for c in message.context),
    )


def bilingual(message: Message) -> Message:
    """Welsh first, then English, as Welsh public bodies publish: the Welsh preview (what a
    notification shows), its detail, then the English under a rule. Lines the same in both (a
    reference, a name) are said once; buttons carry both labels."""
    cy, en = localise_message(message, "cy"), message
    if cy == en:
        return en
    english = [line for line in (en.preview, *en.detail) if line not in (cy.preview, *cy.detail)]
    detail = (*cy.detail, BILINGUAL_RULE, *english) if english else cy.detail
    buttons = tuple(
        b if b.label == e.label else replace(b, label=f"{b.label} / {e.label}")
        for b, e in zip(cy.buttons, en.buttons, strict=True)
    )
    context = (*cy.context, *(c for c in en.context if c not in cy.context))
    return Message(cy.preview, detail, buttons, context)


#: While the leak check runs (`watching_for_leaks`), every text that reached a reader without
#: passing through the catalogue, with the message it came in.
_leaks: list[tuple[str, Message | Form]] | None = None


@contextmanager
def watching_for_leaks() -> Iterator[list[tuple[str, Message | Form]]]:
    """Collect every untranslated text a reader is sent while the block runs (the contract
    suite's check that nothing bypasses the catalogue)."""
    global _leaks
    outer, _leaks = _leaks, []
    try:
        yield _leaks
    finally:
        _leaks = outer


def _watch(message: Message | Form) -> None:
    if _leaks is not None:
        _leaks.extend((t, message) for t in unlocalised(message))


def voiced(message: Message, voice: Voice) -> Message:
    """`message` for a reader (or a channel) with that voice."""
    _watch(message)
    return bilingual(message) if voice == "both" else localise_message(message, voice)


def localise_form(form: Form, lang: Lang) -> Form:
    _watch(form)
    if lang == "en":
        return form

    def field(f: FormField) -> FormField:
        return replace(
            f,
            label=localise(f.label, lang),
            options=tuple(Option(o.value, localise(o.label, lang)) for o in f.options),
            hint=localise(f.hint, lang) if f.hint else f.hint,
            placeholder=localise(f.placeholder, lang) if f.placeholder else f.placeholder,
        )

    return replace(
        form,
        title=localise(form.title, lang),
        fields=tuple(field(f) for f in form.fields),
        submit=localise(form.submit, lang),
        intro=localise(form.intro, lang) if form.intro else form.intro,
    )


def form_voice(voice: Voice) -> Lang:
    """A form has one language: a reader who reads both gets Welsh, as they see it first."""
    return "cy" if voice == "both" else voice


def parse_lang(text: str) -> Lang | None:
    """`cy`, `en` and the languages' own names (`cymraeg`, `english`, `welsh`, `saesneg`)."""
    key = text.strip().lower()
    return cast(Lang, _LANG_WORDS[key]) if key in _LANG_WORDS else None


_LANG_WORDS: Final = {
    "cy": "cy",
    "cym": "cy",
    "cymraeg": "cy",
    "welsh": "cy",
    "en": "en",
    "eng": "en",
    "english": "en",
    "saesneg": "en",
}


# --- rendering ---------------------------------------------------------------------------------


@cache
def _translations() -> gettext.GNUTranslations:
    """The Welsh catalogue compiled in memory from the `.po` (what `pybabel compile` would write)."""
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="cy", domain="coregroup")
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _render(msgid: str, values: Mapping[str, object], plural: str | None, n: int | None, lang: Lang) -> str:
    if not msgid:
        return ""
    if lang == "en":
        pattern = msgid if plural is None or n == 1 else plural
    elif plural is None:
        pattern = _translations().gettext(msgid)
    else:
        pattern = _translations().ngettext(msgid, plural, n or 0)
    return _Formatter(lang).vformat(pattern, (), values)


class _Formatter(string.Formatter):
    """`str.format` that renders nested sentences and dates in the reader's language and knows
    the Welsh soft mutation (`{when:soft}`)."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        mutate = format_spec == "soft"
        lower = format_spec == "lower"
        if mutate or lower:
            format_spec = ""
        if isinstance(value, Localised):
            out = value.render(self.lang)
        elif isinstance(value, date) and not isinstance(value, datetime):
            out = _date(value, "long", self.lang)
        else:
            out = super().format_field(value, format_spec)
        if lower:
            return out.lower()
        return soft_mutation(out) if mutate and self.lang == "cy" else out


def _date(day: date, style: str, lang: Lang) -> str:
    if lang == "cy":
        pattern = {"long": "EEEE d MMMM y", "short": "EEEE d MMMM", "full": "EEEE d MMMM y"}[style]
        return format_date(day, pattern, locale="cy")
    if style == "short":
        return f"{day:%a} {day.day} {day:%b}"
    if style == "full":
        return f"{day:%A} {day.day} {day:%B %Y}"
    return f"{day:%a} {day.day} {day:%b %Y}"


#: The soft mutation of a word's first sound (treiglad meddal), longest first: "ll" before "l".
_SOFT: Final = (
    ("ll", "l"),
    ("rh", "r"),
    ("p", "b"),
    ("t", "d"),
    ("c", "g"),
    ("b", "f"),
    ("d", "dd"),
    ("g", ""),
    ("m", "f"),
)
_WORD: Final = re.compile(r"\w+")


def soft_mutation(text: str) -> str:
    """`Dydd Mawrth 5 Ionawr` → `ddydd Mawrth 5 Ionawr`: what follows `ar`, `i`, `o`, `tan`…
    A weekday is lower-cased (after a preposition it is written `ddydd`); any other word keeps
    its capital (`Canllawiau` → `Ganllawiau`), and a word that does not mutate is left alone."""
    if text.startswith("Dydd "):
        text = "d" + text[1:]
    upper = text[:1].isupper()
    lowered = text[:1].lower() + text[1:]
    for radical, mutated in _SOFT:
        if lowered.startswith(radical):
            out = mutated + lowered[len(radical) :]
            return out[:1].upper() + out[1:] if upper else out
    return text


def placeholders(pattern: str) -> set[str]:
    """The named placeholders of a catalogue sentence (for the tooling checks)."""
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}
