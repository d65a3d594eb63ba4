"""The real Bolt app over HTTP, driven with signed requests built as Slack sends them, against the
fake Web API: commands, buttons, forms, App Home, signatures and rate limits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fakes import signing
from fakes.slack_harness import SlackHarness, all_text
from sqlmodel import func, select

from storage import repository as repo
from storage.models import AuditEvent

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def audit_count(slack: SlackHarness) -> int:
    with slack.store.read() as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)).one())


def start_case(slack: SlackHarness) -> str:
    """`new` then two members; returns the case channel's id."""
    assert slack.command(NEW).status_code == 200
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None and channel.is_private
    for line in (
        'add <@U0HV|hv> role:"health visitor" agency:"NHS"',
        'add <@U0TEACH|teacher> role:"designated teacher" agency:"School"',
    ):
        slack.command(line, channel=channel.id)
    return channel.id


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [el for b in payload.get("blocks", []) if b["type"] == "actions" for el in b["elements"]]


def test_wrong_signature_gets_401_and_changes_nothing(slack: SlackHarness) -> None:
    good = signing.slash_command(NEW, response_url=slack.fake.response_url())
    bad_requests = [
        good.tampered(),
        signing.slash_command(NEW, secret="not-the-secret"),
        signing.slash_command(NEW, timestamp=int(time.time()) - 600),  # replayed
    ]
    for req in bad_requests:
        assert slack.send(req).status_code == 401
    slack.settle()
    assert slack.fake.calls == []
    with slack.store.read() as s:
        assert repo.list_cases(s, status=None) == []


def test_new_creates_a_private_channel_and_pins_the_summary(slack: SlackHarness) -> None:
    r = slack.command(NEW)
    assert r.status_code == 200 and r.text == ""
    reply = slack.replies()[0]
    assert reply["response_type"] == "ephemeral"
    assert "CG-0001 is set up" in all_text(reply)
    create = slack.fake.args_of("conversations.create")
    assert create == [{"name": "cg-cg-0001", "is_private": "1", "team_id": "T0000TEST"}]
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None and "U0LEAD" in channel.members
    summary = slack.channel_posts(channel.id)[0]
    assert summary["text"].startswith("CG-0001: core group set up")
    assert "first_core_group · Suffolk guidance §2.1" in all_text(summary)
    assert len(channel.pins) == 1
    with slack.store.read() as s:
        assert repo.channel_of(s, "CG-0001", "slack") == channel.id
    assert slack.fake.errors() == []


def test_members_are_invited_and_outsiders_refused(slack: SlackHarness) -> None:
    channel = start_case(slack)
    ch = slack.fake.channels[channel]
    assert {"U0LEAD", "U0HV", "U0TEACH"} <= ch.members
    assert "joined the core group as health visitor" in all_text(slack.channel_posts(channel)[1])
    before = audit_count(slack)
    slack.command("status", user="U0OTHER", channel=channel)
    assert "Only members of CG-0001's core group" in slack.last_reply_text()
    slack.command("close", user="U0HV", channel=channel)
    assert "Only CG-0001's lead social worker" in slack.last_reply_text()
    assert audit_count(slack) == before
    assert slack.fake.errors() == []


