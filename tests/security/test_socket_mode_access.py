"""Socket Mode goes through the same authorisation as HTTP mode (issue item 9).

`SocketModeHandler` hands Bolt the payloads it reads from the WebSocket as
`BoltRequest(mode="socket_mode")`; this dispatches exactly that into the app `coregroup serve`
builds with `socket_mode=True` (no signature: the connection is the proof), against the fake Slack
Web API. The attacks of `test_powers.py` and `test_refusals.py`, by that route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakes.env import MovableClock
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN, make_deps
from slack_bolt import BoltRequest

from bot.slack.app import build_app
from storage import repository as repo
from storage.db import Store

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"
Say = Callable[..., list[str]]


@pytest.fixture
def say(fake: FakeSlackAPI, store: Store, clock: MovableClock) -> Iterator[Say]:
    """`say(user, text, channel=…)` dispatches a slash command over Socket Mode and returns the
    texts of what came back to that user (the `response_url` posts and ephemerals)."""
    deps = make_deps(store, clock)
    app = build_app(token=TOKEN, signing_secret=None, api_url=fake.base_url, deps=deps, socket_mode=True)
    n = [0]

    def run(user: str, text: str, channel: str = "D0DIRECT") -> list[str]:
        n[0] += 1
        name = f"sm{n[0]}"
        body = {
            "team_id": "T0000TEST",
            "channel_id": channel,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/coregroup",
            "text": text,
            "api_app_id": "A0000TEST",
            "response_url": fake.response_url(name),
            "trigger_id": f"1337.{n[0]}.trigger",
        }
        resp = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        assert resp.status == 200
        assert deps.worker.drain(15)
        replies = [c for c in fake.calls if c.method == "response_url" and c.path.endswith(name)]
        return [_text(c.args) for c in replies]

    try:
        yield run
    finally:
        deps.worker.drain(10)
        deps.worker.shutdown()


def _text(args: dict[str, Any]) -> str:
    parts = [str(args.get("text") or "")]
    for block in args.get("blocks") or []:
        t = block.get("text")
        if isinstance(t, dict):
            parts.append(str(t.get("text", "")))
        for el in block.get("elements") or []:
            if isinstance(el, dict) and isinstance(el.get("text"), str):
                parts.append(el["text"])
    return "\n".join(parts)


def _case_channel(fake: FakeSlackAPI) -> str:
    channel = fake.channel_named("cg-cg-0001")
    assert channel is not None
    return str(channel.id)


def test_no_outsider_manager_over_socket_mode(say: Say, fake: FakeSlackAPI, store: Store) -> None:
    say("U0LEAD", NEW)
    room = _case_channel(fake)
    say("U0LEAD", 'add <@U0HV> role:"parent"', room)
    refused = say("U0HV", 'add <@U0OTHER> role:"team manager"', room)
    assert any("Only the professionals" in r for r in refused), refused
    say("U0LEAD", 'add <@U0TEACH> role:"designated teacher"', room)
    say("U0TEACH", 'add <@U0OTHER> role:"team manager"', room)
    replies = say("U0OTHER", "close CG-0001", room)
    assert any("lead social worker" in r for r in replies), replies
    say("U0OTHER", "change start:2027-01-05", room)
    with store.read() as s:
        case = repo.get_case(s, "CG-0001")
        assert case.status == "active"
        assert str(case.start) == "2027-01-04"
        outsider = [m for m in repo.members(s, "CG-0001") if m.display_name == "Someone Else"]
        assert outsider and not outsider[0].powers


def test_a_non_member_gets_the_same_refusal_for_a_real_and_a_made_up_case(
    say: Say, fake: FakeSlackAPI
) -> None:
    say("U0LEAD", NEW)
    real = say("U0POLICE", "status CG-0001")
    made_up = say("U0POLICE", "status CG-0999")
    assert real and real == [r.replace("CG-0999", "CG-0001") for r in made_up]
    assert "Only members" in real[0]
