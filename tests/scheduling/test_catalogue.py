"""The rule flags handlers ask about live in the catalogue, one row per rule id, and select the
same rules the handlers' own tuples did."""

from __future__ import annotations

from scheduling.catalogue import ANYONE_RULES, BOOKING_RULES, LEAD_RULES, RULE_FLAGS, VISIT_RULES
from scheduling.profiles import RULE_IDS


def test_every_rule_has_its_flags() -> None:
    assert tuple(RULE_FLAGS) == RULE_IDS


def test_the_flags_select_what_the_handlers_selected() -> None:
    assert sorted(BOOKING_RULES) == sorted(
        (
            "first_core_group",
            "second_core_group",
            "next_core_group",
            "post_review_core_group",
            "school_move_core_group",
            "resolution_review_core_group",
        )
    )
    assert sorted(LEAD_RULES) == sorted(
        (
            "first_core_group",
            "second_core_group",
            "next_core_group",
            "lead_sw_visit",
            "review_conference",
            "final_core_group_window",
            "significant_change_to_conference_chair",
        )
    )
    assert sorted(ANYONE_RULES) == ["child_seen"]
    assert sorted(VISIT_RULES) == ["child_seen", "lead_sw_visit"]
