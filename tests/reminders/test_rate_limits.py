"""Slack's rate limits: a burst of HTTP 429 with Retry-After, per-channel pacing, and a limit that
outlasts the client's retries. Every reminder arrives, none twice, in order per channel."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from fakes.slack_api import FakeSlackAPI
from world import ACTOR, london, new_case

from bot.delivery import Delivery, Pacer
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.sweep import sweep
from storage import outbox
from storage import repository as repo
from storage.db import Store

T0 = london(date(2027, 1, 12), "10:00")  # 5 working days before Tue 19 Jan: attendance nags


def _cases(store: Store, n: int = 3) -> None:
    for i in range(n):
        ref = f"CG-{i + 1:04d}"
        new_case(
            store,
            T0 - timedelta(days=7),
            reference=ref,
            profile="suffolk",
            start=date(2027, 1, 5),
            prefix="ABCDEFG"[i],
        )
        with store.transaction() as s:
            repo.schedule_meeting(
                s, ref, actor=ACTOR, now=T0 - timedelta(days=6), starts_at=london(date(2027, 1, 19), "10:00")
            )
            # An open action due 2 working days after today: its owner (the teacher) hears today,
            # so the teacher gets two messages in a row (order is checked per destination).
            repo.add_action(
                s,
                ref,
                actor=ACTOR,
                now=T0 - timedelta(days=6),
                text="Check in",
                owner_member_id=3 + 5 * i,
                due_on=date(2027, 1, 14),
            )


def _received(fake: FakeSlackAPI) -> dict[str, list[str]]:
    got: dict[str, list[str]] = defaultdict(list)
    for a in fake.args_of("chat.postMessage"):
        got[a["channel"]].append(a["text"])
    return got


def test_a_burst_of_429_is_waited_out_and_nothing_is_lost_or_doubled(
    store: Store, fake: FakeSlackAPI
) -> None:
    _cases(store)
    sweep(store, T0)
    fake.rate_limit("chat.postMessage", times=2, retry_after=1)
    slept: list[float] = []
    pacer = Pacer(1.0, clock=lambda: 0.0, sleep=slept.append)  # a frozen clock: every gap waits
    sent = Delivery(
        store, SlackChat(make_client("xoxb-test", fake.base_url)), clock=lambda: T0, worker="w", pacer=pacer
    ).run()
    # The health visitor and the teacher in each case (not the lead social worker, who runs the
    # meeting), and the teacher's action.
    assert [s.outcome for s in sent] == ["sent"] * len(sent) and len(sent) == 9
    limited = [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 429]
    assert len(limited) == 2  # Slack said wait twice; the client waited Retry-After and retried
    ok = fake.calls_to("chat.postMessage", ok=True)
    assert len(ok) == 9
    assert len({(c.args["channel"], c.args["text"]) for c in ok}) == 9  # none twice
    # In order per destination: the order of the outbox rows (due time, then id).
    by_dest: dict[str, list[str]] = defaultdict(list)
    for s in sent:
        by_dest[s.destination.split(":", 1)[1]].append(s.preview)
    for channel, texts in _received(fake).items():
        assert [t.split("\n")[0] for t in texts] == by_dest[channel]
    # The pacer waited between two messages to the same person (the teacher gets two).
    assert slept.count(1.0) == 3


def test_a_limit_longer_than_the_client_retries_keeps_the_order(store: Store, fake: FakeSlackAPI) -> None:
    _cases(store, 1)
    with store.transaction() as s:  # the health visitor (the first DM) has two messages too
        repo.add_action(
            s,
            "CG-0001",
            actor=ACTOR,
            now=T0 - timedelta(days=6),
            text="Visit",
            owner_member_id=2,
            due_on=date(2027, 1, 14),
        )
    sweep(store, T0)
    client = make_client("xoxb-test", fake.base_url, retries=1)
    fake.rate_limit("chat.postMessage", times=2, retry_after=0)
    port = SlackChat(client)
    first = Delivery(store, port, clock=lambda: T0, worker="w", pacer=Pacer(0)).run()
    outcomes = [(s.kind, s.outcome) for s in first]
    assert outcomes[0] == ("attendance", "retry")  # two 429s: the client's one retry was not enough
    # Later rows for the same destination wait for it (postponed), others go now.
    failed_dest = first[0].destination
    waiting = [s for s in first[1:] if s.destination == failed_dest]
    assert [(s.kind, s.outcome) for s in waiting] == [("action_soon", "postponed")]
    later = Delivery(store, port, clock=lambda: T0 + timedelta(minutes=2), worker="w", pacer=Pacer(0)).run()
    assert {s.outcome for s in later} == {"sent"}
    texts = _received(fake)
    assert sum(len(v) for v in texts.values()) == 4  # 2 attendance + 2 actions
    assert all(len(v) == len(set(v)) for v in texts.values())
    with store.read() as s:
        rows = outbox.reminders(s)
    assert {r.status for r in rows} == {"sent"}
    hv = [r for r in rows if r.recipient == "member:2"]
    assert [r.rule for r in sorted(hv, key=lambda r: r.sent_at or T0)] == ["written_report", "plan_action"]
    hv_texts = texts["UAHV"]
    assert "are you coming" in hv_texts[0] and "plan action 2" in hv_texts[1]
