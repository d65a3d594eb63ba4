"""The engine's names for things (rule titles, meeting kinds, nations) as the bot says them,
from the catalogue: `scheduling.wording` holds the English the CLI prints, and this module the
same words for chat, where each reader gets their language (`handlers.i18n`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal

from handlers.i18n import N_, Text, _, long_day
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

_ISO = r"(?P<iso>\d{4}-\d\d-\d\d)"
#: The engine's English descriptions, matched whole, each with the catalogue's sentence for it
#: (its values are the parts matched). One not listed here is shown as the engine words it.
_ABOUTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(rf"^conference {_ISO}$"), N_("conference {iso}")),
    (re.compile(rf"^first review after conference {_ISO}$"), N_("first review after conference {iso}")),
    (
        re.compile(rf"^next review after review conference {_ISO}$"),
        N_("next review after review conference {iso}"),
    ),
    (re.compile(rf"^after core group {_ISO}$"), N_("after core group {iso}")),
    (re.compile(rf"^after the first core group {_ISO}$"), N_("after the first core group {iso}")),
    (re.compile(rf"^after review conference {_ISO}$"), N_("after review conference {iso}")),
    (re.compile(rf"^core group {_ISO}$"), N_("core group {iso}")),
    (
        re.compile(rf"^from members who cannot attend the core group {_ISO}$"),
        N_("from members who cannot attend the core group {iso}"),
    ),
    (re.compile(rf"^last seen {_ISO}$"), N_("last seen {iso}")),
    (re.compile(rf"^since the conference {_ISO}$"), N_("since the conference {iso}")),
    (re.compile(rf"^review conference {_ISO}$"), N_("review conference {iso}")),
    (
        re.compile(rf"^review conference due by {_ISO} \(not booked\)$"),
        N_("review conference due by {iso} (not booked)"),
    ),
    (
        re.compile(rf"^automatic Tier 1: (?P<months>\d+) months on the register since {_ISO}$"),
        N_("automatic Tier 1: {months} months on the register since {iso}"),
    ),
    (
        re.compile(r"^automatic Tier 1: review conference no\. (?P<count>\d+)$"),
        N_("automatic Tier 1: review conference no. {count}"),
    ),
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
            values = {k: _day(v) if k == "iso" else v for k, v in m.groupdict().items()}
            return Text(sentence, values)
    return written_out(about)


def _day(iso: str) -> str:
    """An ISO date of the engine's, written out in the reader's language (as `written_out`)."""
    try:
        return long_day(date.fromisoformat(iso))
    except ValueError:
        return iso
