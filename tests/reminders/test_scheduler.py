"""The sweep job inside `coregroup serve`: one tick sweeps and delivers, a failing tick is logged
and the next one tries again, APScheduler runs it every N minutes, SQLite always leads."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fakes.slack_api import FakeSlackAPI
from world import ACTOR, london, new_case

from bot.delivery import Delivery, Pacer
from bot.scheduler import Leader, SweepJob, start
from bot.settings import Settings
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import outbox
from storage import repository as repo
from storage.db import Store


def _job(store: Store, fake: FakeSlackAPI, at: Any) -> SweepJob:
    port = SlackChat(make_client("xoxb-test", fake.base_url))
    return SweepJob(
        store, port, lambda: at, delivery=Delivery(store, port, clock=lambda: at, worker="t", pacer=Pacer(0))
    )


def test_a_tick_sweeps_and_delivers(store: Store, fake: FakeSlackAPI) -> None:
    c = new_case(
        store,
        london(date(2027, 1, 6), "10:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    with store.transaction() as s:
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 6), "10:00"),
            starts_at=london(date(2027, 1, 19), "10:00"),
        )
    job = _job(store, fake, london(date(2027, 1, 12), "09:30"))
    assert Leader(store).is_leader()  # SQLite: the single process leads
    assert job.tick()
    assert job.tick()  # the second tick finds everything sent
    with store.read() as s:
        assert {r.status for r in outbox.reminders(s)} == {"sent"}
    assert len(fake.args_of("chat.postMessage")) == 2  # the health visitor and the teacher


def test_a_failing_tick_is_logged_and_the_next_tries_again(
    store: Store, fake: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    job = _job(store, fake, london(date(2027, 1, 12), "09:30"))
    calls = []

    def broken(*_a: Any, **_k: Any) -> Any:
        calls.append(1)
        raise RuntimeError("database went away")

    assert job.delivery is not None
    real = job.delivery.run
    job.delivery.run = broken  # type: ignore[method-assign]
    assert not job.tick()
    assert "sweep failed" in caplog.text
    job.delivery.run = real  # type: ignore[method-assign]
    assert job.tick() and calls == [1]


def test_apscheduler_runs_the_job_every_n_minutes(store: Store, fake: FakeSlackAPI) -> None:
    job = _job(store, fake, london(date(2027, 1, 12), "09:30"))
    scheduler = start(job, 5, first_run_at=datetime.now(UTC))  # APScheduler runs on real time
    try:
        [j] = scheduler.get_jobs()
        assert j.trigger.interval.total_seconds() == 300
        deadline = time.monotonic() + 10
        while job.ticks == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert job.ticks == 1  # the first run is straight away, the next in five minutes
    finally:
        scheduler.shutdown(wait=True)


def test_sweep_minutes_and_bundle_time_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COREGROUP_SWEEP_MINUTES", "2")
    monkeypatch.setenv("COREGROUP_BUNDLE_TIME", "11:30")
    s = Settings()
    assert s.sweep_minutes == 2 and s.bundle_time.hour == 11 and s.bundle_time.minute == 30
    monkeypatch.delenv("COREGROUP_SWEEP_MINUTES")
    monkeypatch.delenv("COREGROUP_BUNDLE_TIME")
    assert Settings().sweep_minutes == 5


def test_serve_plans_in_another_process(store: Store, fake: FakeSlackAPI) -> None:
    """What `coregroup serve` runs (bot/sweep_process.py): planning in a spawned child, so the
    serving interpreter only waits; the first tick is a full re-plan, the next ones incremental."""
    import os

    from bot.sweep_process import SweepProcess

    c = new_case(
        store,
        london(date(2027, 1, 6), "10:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="P",
    )
    with store.transaction() as s:
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 6), "10:00"),
            starts_at=london(date(2027, 1, 19), "10:00"),
        )
    sweeper = SweepProcess.for_store(store)
    assert sweeper is not None
    results: list[Any] = []
    job = _job(store, fake, london(date(2027, 1, 12), "09:30"))
    job.sweeper = sweeper
    job.on_tick = lambda result, sent: results.append(result)
    try:
        assert job.tick() and job.tick()
    finally:
        sweeper.close()
    assert sweeper.pid is not None and sweeper.pid != os.getpid()
    assert [(r.full, r.cases) for r in results] == [(True, 1), (False, 0)]
    with store.read() as s:
        rows = outbox.reminders(s)
    assert results[0].inserted == len(rows) > 0  # queued by the child, delivered here
    assert {r.status for r in rows} == {"sent"}


def test_an_in_memory_database_sweeps_in_process() -> None:
    from bot.sweep_process import SweepProcess

    store = Store.open("sqlite://", check_schema=False)
    try:
        assert SweepProcess.for_store(store) is None
    finally:
        store.dispose()


def test_the_sweep_process_ends_with_a_killed_serve(store: Store) -> None:
    """SIGKILL gives `serve` no chance to stop its sweep child: the child notices and ends, so no
    orphan keeps the database connections and the server's output pipes."""
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "from datetime import UTC, datetime, time as t\n"
        "from bot.sweep_process import SweepProcess\n"
        "p = SweepProcess(sys.argv[1])\n"
        "p(datetime(2027, 1, 12, 9, 30, tzinfo=UTC), full=True, bundle_at=t(10))\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    url = store.engine.url.render_as_string(hide_password=False)
    serve = subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, text=True)
    try:
        assert serve.stdout is not None
        child = int(serve.stdout.readline())
        os.kill(child, 0)  # alive while its parent is
    finally:
        serve.send_signal(signal.SIGKILL)
        serve.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the sweep child outlived the killed serve")