def test_outside_the_window_asks_with_buttons(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command('meeting 2027-01-28 10:00 venue:"Family centre"', channel=channel)
    question = slack.replies()[-1]
    assert "outside the window" in all_text(question)
    assert "Suffolk guidance §2.1" in all_text(question)
    book, other = buttons(question)
    assert book["text"]["text"] == "Book it anyway" and other["text"]["text"] == "Pick another date"
    with slack.store.read() as s:
        assert repo.meetings(s, "CG-0001") == []
    press = signing.block_actions(
        book["action_id"],
        book["value"],
        user_id="U0LEAD",
        channel_id=channel,
        response_url=slack.fake.response_url("b"),
    )
    assert slack.send(press).status_code == 200
    slack.settle()
    assert "core group booked for Thu 28 Jan 2027" in all_text(slack.channel_posts(channel)[-1])
    with slack.store.read() as s:
        assert len(repo.meetings(s, "CG-0001")) == 1
    dismiss = signing.block_actions(
        other["action_id"], "", channel_id=channel, response_url=slack.fake.response_url("d")
    )
    assert slack.send(dismiss).status_code == 200
    slack.settle()
    assert slack.replies()[-1]["delete_original"] is True


def test_held_form_records_attendance_and_quorum(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    slack.clock.set("2027-01-15T16:00")
    slack.command("held", channel=channel)
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["callback_id"] == "cg.form"
    attended = next(b for b in view["blocks"] if b.get("block_id") == "attended")
    options = {o["text"]["text"]: o["value"] for o in attended["element"]["options"]}
    lead = next(v for k, v in options.items() if "lead social worker" in k)
    hv = next(v for k, v in options.items() if "health visitor" in k)
    teacher = next(v for k, v in options.items() if "designated teacher" in k)
    # a submission with no one attending is refused beside the field, before the modal closes
    empty = signing.view_submission(
        "cg.form",
        {"date": {"v": signing.date_value("2027-01-15")}},
        private_metadata=view["private_metadata"],
    )
    r = slack.send(empty)
    assert r.json() == {"response_action": "errors", "errors": {"attended": "Pick who attended."}}
    values = {
        "date": {"v": signing.date_value("2027-01-15")},
        "attended": {
            "v": {"type": "multi_static_select", "selected_options": [{"value": lead}, {"value": hv}]}
        },
        "apologies": {"v": {"type": "multi_static_select", "selected_options": [{"value": teacher}]}},
    }
    ok = signing.view_submission("cg.form", values, private_metadata=view["private_metadata"])
    assert slack.send(ok).status_code == 200
    slack.settle()
    post = all_text(slack.channel_posts(channel)[-1])
    assert "recorded as held" in post and "Quorate: *yes*" in post
    assert "quorum · Suffolk guidance §4.7" in post


def test_report_form_and_apologies(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    slack.command("apologies", user="U0TEACH", channel=channel)
    reply = slack.replies()[-1]
    assert "written report is due by Thu 14 Jan 2027" in all_text(reply)
    (write,) = buttons(reply)
    assert write["style"] == "primary"
    slack.send(
        signing.block_actions(
            write["action_id"],
            write["value"],
            user_id="U0TEACH",
            channel_id=channel,
            response_url=slack.fake.response_url(),
        )
    )
    slack.settle()
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["title"]["text"] == "Written report"
    sub = signing.view_submission(
        "cg.form",
        {"text": {"v": signing.plain("All well.")}},
        private_metadata=view["private_metadata"],
        user_id="U0TEACH",
    )
    slack.send(sub)
    slack.settle()
    assert "your written report" in all_text(slack.fake.args_of("chat.postEphemeral")[-1])
    assert "1 of 1 written report in" in all_text(slack.channel_posts(channel)[-1])


def test_new_form_from_a_bare_command(slack: SlackHarness) -> None:
    slack.command("new")
    view = slack.fake.args_of("views.open")[-1]["view"]
    values = {
        "reference": {"v": signing.plain("CG-0007")},
        "profile": {"v": signing.select("newham")},
        "plan": {"v": signing.select("cp")},
        "start": {"v": signing.date_value("2027-01-04")},
    }
    slack.send(signing.view_submission("cg.form", values, private_metadata=view["private_metadata"]))
    slack.settle()
    assert slack.fake.channel_named("cg-cg-0007") is not None
    assert "CG-0007 is set up" in all_text(slack.fake.args_of("chat.postEphemeral")[0])
    assert "CG-0007: core group set up" in all_text(slack.fake.args_of("chat.postMessage")[0])


def test_app_home_lists_the_callers_core_groups(slack: SlackHarness) -> None:
    channel = start_case(slack)
    slack.command('action add "Weigh the baby" owner:<@U0HV> due:2027-01-20', channel=channel)
    slack.send(signing.app_home_opened("U0HV"))
    slack.settle()
    (publish,) = slack.fake.args_of("views.publish")
    assert publish["user_id"] == "U0HV"
    home = "\n".join(all_text({"blocks": [b]}) for b in publish["view"]["blocks"])
    assert "CG-0001" in home and "Action 1: Weigh the baby" in home


BAD = [
    ("frobnicate", "U0LEAD", "I don't know `frobnicate`"),
    ("meeting 2027-02-30 10:00", "U0LEAD", "February 2027 has 28 days"),
    ("meeting 2027-01-02 10:00", "U0LEAD", "before CG-0001 started"),
    ("visit 2027-01-05", "U0LEAD", "is still to come"),
    ("add <@U0GHOST|ghost> role:police", "U0LEAD", "can't find <@U0GHOST>"),
    ("meeting 2027-01-15 10:00", "U0OTHER", "Only members of CG-0001"),
]


@pytest.mark.parametrize(("line", "user", "problem"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_an_ephemeral_answer_and_changes_nothing(
    slack: SlackHarness, line: str, user: str, problem: str
) -> None:
    channel = start_case(slack)
    before = audit_count(slack)
    posts = len(slack.channel_posts(channel))
    slack.command(line, user=user, channel=channel)
    reply = slack.replies()[-1]
    assert reply["response_type"] == "ephemeral"
    assert problem in all_text(reply)
    if user == "U0LEAD":
        assert "Try `/coregroup " in all_text(reply)
    assert audit_count(slack) == before
    assert len(slack.channel_posts(channel)) == posts


def test_rate_limited_calls_are_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    slack.command(NEW)
    posts = slack.fake.calls_to("chat.postMessage")
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 0.9
    assert len(slack.fake.channel_named("cg-cg-0001").pins) == 1  # type: ignore[union-attr]


def test_app_home_button_answers_by_direct_message(slack: SlackHarness) -> None:
    start_case(slack)
    slack.send(signing.app_home_opened("U0HV"))
    slack.settle()
    view = slack.fake.args_of("views.publish")[-1]["view"]
    (status,) = [el for b in view["blocks"] if b["type"] == "actions" for el in b["elements"]]
    press = signing.block_actions(
        status["action_id"], status["value"], user_id="U0HV", view={"id": "VHOME", "type": "home"}
    )
    assert slack.send(press).status_code == 200
    slack.settle()
    dm = slack.fake.args_of("chat.postMessage")[-1]
    assert dm["channel"] == "U0HV" and dm["text"].startswith("CG-0001: next")


def test_minutes_sent_with_todays_date_at_ten_is_accepted(slack: SlackHarness) -> None:
    """`minutes sent <today>` at 10:00 was refused as "in the future" (the date became noon)."""
    channel = start_case(slack)
    slack.command("meeting 2027-01-15 10:00", channel=channel)
    slack.clock.set("2027-01-15T16:00")
    slack.command("held attended:<@U0LEAD|lead>,<@U0HV|hv>", channel=channel)
    slack.clock.set("2027-01-18T10:00")
    before = len(slack.replies())
    assert slack.command("minutes sent 2027-01-18", channel=channel).status_code == 200
    post = all_text(slack.channel_posts(channel)[-1])
    assert "On time: they were due by" in post, post
    assert not any("in the future" in all_text(r) for r in slack.replies()[before:])
    with slack.store.read() as s:
        stamped = repo.meetings(s, "CG-0001", status="held")[0].minutes_circulated_at
    assert stamped is not None and stamped <= slack.clock()


def test_the_record_a_visit_reminder_button_opens_the_visit_form(slack: SlackHarness) -> None:
    """The reminder's button as Slack sends it (a block action in the person's DM): the visit
    form opens with today filled in, nothing is written, and its submission records the visit."""
    from datetime import date

    from bot.slack.blocks import message_blocks
    from handlers.nags import render

    channel = start_case(slack)
    slack.clock.set("2027-01-06T09:30")
    reminder = render(
        {
            "kind": "lead_visit_soon",
            "profile": "suffolk",
            "due": "2027-01-08",
            "subject": "lead_sw_visit",
            "about": "",
            "rule": "lead_sw_visit",
            "plan": "cp",
        },
        "CG-0001",
        date(2027, 1, 6),
    )
    (button,) = [el for b in message_blocks(reminder) if b["type"] == "actions" for el in b["elements"]]
    assert button["text"]["text"] == "Record a visit" and button["value"] == "CG-0001 visit"
    before = audit_count(slack)
    press = signing.block_actions(
        button["action_id"],
        button["value"],
        user_id="U0LEAD",
        channel_id="D0DIRECT",
        response_url=slack.fake.response_url("v"),
    )
    assert slack.send(press).status_code == 200
    slack.settle()
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["title"]["text"] == "Record a visit"
    date_block = next(b for b in view["blocks"] if b.get("block_id") == "date")
    assert date_block["element"]["initial_date"] == "2027-01-06"
    assert audit_count(slack) == before
    seen = next(b for b in view["blocks"] if b.get("block_id") == "seen_alone")
    values = {
        "date": {"v": signing.date_value("2027-01-06")},
        "seen_alone": {
            "v": {
                "type": "checkboxes",
                "selected_options": [{"value": seen["element"]["options"][0]["value"]}],
            }
        },
    }
    sent = signing.view_submission("cg.form", values, private_metadata=view["private_metadata"])
    assert slack.send(sent).status_code == 200
    slack.settle()
    assert "visit on Wed 6 Jan 2027 recorded" in all_text(slack.channel_posts(channel)[-1])
    with slack.store.read() as s:
        (visit,) = repo.visits(s, "CG-0001")
    assert visit.seen_alone and visit.visited_on == date(2027, 1, 6)
