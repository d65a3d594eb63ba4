"""`coregroup serve`: one clear line per missing setting (exit 2), Socket Mode when SLACK_APP_TOKEN
is set, otherwise HTTP under uvicorn at /slack/events -- which then answers signed requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import signing
from fakes.env import migrated_template
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN

from bot.cli import main
from bot.slack.http import ServerThread

ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "COREGROUP_SQLITE_PATH",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(tmp_path / "empty.db"))
    return monkeypatch


def test_missing_settings_one_line_each(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "coregroup: SLACK_BOT_TOKEN is not set: the bot token (xoxb-…) from the Slack app's "
        "OAuth & Permissions page",
        "coregroup: SLACK_SIGNING_SECRET is not set: the signing secret from the Slack app's "
        "Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
    ]
    env.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    env.setenv("SLACK_APP_TOKEN", "not-an-app-token")
    assert main(["serve"]) == 2
    text = capsys.readouterr().err
    assert "starting xoxb-" in text and "starting xapp-" in text


def test_database_behind_is_one_line(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("SLACK_BOT_TOKEN", TOKEN)
    env.setenv("SLACK_SIGNING_SECRET", signing.SIGNING_SECRET)
    assert main(["serve"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "coregroup db upgrade" in line


@pytest.fixture
def ready(env: pytest.MonkeyPatch, fake: FakeSlackAPI, tmp_path: Path) -> pytest.MonkeyPatch:
    db = migrated_template(tmp_path)
    env.setenv("DATABASE_URL", f"sqlite:///{db}")
    env.setenv("SLACK_BOT_TOKEN", TOKEN)
    env.setenv("SLACK_API_URL", fake.base_url)
    return env


def test_bad_token_is_one_line(ready: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ready.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    ready.setenv("SLACK_SIGNING_SECRET", signing.SIGNING_SECRET)
    assert main(["serve"]) == 2
    assert "Slack refused SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_socket_mode_when_app_token_is_set(ready: pytest.MonkeyPatch) -> None:
    started: list[Any] = []

    class FakeSocketMode:
        def __init__(self, app: Any, token: str) -> None:
            started.append((app, token))

        def start(self) -> None:
            started.append("started")

    ready.setenv("SLACK_APP_TOKEN", "xapp-test")
    ready.setattr("slack_bolt.adapter.socket_mode.SocketModeHandler", FakeSocketMode)
    assert main(["serve"]) == 0
    assert started[0][1] == "xapp-test" and started[1] == "started"


def test_http_mode_serves_signed_requests(ready: pytest.MonkeyPatch, fake: FakeSlackAPI) -> None:
    ready.setenv("SLACK_SIGNING_SECRET", signing.SIGNING_SECRET)
    served: dict[str, Any] = {}
    ready.setattr("uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    assert main(["serve", "--port", "3999"]) == 0
    assert served["port"] == 3999 and served["access_log"] is False
    with ServerThread(served["app"]) as server, httpx.Client(base_url=server.url) as http:
        req = signing.slash_command("help", response_url=fake.response_url())
        r = http.post("/slack/events", content=req.body.encode(), headers=req.headers)
        assert r.status_code == 200
        bad = req.tampered()
        assert http.post("/slack/events", content=bad.body.encode(), headers=bad.headers).status_code == 401
        assert http.get("/healthz").text == "ok"
    assert fake.wait_for("response_url")[0].args["response_type"] == "ephemeral"
