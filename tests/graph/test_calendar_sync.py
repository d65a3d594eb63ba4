"""The outbox decision for one calendar change, against a scripted port (no network)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from graph_helpers import make_invite

from bot.calendar.invite import Invite
from bot.calendar.port import CalendarError, SlotOffer, SlotRequest
from bot.calendar.sync import BACKOFF_CAP, REPORT_AFTER, Action, backoff, sync_invitation

NOW = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)


@dataclass
class ScriptedPort:
    """Raises the scripted errors in turn, then succeeds."""

    errors: list[CalendarError] = field(default_factory=list)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def _next(self, what: str, event_id: str | None) -> None:
        self.calls.append((what, event_id))
        if self.errors:
            raise self.errors.pop(0)

    async def create(self, invite: Invite) -> str:
        self._next("create", None)
        return "evt-1"

    async def update(self, event_id: str, invite: Invite) -> None:
        self._next("update", event_id)

    async def update_attendees(self, event_id: str, invite: Invite) -> None:
        self._next("attendees", event_id)

    async def cancel(self, event_id: str, invite: Invite, message: str) -> None:
        self._next(f"cancel:{message}", event_id)

    async def find_slots(self, request: SlotRequest) -> SlotOffer:  # pragma: no cover - unused
        raise NotImplementedError


def test_backoff_doubles_to_a_cap_and_respects_retry_after() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == BACKOFF_CAP
    assert backoff(1, retry_after=600) == timedelta(minutes=10)


def test_each_action_reaches_the_port() -> None:
    port = ScriptedPort()
    invite = make_invite()
    for action in Action:
        result = asyncio.run(
            sync_invitation(
                port,
                invite,
                lambda m: None,
                action=action,
                event_id=None if action is Action.CREATE else "evt-1",
                cancel_message="moved",
                clock=lambda: NOW,
            )
        )
        assert result.status == "sent" and result.event_id == "evt-1"
    assert port.calls == [
        ("create", None),
        ("update", "evt-1"),
        ("attendees", "evt-1"),
        ("cancel:moved", "evt-1"),
    ]


def test_retryable_failures_stay_pending_and_are_reported_once() -> None:
    port = ScriptedPort([CalendarError("Microsoft Graph is not answering (HTTP 503)", retryable=True)] * 5)
    said: list[str] = []
    results = [
        asyncio.run(sync_invitation(port, make_invite(), said.append, attempt=n, clock=lambda: NOW))
        for n in range(1, 6)
    ]
    assert all(r.pending for r in results)
    assert [r.retry_at for r in results] == [NOW + backoff(n) for n in range(1, 6)]
    assert len(said) == 1 and results[REPORT_AFTER - 1].reported == said[0]
    assert said[0].startswith(
        "CG-0421: the invitation could not be sent: Microsoft Graph is not "
        "answering (HTTP 503). I will try again at 14:04."
    )
    ok = asyncio.run(sync_invitation(port, make_invite(), said.append, attempt=6, clock=lambda: NOW))
    assert ok.status == "sent" and ok.recovered


def test_a_long_retry_after_moves_the_row_and_names_the_day() -> None:
    port = ScriptedPort(
        [
            CalendarError(
                "Microsoft Graph is limiting requests (HTTP 429)", retryable=True, retry_after=36 * 3600
            )
        ]
    )
    said: list[str] = []
    r = asyncio.run(
        sync_invitation(port, make_invite(), said.append, attempt=REPORT_AFTER, clock=lambda: NOW)
    )
    assert r.retry_at == NOW + timedelta(hours=36)
    assert "I will try again at 02:00 on Wed 6 Jan." in said[0]


def test_a_change_without_an_event_is_refused_without_calling_the_port() -> None:
    port = ScriptedPort()
    said: list[str] = []
    r = asyncio.run(sync_invitation(port, make_invite(), said.append, action=Action.CANCEL))
    assert r.status == "failed" and port.calls == []
    assert said == [
        "CG-0421: the cancellation could not be sent: the meeting has no calendar event yet. "
        "I will not retry this one. Members outside this channel have not been told yet; "
        "if the meeting is soon, let them know yourself."
    ]
