"""Handler wording Teams users see: no Slack-only words ("creating the private channel",
"workspace", "Slack admin") -- Teams links the channel `new` is typed in and finds people in the
team's roster."""

from __future__ import annotations

from fakes.teams_harness import LEAD, TeamsHarness

from bot.chat import ChatError, _effect_failure
from bot.slack.channel import SLACK
from bot.teams.channel import TEAMS
from handlers.forms import add_member_form
from handlers.replies import CreateChannel, Message

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def test_new_in_teams_says_it_linked_this_channel(teams: TeamsHarness) -> None:
    teams.say(LEAD, NEW)
    said = "\n".join(teams.private(LEAD))
    assert "I've linked the channel you typed this in" in said
    assert "creating the private channel" not in said and "#cg-" not in said


def test_the_add_form_and_a_failed_link_name_the_team_not_slack() -> None:
    form = add_member_form("CG-0001", "team")
    assert form.intro == "Pick someone in the team, or give the email of someone outside it."
    assert [f.label for f in form.fields][:3] == [
        "Person in the team",
        "…or their email (outside the team)",
        "Their name (outside the team only)",
    ]
    effect = CreateChannel("CG-0001", "cg-cg-0001", ("29:x",), Message("summary"))
    teams = _effect_failure(effect, ChatError("channel_taken"), TEAMS)
    assert "Slack" not in teams and "Teams admin" in teams and "(channel_taken)" in teams
    assert "Slack admin" in _effect_failure(effect, ChatError("restricted_action"), SLACK)
