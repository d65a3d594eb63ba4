"""How rules and dates are put into words, shared by the CLI, chat messages and reminders.

Dates are written out (`Tue 5 Jan 2027`), never as a bare ISO date; a rule that is our reading of
ambiguous guidance always says so (docs/messages.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from scheduling.profiles import Profile, Rule, RuleSpec

INTERPRETATION_NOTE = "local default — no figure in the guidance; set it in your profile"

RULE_TITLES: dict[str, str] = {
    "first_core_group": "First core group",
    "review_conference": "Review conference",
    "second_core_group": "Second core group",
    "next_core_group": "Next core group",
    "final_core_group_window": "Final core group before review",
    "post_review_core_group": "Core group after a review",
    "minutes_circulated": "Minutes circulated",
    "school_move_core_group": "Core group at a new school",
    "chair_update_to_lead_sw": "Chair updates the lead social worker",
    "significant_change_to_conference_chair": "Significant change reported to the conference chair",
    "lead_sw_visit": "Lead social worker sees the child",
    "child_seen": "Child seen by a professional",
    "written_report": "Written report from absent members",
    "quorum": "Quorum",
    "escalation_stage": "Escalation stage",
    "resolution_tier1_trigger": "Resolution: automatic Tier 1",
    "resolution_tier1_meeting": "Resolution: Tier 1 meeting",
    "resolution_review_core_group": "Resolution: review core group",
    "resolution_tier2_trigger": "Resolution: Tier 2 trigger",
    "resolution_tier2_meeting": "Resolution: Tier 2 meeting",
}


@dataclass(frozen=True, slots=True)
class KindLabel:
    """How one meeting kind is named: in answers and summaries, in reminders (which say where a
    school-move core group is), and as a calendar invitation's title."""

    name: str
    reminder: str
    invitation: str


#: Every meeting kind (scheduling.case.MEETING_KINDS plus review conferences) in words: the one
#: table the handlers, reminders, calendar invitations and the case export read.
MEETING_KIND_LABELS: Final[dict[str, KindLabel]] = {
    "core_group": KindLabel("core group", "core group", "core group meeting"),
    "school_move_core_group": KindLabel(
        "school core group", "core group at the new school", "core group meeting at the new school"
    ),
    "resolution_review_core_group": KindLabel(
        "resolution review core group",
        "resolution review core group",
        "core group meeting (review of the revised plan)",
    ),
    "resolution_tier1": KindLabel("Tier 1 meeting", "Tier 1 meeting", "Tier 1 resolution meeting"),
    "resolution_tier2": KindLabel("Tier 2 meeting", "Tier 2 meeting", "Tier 2 resolution meeting"),
    "review_conference": KindLabel(
        "review conference", "review conference", "review child protection conference"
    ),
}


def meeting_label(kind: str, form: Literal["name", "reminder", "invitation"] = "name") -> str:
    """A meeting kind in words; a kind this version does not know, with its underscores as spaces."""
    label = MEETING_KIND_LABELS.get(kind)
    return getattr(label, form) if label else kind.replace("_", " ")


def long_date(d: date) -> str:
    """`Tue 5 Jan 2027`."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def short_date(d: date) -> str:
    """`Tue 5 Jan`."""
    return f"{d:%a} {d.day} {d:%b}"


_ISO: Final = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def written_out(text: str) -> str:
    """`conference 2026-12-18` → `conference Fri 18 Dec 2026`: the engine's `about` texts carry
    ISO dates (they are also its subjects' keys), but people read dates written out
    (docs/messages.md); anything that is not a real date is left as it is."""

    def one(m: re.Match[str]) -> str:
        try:
            return long_date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return _ISO.sub(one, text)


def _spec_line(spec: RuleSpec) -> str:
    tail = f"  [{spec.source}]"
    if spec.interpretation:
        tail += f"  ({INTERPRETATION_NOTE})"
    return spec.text + tail


def rule_summary(rule: Rule, profile: Profile) -> list[str]:
    """Plain-English lines for one rule of a profile, every plan it covers, with sources."""
    lines = [f"{rule.id} — {RULE_TITLES.get(rule.id, rule.id)}"]
    plans_default = [
        p
        for p in profile.plans
        if p not in rule.spec.by_plan and (rule.spec.plans is None or p in rule.spec.plans)
    ]
    if plans_default:
        prefix = "" if len(profile.plans) == 1 else f"({', '.join(plans_default)}) "
        lines.append(f"  {prefix}{_spec_line(rule.spec)}")
    for plan, spec in rule.spec.by_plan.items():
        if plan in profile.plans:
            lines.append(f"  ({plan}) {_spec_line(spec)}")
    return lines
