"""`/metrics` (issue 15, item 3): scraped after a contract story, the counts are the story's.

Before: no metrics at all -- the outbox backlog, dead letters, the last sweep and the ack latency
could only be seen by reading the database. Now a Prometheus scrape shows the `coregroup_…` series;
the numbers below are checked against what the story did (every step one acknowledgement, one
sweep, what it planned and delivered, what the outbox holds by state and channel kind).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from drivers import Driver, SlackDriver, TeamsDriver, driver_for
from fakes.slack_harness import TOKEN
from prometheus_client.parser import text_string_to_metric_families
from story import STORY, run

from bot.ops import metrics
from bot.scheduler import Leader, SweepJob
from bot.slack.app import make_client
from bot.slack.chat import SlackChat

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(http: httpx.Client) -> Samples:
    r = http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out: Samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _port(d: Driver) -> object:
    if isinstance(d, SlackDriver):
        return SlackChat(make_client(TOKEN, d.h.fake.base_url))
    assert isinstance(d, TeamsDriver)
    return d.h.deps.chat()


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_metrics_after_a_contract_story(platform: str, sqlite_template: Path, tmp_path: Path) -> None:
    with driver_for(platform, sqlite_template, tmp_path) as d:
        assert isinstance(d, SlackDriver | TeamsDriver)
        http = d.h.client
        before = scrape(http)
        steps = STORY[:4]  # new, two members, a meeting on Fri 15 Jan: one request each
        for step in steps:
            run(d, step)
        d.clock.set("2027-01-13T09:30")  # two working days before the meeting
        ticks: list[tuple[int, list[str]]] = []
        leader = Leader(d.store)
        job = SweepJob(
            d.store,
            _port(d),  # type: ignore[arg-type]
            d.clock,
            leader=leader,
            on_tick=lambda result, sent: ticks.append(
                (result.inserted if result else 0, [s.outcome for s in sent])
            ),
        )
        try:
            assert job.tick()
        finally:
            leader.release()
        after = scrape(http)
        text = http.get("/metrics").text
    [(planned, outcomes)] = ticks
    assert planned > 0 and "sent" in outcomes

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("coregroup_ack_seconds_count", platform=platform) == len(steps)
    assert value(after, "coregroup_ack_seconds_bucket", platform=platform, le="+Inf") == value(
        after, "coregroup_ack_seconds_count", platform=platform
    )
    assert delta("coregroup_sweeps_total", outcome="ok") == 1
    assert delta("coregroup_sweep_seconds_count") == 1
    assert delta("coregroup_reminders_planned_total") == planned
    for outcome in set(outcomes):
        assert delta(
            "coregroup_reminders_delivered_total", platform=platform, outcome=outcome
        ) == outcomes.count(outcome)
    assert value(after, "coregroup_leader") == 1
    assert value(after, "coregroup_last_sweep_success_timestamp_seconds") >= 0
    # The outbox is read from the database at the scrape: this case's rows, on its channel kind.
    sent = value(after, "coregroup_outbox_rows", state="sent", kind=platform, work="reminder")
    pending = value(after, "coregroup_outbox_rows", state="pending", kind=platform, work="reminder")
    assert sent == outcomes.count("sent") + outcomes.count("digest") and sent > 0
    assert sent + pending + outcomes.count("skipped") == planned
    assert value(after, "coregroup_outbox_rows", state="dead", kind=platform, work="reminder") == 0
    # Failures that did not happen in this story are still declared (a scrape shows them at 0).
    for series in ("coregroup_chat_errors", "coregroup_graph_failures", "coregroup_mail_failures"):
        assert f"# TYPE {series}_total counter" in text


def test_mail_failures_count_by_reason() -> None:
    """The counter the email sender calls (issue 13 sends mail): by reason, never an address."""
    before = metrics.MAIL_FAILURES.labels(reason="refused")._value.get()
    metrics.mail_failed("refused")
    assert metrics.MAIL_FAILURES.labels(reason="refused")._value.get() == before + 1
