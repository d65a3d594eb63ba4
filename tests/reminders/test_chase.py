"""Follow-through on every obligation, through the real sweep, outbox and delivery to the fake Slack
Web API: what goes overdue is chased (the person responsible on the first working day after, their
line manager once on the second, then the channel at most once a working day, in one digest
message), and the nags about one meeting ask each person one thing at a time.

Suffolk, conference Tue 5 Jan 2027: the child must be seen by Tue 19 Jan (10 working days), the
first core group held by Tue 19 Jan; the lead social worker's line manager is `UAMGR`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import all_text
from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store

CHANNEL = "CACHAN"


@pytest.fixture
def port(fake: FakeSlackAPI) -> SlackChat:
    return SlackChat(make_client("xoxb-test", fake.base_url))


def _posts(fake: FakeSlackAPI, start: int = 0) -> list[tuple[str, str]]:
    return [(a["channel"], all_text(a)) for a in fake.args_of("chat.postMessage")[start:]]


def _days(store: Store, port: SlackChat, fake: FakeSlackAPI, first: date, last: date) -> dict[date, list]:
    """Every day from `first` to `last`, sweeps at 09:05 and 13:00: the posts of each day."""
    clock = SimClock(london(first, "09:05"))
    out: dict[date, list[tuple[str, str]]] = {}
    day = first
    while day <= last:
        mark = len(fake.args_of("chat.postMessage"))
        for hhmm in ("09:05", "13:00"):
            clock.set(day, hhmm)
            run_sweep(store, port, clock)
        out[day] = _posts(fake, mark)
        day += timedelta(days=1)
    return out


def test_a_child_not_seen_by_the_deadline_is_chased_then_escalated_then_repeated_daily(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    c = new_case(
        store,
        london(date(2027, 1, 5), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    days = _days(store, port, fake, date(2027, 1, 19), date(2027, 1, 27))
    seen = "the child was due to be seen by Tue 19 Jan; no visit recorded since the conference Tue 5 Jan 2027"

    def about_child(day: date) -> list[str]:
        return [where for where, text in days[day] if seen in text]

    assert about_child(date(2027, 1, 19)) == []  # the deadline itself: not overdue yet
    assert about_child(date(2027, 1, 20)) == ["UALEAD"]  # the lead social worker, first
    assert about_child(date(2027, 1, 21)) == ["UAMGR"]  # then their line manager, once
    # Then the channel, once a working day, in one message with whatever else is overdue.
    for day in (date(2027, 1, 22), date(2027, 1, 25), date(2027, 1, 26), date(2027, 1, 27)):
        assert about_child(day) == [CHANNEL], day
        assert len([w for w, _ in days[day] if w == CHANNEL]) == 1, day
    assert about_child(date(2027, 1, 23)) == about_child(date(2027, 1, 24)) == []  # the weekend
    [(_, manager)] = [p for p in days[date(2027, 1, 21)] if p[0] == "UAMGR" and seen in p[1]]
    assert "You are told as their line manager" in manager and "Record a visit" not in manager
    # A visit ends the chase.
    with store.transaction() as s:
        repo.record_visit(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 27), "15:00"),
            on=date(2027, 1, 27),
            by="professional",
            member_id=c.members["hv"],
        )
    later = _days(store, port, fake, date(2027, 1, 28), date(2027, 1, 29))
    assert not [p for d in later.values() for p in d if seen in p[1]]


def test_an_overdue_core_group_and_review_conference_are_chased(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    new_case(
        store,
        london(date(2027, 1, 5), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    days = _days(store, port, fake, date(2027, 1, 20), date(2027, 1, 20))
    assert ("UALEAD", "first core group is overdue (due Tue 19 Jan)") in [
        (w, "first core group is overdue (due Tue 19 Jan)")
        for w, t in days[date(2027, 1, 20)]
        if "first core group" in t
    ]
    # The review conference: first within 3 months of the conference (Mon 5 Apr 2027).
    days = _days(store, port, fake, date(2027, 4, 6), date(2027, 4, 9))
    review = [
        (d, w)
        for d, posts in days.items()
        for w, t in posts
        if t.startswith("CG-0001: the review conference is overdue")
        or "• the review conference is overdue" in t
    ]
    assert review == [
        (date(2027, 4, 6), "UALEAD"),
        (date(2027, 4, 7), "UAMGR"),
        (date(2027, 4, 8), CHANNEL),
        (date(2027, 4, 9), CHANNEL),
    ]


def test_overdue_minutes_reach_the_channel_at_most_once_a_day(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    """Before, the channel got them twice on one day: once for the channel and once as the
    fallback for a manager with no chat id."""
    c = new_case(
        store,
        london(date(2027, 1, 5), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    with store.transaction() as s:
        repo.update_member(
            s,
            c.reference,
            c.members["lead"],
            actor=ACTOR,
            now=london(date(2027, 1, 5), "13:00"),
            changes={},
            line_manager_addresses={"slack": None},
        )  # no manager on chat
        repo.record_held_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 12), "12:00"),
            starts_at=london(date(2027, 1, 12), "10:00"),
        )
    # Suffolk minutes: 15 working days after Tue 12 Jan = Tue 2 Feb.
    days = _days(store, port, fake, date(2027, 2, 2), date(2027, 2, 9))
    for day, posts in days.items():
        about = Counter(w for w, t in posts if "the minutes of the core group on Tue 12 Jan" in t)
        assert about[CHANNEL] <= 1, (day, posts)
    first = [w for w, t in days[date(2027, 2, 3)] if "the minutes of the core group on Tue 12 Jan" in t]
    assert first == ["UALEAD"]  # no minute-taker recorded: the lead social worker runs the meeting
    second = [t for w, t in days[date(2027, 2, 4)] if "the minutes of the core group on Tue 12 Jan" in t]
    assert len(second) == 1 and "line manager: no chat id is recorded" in second[0]


def test_a_visit_recorded_shows_as_last_seen_not_as_none(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    c = new_case(
        store,
        london(date(2027, 1, 4), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 4),
        prefix="A",
    )
    with store.transaction() as s:
        repo.record_visit(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 4), "15:00"),
            on=date(2027, 1, 4),
            by="professional",
            member_id=c.members["hv"],
        )
    # Seen Mon 4 Jan: next due 10 working days later, Mon 18 Jan; the reminder 2 before, Thu 14.
    days = _days(store, port, fake, date(2027, 1, 14), date(2027, 1, 14))
    [text] = [t for w, t in days[date(2027, 1, 14)] if "the child must be seen by" in t]
    assert "the child must be seen by Mon 18 Jan; last seen Mon 4 Jan 2027" in text
    assert "no visit recorded yet" not in text


def test_an_overdue_action_names_itself_and_its_owner(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    c = new_case(
        store,
        london(date(2027, 1, 5), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    with store.transaction() as s:
        for text in (
            "Weigh the baby",
            "Book the dental check-up for the child and both siblings at the new surgery",
        ):
            repo.add_action(
                s,
                c.reference,
                actor=ACTOR,
                now=london(date(2027, 1, 5), "12:00"),
                text=text,
                owner_member_id=c.members["hv"],
                due_on=date(2027, 1, 11),
            )
    days = _days(store, port, fake, date(2027, 1, 12), date(2027, 1, 14))
    to_hv = [t for w, t in days[date(2027, 1, 12)] if w == "UAHV"]
    assert any("plan action 1 (“Weigh the baby”) is overdue (due Mon 11 Jan)" in t for t in to_hv)
    assert any(
        "plan action 2 (“Book the dental check-up for the child and both siblings at…”)" in t for t in to_hv
    )
    assert all("Owner: health visitor." in t for t in to_hv if "plan action" in t)
    # The owner's line manager gets it once, without a Done button they may not press.
    to_mgr = [t for w, t in days[date(2027, 1, 13)] if w == "UAHVMGR" and "plan action" in t]
    assert len(to_mgr) == 2 and not any("Done" in t for t in to_mgr)
    # Then the channel: both in one message.
    [daily] = [t for w, t in days[date(2027, 1, 14)] if w == CHANNEL]
    assert "plan action 1" in daily and "plan action 2" in daily and "still overdue" in daily


def test_nobody_running_the_meeting_or_in_the_family_is_asked_for_a_report(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    """The lead social worker (here not the recorded chair), the chair (the health visitor) and
    family are never asked for a written report; the teacher is, once, with both answers."""
    c = new_case(
        store,
        london(date(2027, 1, 5), "12:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    with store.transaction() as s:
        repo.update_member(
            s,
            c.reference,
            c.members["parent"],
            actor=ACTOR,
            now=london(date(2027, 1, 5), "12:00"),
            changes={},
            addresses={"slack": "UAPARENT"},
        )
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 12), "08:00"),
            starts_at=london(date(2027, 1, 15), "10:00"),
            chair_member_id=c.members["hv"],
        )
    # Booked at short notice (on Tue 12 Jan): the attendance question (due 5 working days
    # before) and the report request (3 before) are both due at once.
    days = _days(store, port, fake, date(2027, 1, 12), date(2027, 1, 14))
    asks = [(w, t.splitlines()[0]) for posts in days.values() for w, t in posts if "Fri 15 Jan" in t]
    reports = [w for w, first in asks if "written report is needed" in first]
    assert reports == ["UATEACH"]
    assert [w for w, first in asks if "are you coming" in first] == ["UAPARENT"]
    [teacher] = [t for posts in days.values() for w, t in posts if w == "UATEACH"]
    assert "Write my report" in teacher and "Attending" in teacher
