"""The Slack adapter's own words (a modal's Cancel, a submission's problems, App Home's frame) in
the reader's language, through the real Bolt app with signed requests against the fake Web API."""

from __future__ import annotations

from fakes import signing
from fakes.slack_harness import SlackHarness

from handlers.i18n import _, localise

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def welsh_lead_with_a_meeting(slack: SlackHarness) -> str:
    slack.command(NEW)
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None
    slack.command('add <@U0HV|hv> role:"health visitor" agency:"NHS"', channel=channel.id)
    slack.command("language cy", channel=channel.id)
    slack.command("meeting 2027-01-15 10:00", channel=channel.id)
    return channel.id


def test_a_welsh_readers_modal_has_welsh_close_and_submit_and_welsh_problems(slack: SlackHarness) -> None:
    channel = welsh_lead_with_a_meeting(slack)
    slack.clock.set("2027-01-15T16:00")
    slack.command("held", channel=channel)
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["close"]["text"] == "Canslo"
    assert view["submit"]["text"] == localise(_("Record"), "cy") != "Record"
    empty = signing.view_submission(
        "cg.form",
        {"date": {"v": signing.date_value("2027-01-15")}},
        private_metadata=view["private_metadata"],
    )
    r = slack.send(empty)
    errors = r.json()["errors"]
    assert r.json()["response_action"] == "errors"
    assert errors["attended"] == localise(_("Pick who attended."), "cy")


def test_an_english_readers_modal_keeps_cancel(slack: SlackHarness) -> None:
    slack.command("new")
    view = slack.fake.args_of("views.open")[-1]["view"]
    assert view["close"]["text"] == "Cancel"


def test_a_welsh_readers_app_home_frame_is_welsh(slack: SlackHarness) -> None:
    welsh_lead_with_a_meeting(slack)
    slack.send(signing.app_home_opened("U0LEAD"))
    slack.settle()
    view = slack.fake.args_of("views.publish")[-1]["view"]
    assert view["blocks"][0]["text"]["text"] == "Eich grwpiau craidd"
    assert "Y diweddaraf yn gyntaf" in view["blocks"][1]["elements"][0]["text"]


def test_someone_in_no_core_group_reads_the_english_frame(slack: SlackHarness) -> None:
    slack.send(signing.app_home_opened("U0HV"))
    slack.settle()
    view = slack.fake.args_of("views.publish")[-1]["view"]
    assert view["blocks"][0]["text"]["text"] == "Your core groups"
    assert "You aren't in any core group yet" in view["blocks"][2]["text"]["text"]
