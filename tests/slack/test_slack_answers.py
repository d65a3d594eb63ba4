"""On the wire: reminder buttons (`cg.run` with `CG-0001 <command>`) pressed in a DM or App Home,
`attending`/`apologies`/`report` with a date, `away`/`back`, `digest`, and the pinned summary
edited in place (`chat.update` on the pinned message) after every change."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import signing
from fakes.slack_harness import SlackHarness, all_text
from test_slack_wire import audit_count, start_case

from storage import repository as repo


def pinned(slack: SlackHarness, channel: str) -> dict[str, Any]:
    """The pinned summary as the fake holds it now (edits applied)."""
    ch = slack.fake.channels[channel]
    (ts,) = ch.pins
    (message,) = [m for m in slack.fake.messages if m.get("ts") == ts and m["channel"] == channel]
    return message


def press(slack: SlackHarness, value: str, *, user: str, dm: bool = True) -> None:
    """A reminder's button as Slack sends it: from the bot's DM (a message) or App Home."""
    if dm:
        req = signing.block_actions(
            "cg.run:0", value, user_id=user, channel_id=f"D0{user}", response_url=slack.fake.response_url()
        )
    else:
        req = signing.block_actions("cg.run:0", value, user_id=user, view={"id": "VHOME", "type": "home"})
    assert slack.send(req).status_code == 200
    slack.settle()


def test_new_stores_the_pinned_summary_and_changes_edit_it(slack: SlackHarness) -> None:
    channel = start_case(slack)
    with slack.store.read() as s:
        ts = repo.summary_message_id(s, "CG-0001", "slack")
    assert ts is not None and slack.fake.channels[channel].pins == [ts]
    assert "**Next meeting**" not in all_text(pinned(slack, channel))
    assert "Next meeting*: none booked" in all_text(pinned(slack, channel))
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    updates = slack.fake.args_of("chat.update")
    assert updates and all(u["ts"] == ts and u["channel"] == channel for u in updates)
    text = all_text(pinned(slack, channel))
    assert "Next meeting*: core group on Fri 15 Jan 2027 at 10:00" in text
    # the chair (lead) and minute-taker (health visitor) write no report: the teacher does
    assert "Written reports*: 0 of 1 in for Fri 15 Jan 2027; awaited from <@U0TEACH>" in text
    slack.command('action add "Weigh the baby" owner:<@U0HV> due:2027-01-20', channel=channel)
    text = all_text(pinned(slack, channel))
    assert "Open plan actions*: 1" in text and "no. 1 Weigh the baby" in text
    # a read changes nothing, so nothing is edited
    n = len(slack.fake.args_of("chat.update"))
    slack.command("status", channel=channel)
    assert len(slack.fake.args_of("chat.update")) == n
    assert slack.fake.channels[channel].pins == [ts]  # still one pin, edited in place


def test_reminder_buttons_answer_from_a_dm_and_app_home(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    press(slack, "CG-0001 attending 2027-01-15", user="U0HV")
    reply = all_text(slack.replies()[-1])
    assert "you're down as attending the core group on Fri 15 Jan 2027" in reply
    assert "0 of 1 written report in · 1 attending" in reply
    press(slack, "CG-0001 apologies 2027-01-15", user="U0TEACH", dm=False)
    dm = slack.fake.args_of("chat.postMessage")[-1]
    assert dm["channel"] == "U0TEACH" and "apologies noted" in all_text(dm)
    (write,) = [el for b in dm["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert write["value"] == "CG-0001 report 2027-01-15"
    press(slack, write["value"], user="U0TEACH")
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["title"]["text"] == "Written report"
    slack.send(
        signing.view_submission(
            "cg.form",
            {"text": {"v": signing.plain("Seen at school.")}},
            private_metadata=view["private_metadata"],
            user_id="U0TEACH",
        )
    )
    slack.settle()
    assert "1 of 1 written report in" in all_text(slack.channel_posts(channel)[-1])
    text = all_text(pinned(slack, channel))
    assert "Written reports*: 1 of 1 in for Fri 15 Jan 2027" in text and "awaited" not in text


def test_away_back_and_digest_in_the_channel(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command("away 2027-01-11 until 2027-01-22 cover:<@U0TEACH|teacher>", user="U0HV", channel=channel)
    assert "your reminders go to <@U0TEACH> (covering)" in slack.last_reply_text()
    assert "<@U0HV> is away from Mon 11 Jan 2027 until Fri 22 Jan 2027" in all_text(
        slack.channel_posts(channel)[-1]
    )
    assert "Away: <@U0HV> from Mon 11 Jan 2027 until Fri 22 Jan 2027; <@U0TEACH> covers" in all_text(
        pinned(slack, channel)
    )
    slack.command("members", channel=channel)
    assert "*away* from Mon 11 Jan 2027" in slack.last_reply_text()
    slack.command("back", user="U0HV", channel=channel)
    assert "welcome back" in slack.last_reply_text()
    assert "Away:" not in all_text(pinned(slack, channel))
    slack.command("digest on", channel=channel)
    assert "one morning digest" in all_text(slack.channel_posts(channel)[-1])
    with slack.store.read() as s:
        assert repo.get_case(s, "CG-0001").digest is True


BAD = [
    ("away 2027-02-10 until 2027-02-01", "U0HV", "is before the first day away"),
    ("attending 2027-01-16", "U0HV", "no meeting booked on Sat 16 Jan 2027"),
    ("digest loud", "U0HV", "say `digest on` or `digest off`"),
    ("risk reduced", "U0HV", "CG-0001 follows Suffolk"),
    ("CG-0001 attending", "U0OTHER", "Only members of CG-0001"),
    ("away 2027-02-01", "U0OTHER", "Only members of CG-0001"),
]


@pytest.mark.parametrize(("line", "user", "problem"), BAD, ids=[b[0] for b in BAD])
def test_bad_answers_get_an_ephemeral_reply_and_change_nothing(
    slack: SlackHarness, line: str, user: str, problem: str
) -> None:
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    before = audit_count(slack)
    posts = len(slack.channel_posts(channel))
    updates = len(slack.fake.args_of("chat.update"))
    slack.command(line, user=user, channel=channel)
    reply = slack.replies()[-1]
    assert reply["response_type"] == "ephemeral"
    assert problem in all_text(reply)
    if user != "U0OTHER":
        assert "Try `/coregroup " in all_text(reply)
    assert audit_count(slack) == before
    assert len(slack.channel_posts(channel)) == posts
    assert len(slack.fake.args_of("chat.update")) == updates


def test_a_non_member_pressing_a_reminder_button_is_refused(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    before = audit_count(slack)
    press(slack, "CG-0001 attending 2027-01-15", user="U0OTHER")
    assert "Only members of CG-0001's core group" in all_text(slack.replies()[-1])
    assert audit_count(slack) == before
