"""A restart after a day down: what came due while the bot was down goes out at the next
working-hours sweep, once; what stopped making sense meanwhile does not go at all."""

from __future__ import annotations

from datetime import date

from fakes.slack_api import FakeSlackAPI
from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import outbox
from storage import repository as repo
from storage.db import Store


def test_a_day_down_then_the_next_working_morning_sends_it_once(store: Store, fake: FakeSlackAPI) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        meeting = repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            starts_at=london(date(2027, 1, 19), "10:00"),
            chair_member_id=c.members["lead"],
        )
    assert meeting.id
    port = SlackChat(make_client("xoxb-test", fake.base_url))
    # Up on Monday 11 Jan; down from Monday evening until Wednesday 08:00.
    clock.set(date(2027, 1, 11), "16:00")
    assert [s.kind for _, s in run_sweep(store, port, clock)] == []
    # Tuesday 12 Jan was the day for the attendance nags (5 working days before Tue 19 Jan).
    clock.set(date(2027, 1, 13), "08:00")  # back up, before working hours: queued, not sent
    assert run_sweep(store, port, clock) == []
    with store.read() as s:
        waiting = outbox.reminders(s, status="pending")
    assert {r.stage for r in waiting} >= {
        f"attendance:{c.members['hv']}",
        f"attendance:{c.members['teacher']}",
    }
    assert all(r.available_at == london(date(2027, 1, 13), "09:00") for r in waiting)
    clock.set(date(2027, 1, 13), "09:05")
    first = [s for _, s in run_sweep(store, port, clock)]
    assert sorted((s.kind, s.destination) for s in first if s.kind == "attendance") == [
        ("attendance", "dm:UAHV"),
        ("attendance", "dm:UATEACH"),
    ]
    for hhmm in ("10:05", "13:00", "16:55"):
        clock.set(date(2027, 1, 13), hhmm)
        again = [s for _, s in run_sweep(store, port, clock)]
        assert not [s for s in again if s.kind == "attendance"]
    dms = [a for a in fake.args_of("chat.postMessage") if a["channel"] in ("UAHV", "UATEACH")]
    assert len([a for a in dms if "are you coming" in a["text"]]) == 2


def test_what_expired_while_down_is_dropped(store: Store, fake: FakeSlackAPI) -> None:
    """Attendance is asked until the working day before the meeting; down until the meeting day,
    nothing about attendance goes (the meeting is today)."""
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.schedule_meeting(
            s, c.reference, actor=ACTOR, now=clock(), starts_at=london(date(2027, 1, 19), "10:00")
        )
    port = SlackChat(make_client("xoxb-test", fake.base_url))
    clock.set(date(2027, 1, 11), "16:00")
    run_sweep(store, port, clock)
    clock.set(date(2027, 1, 12), "07:30")  # queued for 09:00, then the bot is down a week
    run_sweep(store, port, clock)
    clock.set(date(2027, 1, 19), "09:05")
    got = [s for _, s in run_sweep(store, port, clock)]
    assert {s.outcome for s in got if s.kind == "attendance"} == {"skipped"}
    assert not [a for a in fake.args_of("chat.postMessage") if "are you coming" in a["text"]]
    with store.read() as s:
        assert {r.status for r in outbox.reminders(s) if r.rule == "written_report"} >= {"skipped"}
