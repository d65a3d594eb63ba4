"""The engine's names for things (rule titles, meeting kinds, nations) as the bot says them,
from the catalogue: `scheduling.wording` holds the English the CLI prints, and this module the
same words for chat, where each reader gets their language (`handlers.i18n`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Final, Literal

from handlers.i18n import N_, Lang, Localised, Text, _, localise, long_day, ngettext, verbatim
from scheduling.wording import INTERPRETATION_NOTE as _ENGLISH_NOTE
from scheduling.wording import MEETING_KIND_LABELS, RULE_TITLES, written_out

RULE_NAMES: Final[dict[str, str]] = {
    "first_core_group": _("First core group"),
    "review_conference": _("Review conference"),
    "second_core_group": _("Second core group"),
    "next_core_group": _("Next core group"),
    "final_core_group_window": _("Final core group before review"),
    "post_review_core_group": _("Core group after a review"),
    "minutes_circulated": _("Minutes circulated"),
    "school_move_core_group": _("Core group at a new school"),
    "chair_update_to_lead_sw": _("Chair updates the lead social worker"),
    "significant_change_to_conference_chair": _("Significant change reported to the conference chair"),
    "lead_sw_visit": _("Lead social worker sees the child"),
    "child_seen": _("Child seen by a professional"),
    "written_report": _("Written report from absent members"),
    "quorum": _("Quorum"),
    "escalation_stage": _("Escalation stage"),
    "resolution_tier1_trigger": _("Resolution: automatic Tier 1"),
    "resolution_tier1_meeting": _("Resolution: Tier 1 meeting"),
    "resolution_review_core_group": _("Resolution: review core group"),
    "resolution_tier2_trigger": _("Resolution: Tier 2 trigger"),
    "resolution_tier2_meeting": _("Resolution: Tier 2 meeting"),
}

#: (name, in reminders, as an invitation's title), as `scheduling.wording.MEETING_KIND_LABELS`.
MEETING_NAMES: Final[dict[str, tuple[str, str, str]]] = {
    "core_group": (_("core group"), _("core group"), _("core group meeting")),
    "school_move_core_group": (
        _("school core group"),
        _("core group at the new school"),
        _("core group meeting at the new school"),
    ),
    "resolution_review_core_group": (
        _("resolution review core group"),
        _("resolution review core group"),
        _("core group meeting (review of the revised plan)"),
    ),
    "resolution_tier1": (_("Tier 1 meeting"), _("Tier 1 meeting"), _("Tier 1 resolution meeting")),
    "resolution_tier2": (_("Tier 2 meeting"), _("Tier 2 meeting"), _("Tier 2 resolution meeting")),
    "review_conference": (
        _("review conference"),
        _("review conference"),
        _("review child protection conference"),
    ),
}

NATIONS: Final[dict[str, str]] = {
    "england": _("England"),
    "wales": _("Wales"),
    "scotland": _("Scotland"),
    "northern-ireland": _("Northern Ireland"),
}

INTERPRETATION_NOTE: Final = _("local default — no figure in the guidance; set it in your profile")

#: The reminders' buttons (`scheduling.reminders.PLAN`'s `Answer` labels).
ANSWER_LABELS: Final[dict[str, str]] = {
    "Attending": _("Attending"),
    "Book it": _("Book it"),
    "Done": _("Done"),
    "Escalate": _("Escalate"),
    "Go to Tier 2": _("Go to Tier 2"),
    "Mark minutes sent": _("Mark minutes sent"),
    "Record a visit": _("Record a visit"),
    "Resolved": _("Resolved"),
    "Risk reduced": _("Risk reduced"),
    "Sending apologies": _("Sending apologies"),
    "Write my report": _("Write my report"),
}

_FORMS: Final = {"name": 0, "reminder": 1, "invitation": 2}


def answer_label(label: str) -> str:
    return ANSWER_LABELS.get(label, label)


def meeting_label(kind: str, form: Literal["name", "reminder", "invitation"] = "name") -> str:
    """A meeting kind in the reader's words; a kind this version does not know, as typed."""
    names = MEETING_NAMES.get(kind)
    return names[_FORMS[form]] if names else kind.replace("_", " ")


def rule_title(rule_id: str) -> str:
    return RULE_NAMES.get(rule_id, rule_id.replace("_", " "))


def nation_name(nation: str) -> str:
    return NATIONS.get(nation, nation.replace("-", " ").title())


# The tables must name the same things as the engine's (a new rule or kind needs its words).
assert set(RULE_NAMES) == set(RULE_TITLES), sorted(set(RULE_NAMES) ^ set(RULE_TITLES))
assert set(MEETING_NAMES) == set(MEETING_KIND_LABELS)
assert _ENGLISH_NOTE == INTERPRETATION_NOTE


# --- what an obligation is about (`scheduling.engine.Obligation.about`) ------------------------

