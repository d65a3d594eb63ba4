"""Issue 12 item 9, checked against the profiles and the engine: the catalogue says what the
seeds say (Northern Ireland's review conference and child seen from the SBNI procedures, not
interpretations; Cwm Taf Morgannwg's social worker chairing after Tier 1 and the J4 protocol;
Sandwell's report citing Roles and Responsibilities; Shropshire's post-review core group for
cp plans only; Suffolk's chair update when no social-care representative attends)."""

from __future__ import annotations

from datetime import date

from scheduling.calendar import calendar_for
from scheduling.case import case_from_dict
from scheduling.engine import timeline
from scheduling.profiles import load_profile


def _spec(profile: str, rule: str):  # type: ignore[no-untyped-def]
    return load_profile(profile).rules[rule].spec


def test_northern_irelands_review_conference_and_child_seen_come_from_the_sbni_procedures() -> None:
    review = _spec("northern-ireland", "review_conference")
    assert not review.interpretation and "child protection register §2" in review.source
    seen = _spec("northern-ireland", "child_seen")
    assert not seen.interpretation and "§7" in seen.source and "four weeks" in seen.text
    case = case_from_dict({"profile": "northern-ireland", "plan": "cp", "start": "2027-01-04"})
    got = {o.rule: o for o in timeline(case, date(2027, 1, 5))}
    assert got["child_seen"].due == date(2027, 2, 1)  # four weeks after registration
    assert got["review_conference"].due == calendar_for("northern-ireland").roll_back(date(2027, 4, 4))


def test_cwm_taf_morgannwg_texts_name_the_social_worker_chair_after_tier1_and_the_j4_protocol() -> None:
    ctm = load_profile("cwm-taf-morgannwg")
    escalation = ctm.rules["escalation_stage"].spec
    assert escalation.record_only and "J4" in escalation.source
    assert "social worker" in ctm.rules["resolution_review_core_group"].spec.text.lower()


def test_sandwell_shropshire_and_suffolk_texts_match_their_seeds() -> None:
    assert "Roles and Responsibilities" in _spec("sandwell", "written_report").source
    assert _spec("shropshire", "post_review_core_group").plans == ("cp",)
    assert "no one from social care" in _spec("suffolk", "chair_update_to_lead_sw").text
