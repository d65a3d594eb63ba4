"""Library debug logging never carries personal data.

Before: with the log at DEBUG, slack_sdk wrote every Web API request and response body to the log
-- users.info answers with members' names and emails, chat.postMessage with the text they typed
-- and Bolt the payloads it acknowledged. Now `coregroup serve` installs a filter that drops
library records below INFO and holds the libraries' loggers at INFO, whatever the level is set to.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fakes import signing
from fakes.env import PEOPLE, migrated_template
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN

from bot.cli import main
from bot.clock import london_today, system_clock
from bot.logs import LIBRARY_FLOORS
from bot.slack.http import ServerThread

#: Loggers `serve` may change: put back after each test, so the rest of the suite is unaffected.
TOUCHED = ("", *LIBRARY_FLOORS)

T = TypeVar("T")

SECRET_TEXT = "Grandmother mentioned the bruise on Tuesday"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    levels = {name: logging.getLogger(name).level for name in TOUCHED}
    handlers = list(logging.getLogger().handlers)
    filters = {h: list(h.filters) for h in handlers}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h, fs in filters.items():
        h.filters[:] = fs


@pytest.fixture
def serving(
    monkeypatch: pytest.MonkeyPatch, fake: FakeSlackAPI, tmp_path: Path, restore_logging: None
) -> Iterator[dict[str, Any]]:
    for name in ("SLACK_APP_TOKEN", "COREGROUP_SQLITE_PATH", "COREGROUP_AUDIT_ANCHOR"):
        monkeypatch.delenv(name, raising=False)
    db = migrated_template(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", signing.SIGNING_SECRET)
    monkeypatch.setenv("COREGROUP_LOG_LEVEL", "DEBUG")
    served: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    yield served


def until(found: Callable[[], T | bool | None], timeout: float = 20.0) -> T:
    """Wait for the work after the acknowledgement to show at the fake (not a timing test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value  # type: ignore[return-value]
        time.sleep(0.02)
    raise AssertionError("the bot did not get there in time")  # pragma: no cover


def post(http: httpx.Client, fake: FakeSlackAPI, text: str, channel: str = "D0DIRECT") -> None:
    req = signing.slash_command(text, channel_id=channel, response_url=fake.response_url())
    assert http.post("/slack/events", content=req.body.encode(), headers=req.headers).status_code == 200


def test_debug_log_of_a_real_request_carries_no_names_emails_or_free_text(
    serving: dict[str, Any], fake: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["serve", "--port", "3999"]) == 0
    caplog.set_level(logging.DEBUG)  # an operator turning DEBUG on, however they do it
    with ServerThread(serving["app"]) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        # `serve` runs on the real clock: a plan started last week, an action due next week.
        today = london_today(system_clock)
        start, due = today - timedelta(days=7), today + timedelta(days=7)
        post(http, fake, f"new CG-0001 profile:suffolk plan:cp start:{start.isoformat()}")
        channel = until(lambda: fake.channel_named("cg-cg-0001"))
        post(http, fake, 'add <@U0HV|hv> role:"health visitor" agency:"NHS"', channel.id)
        until(lambda: any("U0HV" in str(a) for a in fake.args_of("chat.postMessage")))
        post(http, fake, f'action add "{SECRET_TEXT}" owner:<@U0HV> due:{due.isoformat()}', channel.id)
        until(
            lambda: any(
                SECRET_TEXT in str(a) for a in fake.args_of("chat.postMessage") + fake.args_of("chat.update")
            )
        )
    assert fake.args_of("users.info"), "the bot looked the member up (names, emails in reply)"
    logged = caplog.text
    assert logged  # something was logged at all
    hv = PEOPLE["U0HV"]
    for private in (hv.name, hv.email, PEOPLE["U0LEAD"].name, SECRET_TEXT, "Grandmother"):
        assert private and private not in logged, f"{private!r} reached the log"


def test_library_debug_records_are_dropped_but_ours_are_kept(
    restore_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The filter on its own: a library's debug line (through our own logger, as Bolt does) is
    dropped, our debug line and a library's warning are kept."""
    from bot.logs import configure_logging

    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    import slack_bolt.logger.messages as bolt_messages

    import bot.chat as ours

    mine = logging.getLogger("coregroup.test").makeRecord(
        "coregroup.test", logging.DEBUG, ours.__file__, 1, "ours %s", ("kept",), None
    )
    logging.getLogger("coregroup.test").handle(mine)
    # A record made in library code: the pathname is where the logging call is.
    record = logging.getLogger("coregroup.slack").makeRecord(
        "coregroup.slack",
        logging.DEBUG,
        bolt_messages.__file__,
        1,
        "payload %s",
        ("Health Visitor <hv@example.org>",),
        None,
    )
    logging.getLogger("coregroup.slack").handle(record)
    logging.getLogger("slack_sdk.web.base_client").warning("rate limited")
    assert "ours kept" in caplog.text
    assert "rate limited" in caplog.text
    assert "hv@example.org" not in caplog.text
    assert logging.getLogger("slack_sdk").getEffectiveLevel() == logging.INFO
