"""A `coregroup serve`-like process for the two-process test: the real SweepJob (sweep + delivery)
at each simulated tick, against one database and the fake Slack Web API.

    python sweep_worker.py DATABASE_URL SLACK_API_URL GO_FILE TICKS MODE INDEX

TICKS: comma-separated ISO times. MODE: "leader" (PostgreSQL advisory lock, as in production) or
"all" (no lock: both processes sweep and deliver at once — the outbox alone must keep it exact).
Prints "ready", waits for GO_FILE, then one JSON line: how many ticks it swept and what it sent.
The two processes keep step (a file barrier after each tick), as two servers' clocks agree: a
simulated clock hours ahead of the other's would see the other's leases as long expired.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from bot.delivery import Delivery, Pacer
from bot.scheduler import Leader, SweepJob
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage.db import Store


class Everyone(Leader):
    def is_leader(self) -> bool:
        return True


def _barrier(directory: Path, me: int, tick: int) -> None:
    (directory / f"{me}-{tick}").touch()
    other = directory / f"{1 - me}-{tick}"
    deadline = time.monotonic() + 120
    while not other.exists():
        if time.monotonic() > deadline:
            raise SystemExit(4)
        time.sleep(0.001)


def main(url: str, api: str, go_file: str, ticks: str, mode: str, index: str) -> int:
    store = Store.open(url)
    now = [datetime.fromisoformat(ticks.split(",")[0])]
    port = SlackChat(make_client("xoxb-test", api))
    delivery = Delivery(store, port, clock=lambda: now[0], worker=f"p{os.getpid()}", pacer=Pacer(0), batch=3)
    leader = Everyone(store) if mode == "all" else Leader(store)
    sent: list[list[object]] = []
    job = SweepJob(
        store,
        port,
        lambda: now[0],
        leader=leader,
        delivery=delivery,
        on_tick=lambda _r, s: sent.extend([x.reminder_id, x.outcome] for x in s),
    )
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.002)
    swept = 0
    for i, t in enumerate(ticks.split(",")):
        now[0] = datetime.fromisoformat(t)
        swept += job.tick()
        _barrier(Path(go_file).parent, int(index), i)
    leader.release()
    store.dispose()
    print(json.dumps({"swept": swept, "sent": sent}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:7]))
