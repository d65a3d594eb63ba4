"""The final core group's window (its first day: "it can be held now") is news only while no core
group is booked inside it: the walkthrough's CG-0001 was told on Fri 5 Mar 2027 although its
15 Mar core group was already booked, beyond the near meetings the sweep reads facts for."""

from __future__ import annotations

from datetime import date

import pytest
from fakes.slack_api import FakeSlackAPI
from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store

WINDOW = "the final core group before the review can be held now"


@pytest.fixture
def port(fake: FakeSlackAPI) -> SlackChat:
    return SlackChat(make_client("xoxb-test", fake.base_url))


def _told_on_window_day(store: Store, fake: FakeSlackAPI, port: SlackChat, booked: date) -> list[str]:
    # Suffolk, registered Fri 18 Dec 2026: review by Thu 18 Mar 2027, so the final core group's
    # window runs Thu 25 Feb to Wed 17 Mar.
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2026, 12, 18), prefix="A")
    with store.transaction() as s:
        repo.schedule_meeting(s, c.reference, actor=ACTOR, now=clock(), starts_at=london(booked, "10:00"))
    clock.set(date(2027, 2, 25), "10:05")
    run_sweep(store, port, clock)
    return [a["channel"] for a in fake.args_of("chat.postMessage") if WINDOW in a["text"]]


def test_no_window_reminder_while_a_core_group_is_booked_inside_it(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    assert _told_on_window_day(store, fake, port, date(2027, 3, 15)) == []


def test_a_booking_outside_the_window_still_gets_the_reminder(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    assert _told_on_window_day(store, fake, port, date(2027, 3, 22)) == ["CACHAN"]
