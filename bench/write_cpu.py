"""CPU per write against a case's history: does a write cost more once a case has a long record?

    .venv/bin/python bench/write_cpu.py [--history 10 1000] [--writes 40] [--runs 3]

For each history size H: a fresh SQLite file with one case (five members, a channel), H visits
already recorded (inserted directly, then the snapshot rebuilt as `coregroup db upgrade` does),
then `--writes` `/coregroup visit … seen-alone` commands through the real use case
(`handlers.dispatch.handle_text`: parse, the membership check, the write with its audit event and
snapshot refresh, the pinned summary built for the reply). What is timed is CPU time of this
process (`time.process_time`), so other work on a shared machine inflates it less than the wall
clock; it excludes the chat platform's API calls. Prints min / median / max over `--runs` of the
median CPU per write, the ratio between the largest and the smallest history, and the load
average. Goal (issue 17): within 1.5x between 10 and 1,000 events of history.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes.env import FakeDirectory, MovableClock  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.slack.channel import SLACK  # noqa: E402
from handlers.common import Actor, Context  # noqa: E402
from handlers.dispatch import handle_text  # noqa: E402
from storage import migrate  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.db import Store, make_engine  # noqa: E402
from storage.models import Visit  # noqa: E402

NOW = "2027-06-08T10:00"
CHANNEL = "C0BENCH"


def prepared(path: Path, history: int) -> Store:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    store = Store(engine)
    clock = MovableClock(NOW)
    now = clock()
    start = date(2023, 1, 2)
    with store.transaction() as s:
        case = repo.create_case(s, actor="bench", now=now, profile="suffolk", plan="cp", start=start)
        repo.link_channel(s, case.reference, actor="bench", now=now, kind="slack", channel_id=CHANNEL)
        for user, role in (
            ("U0LEAD", "lead social worker"),
            ("U0HV", "health visitor"),
            ("U0TEACH", "designated teacher"),
        ):
            repo.add_member(
                s,
                case.reference,
                actor="bench",
                now=now,
                display_name=f"M {user}",
                role=role,
                addresses={"slack": user},
                joined_on=start,
            )
        case_id = case.id
    table = Visit.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "case_id": case_id,
            "visited_on": start + timedelta(days=k % 1500),
            "by": "lead_social_worker" if k % 2 else "professional",
            "member_id": None,
            "seen_alone": bool(k % 3),
            "recorded_at": now,
        }
        for k in range(history)
    ]
    with store.engine.begin() as conn:
        if rows:
            conn.execute(insert(table), rows)
    with store.transaction() as s:
        repo.rebuild_snapshots(s)
    return store


def cpu_per_write(history: int, writes: int) -> float:
    """The median CPU seconds of one `visit` write on a case with `history` visits."""
    with tempfile.TemporaryDirectory() as tmp:
        store = prepared(Path(tmp) / "bench.db", history)
        clock = MovableClock(NOW)
        ctx = Context(
            Actor("U0LEAD", SLACK, "slack"), store, clock, channel_id=CHANNEL, directory=FakeDirectory()
        )
        times: list[float] = []
        day = datetime.fromisoformat(NOW).date()
        handle_text(ctx, f"visit {day.isoformat()} seen-alone")  # warm: profiles, calendars, caches
        for _ in range(writes):
            c0 = time.process_time()
            handle_text(ctx, f"visit {day.isoformat()} seen-alone")
            times.append(time.process_time() - c0)
        with store.read() as s:
            assert len(repo.visits(s, "CG-0001")) == history + writes + 1, "the writes were not recorded"
        store.dispose()
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history", type=int, nargs="+", default=[10, 1000])
    ap.add_argument("--writes", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    medians: dict[int, float] = {}
    for h in args.history:
        per_run = [cpu_per_write(h, args.writes) for _ in range(args.runs)]
        medians[h] = statistics.median(per_run)
        print(
            f"history {h:>5} visits: CPU per write min / median / max "
            f"{min(per_run) * 1000:.1f} / {medians[h] * 1000:.1f} / {max(per_run) * 1000:.1f} ms "
            f"({args.writes} writes a run, {args.runs} runs; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores)"
        )
    lo, hi = min(args.history), max(args.history)
    print(f"ratio {hi} / {lo}: {medians[hi] / medians[lo]:.2f} (goal ≤ 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
