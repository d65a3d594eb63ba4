"""Exactly once with a slow platform (the security issue, item 4).

(a) Two deliverers race on one outbox while the fake Slack Web API answers slowly or throttles
    (HTTP 429 + Retry-After): every reminder goes out once. Before, a batch shared one lease and
    its last rows, waiting behind slow sends, were claimed and sent again by the other deliverer.
(b) Two `coregroup serve` on one SQLite file: the second refuses to start (one line, exit 2), and
    `coregroup sweep` on that file delivers nothing while the serve runs.
(c) `coregroup sweep` while another process holds the PostgreSQL leader lock delivers nothing.

Time in (a) is simulated and moves only when Slack answers: every Web API call costs 30 simulated
seconds, on one clock both deliverers read (two servers agree on the time). So a 5-minute lease
lasts ten calls, whatever the machine's speed; real time only lets the two threads interleave.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.env import MovableClock, migrated_template
from fakes.slack_api import FakeSlackAPI
from pg import PostgresServer
from world import ACTOR, london, new_case

from bot.calendar.ics import IcsCalendar, IcsFile
from bot.calendar.jobs import LEASE as CALENDAR_LEASE
from bot.calendar.jobs import CalendarJobs
from bot.cli import main
from bot.console import ConsoleSession
from bot.delivery import Delivery, Pacer, Sent
from bot.scheduler import Leader
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.invitations import CALENDAR_RULE
from handlers.sweep import sweep
from storage import migrate, outbox
from storage import repository as repo
from storage.db import Store, make_engine

ROOT = Path(__file__).resolve().parents[2]
START = london(date(2027, 1, 12), "09:30")
CASES = 15  # two attendance reminders each, due at START: 30 rows, three leases' worth of sends
STEP = timedelta(seconds=30)  # simulated time per Slack Web API call


class SlackTime:
    """The simulated clock: START plus 30 seconds per Web API call the fake has answered."""

    def __init__(self, fake: FakeSlackAPI) -> None:
        self.fake = fake

    def __call__(self) -> datetime:
        return START + STEP * len(self.fake.calls)


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as f:
        yield f


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{migrated_template(tmp_path)}"


def _pg_url(server: PostgresServer) -> str:
    url = server.create_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _world(store: Store, cases: int = CASES) -> None:
    """Cases whose meeting a week ahead makes two attendance reminders due at START."""
    t = london(date(2027, 1, 6), "10:00")
    for i in range(cases):
        ref = f"CG-{i + 1:04d}"
        c = new_case(
            store, t, reference=ref, profile="suffolk", start=date(2027, 1, 5), prefix=chr(ord("A") + i)
        )
        with store.transaction() as s:
            repo.schedule_meeting(
                s,
                ref,
                actor=ACTOR,
                now=t,
                starts_at=london(date(2027, 1, 19), "10:00"),
                chair_member_id=c.members["lead"],
            )


def _race(url: str, fake: FakeSlackAPI) -> list[Sent]:
    """Queue the due rows, then two deliverers (own store, own worker name) sweep until none is
    left, as two `serve` processes would at their ticks."""
    clock = SlackTime(fake)
    first = Store.open(url)
    _world(first)
    queued = sweep(first, START).inserted
    assert queued == 2 * CASES
    second = Store.open(url)
    handled: list[Sent] = []
    errors: list[BaseException] = []
    finished = threading.Event()

    def sweeper(store: Store, name: str) -> None:
        port = SlackChat(make_client("xoxb-test", fake.base_url))
        delivery = Delivery(store, port, clock=clock, worker=name, pacer=Pacer(0))
        try:
            while not finished.is_set():
                handled.extend(delivery.run())
                with store.read() as s:
                    if all(r.status in ("sent", "dead") for r in outbox.reminders(s)):
                        finished.set()
                time.sleep(0.005)  # the next tick; the assertion is about counts, never speed
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            finished.set()

    threads = [
        threading.Thread(target=sweeper, args=(store, name))
        for store, name in ((first, "host-a:1"), (second, "host-b:2"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    finished.set()
    assert not errors, errors
    with first.read() as s:
        rows = outbox.reminders(s)
    first.dispose()
    second.dispose()
    assert len(rows) == 2 * CASES and {r.status for r in rows} == {"sent"}
    posts = fake.args_of("chat.postMessage")
    per_message = Counter((p["channel"], p["text"]) for p in posts)
    duplicates = sum(n - 1 for n in per_message.values())
    assert duplicates == 0, f"{duplicates} duplicate(s) of {len(rows)} reminders"
    assert len(posts) == len(rows)
    return handled


@pytest.mark.parametrize("platform", ["slow", "throttled"])
def test_two_deliverers_behind_a_slow_slack_send_each_reminder_once(
    platform: str, fake: FakeSlackAPI, tmp_path: Path
) -> None:
    fake.delay = 0.02  # enough for the other deliverer to get a word in between sends
    if platform == "throttled":
        fake.rate_limit("chat.postMessage", times=2, retry_after=1)
    handled = _race(_sqlite_url(tmp_path), fake)
    # The batch did outlast its lease: the first deliverer left rows to the second.
    assert any(h.outcome == "taken" for h in handled)


def test_a_lease_is_held_per_row_and_a_lost_row_is_left_alone(tmp_path: Path) -> None:
    """The storage rule under (a), as a unit: the hold before a send wins only for the sender
    that still has the row, and a late failure from the one that lost it changes nothing."""
    from storage.errors import InvalidState

    store = Store.open(_sqlite_url(tmp_path))
    _world(store, cases=1)
    sweep(store, START)
    lease = timedelta(minutes=5)
    with store.transaction() as s:
        first, second = outbox.claim_due(s, now=START, limit=10, worker="a", lease=lease)
    later = START + lease + timedelta(seconds=1)  # a's batch waited behind slow sends
    with store.transaction() as s:
        assert outbox.hold(s, first.id or 0, now=START + timedelta(minutes=1), worker="a")
        (taken,) = outbox.claim_due(s, now=later, limit=10, worker="b", lease=lease)
    assert taken.id == second.id  # the held row stayed a's; the waiting one went to b
    with store.transaction() as s:
        assert not outbox.hold(s, second.id or 0, now=later, worker="a")
        assert outbox.hold(s, second.id or 0, now=later, worker="b")
    with store.transaction() as s, pytest.raises(InvalidState):
        outbox.mark_failed(s, second.id or 0, now=later, worker="a", error="timeout", retry_at=later)
    with store.transaction() as s:
        outbox.mark_sent(s, second.id or 0, now=later, worker="b")
        assert not outbox.hold(s, second.id or 0, now=later, worker="b")  # sent: never again
    store.dispose()


@pytest.mark.postgres
def test_two_deliverers_on_postgresql_behind_a_slow_slack_send_each_reminder_once(
    postgres_server: PostgresServer, fake: FakeSlackAPI
) -> None:
    fake.delay = 0.02
    url = _pg_url(postgres_server)
    try:
        _race(url, fake)
    finally:
        postgres_server.drop_database(url)


def test_two_calendar_workers_behind_a_slow_calendar_send_each_invitation_once(tmp_path: Path) -> None:
    """The calendar's outbox rows too: worker A claims three invitations together and sends them
    slowly; by the end of its second send the third's lease has run out, worker B claims and sends
    it, and A then leaves it alone. (The slow calendar wraps the real .ics port's publish.)"""
    url = _sqlite_url(tmp_path)
    clock = MovableClock("2027-01-04T14:00")
    a_store, b_store = Store.open(url), Store.open(url)
    uploads: list[str] = []
    chat = ConsoleSession(
        a_store, clock, "U0BOT", io.StringIO(""), io.StringIO(), files_dir=tmp_path / "files"
    ).chat

    def sender(publish: Any, then: CalendarJobs | None) -> Any:
        """A's calendar is slow (each send 60% of a lease); B's answers at once."""

        async def send(f: IcsFile) -> None:
            if then is not None:
                clock.at += CALENDAR_LEASE * 0.6
            uploads.append(f.filename)
            await publish(f)
            if then is not None and len(uploads) == 2:
                then.run_now()  # B's pass, as A's second send ends: the third's lease is over

        return send

    b = CalendarJobs(
        b_store,
        chat,
        clock,
        lambda publish: IcsCalendar(sender(publish, None), clock),
        poll=0,
        warm_up=False,
        worker="host-b:calendar",
    ).start()
    a = CalendarJobs(
        a_store,
        chat,
        clock,
        lambda publish: IcsCalendar(sender(publish, b), clock),
        poll=0,
        warm_up=False,
        worker="host-a:calendar",
    ).start()
    try:
        assert a.run_now() == [] and b.run_now() == []  # the start-up passes found nothing
        now = clock()
        with a_store.transaction() as s:
            case = repo.create_case(
                s,
                reference="CG-0001",
                actor=ACTOR,
                now=now,
                profile="suffolk",
                plan="cp",
                start=date(2027, 1, 4),
            )
            assert case.id is not None
            repo.link_channel(s, "CG-0001", actor=ACTOR, now=now, kind="slack", channel_id="C0CASE")
            for day in (15, 18, 19):
                m = repo.schedule_meeting(
                    s, "CG-0001", actor=ACTOR, now=now, starts_at=london(date(2027, 1, day), "10:00")
                )
                outbox.enqueue(
                    s,
                    case_id=case.id,
                    rule=CALENDAR_RULE,
                    subject=f"meeting:{m.id}",
                    stage="v0",
                    recipient="calendar",
                    due_at=now,
                    now=now,
                    payload={"change": "create"},
                )
        a.run_now()
    finally:
        a.stop()
        b.stop()
    with a_store.read() as s:
        rows = outbox.reminders(s)
    a_store.dispose()
    b_store.dispose()
    assert {r.status for r in rows} == {"sent"} and len(rows) == 3
    assert sorted(uploads) == sorted(set(uploads)) and len(uploads) == 3


# --- (b) SQLite is a single-process store ----------------------------------------------------------


def test_a_second_leader_on_one_sqlite_file_does_not_lead(tmp_path: Path) -> None:
    url = _sqlite_url(tmp_path)
    a, b = Store.open(url), Store.open(url)
    la, lb = Leader(a), Leader(b)
    try:
        assert la.is_leader()
        assert not lb.is_leader()
        la.release()  # as when the serving process ends
        assert lb.is_leader()
        assert not la.is_leader()
    finally:
        la.release()
        lb.release()
        a.dispose()
        b.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sqlite_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlackAPI) -> dict[str, str]:
    """A deployment on one SQLite file with a due case, talking to the fake Slack."""
    for name in ("DATABASE_URL", "SLACK_APP_TOKEN", "COREGROUP_SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    db = migrated_template(tmp_path)
    store = Store.open(f"sqlite:///{db}")
    _world(store, cases=1)
    store.dispose()
    env = {
        "DATABASE_URL": f"sqlite:///{db}",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": fake.base_url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **env, "PYTHONPATH": str(ROOT)}


def _serve(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve",
            "--port",
            str(_free_port()),
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _wait_until_serving(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:
        if "serving HTTP" in line:
            return
        assert time.monotonic() < deadline, "serve did not start"
    raise AssertionError(f"serve ended early (exit {proc.wait(5)})")


def test_a_second_serve_on_one_sqlite_file_refuses_to_start(
    sqlite_env: dict[str, str], fake: FakeSlackAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _serve(sqlite_env)
    try:
        _wait_until_serving(first)
        second = _serve(sqlite_env)
        try:
            _out, err = second.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            second.kill()
            second.communicate()
            pytest.fail("a second serve on the same SQLite file started")
        assert second.returncode == 2, err
        (line,) = [x for x in err.splitlines() if x.startswith("coregroup:")]
        assert "single-process store" in line and f"pid {first.pid}" in line
        # The manual sweep on the same file leaves the delivery to the serve.
        posted = len(fake.args_of("chat.postMessage"))
        assert main(["sweep", "--now", "2027-01-12T09:30"]) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert "leads the reminder sweep" in line and "nothing was queued or sent" in line
        assert len(fake.args_of("chat.postMessage")) == posted
        # Nor does the console (it carries out calendar work from the same outbox).
        assert main(["console", "/dev/null"]) == 2
        assert "single-process store" in capsys.readouterr().err
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    # The kernel dropped the lock with the process: the next start (here, a sweep) leads.
    assert main(["sweep", "--now", "2027-01-12T09:30"]) == 0


@pytest.mark.parametrize("mode", ["socket", "teams"])
def test_socket_mode_and_teams_serve_refuse_a_held_sqlite_file(
    mode: str, sqlite_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same single-process rule for the other two ways to serve (in this process; a Leader
    here stands for the serve that already runs). Neither gets as far as listening."""
    started: list[str] = []
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: started.append("uvicorn"))
    if mode == "socket":

        class FakeSocketMode:
            def __init__(self, *_a: Any) -> None:
                started.append("socket")

            def start(self) -> None:
                started.append("socket started")

        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        monkeypatch.setattr("slack_bolt.adapter.socket_mode.SocketModeHandler", FakeSocketMode)
        argv = ["serve"]
    else:
        from fakes.teams_connector import APP_ID, CONNECTOR_TOKEN, TENANT

        monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
        monkeypatch.setenv("TEAMS_APP_PASSWORD", "a-secret")
        monkeypatch.setenv("TEAMS_TENANT_ID", TENANT)
        monkeypatch.setattr(
            "bot.teams.connector.MsalToken.token", lambda self, refresh=False: CONNECTOR_TOKEN
        )
        argv = ["serve", "--teams"]
    store = Store.open(sqlite_env["DATABASE_URL"])
    running = Leader(store)
    try:
        assert running.is_leader()
        assert main(argv) == 2
        (line,) = [x for x in capsys.readouterr().err.splitlines() if x.startswith("coregroup:")]
        assert "single-process store" in line and f"pid {os.getpid()}" in line
        assert started == []
    finally:
        running.release()
        store.dispose()


# --- (c) the manual sweep honours the PostgreSQL leader lock -----------------------------------------


@pytest.mark.postgres
def test_a_manual_sweep_delivers_nothing_while_another_process_leads(
    postgres_server: PostgresServer,
    fake: FakeSlackAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _pg_url(postgres_server)
    store = Store.open(url)
    other = Leader(store)  # a serve process's lead, on its own connection
    try:
        _world(store, cases=1)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        assert other.is_leader()
        assert main(["sweep", "--now", "2027-01-12T09:30"]) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert "leads the reminder sweep" in line
        with store.read() as s:
            assert outbox.reminders(s) == []
        assert fake.args_of("chat.postMessage") == []
        # --dry-run still plans.
        assert main(["sweep", "--now", "2027-01-12T09:30", "--dry-run"]) == 0
        assert "2 reminder(s) planned" in capsys.readouterr().out
        other.release()  # the serve stops: now the manual sweep delivers
        assert main(["sweep", "--now", "2027-01-12T09:30"]) == 0
        assert len(fake.args_of("chat.postMessage")) == 2
    finally:
        other.release()
        store.dispose()
        postgres_server.drop_database(url)
