"""Dates that mean "today" are not in the future, whatever the time of day (issue found by the
adapter authors: `minutes sent <today>` at 10:00 was refused because the date became 12:00 today).
Every date-taking command that refuses later days is checked on the day itself, early and late."""

from __future__ import annotations

import pytest
from fakes.env import CtxFactory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, text

from handlers.dispatch import handle
from handlers.forms import FormError, problem_lines, submit
from storage import repository as repo
from storage.db import Store

#: Early (just after midnight London), mid-morning, and late: none of them is "the future".
TIMES = ["00:05", "10:00", "23:55"]


def held_meeting(ctx: CtxFactory, clock: MovableClock) -> None:
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    clock.set("2027-01-15T16:00")
    out = run(ctx(channel=CHANNEL), "held attended:<@U0LEAD>,<@U0HV> apologies:<@U0TEACH>")
    assert "recorded as held" in text(out), text(out)


@pytest.mark.parametrize("at", TIMES)
def test_minutes_sent_today_is_accepted_at_any_time_of_day(
    ctx: CtxFactory, store: Store, clock: MovableClock, at: str
) -> None:
    setup_case(ctx, store)
    held_meeting(ctx, clock)
    clock.set(f"2027-01-18T{at}")
    out = run(ctx(channel=CHANNEL), "minutes sent 2027-01-18")
    assert "On time: they were due by" in text(out), text(out)
    with store.read() as s:
        meeting = repo.meetings(s, "CG-0001", status="held")[0]
    assert meeting.minutes_circulated_at is not None
    assert meeting.minutes_circulated_at <= clock()  # never stamped later than now


def test_minutes_sent_tomorrow_is_still_refused(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store)
    held_meeting(ctx, clock)
    clock.set("2027-01-18T10:00")
    out = run(ctx(channel=CHANNEL), "minutes sent 2027-01-19")
    assert "is still to come" in text(out)
    with store.read() as s:
        assert repo.meetings(s, "CG-0001", status="held")[0].minutes_circulated_at is None


def test_minutes_sent_on_an_earlier_day_is_stamped_at_noon(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    setup_case(ctx, store)
    held_meeting(ctx, clock)
    clock.set("2027-01-19T09:00")
    run(ctx(channel=CHANNEL), "minutes sent 2027-01-18")
    with store.read() as s:
        stamped = repo.meetings(s, "CG-0001", status="held")[0].minutes_circulated_at
    assert stamped is not None and stamped.isoformat().startswith("2027-01-18T12:00")


@pytest.mark.parametrize("at", TIMES)
def test_held_today_without_a_booking_is_accepted_before_ten(
    ctx: CtxFactory, store: Store, clock: MovableClock, at: str
) -> None:
    """An unbooked meeting recorded as held is dated 10:00; before 10:00 on the day it is now."""
    setup_case(ctx, store)
    clock.set(f"2027-01-06T{at}")
    out = run(ctx(channel=CHANNEL), "held 2027-01-06 attended:<@U0LEAD>,<@U0HV>")
    assert "recorded as held" in text(out), text(out)
    with store.read() as s:
        (meeting,) = repo.meetings(s, "CG-0001", status="held")
    assert meeting.starts_at <= clock()


@pytest.mark.parametrize("at", TIMES)
def test_visit_and_action_due_today_are_accepted(
    ctx: CtxFactory, store: Store, clock: MovableClock, at: str
) -> None:
    setup_case(ctx, store)
    clock.set(f"2027-01-06T{at}")
    assert "visit on Wed 6 Jan 2027 recorded" in text(
        run(ctx(channel=CHANNEL), "visit 2027-01-06 seen-alone")
    )
    assert "plan action 1 added" in text(
        run(ctx(channel=CHANNEL), 'action add "Weigh the baby" due:2027-01-06')
    )
    assert "still to come" in text(run(ctx(channel=CHANNEL), "visit 2027-01-07"))


# --- the "Record a visit" reminder button ------------------------------------------------------


def test_the_record_a_visit_button_opens_a_form_for_today(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    """The reminder's button runs `CG-0001 visit` (no date): the visit form, today filled in."""
    setup_case(ctx, store)
    clock.set("2027-01-06T09:30")
    out = run(ctx("U0HV"), "CG-0001 visit")  # pressed in the reminder, outside the channel
    assert out.form is not None and out.form.id == "visit", text(out)
    assert out.form.context == "CG-0001"
    fields = {f.id: f for f in out.form.fields}
    assert fields["date"].initial == "2027-01-06"
    assert [o.label for o in fields["seen_alone"].options] == ["The child was seen alone"]
    with store.read() as s:
        assert repo.visits(s, "CG-0001") == []  # opening the form writes nothing
    done = handle(
        ctx("U0HV"),
        submit("visit", {"date": "2027-01-06", "seen_alone": ["yes"], "by": None}, out.form.context),
    )
    assert "visit on Wed 6 Jan 2027 recorded" in text(done), text(done)
    with store.read() as s:
        (visit,) = repo.visits(s, "CG-0001")
    assert visit.visited_on.isoformat() == "2027-01-06" and visit.seen_alone


def test_form_problems_are_named_by_the_fields_label() -> None:
    with pytest.raises(FormError) as caught:
        submit("visit", {"date": None}, "CG-0001")
    assert caught.value.errors == {"date": "Please give the date of the visit."}
    assert problem_lines("visit", caught.value.errors) == [
        "**Date of the visit**: Please give the date of the visit."
    ]
    with pytest.raises(FormError) as caught:
        submit("held", {"date": "2027-01-15"}, "CG-0001|1")
    assert problem_lines("held", caught.value.errors) == ["**Who attended**: Pick who attended."]


@pytest.mark.parametrize(
    "line, seen_alone", [("visit today", False), ("visit today seen-alone", True), ("visit seen-alone", True)]
)
def test_visit_without_a_date_means_today(
    ctx: CtxFactory, store: Store, clock: MovableClock, line: str, seen_alone: bool
) -> None:
    setup_case(ctx, store)
    clock.set("2027-01-06T09:30")
    out = run(ctx("U0HV", CHANNEL), line)
    assert out.form is None and "visit on Wed 6 Jan 2027 recorded" in text(out), text(out)
    with store.read() as s:
        (visit,) = repo.visits(s, "CG-0001")
    assert visit.seen_alone is seen_alone
