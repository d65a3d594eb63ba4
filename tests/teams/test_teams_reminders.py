"""Reminders reach Teams proactively through the same delivery as Slack: the sweep queues them,
`bot.delivery.Delivery` sends them through the Teams chat port (no activity to answer: the stored
conversation reference and the personal chat), and Teams' 429 + Retry-After is waited out."""

from __future__ import annotations

from fakes.teams_connector import BOT_ID, CHANNEL, TENANT
from fakes.teams_harness import HV, LEAD, TEACH, TeamsHarness

from bot.delivery import Delivery, Pacer
from bot.teams.cards import CARD_TYPE, KIND, LINE
from handlers.sweep import sweep


def booked(teams: TeamsHarness) -> None:
    teams.say(LEAD, "new CG-0001 profile:suffolk plan:cp start:2027-01-04")
    teams.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])
    teams.say(LEAD, 'add @Designated Teacher role:"designated teacher" agency:"School"', mentions=[TEACH])
    teams.say(LEAD, "meeting 2027-01-15 10:00")


def test_a_reminder_goes_to_the_personal_chat_through_a_429(teams: TeamsHarness) -> None:
    booked(teams)
    teams.fake.reset()
    teams.clock.set("2027-01-13T09:30")
    assert sweep(teams.store, teams.clock()).inserted > 0
    teams.fake.throttle(times=1, retry_after=2)
    sent = Delivery(teams.store, teams.deps.chat(), clock=teams.clock, worker="t", pacer=Pacer(0)).run()
    # One ask at a time: the attendance question and the report request are both due (booked at
    # short notice), so the teacher gets the report request alone, with both answers.
    assert [s.outcome for s in sent] == ["sent"]
    assert teams.sleeps == [2.0]
    created = teams.fake.conversations_created()
    assert created == [
        {
            "isGroup": False,
            "bot": {"id": BOT_ID},
            "members": [{"id": TEACH.id}],
            "channelData": {"tenant": {"id": TENANT}},
            "tenantId": TENANT,
        }
    ]
    [first] = teams.fake.activities(teams.fake.personal_conversation(TEACH.id))
    assert first["type"] == "message"
    assert first["summary"] == "CG-0001: your written report is needed before the core group on Fri 15 Jan"
    attachment = first["attachments"][0]
    assert attachment["contentType"] == CARD_TYPE
    card = attachment["content"]
    assert card["body"][0] == {
        "type": "TextBlock",
        "wrap": True,
        "weight": "Bolder",
        "text": "CG-0001: your written report is needed before the core group on Fri 15 Jan",
    }
    assert card["body"][1]["text"] == (
        "The core group is on Fri 15 Jan 2027 (in 2 working days) and you are not down as attending."
    )
    assert card["body"][-1]["size"] == "Small" and card["body"][-1]["isSubtle"] is True
    assert card["body"][-1]["text"].startswith("written_report · Suffolk guidance §4.6")
    runs = [a["data"][LINE] for a in card["actions"] if a["data"][KIND] == "run"]
    assert runs == [
        "CG-0001 report 2027-01-15",
        "CG-0001 attending 2027-01-15",
        "CG-0001 apologies 2027-01-15",
    ]
    # Nothing went to the channel, and nothing was sent twice.
    assert teams.fake.activities(CHANNEL) == []
    assert Delivery(teams.store, teams.deps.chat(), clock=teams.clock, worker="t", pacer=Pacer(0)).run() == []


def test_pressing_a_reminder_button_in_the_personal_chat_answers_it(teams: TeamsHarness) -> None:
    booked(teams)
    teams.clock.set("2027-01-13T09:30")
    sweep(teams.store, teams.clock())
    Delivery(teams.store, teams.deps.chat(), clock=teams.clock, worker="t", pacer=Pacer(0)).run()
    card = teams.fake.activities(teams.fake.personal_conversation(TEACH.id))[0]
    action = next(
        a for a in card["attachments"][0]["content"]["actions"] if "attending" in a["data"].get(LINE, "")
    )
    teams.submit(TEACH, action["data"])
    assert "attending" in teams.private(TEACH)[-1]
