"""Throttling, outages and refusals: the SDK's own retry handler, then the outbox's backoff, then
one message in the channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fakes.graph_server import FakeGraphServer
from graph_helpers import make_invite, with_graph

from bot.calendar.graph import GraphCalendar
from bot.calendar.port import CalendarError
from bot.calendar.sync import REPORT_AFTER, Action, SyncResult, sync_invitation
from bot.clock import fixed_clock
from bot.settings import Settings


def test_429_with_retry_after_is_waited_out_and_retried_once(
    fake: FakeGraphServer, settings: Settings
) -> None:
    fake.throttle(times=1, retry_after=2)
    invite = make_invite()
    event_id = with_graph(settings, lambda port: port.create(invite))

    first, second = fake.graph_calls("POST")
    assert (first.status, second.status) == (429, 201)
    assert 2.0 <= second.at - first.at < 3.5
    assert second.headers.get("retry-attempt") == "1"
    assert first.body == second.body  # same transactionId: the retry cannot make a second event
    assert list(fake.events) == [event_id]


def test_503_burst_is_retried_by_the_sdk(fake: FakeGraphServer, settings: Settings) -> None:
    fake.throttle(times=1, retry_after=1, status=503)
    invite = make_invite()

    async def go(port: GraphCalendar) -> None:
        event_id = await port.create(invite)
        await port.update(event_id, invite.changed(venue="Library"))

    with_graph(settings, go)
    assert [c.status for c in fake.graph_calls()] == [503, 201, 200]


def test_throttling_beyond_the_sdk_retries_is_a_retryable_error(
    fake: FakeGraphServer, settings: Settings
) -> None:
    fake.throttle(times=4, retry_after=1)
    with pytest.raises(CalendarError) as info:
        with_graph(settings, lambda port: port.create(make_invite()))
    err = info.value
    assert err.retryable and err.status == 429 and err.retry_after == 1.0
    assert err.message == "Microsoft Graph is limiting requests (HTTP 429)"
    assert len(fake.graph_calls("POST")) == 4  # the first try and kiota's three retries
    assert fake.events == {}


def test_a_refusal_counts_in_the_metrics(fake: FakeGraphServer, settings: Settings) -> None:
    """`coregroup_graph_failures_total{status, retryable}` (issue 15: Graph failures on /metrics)."""
    from bot.ops.metrics import GRAPH_FAILURES

    counter = GRAPH_FAILURES.labels(status="429", retryable="true")
    before = counter._value.get()
    fake.throttle(times=4, retry_after=1)
    with pytest.raises(CalendarError):
        with_graph(settings, lambda port: port.create(make_invite()))
    assert counter._value.get() == before + 1


@dataclass
class OutboxRow:
    """The fields of an outbox row that calendar delivery reads and writes."""

    action: Action
    status: str = "pending"
    attempts: int = 0
    due_at: datetime = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    event_id: str | None = None
    history: list[SyncResult] = field(default_factory=list)


def _deliver(row: OutboxRow, result: SyncResult) -> None:
    row.attempts = result.attempts
    row.event_id = result.event_id or row.event_id
    row.status = {"sent": "sent", "pending": "pending", "failed": "dead"}[result.status]
    if result.retry_at is not None:
        row.due_at = result.retry_at
    row.history.append(result)


def test_500_storm_ends_in_one_channel_message_and_a_pending_row(
    fake: FakeGraphServer, settings: Settings
) -> None:
    fake.storm(500)
    invite = make_invite()
    outbox = [OutboxRow(Action.CREATE)]
    channel: list[str] = []

    async def worker(port: GraphCalendar, tries: int) -> None:
        """What the outbox worker does on each tick: take due rows, try each once."""
        for _ in range(tries):
            for row in [r for r in outbox if r.status == "pending"]:
                # the clock has moved on to the row's retry time
                result = await sync_invitation(
                    port,
                    invite,
                    channel.append,
                    action=row.action,
                    event_id=row.event_id,
                    attempt=row.attempts + 1,
                    clock=fixed_clock(row.due_at),
                )
                _deliver(row, result)

    with_graph(settings, lambda port: worker(port, 4))

    [row] = outbox
    assert row.status == "pending" and row.attempts == 4
    waits = [
        b.retry_at - a.retry_at
        for a, b in zip(row.history, row.history[1:], strict=False)
        if a.retry_at and b.retry_at
    ]
    assert waits == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert len(fake.graph_calls("POST")) == 4  # 500 is not retried by the SDK: one call per attempt
    assert channel == [
        "CG-0421: the invitation could not be sent: Microsoft Graph is not answering (HTTP 500). "
        "I will try again at 09:07. Members outside this channel have not been told yet; if the "
        "meeting is soon, let them know yourself."
    ]
    assert row.history[REPORT_AFTER - 1].reported == channel[0]

    # The storm passes: the next tick sends it, once.
    fake.storm(None)
    with_graph(settings, lambda port: worker(port, 1))
    assert row.status == "sent" and row.attempts == 5 and row.history[-1].recovered
    assert list(fake.events) == [row.event_id]
    assert len(channel) == 1


def test_a_refusal_is_reported_at_once_and_not_retried(fake: FakeGraphServer, settings: Settings) -> None:
    channel: list[str] = []
    result = with_graph(
        settings,
        lambda port: sync_invitation(
            port, make_invite(), channel.append, action=Action.UPDATE, event_id="AAMkAD-deleted"
        ),
    )
    assert result.status == "failed" and result.retry_at is None
    assert result.error is not None and result.error.status == 404 and not result.error.retryable
    assert channel == [
        "CG-0421: the new time and place could not be sent: the calendar event no longer exists; it "
        "may have been deleted in Outlook (HTTP 404). I will not retry this one. Members outside this "
        "channel have not been told yet; if the meeting is soon, let them know yourself."
    ]


def test_a_wrong_secret_says_which_settings_to_check(fake: FakeGraphServer, settings: Settings) -> None:
    wrong = settings.model_copy(update={"graph_client_secret": "not-the-secret"})
    with pytest.raises(CalendarError) as info:
        with_graph(wrong, lambda port: port.create(make_invite()))
    assert not info.value.retryable
    assert "GRAPH_CLIENT_SECRET" in info.value.message
    assert "not-the-secret" not in info.value.message
    assert fake.graph_calls() == []


def test_an_unknown_organiser_mailbox_is_named(fake: FakeGraphServer, settings: Settings) -> None:
    other = settings.model_copy(update={"graph_organiser": "nobody@council.example.test"})
    with pytest.raises(CalendarError) as info:
        with_graph(other, lambda port: port.create(make_invite()))
    assert info.value.message == "the organiser mailbox (GRAPH_ORGANISER) does not exist (HTTP 404)"
