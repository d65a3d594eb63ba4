"""A written report sent without being asked still counts (found by the adapter authors: the
minute-taker's report showed "0 of 1 in"). The reply's count and the reminder sweep's count
(`storage.facts.load_facts` → `scheduling.reminders.plan_reminders`, the chair's bundle) agree."""

from __future__ import annotations

from datetime import date

from fakes.env import CtxFactory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, text

from handlers.answers import progress
from handlers.common import rules_for
from scheduling.reminders import plan_reminders
from storage import repository as repo
from storage.db import Store
from storage.facts import load_facts

DAY_BEFORE = date(2027, 1, 14)  # the chair's bundle goes one working day before the meeting


def counts(store: Store) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(the handlers' reports in/expected, the sweep's) for the one meeting, the day before."""
    with store.read() as s:
        case = repo.get_case(s, "CG-0001")
        meeting = repo.meetings(s, "CG-0001")[0]
        p = progress(s, case, meeting, DAY_BEFORE)
        facts = load_facts(s.connection(), [case.id or 0], DAY_BEFORE)[case.id or 0]
    planned = plan_reminders([], facts.plan, rules_for(case.profile).calendar, DAY_BEFORE)
    bundle = [x.progress for x in planned if x.kind == "chair_bundle"]
    return (p.reports_in, p.reports_expected), (bundle[0] if bundle else None)


def test_the_minute_takers_unasked_report_counts(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")  # rota: minutes by the health visitor
    with store.read() as s:
        meeting = repo.meetings(s, "CG-0001")[0]
        hv = repo.member_by_address(s, "CG-0001", "slack", "U0HV", on=date(2027, 1, 4))
    assert meeting.minute_taker_member_id == hv.id
    assert counts(store) == ((0, 1), (0, 1))  # only the teacher is asked
    out = run(ctx("U0HV", CHANNEL), "report Seen twice; weight on track.")
    assert "1 of 2 written reports in" in text(out), text(out)
    assert counts(store) == ((1, 2), (1, 2))


def test_a_report_from_someone_attending_counts(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    run(ctx("U0TEACH", CHANNEL), "attending")
    assert counts(store) == ((0, 0), None)  # nobody owes a report: no bundle
    out = run(ctx("U0TEACH", CHANNEL), "report Settled at school.")
    assert "1 of 1 written report in" in text(out), text(out)
    assert "0 of 0" not in text(out)
    assert counts(store) == ((1, 1), (1, 1))
    # The chair's own report counts too: 2 of 2.
    assert "2 of 2 written reports in" in text(run(ctx(channel=CHANNEL), "report Home visit."))
    assert counts(store) == ((2, 2), (2, 2))