#: The profiles' escalation stages (`[rules.escalation_stage] stages`), as the engine names them.
#: A stage a council names otherwise is shown as its profile writes it.
STAGE_NAMES: Final[dict[str, str]] = {
    "practitioners": _("practitioners"),
    "first-line managers": _("first-line managers"),
    "line managers": _("line managers"),
    "senior managers": _("senior managers"),
    "heads of service": _("heads of service"),
    "safeguarding partnership": _("safeguarding partnership"),
    "final stage": _("final stage"),
}

#: What each kind of member is (`scheduling.roles.KIND_WORDS`), in the reader's words.
KIND_NAMES: Final[dict[str, str]] = {
    "professional": _("an agency's professional"),
    "family": _("a parent, carer or relative"),
    "child": _("the child or young person"),
    "other": _("attends but isn't a core-group professional, like an interpreter or advocate"),
}


#: A kind of member in a word, as a member list or an error names it (`Member.kind`).
KIND_LABELS: Final[dict[str, str]] = {
    "professional": _("professional"),
    "family": _("family"),
    "child": _("child"),
    "other": _("other"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or verbatim(kind)


def stage_name(name: str) -> str:
    return STAGE_NAMES.get(name) or verbatim(name)


def kind_words(kind: str) -> str:
    return KIND_NAMES.get(kind) or verbatim(kind)


def period_words(n: int, unit: str) -> str:
    """`3 months`, `15 working days`: a profile's period (`scheduling.profiles.Period`) in words."""
    unit = unit.removesuffix("s").replace(" ", "_")
    if unit == "working_day":
        return ngettext("{n} working day", "{n} working days", n)
    if unit == "day":
        return ngettext("{n} day", "{n} days", n)
    if unit == "week":
        return ngettext("{n} week", "{n} weeks", n)
    return ngettext("{n} month", "{n} months", n)


_ISO = r"(?P<iso>\d{4}-\d\d-\d\d)"
_PERIOD = r"(?P<n>\d+) (?P<unit>working days?|days?|weeks?|months?)"
_MEETING = "(?P<meeting>" + "|".join(re.escape(k.name) for k in MEETING_KIND_LABELS.values()) + ")"
_KIND_OF_NAME: Final = {k.name: kind for kind, k in MEETING_KIND_LABELS.items()}
_NEED = r"(?P<need>at least (?P<need_n>\d+) professional members|the lead social worker or a representative)"
#: The engine's English descriptions (`scheduling.engine._t_*`), matched whole, each with the
#: catalogue's sentence for it (its values are the parts matched, dates and names in the
#: reader's words). The events that start a plan (`_START_EVENT`: cp, cin, lac) each have their
#: own sentences, as Welsh words them differently. One not listed here is shown as the engine
#: words it (and the unit test in tests/i18n says which).
_ABOUTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(rf"^conference {_ISO}$"), N_("conference {iso}")),
    (re.compile(rf"^assessment completed {_ISO}$"), N_("assessment completed {iso}")),
    (re.compile(rf"^first looked-after review {_ISO}$"), N_("first looked-after review {iso}")),
    (re.compile(rf"^first review after conference {_ISO}$"), N_("first review after conference {iso}")),
    (
        re.compile(rf"^first review after assessment completed {_ISO}$"),
        N_("first review after assessment completed {iso}"),
    ),
    (
        re.compile(rf"^first review after first looked-after review {_ISO}$"),
        N_("first review after first looked-after review {iso}"),
    ),
    (
        re.compile(rf"^next review after review conference {_ISO}$"),
        N_("next review after review conference {iso}"),
    ),
    (re.compile(rf"^after core group {_ISO}$"), N_("after core group {iso}")),
    (re.compile(rf"^after the first core group {_ISO}$"), N_("after the first core group {iso}")),
    (
        re.compile(rf"^before the first review conference {_ISO}$"),
        N_("before the first review conference {iso}"),
    ),
    (re.compile(rf"^after review conference {_ISO}$"), N_("after review conference {iso}")),
    (re.compile(rf"^core group {_ISO}$"), N_("core group {iso}")),
    (
        re.compile(rf"^from members who cannot attend the core group {_ISO}$"),
        N_("from members who cannot attend the core group {iso}"),
    ),
    (re.compile(rf"^last seen {_ISO}$"), N_("last seen {iso}")),
    (re.compile(rf"^since the conference {_ISO}$"), N_("since the conference {iso}")),
    (re.compile(rf"^since the assessment completed {_ISO}$"), N_("since the assessment completed {iso}")),
    (
        re.compile(rf"^since the first looked-after review {_ISO}$"),
        N_("since the first looked-after review {iso}"),
    ),
    (re.compile(rf"^review conference {_ISO}$"), N_("review conference {iso}")),
    (
        re.compile(rf"^review conference due by {_ISO} \(not booked\)$"),
        N_("review conference due by {iso} (not booked)"),
    ),
    (re.compile(rf"^school move {_ISO}$"), N_("school move {iso}")),
    (re.compile(rf"^significant change {_ISO}$"), N_("significant change {iso}")),
    (
        re.compile(rf"^{_MEETING} {_ISO} held without the social worker$"),
        N_("{meeting} {iso} held without the social worker"),
    ),
    (
        re.compile(rf"^core group {_ISO} was not quorate: {_NEED} needed$"),
        N_("core group {iso} was not quorate: {need} needed"),
    ),
    (re.compile(rf"^core group {_ISO}: {_NEED} must attend$"), N_("core group {iso}: {need} must attend")),
    (
        re.compile(rf"^stage (?P<stage>\d+) \((?P<name>[^)]*)\) since {_ISO}; then (?P<next>.+)$"),
        N_("stage {stage} ({name}) since {iso}; then {next}"),
    ),
    (
        re.compile(rf"^stage (?P<stage>\d+) \((?P<name>[^)]*)\) since {_ISO}$"),
        N_("stage {stage} ({name}) since {iso}"),
    ),
    (
        re.compile(rf"^automatic Tier 1: (?P<months>\d+) months on the register since {_ISO}$"),
        N_("automatic Tier 1: {months} months on the register since {iso}"),
    ),
    (
        re.compile(rf"^automatic Tier 1: {_PERIOD} on the register since {_ISO}$"),
        N_("automatic Tier 1: {period} on the register since {iso}"),
    ),
    (
        re.compile(r"^automatic Tier 1: review conference no\. (?P<count>\d+)$"),
        N_("automatic Tier 1: review conference no. {count}"),
    ),
    (re.compile(rf"^Tier 1 meeting after the request {_ISO}$"), N_("Tier 1 meeting after the request {iso}")),
    (
        re.compile(rf"^Tier 1 meeting after the automatic trigger {_ISO}$"),
        N_("Tier 1 meeting after the automatic trigger {iso}"),
    ),
    (
        re.compile(rf"^review core group after the Tier 1 meeting {_ISO}$"),
        N_("review core group after the Tier 1 meeting {iso}"),
    ),
    (
        re.compile(rf"^12-week check after the Tier 1 meeting {_ISO}: risk significantly reduced$"),
        N_("12-week check after the Tier 1 meeting {iso}: risk significantly reduced"),
    ),
    (
        re.compile(rf"^Tier 2 unless risk is significantly reduced after the Tier 1 meeting {_ISO}$"),
        N_("Tier 2 unless risk is significantly reduced after the Tier 1 meeting {iso}"),
    ),
    (re.compile(rf"^Tier 2 meeting after the trigger {_ISO}$"), N_("Tier 2 meeting after the trigger {iso}")),
    (re.compile(rf"^{_MEETING} {_ISO}$"), N_("{meeting} {iso}")),
)
_BOOKED = re.compile(rf"^(?P<about>.+) \(booked for {_ISO}\)$")


