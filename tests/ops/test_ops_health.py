"""Health and readiness in every serving mode (issue 15, item 2).

Before: `/healthz` answered "ok" whatever the state of the database, there was no `/readyz`, and in
Socket Mode -- the mode the README recommends for councils -- nothing listened on `--port` at all.
Now `/readyz` names each check (database, schema, sweep, dead letters) and answers 503 with the
reason when one fails: tested through `coregroup serve` in HTTP mode and in Socket Mode.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import signing
from fakes.env import MovableClock, migrated_template
from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import TOKEN

from bot.cli import main
from bot.ops.health import Health
from bot.ops.routes import ops_routes, side_server
from bot.scheduler import SweepJob
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from bot.slack.http import ServerThread
from storage import migrate
from storage.db import Store, make_engine

CHECKS = {"database", "schema", "sweep", "dead_letters"}


@pytest.fixture
def ready(monkeypatch: pytest.MonkeyPatch, fake: FakeSlackAPI, tmp_path: Path, restore_logging: None) -> Path:
    for name in (
        "SLACK_APP_TOKEN",
        "COREGROUP_SQLITE_PATH",
        "COREGROUP_AUDIT_ANCHOR",
        "COREGROUP_LOG_FORMAT",
    ):
        monkeypatch.delenv(name, raising=False)
    db = migrated_template(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    # The sweep's scheduler runs for real in `serve`: not before the checks below are done.
    monkeypatch.setattr("bot.scheduler.start", lambda job, minutes, **kw: None)
    return db


def _behind(db: Path) -> None:
    """The database one migration behind this code (a restore from an older backup, say)."""
    engine = make_engine(f"sqlite:///{db}")
    migrate.downgrade(engine, "-1")
    engine.dispose()


def _check_endpoints(http: httpx.Client, db: Path) -> None:
    assert http.get("/healthz").text == "ok"
    r = http.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert set(body["checks"]) == CHECKS and all(c["ok"] for c in body["checks"].values())
    assert body["checks"]["dead_letters"]["count"] == 0
    assert "coregroup_ack_seconds" in http.get("/metrics").text
    _behind(db)
    r = http.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["failed"] == ["schema"]
    assert "coregroup db upgrade" in body["checks"]["schema"]["reason"]
    assert http.get("/healthz").status_code == 200  # alive, only not ready


def test_http_mode_readiness_follows_the_schema(ready: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", signing.SIGNING_SECRET)
    served: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    assert main(["serve", "--port", "3999"]) == 0
    assert served["log_config"] is None  # uvicorn's lines through our handler (JSON when asked)
    with ServerThread(served["app"]) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        _check_endpoints(http, ready)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_socket_mode_serves_health_readiness_and_metrics_on_port(
    ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    seen: list[str] = []

    class FakeSocketMode:
        """The WebSocket connection, standing in for slack_bolt's: while it is "connected", the
        council's monitoring asks the ops endpoints on --port."""

        def __init__(self, app: Any, token: str) -> None:
            pass

        def start(self) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                _check_endpoints(http, ready)
            seen.append("checked")

    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setattr("slack_bolt.adapter.socket_mode.SocketModeHandler", FakeSocketMode)
    assert main(["serve", "--port", str(port)]) == 0
    assert seen == ["checked"]
    with pytest.raises(httpx.HTTPError):  # the side server stopped with `serve`
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_socket_mode_port_in_use_is_one_line(
    ready: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    (line,) = [x for x in capsys.readouterr().err.splitlines() if x.startswith("coregroup:")]
    assert "--port" in line and "e.g. --port" in line


def test_unreachable_database_is_not_ready_with_the_reason(clock: MovableClock) -> None:
    port = _free_port()  # nothing listens there
    store = Store(make_engine(f"postgresql+psycopg://coregroup@127.0.0.1:{port}/coregroup?connect_timeout=3"))
    server = side_server(ops_routes(Health(store, clock)), host="127.0.0.1", port=0)
    try:
        r = httpx.get(f"{server.url}/readyz", timeout=30)
        assert r.status_code == 503
        body = r.json()
        assert body["failed"] == ["database", "schema"]
        assert "cannot be reached" in body["checks"]["database"]["reason"]
        assert f"{port}" not in r.text and "coregroup@" not in r.text  # no URL, no user name
        assert httpx.get(f"{server.url}/metrics", timeout=30).status_code == 200  # counters still
    finally:
        server.stop()
        store.dispose()


def test_no_good_sweep_for_three_intervals_is_not_ready(
    store: Store, fake: FakeSlackAPI, clock: MovableClock
) -> None:
    health = Health(store, clock, sweep_minutes=5)
    job = SweepJob(store, SlackChat(make_client(TOKEN, fake.base_url)), clock, health=health)
    assert health.ready()[0]  # just started: no sweep yet, and none due
    assert job.tick()
    clock.at += timedelta(minutes=14)
    ok, body = health.ready()
    assert ok and body["checks"]["sweep"]["age_seconds"] == 14 * 60
    clock.at += timedelta(minutes=1)
    ok, body = health.ready()
    assert not ok and body["failed"] == ["sweep"]
    assert "no sweep has succeeded for 15 minutes" in body["checks"]["sweep"]["reason"]
    store.engine.dispose()
    with store.engine.connect() as conn:  # a sweep that fails does not count
        conn.exec_driver_sql("DROP TABLE reminder")
        conn.commit()
    assert not job.tick()
    assert not health.ready()[0]
