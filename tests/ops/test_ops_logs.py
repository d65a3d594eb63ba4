"""Structured logs (issue 15, item 1).

Before: `configure_logging` was `basicConfig` with a format that dropped every `extra=` field, so
"slack call refused" came without its method or error code and "reminder not delivered" without
its reminder id; there was no JSON output and no `--log-level`; loggers were split between
`coregroup.*` and `bot.*`. Now every record carries its fields, `COREGROUP_LOG_FORMAT=json` makes
each line one JSON object, and the whole of a contract story's log names nobody.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from drivers import driver_for
from fakes import signing
from fakes.env import PEOPLE, migrated_template
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN
from story import STORY, run
from world import ACTOR, SimClock, london, new_case

from bot.chat import ChatError
from bot.delivery import Delivery, Pacer
from bot.logs import configure_logging
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.replies import Message
from handlers.sweep import sweep
from storage import repository as repo
from storage.db import Store

ROOT = Path(__file__).resolve().parents[2]


def json_lines(err: str) -> list[dict[str, Any]]:
    """Every line of `err` as a JSON object (fails on the first that is not one)."""
    out = []
    for line in err.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
        assert isinstance(value, dict), line
        out.append(value)
    return out


def test_a_refused_slack_call_logs_one_json_line_with_method_and_code(
    fake: FakeSlackAPI, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "json")
    capsys.readouterr()
    port = SlackChat(make_client(TOKEN, fake.base_url, retries=0))
    fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(ChatError):
        port.post_message("C0NOWHERE", Message("CG-0001: hello"))
    lines = [x for x in json_lines(capsys.readouterr().err) if x["message"] == "slack call refused"]
    assert len(lines) == 1
    (line,) = lines
    assert line["method"] == "chat.postMessage" and line["code"] == "channel_not_found"
    assert line["level"] == "warning" and line["logger"] == "coregroup.slack"
    assert line["time"].endswith("+00:00")


def test_an_undeliverable_reminder_logs_one_json_line_with_its_id_and_error(
    store: Store, fake: FakeSlackAPI, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.add_action(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            text="Book the dental check-up",
            owner_member_id=c.members["hv"],
            due_on=date(2027, 1, 13),
        )
    configure_logging("INFO", "json")
    capsys.readouterr()
    fake.fail("chat.postMessage", "user_not_found", times=1)
    at = london(date(2027, 1, 11), "09:05")
    sweep(store, at)
    sent = Delivery(
        store, SlackChat(make_client(TOKEN, fake.base_url)), clock=lambda: at, pacer=Pacer(0)
    ).run()
    failed = [s for s in sent if s.outcome == "retry"]
    assert len(failed) == 1
    lines = [x for x in json_lines(capsys.readouterr().err) if x["message"] == "reminder not delivered"]
    assert len(lines) == 1
    (line,) = lines
    assert line["reminder_id"] == failed[0].reminder_id
    assert line["error"] == "user_not_found" and line["rule"] and line["case_id"] == c.id
    assert "Book the dental" not in json.dumps(line)


def test_text_format_shows_the_fields_too(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    capsys.readouterr()
    logging.getLogger("coregroup.delivery").warning("reminder not delivered", extra={"reminder_id": 7})
    assert "coregroup.delivery: reminder not delivered reminder_id=7" in capsys.readouterr().err


def test_a_contract_story_logs_no_name_and_no_email(
    sqlite_template: Path, tmp_path: Path, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Slack and Teams, every step of the story, at DEBUG: the whole captured log names nobody."""
    configure_logging("DEBUG", "json")
    capsys.readouterr()
    logged = []
    for name in ("slack", "teams"):
        with driver_for(name, sqlite_template, tmp_path / name) as d:
            for step in STORY:
                run(d, step)
            d.clock.set("2027-01-13T09:30")
        logged.append(capsys.readouterr().err)
    text = "\n".join(logged)
    assert json_lines(text), "nothing was logged: the check would be empty"
    for person in PEOPLE.values():
        for private in (person.name, person.email):
            assert not private or private not in text, f"{private!r} reached the log"
    assert "weight on track" not in text and "dental check-up" not in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_json_logs_writes_only_json_lines_uvicorns_included(
    fake: FakeSlackAPI, tmp_path: Path
) -> None:
    """`coregroup serve` for real (a subprocess), HTTP mode, --log-level: every stderr line from
    start (uvicorn's "Uvicorn running on …") to stop is one JSON object."""
    db = migrated_template(tmp_path)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COREGROUP_", "TEAMS_"))},
        "DATABASE_URL": f"sqlite:///{db}",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fake.base_url,
        "SLACK_SIGNING_SECRET": signing.SIGNING_SECRET,
        "COREGROUP_LOG_FORMAT": "json",
    }
    env.pop("DATABASE_URL_TEST", None)
    cmd = [
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "debug",
        "--grace",
        "1",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert r.status_code == 200, r.text
        req = signing.slash_command("help", response_url=fake.response_url())
        assert (
            httpx.post(
                f"http://127.0.0.1:{port}/slack/events", content=req.body.encode(), headers=req.headers
            ).status_code
            == 200
        )
        fake.wait_for("response_url")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = json_lines(err + out)
    messages = [x["message"] for x in lines]
    assert any(m.startswith("Uvicorn running on") for m in messages), messages
    assert any(x["logger"].startswith("uvicorn") for x in lines)
    assert any(x["logger"] == "coregroup" and x["message"].startswith("serving HTTP") for x in lines)
    assert any(x["level"] == "debug" for x in lines) or any("stopped" in m for m in messages)


def test_a_bad_log_format_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, a malformed setting gave pydantic's traceback."""
    from bot.cli import main

    monkeypatch.setenv("COREGROUP_LOG_FORMAT", "xml")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    assert main(["serve"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "coregroup: COREGROUP_LOG_FORMAT: Input should be 'text' or 'json' (got 'xml')"
