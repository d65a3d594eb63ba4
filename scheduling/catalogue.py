"""What each catalogue rule is for, beyond its dates: the flags handlers ask about a rule.

Kept next to the engine, one row per rule id of `scheduling.profiles.RULE_IDS`, so a new rule says
here whether a booking meets it or whose job it is, instead of in tuples spread over the handlers
(which drift: a rule added to the engine and not to a handler's tuple is silently left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from scheduling.profiles import RULE_IDS


@dataclass(frozen=True, slots=True)
class RuleFlags:
    #: Its open obligation says by when the next core group must be held, so booking one meets it
    #: (the window warning and "next, by …" lines of `meeting`, `held` and `minutes sent`).
    books: bool = False
    #: The lead social worker's to-do: App Home lists it for them.
    lead: bool = False
    #: Any professional of the core group can meet it: App Home lists it for everyone else.
    anyone: bool = False
    #: A recorded home visit meets it (`visit` says what it did).
    visit: bool = False


_BOOKS = RuleFlags(books=True)

#: The flags of every rule, in catalogue order.
RULE_FLAGS: Final[dict[str, RuleFlags]] = {
    "first_core_group": RuleFlags(books=True, lead=True),
    "review_conference": RuleFlags(lead=True),
    "second_core_group": RuleFlags(books=True, lead=True),
    "next_core_group": RuleFlags(books=True, lead=True),
    "final_core_group_window": RuleFlags(lead=True),
    "post_review_core_group": _BOOKS,
    "minutes_circulated": RuleFlags(),
    "school_move_core_group": _BOOKS,
    "chair_update_to_lead_sw": RuleFlags(),
    "significant_change_to_conference_chair": RuleFlags(lead=True),
    "lead_sw_visit": RuleFlags(lead=True, visit=True),
    "child_seen": RuleFlags(anyone=True, visit=True),
    "written_report": RuleFlags(),
    "quorum": RuleFlags(),
    "escalation_stage": RuleFlags(),
    "resolution_tier1_trigger": RuleFlags(),
    "resolution_tier1_meeting": RuleFlags(),
    "resolution_review_core_group": _BOOKS,
    "resolution_tier2_trigger": RuleFlags(),
    "resolution_tier2_meeting": RuleFlags(),
}
assert tuple(RULE_FLAGS) == RULE_IDS, "every catalogue rule id needs its flags, in order"

#: Rules a booked core group meets.
BOOKING_RULES: Final = frozenset(r for r, f in RULE_FLAGS.items() if f.books)
#: Rules that are the lead social worker's to meet.
LEAD_RULES: Final = frozenset(r for r, f in RULE_FLAGS.items() if f.lead)
#: Rules any professional in the core group can meet.
ANYONE_RULES: Final = frozenset(r for r, f in RULE_FLAGS.items() if f.anyone)
#: Rules a recorded visit meets.
VISIT_RULES: Final = frozenset(r for r, f in RULE_FLAGS.items() if f.visit)
