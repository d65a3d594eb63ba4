"""With the Web API answering after 5 s, every command is still acknowledged within 3 s (Slack's
limit) and the slow work completes after the acknowledgement."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fakes import signing
from fakes.slack_harness import SlackHarness

ACK_LIMIT = 3.0
DELAY = 5.0


def test_acks_stay_fast_when_slack_is_slow(slack: SlackHarness) -> None:
    slack.command("new CG-0001 profile:suffolk plan:cp start:2027-01-04")
    channel = slack.fake.channel_named("cg-cg-0001")
    assert channel is not None
    slack.fake.reset_calls()
    slack.fake.delay = DELAY
    lines = [
        "new CG-0002 profile:newham plan:cp start:2027-01-04",
        "status",
        'add <@U0HV|hv> role:"health visitor"',
        "meeting 2027-01-15 10:00",
        "help",
        "members",
        "rota",
        "held",
        "frobnicate",
        "actions",
    ]
    requests = [
        signing.slash_command(line, channel_id=channel.id, response_url=slack.fake.response_url(f"r{i}"))
        for i, line in enumerate(lines)
    ]

    def timed(req: signing.SignedRequest) -> tuple[int, float, float]:
        t0 = time.monotonic()
        status = slack.send(req).status_code
        return status, time.monotonic() - t0, time.monotonic()

    started = time.monotonic()
    with ThreadPoolExecutor(len(requests)) as pool:
        results = list(pool.map(timed, requests))
    assert all(status == 200 for status, _, _ in results)
    slowest = max(elapsed for _, elapsed, _ in results)
    assert slowest < ACK_LIMIT, f"an ack took {slowest:.2f}s"
    acked_by = max(done for _, _, done in results)

    # Keep Slack slow a little longer so every command's first call meets the 5 s; then calls
    # already waiting keep their 5 s and the rest of each chain is quick (the suite stays fast).
    time.sleep(max(0.0, started + 1.0 - time.monotonic()))
    slack.fake.delay = 0.0
    slack.settle(timeout=30)
    answered = slack.fake.calls_to("response_url", ok=True)
    assert len({c.args.get("text") for c in answered}) >= len(lines) - 2  # forms answer by views.open
    # every reply went out only after Slack's 5 s, i.e. long after all the acks
    assert min(c.answered_at for c in answered) >= started + DELAY - 0.1
    assert min(c.answered_at for c in slack.fake.calls) > acked_by
    assert slack.fake.channel_named("cg-cg-0002") is not None
    assert "U0HV" in slack.fake.channels[channel.id].members
    assert slack.fake.errors() == []
