"""Benchmark: load the case state of every active case for the reminder sweep.

    .venv/bin/python bench/storage.py [--cases 50000] [--runs 3] [--postgres-url URL | --no-postgres]

Fills a fresh SQLite file and a fresh PostgreSQL database (a throw-away cluster from tests/pg.py
unless --postgres-url is given) with N active cases (plus 5% closed ones interleaved), each with a
plausible history: 5 meetings (3 held core groups with attendance counts, 1 booked, 1 review
conference), 8 visits, and for some cases an escalation, a school move or a significant change —
about 14 rows per case. Rows are inserted directly (not through the repository), so at first no
case has a state snapshot. Then it times, best of --runs:

- "from the tables": `active_case_states` with no snapshots (every case read with bulk queries
  per table; what a sweep does for cases whose snapshot is missing);
- "rewrite snapshots": `rebuild_snapshots` (what `coregroup db upgrade` does after a migration);
- "sweep": `active_case_states` reading the snapshots (the normal case: every change through the
  repository keeps its case's snapshot current);
- one `case_state` look-up (always from the tables).

Goal: the sweep under 2 s for 50,000 cases on SQLite.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import insert

from storage import migrate
from storage import repository as repo
from storage.db import Store, make_engine
from storage.models import CaseEvent, CoreGroup, Escalation, Meeting, Visit

PROFILES = ("suffolk", "newham", "sandwell", "shropshire", "cwm-taf-morgannwg", "scotland")
NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
CHUNK = 5000


def generate(n_active: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {
        "case": [],
        "meeting": [],
        "visit": [],
        "escalation": [],
        "event": [],
    }
    total = n_active + n_active // 20
    closed_every = 21
    for i in range(1, total + 1):
        start = date(2026, 9, 1) + timedelta(days=rnd.randrange(240))
        closed = i % closed_every == 0
        rows["case"].append(
            {
                "id": i,
                "reference": f"CG-{i:06d}",
                "profile": rnd.choice(PROFILES),
                "plan": "cp" if rnd.random() < 0.9 else "cin",
                "start": start,
                "registered": start,
                "status": "closed" if closed else "active",
                "lead_visit_every": 10 if rnd.random() < 0.3 else None,
                "resolution_requested": None,
                "significant_risk_reduction": False,
                "created_at": NOW,
                "created_by": "bench",
                "closed_at": NOW if closed else None,
            }
        )
        t = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=10)
        for k in range(3):
            t += timedelta(days=rnd.randrange(20, 40))
            rows["meeting"].append(
                {
                    "case_id": i,
                    "kind": "core_group",
                    "status": "held",
                    "starts_at": t,
                    "social_worker_present": None,
                    "professionals_present": rnd.randrange(1, 6),
                    "lead_sw_present": rnd.random() < 0.9,
                    "social_worker_attended": True,
                    "minutes_circulated_at": t + timedelta(days=rnd.randrange(2, 12)) if k < 2 else None,
                    "chair_update_sent_at": None,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        rows["meeting"].append(
            {
                "case_id": i,
                "kind": "core_group",
                "status": "scheduled",
                "starts_at": NOW + timedelta(days=rnd.randrange(1, 30)),
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        rows["meeting"].append(
            {
                "case_id": i,
                "kind": "review_conference",
                "status": "held",
                "starts_at": datetime.combine(start + timedelta(days=90), datetime.min.time(), UTC),
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        for _ in range(8):
            rows["visit"].append(
                {
                    "case_id": i,
                    "visited_on": start + timedelta(days=rnd.randrange(1, 250)),
                    "by": "lead_social_worker" if rnd.random() < 0.6 else "professional",
                    "seen_alone": rnd.random() < 0.5,
                    "recorded_at": NOW,
                }
            )
        if rnd.random() < 0.1:
            raised = NOW - timedelta(days=rnd.randrange(1, 30))
            rows["escalation"].append(
                {
                    "case_id": i,
                    "stage": rnd.randrange(1, 4),
                    "raised_at": raised,
                    "stage_started_at": raised,
                    "resolved_at": None,
                }
            )
        if rnd.random() < 0.2:
            rows["event"].append(
                {
                    "case_id": i,
                    "kind": rnd.choice(("school_move", "significant_change")),
                    "occurred_on": start + timedelta(days=rnd.randrange(10, 200)),
                    "reported_on": None,
                    "recorded_at": NOW,
                }
            )
    return rows


def fill(store: Store, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables = (
        ("case", CoreGroup),
        ("meeting", Meeting),
        ("visit", Visit),
        ("escalation", Escalation),
        ("event", CaseEvent),
    )
    with store.engine.begin() as conn:
        for key, model in tables:
            table = model.__table__  # type: ignore[attr-defined]
            data = rows[key]
            # One column set per executemany, and every column the generator leaves out gets the
            # model's own default (new NOT NULL columns, e.g. meeting.calendar_sequence, stay
            # filled without this bench knowing them).
            defaults = {
                c.name: c.default.arg
                for c in table.columns
                if c.default is not None and not callable(c.default.arg)
            }
            cols = {c.name for c in table.columns} - {"id"}
            data = [{c: r[c] if c in r else defaults.get(c) for c in cols} for r in data]
            for k in range(0, len(data), CHUNK):
                conn.execute(insert(table), data[k : k + CHUNK])


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), (result, statistics.median(times))


def bench(label: str, url: str, cases: int, runs: int) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    store = Store.open(url)
    rows = generate(cases)
    n_rows = sum(len(v) for v in rows.values())
    t0 = time.perf_counter()
    fill(store, rows)
    filled = time.perf_counter() - t0
    del rows  # a sweep process does not hold 750,000 generated dicts (they slow the GC down)
    gc.collect()
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")

    def sweep() -> int:
        with store.read() as s:
            return sum(1 for _ in repo.active_case_states(s))

    tables, (count, tables_median) = timed(sweep, runs)

    def rebuild() -> int:
        with store.transaction() as s:
            return repo.rebuild_snapshots(s)

    rebuilt, _ = timed(rebuild, 1)
    best, (count2, median) = timed(sweep, runs)
    assert count == count2

    def one() -> Any:
        with store.read() as s:
            return repo.case_state(s, "CG-000042")

    one_best, _ = timed(one, 20)
    print(f"{label}: {count:,} active cases, {n_rows:,} rows (filled in {filled:.0f} s)")
    print(
        f"  sweep, all case states from snapshots: {best:.2f} s (best of {runs}; median "
        f"{median:.2f} s; {best / count * 1e6:.0f} µs/case)"
    )
    print(
        f"  all case states from the tables:       {tables:.2f} s (best of {runs}; median "
        f"{tables_median:.2f} s)"
    )
    print(f"  rewrite every snapshot:                {rebuilt:.2f} s")
    print(f"  one case_state (from the tables):      {one_best * 1000:.1f} ms")
    store.dispose()


def calibration() -> float:
    """Seconds for a fixed pure-Python loop: to compare figures across machines."""
    t0 = time.perf_counter()
    d: dict[int, int] = {}
    for i in range(2_000_000):
        d[i % 1000] = i
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--postgres-url", help="an empty database to use instead of a throw-away one")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()

    print(f"machine: calibration loop {calibration():.2f} s (2M dict stores; lower is faster)")
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.db", args.cases, args.runs)
    if args.no_postgres:
        return 0
    if args.postgres_url:
        bench("PostgreSQL", args.postgres_url, args.cases, args.runs)
        return 0
    import pg

    if pg.find_bin_dir() is None:
        print("PostgreSQL: skipped (no binaries; apt-get install -y postgresql, or --postgres-url)")
        return 0
    with pg.start_cluster() as server:
        url = server.create_database()
        bench("PostgreSQL", url, args.cases, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
