"""Slack retries (`X-Slack-Retry-Num`) of a command or an event never make a second channel,
member or meeting -- whether the retry reaches the same process or another one."""

from __future__ import annotations

from fakes import signing
from fakes.env import MovableClock
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import SlackHarness, running

from storage import repository as repo
from storage.db import Store

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        cases = repo.list_cases(s, status=None)
        if not cases:
            return 0, 0, 0
        return (
            len(cases),
            len(repo.members(s, "CG-0001", include_left=True)),
            len(repo.meetings(s, "CG-0001")),
        )


def test_retried_commands_change_nothing_twice(slack: SlackHarness) -> None:
    url = slack.fake.response_url()
    new = signing.slash_command(NEW, response_url=url)
    assert slack.send(new).status_code == 200
    slack.settle()
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None
    add = signing.slash_command(
        'add <@U0HV|hv> role:"health visitor"', channel_id=channel.id, response_url=url
    )
    meeting = signing.slash_command("meeting 2027-01-15 10:00", channel_id=channel.id, response_url=url)
    for req in (add, meeting):
        assert slack.send(req).status_code == 200
        slack.settle()
    for req in (new, add, meeting):
        for n in (1, 2):
            assert slack.send(req.with_retry(n)).status_code == 200
    slack.settle()
    assert len(slack.fake.args_of("conversations.create")) == 1
    assert len(slack.fake.args_of("conversations.invite")) == 2  # the lead, then U0HV
    assert counts(slack.store) == (1, 2, 1)


def test_retried_event_is_handled_once(slack: SlackHarness) -> None:
    event = signing.app_home_opened("U0HV", event_id="Ev0RETRY")
    for req in (event, event.with_retry(1), event.with_retry(2, "http_error")):
        assert slack.send(req).status_code == 200
    slack.settle()
    assert len(slack.fake.args_of("views.publish")) == 1


def test_a_retry_reaching_another_process_is_caught_by_the_record(
    fake: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    new = signing.slash_command(NEW, response_url=fake.response_url())
    with running(fake, store, clock) as first:
        first.send(new)
        first.settle()
    # a second bot process sharing the database: its in-memory dedupe has never seen the id
    with running(fake, store, clock) as second:
        assert second.send(new.with_retry(1)).status_code == 200
        second.settle()
    assert len(fake.args_of("conversations.create")) == 1
    assert counts(store) == (1, 1, 0)
