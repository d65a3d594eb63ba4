"""The fake Web API is strict where Slack is: token, required arguments, Block Kit limits, 429."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.slack_api import FakeSlackAPI, User, validate_blocks
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@pytest.fixture
def api() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI("xoxb-test", users=[User("U0A", "a", "Person A")]) as fake:
        yield fake


def client(api: FakeSlackAPI, token: str = "xoxb-test") -> WebClient:
    return WebClient(token=token, base_url=api.base_url)


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as err:
        call()  # type: ignore[operator]
    return str(err.value.response["error"])


def test_token_is_checked(api: FakeSlackAPI) -> None:
    assert error_of(lambda: client(api, "xoxb-wrong").auth_test()) == "invalid_auth"
    assert error_of(lambda: WebClient(base_url=api.base_url).auth_test()) == "not_authed"
    assert client(api).auth_test()["user_id"] == "U0BOT"


def test_required_arguments_and_state(api: FakeSlackAPI) -> None:
    c = client(api)
    assert error_of(lambda: c.api_call("chat.postMessage", json={"channel": "C1"})) == "invalid_arguments"
    assert error_of(lambda: c.api_call("nope.nope")) == "unknown_method"
    ch = c.conversations_create(name="cg-cg-0001", is_private=True)["channel"]["id"]
    assert error_of(lambda: c.conversations_create(name="cg-cg-0001")) == "name_taken"
    assert error_of(lambda: c.conversations_create(name="Has Spaces")) == "invalid_name_specials"
    c.conversations_invite(channel=ch, users="U0A")
    assert error_of(lambda: c.conversations_invite(channel=ch, users="U0A")) == "already_in_channel"
    assert error_of(lambda: c.conversations_invite(channel=ch, users="U0NOBODY")) == "user_not_found"
    ts = c.chat_postMessage(channel=ch, text="hi")["ts"]
    c.pins_add(channel=ch, timestamp=ts)
    assert error_of(lambda: c.pins_add(channel=ch, timestamp=ts)) == "already_pinned"
    assert api.channels[ch].pins == [ts]


def test_block_kit_limits(api: FakeSlackAPI) -> None:
    c = client(api)
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert error_of(lambda: c.chat_postMessage(channel="C1", text="t", blocks=too_long)) == "invalid_blocks"
    many = [{"type": "divider"}] * 51
    assert "no more than 50" in validate_blocks(many)[0]
    six = [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": f"b{i}"}, "action_id": f"a{i}"}
                for i in range(6)
            ],
        }
    ]
    assert any("at most 5 buttons" in e for e in validate_blocks(six))
    two_primary = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "b"},
                    "action_id": f"a{i}",
                    "style": "primary",
                }
                for i in range(2)
            ],
        }
    ]
    assert any("one primary" in e for e in validate_blocks(two_primary))
    bad_header = [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]
    assert validate_blocks(bad_header)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}
    assert error_of(lambda: c.views_open(trigger_id="1", view=modal)) == "invalid_arguments"


def test_rate_limit_and_delay(api: FakeSlackAPI) -> None:
    api.rate_limit("auth.test", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client(api).auth_test()
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    api.fail("auth.test", "fatal_error")
    assert error_of(lambda: client(api).auth_test()) == "fatal_error"
    api.delay_methods["auth.test"] = 0.2
    client(api).auth_test()
    last = api.calls_to("auth.test")[-1]
    assert last.answered_at - last.at >= 0.2
    assert api.wait_for("auth.test", 1, timeout=1)
