"""Acknowledged means durable: a stop or a crash after the ack loses no command and leaves no
user without an answer.

A real `coregroup serve` (HTTP mode, SQLite) runs against the fake Slack Web API made slow (one
second per call, two workers), takes 30 signed `action add` commands and acknowledges each; then
it is stopped in the middle of the work -- SIGTERM with a short grace period (as `systemctl stop`
or `docker stop` do, with SIGKILL if it overstays), or SIGKILL outright. A second start finishes
what was acknowledged: every action is recorded exactly once and every `response_url` got an
answer. Before the inbound queue the work waited in memory and most of it was lost.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from fakes import signing
from fakes.env import PEOPLE, MovableClock, migrated_template, store_from
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, all_text, running
from pg import PostgresServer
from sqlalchemy import select

from bot.inbound import COULD_NOT_FINISH, InboundQueue
from bot.work import Worker
from handlers.replies import Message
from storage import inbound, migrate
from storage.db import Store, make_engine
from storage.models import InboundRequest, PlanAction

COUNT = 30
GRACE = 2  # seconds: far less than the queued work needs, so the stop lands in the middle
SUPERVISOR_WAIT = 20.0  # then SIGKILL, as a service manager does to a process that overstays
ENV_NAMES = ("SLACK_APP_TOKEN", "DATABASE_URL", "COREGROUP_SQLITE_PATH", "TEAMS_APP_ID")


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    users = [User(uid, uid.lower(), p.name, p.email, is_bot=p.is_bot) for uid, p in PEOPLE.items()]
    with FakeSlackAPI(TOKEN, users=users) as api:
        yield api


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{migrated_template(tmp_path)}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{migrated_template(tmp_path)}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    store = Store.open(url)
    try:
        yield store
    finally:
        store.dispose()
        if request.param == "postgres":
            server.drop_database(url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """One `coregroup serve` process in HTTP mode, its log in a file."""

    def __init__(self, fake: FakeSlackAPI, db_url: str, log: Path, *extra: str) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
        env.update(
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=signing.SIGNING_SECRET,
            SLACK_API_URL=fake.base_url,
        )
        self.log = log
        self._out = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), "--workers", "2", *extra],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, log.read_text()
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.05)

    def send(self, req: signing.SignedRequest) -> httpx.Response:
        return self.http.post("/slack/events", content=req.body.encode(), headers=req.headers)

    def stop(self, sig: signal.Signals) -> int:
        self.http.close()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=SUPERVISOR_WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._out.close()
        return code


def _answered(fake: FakeSlackAPI) -> Counter[str]:
    """Who heard back: an `action add` is answered in the case channel (the new action, by
    title), anything else -- "Done already" included -- through its own `response_url`."""
    heard = Counter(c.path.rsplit("/", 1)[-1] for c in fake.calls_to("response_url", ok=True))
    for c in fake.calls_to("chat.postMessage", ok=True):
        for title in re.findall(r"Task (\d\d)", all_text(c.args)):
            heard[f"a{title}"] += 1
    return heard


def _wait_answered(fake: FakeSlackAPI, names: set[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not names <= set(_answered(fake)):
        assert time.monotonic() < deadline, f"unanswered: {sorted(names - set(_answered(fake)))}"
        time.sleep(0.05)


def _store(db_url: str) -> Store:
    return Store(make_engine(db_url))


def _stop_in_the_middle(fake: FakeSlackAPI, db_url: str, tmp_path: Path, sig: signal.Signals) -> None:
    first = Serve(fake, db_url, tmp_path / "serve-1.log", "--grace", str(GRACE))
    # serve runs on the real clock: the plan started a fortnight ago, the actions are due later
    start, due = date.today() - timedelta(days=14), date.today() + timedelta(days=30)
    setup = signing.slash_command(
        f"new CG-0001 profile:suffolk plan:cp start:{start}", response_url=fake.response_url("setup")
    )
    assert first.send(setup).status_code == 200
    _wait_answered(fake, {"setup"})
    fake.wait_for("pins.add", timeout=30)  # the case channel is made, its summary pinned
    channel = fake.channel_named("cg-cg-0001")
    assert channel is not None

    fake.delay = 1.0  # Slack is slow: the work queues up behind the acks
    names = {f"a{i:02d}" for i in range(COUNT)}
    for i in range(COUNT):
        req = signing.slash_command(
            f'action add "Task {i:02d}" due:{due}',
            channel_id=channel.id,
            response_url=fake.response_url(f"a{i:02d}"),
        )
        assert first.send(req).status_code == 200  # acknowledged
    first.stop(sig)
    assert not names <= set(_answered(fake)), "the stop came too late to test anything"

    fake.delay = 0.0
    second = Serve(fake, db_url, tmp_path / "serve-2.log")
    _wait_answered(fake, names)
    assert second.stop(signal.SIGTERM) == 0

    store = _store(db_url)
    try:
        with store.read() as s:
            texts = Counter(s.scalars(select(PlanAction.text)))  # type: ignore[call-overload]
            assert inbound.waiting(s) == 0 and inbound.dead_count(s) == 0
    finally:
        store.dispose()
    assert texts == Counter({f"Task {i:02d}": 1 for i in range(COUNT)})  # all, exactly once
    per_request = _answered(fake)
    assert all(per_request[n] >= 1 for n in names)  # every user heard back
    logs = (tmp_path / "serve-1.log").read_text() + (tmp_path / "serve-2.log").read_text()
    assert "Task 0" not in logs  # the queued bodies hold user text: never logged


@pytest.mark.slow
def test_sigterm_mid_work_then_restart_records_every_acknowledged_command_once(
    fake: FakeSlackAPI, db_url: str, tmp_path: Path
) -> None:
    _stop_in_the_middle(fake, db_url, tmp_path, signal.SIGTERM)


@pytest.mark.slow
def test_sigkill_mid_work_then_restart_records_every_acknowledged_command_once(
    fake: FakeSlackAPI, db_url: str, tmp_path: Path
) -> None:
    _stop_in_the_middle(fake, db_url, tmp_path, signal.SIGKILL)


# --- the ack waits for the disk ---------------------------------------------------------------


def test_no_ack_when_the_request_cannot_be_queued(fake: FakeSlackAPI, tmp_path: Path) -> None:
    """If the request cannot be written down, Slack gets an error (and retries) instead of an ack
    for work that would be lost."""
    store = Store(make_engine(f"sqlite:///{migrated_template(tmp_path)}"))
    try:
        with running(fake, store, MovableClock("2027-01-04T14:00")) as slack:
            with store.engine.begin() as conn:  # the queue's table is unusable
                conn.exec_driver_sql("ALTER TABLE inbound_request RENAME TO gone")
            r = slack.command("help", settle=False)
            assert r.status_code != 200
            slack.settle()
        assert fake.calls_to("response_url") == []  # nothing was done behind an error either
    finally:
        store.dispose()


# --- the queue's rules, on both databases -------------------------------------------------------


def test_a_row_is_taken_once_and_a_dead_lease_comes_back(any_store: Store) -> None:
    clock = MovableClock("2027-01-04T14:00")
    lease = timedelta(minutes=2)
    with any_store.transaction() as s:
        row_id = inbound.add(
            s, platform="slack", kind="command", body={"text": "status"}, now=clock(), worker="a", lease=lease
        )
    with any_store.transaction() as s:
        assert inbound.claim_due(s, now=clock(), worker="b") == []  # leased to its writer
        assert inbound.claim(s, row_id, now=clock(), worker="a", lease=lease) is not None
    with any_store.transaction() as s:
        assert inbound.claim(s, row_id, now=clock(), worker="b") is None  # taken
    clock.set("2027-01-04T14:03")  # "a" died: its lease ran out
    with any_store.transaction() as s:
        (again,) = inbound.claim_due(s, now=clock(), worker="b")
        assert again.id == row_id and again.attempts == 2
    with any_store.transaction() as s:
        inbound.done(s, row_id)
    with any_store.read() as s:
        assert inbound.waiting(s) == 0 and s.get(InboundRequest, row_id) is None


def test_repeated_failure_tells_the_user_and_keeps_no_text(any_store: Store) -> None:
    clock = MovableClock("2027-01-04T14:00")
    told: list[Message] = []
    worker = Worker(threads=1)
    queue = InboundQueue(
        any_store, clock, worker, platform="slack", max_attempts=3, retry_after=timedelta(seconds=10)
    )

    def broken(body: dict[str, object], redo: bool) -> None:
        raise RuntimeError("the platform is down")

    queue.register("command", broken, lambda body, m: told.append(m))
    queue.accept("command", {"text": 'action add "Weigh the baby"'})
    for _ in range(3):
        assert worker.drain(10)
        clock.at += timedelta(seconds=11)
        queue.poll()
    assert worker.drain(10)
    worker.shutdown()
    assert told == [COULD_NOT_FINISH]  # once, after the last attempt
    with any_store.read() as s:
        (row,) = s.scalars(select(InboundRequest))
        assert row.status == "dead" and row.attempts == 3 and row.body is None
        assert "baby" not in (row.last_error or "")


# --- Teams: the same queue ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The bot client is deprecated:DeprecationWarning")
def test_teams_activities_acknowledged_before_a_stop_are_done_by_the_next_start(tmp_path: Path) -> None:
    """Through the real Teams endpoint (JWT and all): five `action add` get their 200 while the
    workers are busy, the process stops with no grace, and the next start does all five."""
    from fakes.teams_connector import FakeTeams
    from fakes.teams_harness import LEAD, ROSTER
    from fakes.teams_harness import running as teams_running

    store = store_from(migrated_template(tmp_path), tmp_path)
    clock = MovableClock("2027-01-04T14:00")
    try:
        with FakeTeams(roster=list(ROSTER)) as fake:
            with teams_running(fake, store, clock) as first:
                assert (
                    first.say(LEAD, "new CG-0001 profile:suffolk plan:cp start:2027-01-04").status_code == 200
                )
                gate = threading.Event()
                for _ in range(4):  # every worker thread busy
                    first.deps.worker.submit(gate.wait, 10)
                for i in range(5):
                    r = first.say(LEAD, f'action add "Task {i:02d}" due:2027-01-20', settle=False)
                    assert r.status_code == 200
                assert first.deps.inbound is not None
                assert first.deps.inbound.stop(0.1) == 5  # left on disk
                gate.set()
            with store.read() as s:
                assert list(s.scalars(select(PlanAction.text))) == []  # type: ignore[call-overload]
            with teams_running(fake, store, clock) as second:
                assert second.deps.inbound is not None
                assert second.deps.inbound.recover() == 5
                second.settle()
                posts = "\n".join(second.channel())
            with store.read() as s:
                texts = Counter(s.scalars(select(PlanAction.text)))  # type: ignore[call-overload]
                assert inbound.waiting(s) == 0
        assert texts == Counter({f"Task {i:02d}": 1 for i in range(5)})
        assert all(f"Task {i:02d}" in posts for i in range(5))  # the channel heard of each
    finally:
        store.dispose()


@pytest.mark.slow
def test_the_writes_bench_runs_and_loses_nothing_across_a_sigterm() -> None:
    """A smoke run of bench/writes.py (tiny counts; its figures are in docs/slack.md)."""
    from bench.writes import run  # the project's root is on pytest's `pythonpath`

    result = run(rate=20, seconds=1.0, sigterm_at=0.5, grace=0.5, workers=2, quiet=True)
    assert result["acked"] > 0 and result["lost"] == 0 and result["twice"] == 0
    assert result["replied"] == result["acked"] and result["queue_left"] == 0


def test_socket_mode_sigterm_disconnects_then_drains(
    fake: FakeSlackAPI, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Socket Mode a SIGTERM leaves the handler's wait, closes the socket (no new requests),
    gives the queued work its grace and returns 0, instead of dying on the spot."""
    from bot.cli import main

    events: list[str] = []

    class FakeSocketMode:
        def __init__(self, app: object, token: str) -> None:
            pass

        def start(self) -> None:
            handler = signal.getsignal(signal.SIGTERM)
            events.append("custom" if callable(handler) else "default")
            if callable(handler):  # never SIGTERM a process that would just die of it
                threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
                threading.Event().wait(10)
            events.append("start returned")

        def close(self) -> None:
            events.append("closed")

    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    monkeypatch.setattr("slack_bolt.adapter.socket_mode.SocketModeHandler", FakeSocketMode)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["serve", "--grace", "1"]) == 0
    assert events == ["custom", "closed"]  # the wait was left by the signal, then closed
    assert signal.getsignal(signal.SIGTERM) == before  # put back
