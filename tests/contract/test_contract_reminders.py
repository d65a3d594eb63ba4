"""A case created in Teams shows the same `status`, and gets the same reminders, as the same case
in Slack (and the console): one sweep (`handlers.sweep.sweep`) and one delivery
(`bot.delivery.Delivery`) through each adapter's chat port."""

from __future__ import annotations

from typing import Any

from drivers import (
    SLACK_IDS,
    TEAMS_IDS,
    ConsoleDriver,
    Driver,
    SlackDriver,
    TeamsDriver,
    console_lines,
    slack_lines,
    teams_lines,
)
from fakes.slack_harness import TOKEN
from fakes.teams_connector import CHANNEL
from story import STORY, Step, run

from bot.delivery import Delivery, Pacer
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.sweep import sweep


def _port(d: Driver) -> Any:
    if isinstance(d, SlackDriver):
        return SlackChat(make_client(TOKEN, d.h.fake.base_url))
    if isinstance(d, TeamsDriver):
        return d.h.deps.chat()  # no activity to answer: proactive, from the stored reference
    assert isinstance(d, ConsoleDriver)
    return d.chat


def _mark(d: Driver) -> int:
    if isinstance(d, SlackDriver):
        return len(d.h.fake.calls)
    if isinstance(d, TeamsDriver):
        return len(d.h.fake.calls)
    assert isinstance(d, ConsoleDriver)
    return len(d.chat.printed)


def _delivered(d: Driver, mark: int) -> list[tuple[str, str]]:
    """(where, text) of each message since `mark`: where is "channel" or "dm:<role>"."""
    out: list[tuple[str, str]] = []
    if isinstance(d, SlackDriver):
        roles = {v: k for k, v in SLACK_IDS.items()}
        for c in d.h.fake.calls[mark:]:
            if c.ok and c.method in ("chat.postMessage", "chat.update"):
                target = str(c.args.get("channel"))
                where = f"dm:{roles[target]}" if target in roles else "channel"
                out.append(
                    (where if c.method == "chat.postMessage" else "edit:" + where, slack_lines(c.args))
                )
    elif isinstance(d, TeamsDriver):
        personal = {d.h.fake.personal_conversation(uid): role for role, uid in TEAMS_IDS.items()}
        for c in d.h.fake.calls[mark:]:
            if c.status >= 400 or "/activities" not in c.path:
                continue
            conv = c.path.split("/v3/conversations/", 1)[1].split("/activities", 1)[0]
            where = f"dm:{personal[conv]}" if conv in personal else "channel"
            assert where != "channel" or conv.split(";")[0] == CHANNEL
            out.append((where if c.method == "POST" else "edit:" + where, teams_lines(c.body)))
    else:
        assert isinstance(d, ConsoleDriver)
        roles = {v: k for k, v in SLACK_IDS.items()}
        for where, message in d.chat.printed[mark:]:
            edited = "(edited)" in where
            if where.startswith("coregroup → @"):
                kind = "dm:" + roles[where.split("@", 1)[1].split(" ", 1)[0]]
            else:
                kind = "channel"
            out.append(("edit:" + kind if edited else kind, console_lines(message)))
    return out


def test_status_and_reminders_are_the_same_on_every_adapter(every_adapter: dict[str, Driver]) -> None:
    statuses: dict[str, list[str]] = {}
    reminders: dict[str, list[tuple[str, str]]] = {}
    for name, d in every_adapter.items():
        for step in STORY[:4]:  # new, two members, a meeting on Fri 15 Jan
            run(d, step)
        statuses[name] = run(d, Step("lead", "status")).private
        d.clock.set("2027-01-13T09:30")  # two working days before the meeting
        mark = _mark(d)
        result = sweep(d.store, d.clock())
        assert result.inserted > 0
        sent = Delivery(d.store, _port(d), clock=d.clock, worker="t", pacer=Pacer(0)).run()
        assert sent and all(s.outcome in ("sent", "digest", "skipped") for s in sent), sent
        reminders[name] = _delivered(d, mark)
    assert statuses["teams"] == statuses["slack"] == statuses["console"]
    assert statuses["slack"][0].startswith("CG-0001: next, ")
    assert reminders["slack"], "the sweep sent nothing: the comparison would be empty"
    firsts = sorted((where, text.splitlines()[0]) for where, text in reminders["teams"])
    # One ask per person at a time: booked at short notice, the attendance question and the
    # report request would both be due; the teacher gets one message with both answers.
    assert firsts == [
        ("dm:teacher", "CG-0001: your written report is needed before the core group on Fri 15 Jan"),
    ]
    assert sorted(reminders["teams"]) == sorted(reminders["slack"])
    assert sorted(reminders["console"]) == sorted(reminders["slack"])
