"""Skipping rules a case cannot trigger never changes an answer (issue 17's speed round).

`obligations` runs, per case, only the steps its gated fields allow (`engine._GATES`): a case with
no school move, significant change, escalation or Tier 1 meeting skips the rules that would list
nothing for it, and record-only rules are not run at all. These tests run the same cases with every
applicable rule called and compare every field, so a gate that hid a real obligation shows here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bench.timeline import TODAY, build
from scheduling import engine
from scheduling.calendar import WorkingCalendar, calendar_for
from scheduling.case import CaseState
from scheduling.engine import Obligation, obligations
from scheduling.profiles import Profile, load_profile, profile_names

PROFILES: dict[str, Profile] = {n: load_profile(n) for n in profile_names()}
CALS: dict[str, WorkingCalendar] = {n: calendar_for(p.nation, p.closures) for n, p in PROFILES.items()}


def _every_rule(case: CaseState, today: date) -> list[Obligation]:
    """The answer with every rule of the (profile, plan) called, gated or not, record-only or not."""
    prof, cal = PROFILES[case.profile], CALS[case.profile]
    engine._steps(prof, case.plan, cal)  # make sure the entry exists
    key = (id(prof), case.plan, id(cal))
    saved = engine._PLANS[key]
    shared = engine._Plan(prof, case.plan, cal)
    full: engine._Steps = []
    for rid, rule in prof.rules.items():
        spec = rule.for_plan(case.plan)
        if spec is not None:
            full.append((engine.RULES[rid], engine._Rule(rule, spec, shared)))
    full.sort(key=lambda st: st[1].order)
    engine._PLANS[key] = (prof, cal, tuple(full for _ in saved[2]))
    try:
        return obligations(case, prof, cal, today)
    finally:
        engine._PLANS[key] = saved


def _fields(obs: list[Obligation]) -> list[tuple[object, ...]]:
    return [(*o[:9], o.about, o.subject) for o in obs]


@pytest.mark.parametrize("offset", [0, -200, 40])
def test_gated_steps_give_the_answers_of_every_rule(offset: int) -> None:
    today = TODAY + timedelta(days=offset)
    cases = build(1500)
    gated = 0
    for case in cases:
        prof, cal = PROFILES[case.profile], CALS[case.profile]
        got = obligations(case, prof, cal, today)
        assert _fields(got) == _fields(_every_rule(case, today)), (case.profile, case.plan)
        gated += not (case.school_moves and case.significant_changes and case.escalations)
    assert gated > 1000  # most cases take a gated path, so the comparison means something


def test_a_case_without_the_gated_facts_skips_exactly_those_rules() -> None:
    gated_ids = {rid for rid, _ in engine._GATES}
    skipped_somewhere: set[str] = set()
    for name, prof in PROFILES.items():
        for plan in prof.plans:
            every = {r.id for _, r in engine._steps(prof, plan, CALS[name])}
            plain = {r.id for _, r in engine._steps(prof, plan, CALS[name], 0)}
            assert every - plain == every & gated_ids, (name, plan)
            skipped_somewhere |= every - plain
    # every gate is used by some profile: none of them is dead code
    assert skipped_somewhere == gated_ids


def test_record_only_rules_are_not_steps() -> None:
    """Newham records lead social worker visits without a deadline: nothing to call per case."""
    prof, cal = PROFILES["newham"], CALS["newham"]
    assert prof.rules["lead_sw_visit"].for_plan("cp") is not None
    assert "lead_sw_visit" not in {r.id for _, r in engine._steps(prof, "cp", cal)}
