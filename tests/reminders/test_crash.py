"""Kill the delivery between the Slack call and marking the row sent, then restart.

A real process is killed with SIGKILL right after the fake Slack Web API accepted its third
message: the row in flight was sent but not marked. The restart before the lease runs out sends
nothing (the rows are still leased to the dead process); after the lease it sends the rest. Slack
then has every reminder, exactly one of them twice — the one in flight — and nothing is lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from fakes.slack_api import FakeSlackAPI
from world import ACTOR, london, new_case

from handlers.sweep import sweep
from storage import outbox
from storage import repository as repo
from storage.db import Store

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _run(db_url: str, fake: FakeSlackAPI, at: str, kill_after: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(WORKER), db_url, fake.base_url, at, str(kill_after)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_kill_between_send_and_mark_duplicates_at_most_the_row_in_flight(
    store: Store, fake: FakeSlackAPI
) -> None:
    db_url = str(store.engine.url)
    t0 = london(date(2027, 1, 12), "10:00")  # 5 working days before the meetings: attendance
    for i, prefix in enumerate("ABC"):
        new_case(
            store,
            t0 - timedelta(days=7),
            reference=f"CG-{i + 1:04d}",
            profile="suffolk",
            start=date(2027, 1, 5),
            prefix=prefix,
        )
        with store.transaction() as s:
            repo.schedule_meeting(
                s,
                f"CG-{i + 1:04d}",
                actor=ACTOR,
                now=t0 - timedelta(days=6),
                starts_at=london(date(2027, 1, 19), "10:00"),
            )
    sweep(store, t0)
    with store.read() as s:
        queued = outbox.reminders(s)
    # The health visitor and the teacher in each of three cases (the lead social worker runs
    # the meeting and is not asked whether they are coming).
    assert len(queued) == 6

    crashed = _run(db_url, fake, t0.isoformat(), kill_after=3)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert len(fake.calls_to("chat.postMessage", ok=True)) == 3
    with store.read() as s:
        rows = outbox.reminders(s)
    assert Counter(r.status for r in rows) == {"sent": 2, "claimed": 4}  # 1 in flight, 3 leased

    # Restarted within the lease: the dead process's rows are not taken yet.
    early = _run(db_url, fake, (t0 + timedelta(minutes=1)).isoformat(), kill_after=-1)
    assert early.returncode == 0, early.stderr
    assert json.loads(early.stdout) == []

    # After the lease: everything left goes, once.
    late = _run(db_url, fake, (t0 + timedelta(minutes=6)).isoformat(), kill_after=-1)
    assert late.returncode == 0, late.stderr
    assert len(json.loads(late.stdout)) == 4
    with store.read() as s:
        rows = outbox.reminders(s)
    assert {r.status for r in rows} == {"sent"}

    posts = fake.args_of("chat.postMessage")
    per_row = Counter((p["channel"], p["text"]) for p in posts)
    assert len(posts) == 7  # 6 reminders + exactly one duplicate
    assert len(per_row) == 6  # nothing lost
    twice = [k for k, n in per_row.items() if n == 2]
    assert len(twice) == 1 and twice[0] == (posts[2]["channel"], posts[2]["text"])  # in flight
    reclaimed = [r for r in rows if r.attempts == 2]  # the in-flight row and the three leased
    assert len(reclaimed) == 4
