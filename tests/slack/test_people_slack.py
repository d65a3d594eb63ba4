"""Issue 12 through signed Slack requests: a name in a case reference is refused before any
channel is made; `close` asks why, names what is open, and posts before it archives."""

from __future__ import annotations

from fakes.slack_harness import SlackHarness, all_text

from storage import repository as repo


def test_a_reference_carrying_a_name_makes_no_channel(slack: SlackHarness) -> None:
    assert slack.command("new JAYDEN-1 profile:suffolk plan:cp start:2027-01-04").status_code == 200
    said = slack.last_reply_text()
    assert "`JAYDEN-1` isn't a case reference here" in said and "must never carry a name" in said
    assert slack.fake.channel_named("cg-jayden-1") is None
    with slack.store.read() as s:
        assert repo.list_cases(s, status=None) == []
    slack.command("new profile:suffolk plan:cp start:2027-01-04")
    assert slack.fake.channel_named("cg-cg-0001") is not None


def test_close_asks_why_then_posts_before_it_archives(slack: SlackHarness) -> None:
    slack.command("new CG-0001 profile:suffolk plan:cp start:2027-01-04")
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None
    slack.command('add <@U0HV|hv> role:"health visitor" agency:"NHS"', channel=channel.id)
    slack.command('action add "Book the dental check-up" owner:<@U0HV|hv> due:2027-02-01', channel=channel.id)
    slack.command('close reason:"Plan ended"', channel=channel.id)
    said = slack.last_reply_text()
    assert "CG-0001 still has 1 thing open; nothing has been closed yet." in said
    assert "Open plan action 1: Book the dental check-up" in said
    assert not channel.is_archived
    slack.command('close reason:"Plan ended" confirm', channel=channel.id)
    assert channel.is_archived
    last = slack.channel_posts(channel.id)[-1]
    assert "CG-0001 is closed: Plan ended" in all_text(last)
    assert slack.fake.errors() == []
    slack.command("status", user="U0HV", channel=channel.id)
    assert "CG-0001: closed on" in slack.last_reply_text()
