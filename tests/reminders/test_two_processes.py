"""Two `coregroup serve`-like processes on one PostgreSQL database for a simulated week: every
reminder is sent once. Once as in production (the advisory-lock leader sweeps, the other waits),
and once with the lock disabled (both sweep and deliver at the same moments: unique outbox keys and
SKIP LOCKED claims alone keep it exact). Then the leader dies and the other takes over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakes.slack_api import FakeSlackAPI
from pg import PostgresServer
from world import ACTOR, london, new_case

from bot.scheduler import Leader
from storage import audit, migrate, outbox
from storage import repository as repo
from storage.db import Store, make_engine

pytestmark = pytest.mark.postgres
WORKER = Path(__file__).with_name("sweep_worker.py")
ROOT = Path(__file__).resolve().parents[2]
WEEK = [
    london(date(2027, 1, 11) + timedelta(days=d), f"{h:02d}:05") for d in range(7) for h in range(7, 20, 2)
]


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    postgres_server.drop_database(url)


def _world(store: Store) -> None:
    t = london(date(2027, 1, 6), "10:00")
    for i, prefix in enumerate("ABCDEF"):
        ref = f"CG-{i + 1:04d}"
        c = new_case(
            store,
            t,
            reference=ref,
            profile=("suffolk", "newham", "scotland")[i % 3],
            start=date(2027, 1, 5),
            prefix=prefix,
        )
        with store.transaction() as s:
            repo.schedule_meeting(
                s,
                ref,
                actor=ACTOR,
                now=t,
                starts_at=london(date(2027, 1, 19 + i % 2), "10:00"),
                chair_member_id=c.members["lead"],
            )
            repo.add_action(
                s,
                ref,
                actor=ACTOR,
                now=t,
                text="Check",
                owner_member_id=c.members["hv"],
                due_on=date(2027, 1, 13),
            )


def _run_two(url: str, fake: FakeSlackAPI, tmp: Path, mode: str) -> list[dict[str, object]]:
    (tmp / mode).mkdir()
    go = tmp / mode / "go"
    ticks = ",".join(t.isoformat() for t in WEEK)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, fake.base_url, str(go), ticks, mode, str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for k in range(2)
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=240)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def _check_once(url: str, fake: FakeSlackAPI) -> int:
    store = Store.open(url)
    try:
        with store.read() as s:
            rows = outbox.reminders(s)
            assert audit.verify(s).ok
    finally:
        store.dispose()
    assert rows and {r.status for r in rows} == {"sent"}
    posts = fake.args_of("chat.postMessage")
    assert len(posts) == len(rows)  # one message per row, none twice
    assert all(n == 1 for n in Counter((p["channel"], p["text"]) for p in posts).values())
    assert all(r.attempts == 1 for r in rows)
    return len(rows)


@pytest.mark.parametrize("mode", ["leader", "all"])
def test_two_processes_for_a_week_send_every_reminder_once(
    mode: str, pg_url: str, fake: FakeSlackAPI, tmp_path: Path
) -> None:
    store = Store.open(pg_url)
    _world(store)
    store.dispose()
    results = _run_two(pg_url, fake, tmp_path, mode)
    n = _check_once(pg_url, fake)
    assert n >= 20
    swept = [int(str(r["swept"])) for r in results]
    if mode == "leader":  # one process held the lock all week; the other never swept
        assert sorted(swept) == [0, len(WEEK)]
    else:  # both swept every tick
        assert swept == [len(WEEK), len(WEEK)]


def test_when_the_leader_goes_another_takes_over(pg_url: str) -> None:
    a, b = Store.open(pg_url), Store.open(pg_url)
    key = 7_000_112  # its own lock key: a session left over from another test cannot hold it
    la, lb = Leader(a, key), Leader(b, key)
    try:
        assert la.is_leader()
        assert not lb.is_leader()
        assert la.is_leader()  # still ours on the next tick
        la.release()  # the leader's connection closes (as when its process dies)
        assert lb.is_leader()
        assert not la.is_leader()
    finally:
        la.release()
        lb.release()
        a.dispose()
        b.dispose()


def test_a_killed_leader_is_replaced_at_the_next_tick(pg_url: str) -> None:
    """A real process takes the lock and is killed (SIGKILL): PostgreSQL ends its session, the
    lock goes with it, and another process's next tick leads."""
    code = (
        "import sys, time\n"
        "from bot.scheduler import Leader\n"
        "from storage.db import Store\n"
        "leader = Leader(Store.open(sys.argv[1]))\n"
        "print('leader' if leader.is_leader() else 'not', flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE, text=True, env=env)
    other = Store.open(pg_url)
    mine = Leader(other)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "leader"
        assert not mine.is_leader()
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 10
        while not mine.is_leader():  # the server notices the dead session within moments
            assert time.monotonic() < deadline, "the lock was not released"
            time.sleep(0.05)
    finally:
        proc.kill()
        mine.release()
        other.dispose()
