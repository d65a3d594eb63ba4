"""Delivery's behaviour one piece at a time: answers stop the nagging, absence goes to the cover or
the line manager, the quiet digest, meeting threads, the chair's bundle edited in place, dead
letters, pacing, and what a reminder says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import all_text
from world import ACTOR, Case, SimClock, london, new_case, run_sweep

from bot.delivery import Delivery, Pacer, refresh_bundle
from bot.slack.app import make_client
from bot.slack.channel import SLACK
from bot.slack.chat import SlackChat
from storage import outbox
from storage import repository as repo
from storage.db import Store


@pytest.fixture
def port(fake: FakeSlackAPI) -> SlackChat:
    return SlackChat(make_client("xoxb-test", fake.base_url))


def _case_with_meeting(store: Store, clock: SimClock, **meeting: str) -> tuple[Case, int]:
    """A Suffolk case with a core group on Tue 19 Jan chaired by the lead social worker;
    `minute_taker_member_id="police"` names other roles by their label."""
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        m = repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            starts_at=london(date(2027, 1, 19), "10:00"),
            chair_member_id=c.members["lead"],
            **{k: c.members[v] for k, v in meeting.items()},
        )  # type: ignore[arg-type]
    return c, int(m.id or 0)


def _texts(fake: FakeSlackAPI, channel: str) -> list[str]:
    return [all_text(a) for a in fake.args_of("chat.postMessage") if a["channel"] == channel]


def test_a_reminder_says_what_when_and_how_to_answer(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    _case_with_meeting(store, clock)
    clock.set(date(2027, 1, 12), "09:30")
    run_sweep(store, port, clock)
    [msg] = [a for a in fake.args_of("chat.postMessage") if a["channel"] == "UAHV"]
    assert msg["text"] == "CG-0001: are you coming to the core group on Tue 19 Jan?"
    text = all_text(msg)
    assert "Tue 19 Jan 2027 (in 5 working days)" in text
    values = [el["value"] for b in msg["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert values == ["CG-0001 attending 2027-01-19", "CG-0001 apologies 2027-01-19"]
    assert msg["blocks"][-1]["type"] == "context"
    assert "written_report" in all_text({"blocks": [msg["blocks"][-1]]})
    assert "Suffolk" in all_text({"blocks": [msg["blocks"][-1]]})


def test_answering_stops_the_nag_even_when_it_is_already_queued(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c, mid = _case_with_meeting(store, clock)
    clock.set(date(2027, 1, 12), "07:30")
    run_sweep(store, port, clock)  # queued for 09:00
    with store.transaction() as s:  # the health visitor answers before nine
        repo.record_attendance(s, c.reference, mid, actor=ACTOR, now=clock(), attended=[c.members["hv"]])
    clock.set(date(2027, 1, 12), "09:05")
    got = {s.destination or s.audience: s.outcome for _, s in run_sweep(store, port, clock)}
    assert got[f"member:{c.members['hv']}"] == "skipped"
    assert got["dm:UATEACH"] == "sent"
    assert _texts(fake, "UAHV") == []
    # Report requests (3 working days before) and the chair's bundle leave them out too.
    clock.set(date(2027, 1, 14), "09:05")
    run_sweep(store, port, clock)
    assert _texts(fake, "UAHV") == []
    assert len(_texts(fake, "UATEACH")) == 2


def test_away_members_nags_go_to_their_cover_else_their_line_manager(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c, _ = _case_with_meeting(store, clock)
    with store.transaction() as s:
        repo.set_away(
            s,
            c.reference,
            c.members["hv"],
            actor=ACTOR,
            now=clock(),
            away_from=date(2027, 1, 11),
            away_until=date(2027, 1, 13),
            cover_member_id=c.members["lead"],
        )
        repo.set_away(
            s,
            c.reference,
            c.members["teacher"],
            actor=ACTOR,
            now=clock(),
            away_from=date(2027, 1, 11),
            away_until=None,
        )
    clock.set(date(2027, 1, 12), "09:05")
    run_sweep(store, port, clock)
    assert _texts(fake, "UAHV") == [] and _texts(fake, "UATEACH") == []
    [cover] = _texts(fake, "UALEAD")
    assert "Sent to you as cover: the health visitor (member 2) is away." in cover
    assert "hv A" not in cover  # no names, ever
    [args] = [a for a in fake.args_of("chat.postMessage") if a["channel"] == "UALEAD"]
    assert not [b for b in args["blocks"] if b["type"] == "actions"]  # they can't answer for them
    # The teacher has no cover: nothing to a line manager either (none recorded) -> the channel.
    [fallback] = _texts(fake, "CACHAN")
    assert "designated teacher" in fallback or "member 3" in fallback
    # Back on 14 Jan: the health visitor's own report request comes to them.
    clock.set(date(2027, 1, 14), "09:05")
    run_sweep(store, port, clock)
    assert len(_texts(fake, "UAHV")) == 1


def test_the_line_manager_hears_when_there_is_no_cover(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c, _ = _case_with_meeting(store, clock)
    with store.transaction() as s:
        repo.set_away(
            s,
            c.reference,
            c.members["hv"],
            actor=ACTOR,
            now=clock(),
            away_from=date(2027, 1, 11),
            away_until=date(2027, 1, 20),
        )
    clock.set(date(2027, 1, 12), "09:05")
    run_sweep(store, port, clock)
    [msg] = _texts(fake, "UAHVMGR")
    assert "Sent to you as line manager: the health visitor (member 2) is away." in msg


def test_quiet_digest_one_message_a_morning_edited_as_more_come(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.set_digest(s, c.reference, True, actor=ACTOR, now=clock())
        repo.add_action(s, c.reference, actor=ACTOR, now=clock(), text="One", due_on=date(2027, 1, 8))
        repo.add_action(s, c.reference, actor=ACTOR, now=clock(), text="Two", due_on=date(2027, 1, 8))
    # Both overdue long enough for the daily repeat in the channel (the owner and their manager
    # were told on the first two working days after), and the first core group unbooked.
    clock.set(date(2027, 1, 13), "09:05")
    sent = [s for _, s in run_sweep(store, port, clock)]
    assert len([s for s in sent if s.outcome == "digest"]) == 3
    assert not [s for s in sent if s.destination == "channel:CACHAN" and s.outcome != "digest"]
    [post] = [a for a in fake.args_of("chat.postMessage") if a["channel"] == "CACHAN"]
    assert post["text"] == "CG-0001: 3 reminders for Wed 13 Jan 2027"
    [posted] = [m for m in fake.messages if m.get("channel") == "CACHAN"]
    ts = posted["ts"]
    # A third action goes overdue the same day (recorded late): the morning message is edited.
    with store.transaction() as s:
        repo.add_action(s, c.reference, actor=ACTOR, now=clock(), text="Three", due_on=date(2027, 1, 8))
    clock.set(date(2027, 1, 13), "13:00")
    run_sweep(store, port, clock)
    assert len([a for a in fake.args_of("chat.postMessage") if a["channel"] == "CACHAN"]) == 1
    [update] = fake.args_of("chat.update")
    assert update["ts"] == ts and update["text"] == "CG-0001: 4 reminders for Wed 13 Jan 2027"
    assert "plan action 3" in all_text(update)


def test_reminders_about_one_meeting_share_a_thread(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    # The minute-taker is the police officer, who is on email only: the minutes reminders go to
    # the channel, and the second replies in the thread the first started.
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c, mid = _case_with_meeting(store, clock, minute_taker_member_id="police")
    with store.transaction() as s:
        repo.hold_meeting(s, c.reference, mid, actor=ACTOR, now=london(date(2027, 1, 19), "12:00"))
    for day in (date(2027, 2, 5), date(2027, 2, 9), date(2027, 2, 10)):
        clock.set(day, "09:05")
        run_sweep(store, port, clock)
    posts = [
        a for a in fake.args_of("chat.postMessage") if a["channel"] == "CACHAN" and "minutes" in a["text"]
    ]
    assert [p["text"].split(" are ")[0].split(" the minutes")[0] for p in posts] == ["CG-0001:"] * 3
    assert not posts[0].get("thread_ts")  # the first one starts the thread
    [starter] = [
        m
        for m in fake.messages
        if m.get("channel") == "CACHAN" and "minutes" in m["text"] and not m.get("thread_ts")
    ]
    with store.read() as s:
        from storage import sending

        t = sending.thread(s, c.id, "meeting:2027-01-19:core_group", "slack")
    assert t is not None and t.message_id == starter["ts"]
    assert all(p.get("thread_ts") == t.message_id for p in posts[1:])
    assert "police" in all_text(posts[0])


def test_the_chair_bundle_is_edited_when_a_late_report_arrives(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c, mid = _case_with_meeting(store, clock)
    clock.set(date(2027, 1, 18), "09:30")
    run_sweep(store, port, clock)
    assert not [a for a in fake.args_of("chat.postMessage") if a["channel"] == "UALEAD"]
    clock.set(date(2027, 1, 18), "10:05")  # 10:00 the working day before
    run_sweep(store, port, clock)
    [bundle] = [a for a in fake.args_of("chat.postMessage") if a["channel"] == "UALEAD"]
    [posted] = [m for m in fake.messages if m.get("channel") == "UALEAD"]
    ts = posted["ts"]
    assert bundle["text"] == "CG-0001: 0 of 2 written reports in for the core group on Tue 19 Jan"
    assert "Nothing yet from: health visitor, designated teacher." in all_text(bundle)
    clock.set(date(2027, 1, 18), "15:00")
    with store.transaction() as s:
        repo.request_reports(s, c.reference, mid, [c.members["hv"]], actor=ACTOR, now=clock())
        repo.submit_report(
            s, c.reference, mid, c.members["hv"], "Seen twice; weight up.", actor=ACTOR, now=clock()
        )
    assert refresh_bundle(
        store, port, reference=c.reference, meeting_subject="meeting:2027-01-19:core_group", clock=clock
    )
    [update] = fake.args_of("chat.update")
    assert update["ts"] == ts
    assert update["text"] == "CG-0001: 1 of 2 written reports in for the core group on Tue 19 Jan"
    # The DM's id carries its conversation (Slack's chat.update wants the D… id, which the fake
    # answers with the user id): "<channel>:<ts>".
    from storage import sending

    with store.read() as s:
        t = sending.thread(s, c.id, "bundle:meeting:2027-01-19:core_group", "slack")
    assert t is not None and t.message_id == f"UALEAD:{ts}" and update["channel"] == "UALEAD"
    assert "In: health visitor." in all_text(update)
    # No bundle for another meeting: nothing to edit.
    assert not refresh_bundle(
        store, port, reference=c.reference, meeting_subject="meeting:2027-03-02:core_group", clock=clock
    )


def test_failures_back_off_then_the_row_is_dead_and_the_channel_hears(
    store: Store, fake: FakeSlackAPI, port: SlackChat, caplog: pytest.LogCaptureFixture
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.schedule_meeting(
            s, c.reference, actor=ACTOR, now=clock(), starts_at=london(date(2027, 1, 19), "10:00")
        )
        repo.add_action(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            text="Secret detail",
            owner_member_id=c.members["hv"],
            due_on=date(2027, 1, 13),
        )
    fake.fail("chat.postMessage", "user_not_found", times=3)
    at = london(date(2027, 1, 11), "09:05")
    d = Delivery(store, port, clock=lambda: at, worker="w", pacer=Pacer(0), max_attempts=3)
    from handlers.sweep import sweep

    sweep(store, at)
    outcomes = []
    for minutes in (0, 2, 8):
        at = london(date(2027, 1, 11), "09:05") + timedelta(minutes=minutes)
        outcomes += [s.outcome for s in d.run() if s.kind == "action_soon"]
    assert outcomes == ["retry", "retry", "dead"]
    with store.read() as s:
        [row] = [r for r in outbox.reminders(s) if r.rule == "plan_action"]
    assert row.status == "dead" and row.last_error == "user_not_found"
    notice = [
        a
        for a in fake.args_of("chat.postMessage")
        if a["channel"] == "CACHAN" and "could not be delivered" in a["text"]
    ]
    assert len(notice) == 1
    assert "user_not_found" in all_text(notice[0])
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    assert "Secret detail" not in logged and "hv A" not in logged


def test_the_pacer_spaces_messages_to_one_channel() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    p = Pacer(1.0, clock=lambda: now[0], sleep=sleep)
    for channel in ("C1", "C1", "C2", "C1"):
        p.wait(channel)
        now[0] += 0.25
    assert slept == [0.75, 0.5]  # C1 again after 0.25 s waits 0.75; C2 is its own channel


def test_a_late_report_through_the_command_edits_the_bundle(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    """`CG-0001 report 2027-01-19 …` typed by the health visitor after the bundle went: the
    handler's RefreshBundle effect, carried out by `bot.chat.deliver`, edits the chair's bundle."""
    from fakes.env import FakeDirectory

    from bot.chat import deliver
    from bot.delivery import refresh_bundle_effect
    from handlers.common import Actor, Context
    from handlers.dispatch import handle_text

    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    _case_with_meeting(store, clock)
    clock.set(date(2027, 1, 18), "10:05")
    run_sweep(store, port, clock)
    [posted] = [m for m in fake.messages if m.get("channel") == "UALEAD"]
    assert posted["text"].startswith("CG-0001: 0 of 2 written reports in")
    clock.set(date(2027, 1, 18), "16:00")
    ctx = Context(
        actor=Actor("UAHV", SLACK, "command"), store=store, clock=clock, directory=FakeDirectory({})
    )
    outcome = handle_text(ctx, "CG-0001 report 2027-01-19 Seen twice; weight up.")
    deliver(outcome, ctx=ctx, port=port, reply_to_actor=lambda m: None, bundle=refresh_bundle_effect)
    [update] = fake.args_of("chat.update")
    assert update["ts"] == posted["ts"]
    assert update["text"].startswith("CG-0001: 1 of 2 written reports in")
