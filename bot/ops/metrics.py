"""The Prometheus series (`coregroup_…`), in one registry of our own.

A registry of our own, not prometheus-client's global one, so `/metrics` shows only what we
define (no duplicate-series errors when tests build several apps in one process) and so the
process collectors are added once, on purpose. Counters and histograms are incremented where the
thing happens (the edge, the sweep, delivery, the calendar worker); the outbox's pending / sent /
dead counts are read from the database at scrape time, because another process may have sent
them and only the database knows.

Labels carry kinds and codes only — a platform, a channel kind, an error code — never a case
reference or a person, so a series never names anyone and the label sets stay small.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# The `_created` series double every counter's lines for a timestamp no alert uses.
disable_created_metrics()

REGISTRY: Final = CollectorRegistry(auto_describe=True)

#: Slack wants the ack within 3 s and Teams within 15 s: buckets around those.
ACK_SECONDS: Final = Histogram(
    "coregroup_ack_seconds",
    "Time from a request reaching the bot to its acknowledgement, by platform",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 15.0),
    registry=REGISTRY,
)
SWEEP_SECONDS: Final = Histogram(
    "coregroup_sweep_seconds",
    "Duration of one reminder sweep (planning and delivery)",
    buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
    registry=REGISTRY,
)
SWEEPS: Final = Counter(
    "coregroup_sweeps",
    "Reminder sweeps run by this process, by outcome (ok, failed)",
    ["outcome"],
    registry=REGISTRY,
)
LAST_SWEEP: Final = Gauge(
    "coregroup_last_sweep_success_timestamp_seconds",
    "Unix time of this process's last successful sweep (0: none yet)",
    registry=REGISTRY,
)
REMINDERS_PLANNED: Final = Counter(
    "coregroup_reminders_planned", "Reminders the sweep put in the outbox", registry=REGISTRY
)
REMINDERS_DELIVERED: Final = Counter(
    "coregroup_reminders_delivered",
    "Reminders this process handled, by platform and outcome (sent, retry, dead, skipped, postponed…)",
    ["platform", "outcome"],
    registry=REGISTRY,
)
CHAT_ERRORS: Final = Counter(
    "coregroup_chat_errors",
    "Chat platform calls refused, by platform and error code",
    ["platform", "code"],
    registry=REGISTRY,
)
GRAPH_FAILURES: Final = Counter(
    "coregroup_graph_failures",
    "Microsoft Graph calendar operations that failed, by HTTP status (0: no answer) and retryable",
    ["status", "retryable"],
    registry=REGISTRY,
)
MAIL_FAILURES: Final = Counter(
    "coregroup_mail_failures",
    "Emails the SMTP server did not take, by reason",
    ["reason"],
    registry=REGISTRY,
)
LEADER: Final = Gauge(
    "coregroup_leader", "1 while this process leads the reminder sweep, else 0", registry=REGISTRY
)


def mail_failed(reason: str) -> None:
    """For the email sender: one SMTP failure (`reason` is a short code such as `refused`,
    `unreachable` or the SMTP reply code, never an address)."""
    MAIL_FAILURES.labels(reason=reason or "unknown").inc()


def chat_error(platform: str, code: str) -> None:
    CHAT_ERRORS.labels(platform=platform, code=code or "unknown").inc()


def graph_failed(status: int | None, retryable: bool) -> None:
    GRAPH_FAILURES.labels(status=str(status or 0), retryable=str(bool(retryable)).lower()).inc()


#: The outbox states shown; others (claimed) are counted as pending.
OUTBOX_STATES: Final = ("pending", "sent", "dead")


class OutboxCollector(Collector):
    """`coregroup_outbox_rows{state, kind, work}` read from the database at each scrape: the
    outbox by state, by the channel kind of the case's conversation ("none" for a case with no
    channel yet; a case linked on two kinds counts on both) and by its work (`reminder`, or
    `calendar` for the invitations the calendar worker sends from the same table)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "coregroup_outbox_rows",
            "Outbox rows by state (pending, sent, dead), channel kind and work (reminder, calendar)",
            labels=["state", "kind", "work"],
        )
        for (state, kind, work), n in sorted(outbox_counts(self.store).items()):
            family.add_metric([state, kind, work], n)
        yield family


def outbox_counts(store: Any) -> dict[tuple[str, str, str], int]:
    """(state, channel kind, work) -> rows. Every state is present for reminders with no channel
    kind at least, so the series exist (at 0) before the first row."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from scheduling.sweep import NOT_REMINDERS
    from storage.models import CaseConversation, Reminder

    calendar = col(Reminder.rule).in_(NOT_REMINDERS)
    counts: dict[tuple[str, str, str], int] = {(s, "none", "reminder"): 0 for s in OUTBOX_STATES}
    with store.read() as s:
        rows: Iterable[Any] = s.execute(
            select(col(Reminder.status), col(CaseConversation.kind), calendar, func.count())
            .select_from(Reminder)
            .outerjoin(CaseConversation, col(CaseConversation.case_id) == col(Reminder.case_id))
            .group_by(col(Reminder.status), col(CaseConversation.kind), calendar)
        ).all()
    for status, kind, is_calendar, n in rows:
        state = "pending" if status in ("pending", "claimed") else str(status)
        if state not in OUTBOX_STATES:
            continue  # skipped rows: neither waiting nor delivered nor lost
        key = (state, str(kind or "none"), "calendar" if is_calendar else "reminder")
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def exposition(store: Any | None) -> tuple[bytes, str]:
    """The text `/metrics` answers: our registry, then the outbox read now."""
    body = generate_latest(REGISTRY)
    if store is not None:
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(OutboxCollector(store))
        body += generate_latest(scrape)
    return body, CONTENT_TYPE_LATEST