def about_words(about: str) -> str:
    """An obligation's `about` in the reader's language (the engine says it in English)."""
    booked = _BOOKED.match(about)
    if booked:
        return _("{about} (booked for {iso})", about=about_words(booked["about"]), iso=_day(booked["iso"]))
    for pattern, sentence in _ABOUTS:
        m = pattern.match(about)
        if m:
            return Text(sentence, _values(m))
    return written_out(about)


def _values(m: re.Match[str]) -> dict[str, object]:
    """The matched parts as the sentence's values: dates written out, names in the reader's
    words, counts as numbers (for the plural forms)."""
    found = m.groupdict()
    values: dict[str, object] = {}
    for key, value in found.items():
        if value is None or key in ("n", "unit", "need_n"):
            continue
        if key == "iso":
            values[key] = _day(value)
        elif key in ("name", "next"):
            values[key] = stage_name(value)
        elif key == "meeting":
            values[key] = meeting_label(_KIND_OF_NAME.get(value, value))
        elif key == "need":
            n = found.get("need_n")
            values[key] = (
                # The engine says "members" for any number (a profile's minimum is 2 or more).
                _("at least {n} professional members", n=int(n))
                if n
                else _("the lead social worker or a representative")
            )
        else:
            values[key] = value
    if found.get("unit"):
        values["period"] = period_words(int(found["n"]), found["unit"])
    return values


def _day(iso: str) -> str:
    """An ISO date of the engine's, written out in the reader's language (as `written_out`)."""
    try:
        return long_day(date.fromisoformat(iso))
    except ValueError:
        return iso


class _Joined(Localised):
    """Items (names in the reader's words) joined into one phrase, each rendered in the
    reader's language: `", ".join` of translated words would give a plain English `str`."""

    items: tuple[str, ...]
    sep: str

    def __new__(cls, items: tuple[str, ...], sep: str) -> _Joined:
        self = super().__new__(cls, sep.join(items))
        self.items = items
        self.sep = sep
        return self

    def render(self, lang: Lang) -> str:
        return self.sep.join(localise(i, lang) for i in self.items)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.items, self.sep)


def joined(items: Iterable[str], sep: str = ", ") -> str:
    """`practitioners, first-line managers` in the reader's language (a placeholder's value)."""
    return _Joined(tuple(items), sep)
