"""How fast the obligation engine is: 50,000 synthetic active cases in one process, on one core.

The reminder sweep recomputes every active case's obligations each run, so this is the number that
decides whether a sweep fits in seconds. Cases are invented (fixed seed, no real data), spread over all
nine profiles and, for Shropshire, the three plan types, with a plausible history: core groups every
four to seven weeks (some without the social worker, some minutes outstanding, one booked ahead),
review conferences at 3 then 6 months, visits every week or two, the odd school move, significant
change, escalation and Cwm Taf Morgannwg resolution meeting.

    .venv/bin/python bench/timeline.py                 # 50,000 cases
    .venv/bin/python bench/timeline.py --cases 5000 --profile   # where the time goes (cProfile)

Only `obligations()` is timed: parsing CASE.json and loading profiles happen once, outside the loop,
as they do in the sweep.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a clean clone
    sys.path.insert(0, str(ROOT))

from scheduling.calendar import WorkingCalendar, calendar_for  # noqa: E402
from scheduling.case import CaseState, case_from_dict  # noqa: E402
from scheduling.engine import obligations  # noqa: E402
from scheduling.profiles import Profile, load_profile, profile_names  # noqa: E402

TODAY = date(2027, 6, 1)
SEED = 20270106
#: Roughly how many cases each profile holds (the five localities dominate, as in a deployment).
WEIGHTS = {
    "newham": 18,
    "shropshire": 18,
    "suffolk": 18,
    "sandwell": 14,
    "cwm-taf-morgannwg": 14,
    "england": 6,
    "wales": 4,
    "scotland": 5,
    "northern-ireland": 3,
}


def _iso(d: date) -> str:
    return d.isoformat()


def synthetic_case(rng: random.Random, today: date = TODAY) -> dict[str, Any]:
    """One invented active case as CASE.json, with a history up to `today` and one meeting booked."""
    profile = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    plan = rng.choice(("cp", "cp", "cin", "lac")) if profile == "shropshire" else "cp"
    start = today - timedelta(days=rng.randint(3, 540))
    case: dict[str, Any] = {
        "profile": profile,
        "plan": plan,
        "start": _iso(start),
        "reference": f"CG-{rng.randint(10000, 99999)}",
    }

    meetings: list[dict[str, Any]] = []
    d = start + timedelta(days=rng.randint(7, 16))
    while d <= today:
        m: dict[str, Any] = {"kind": "core_group", "date": _iso(d)}
        if rng.random() < 0.1:
            m["social_worker_present"] = False
        if rng.random() < 0.8 and d + timedelta(days=5) <= today:
            m["minutes_circulated"] = _iso(d + timedelta(days=rng.randint(1, 9)))
        if rng.random() < 0.5:
            m["professionals_present"] = rng.randint(1, 6)
            m["lead_sw_present"] = rng.random() < 0.95
        meetings.append(m)
        d += timedelta(days=rng.randint(28, 49))
    meetings.append({"kind": "core_group", "date": _iso(today + timedelta(days=rng.randint(1, 30)))})
    case["meetings"] = meetings

    if plan == "cp":
        reviews = []
        r = start + timedelta(days=rng.randint(80, 90))
        while r <= today:
            reviews.append(_iso(r))
            r += timedelta(days=rng.randint(150, 182))
        if rng.random() < 0.6:
            reviews.append(_iso(r))  # the next one is booked
        case["review_conferences"] = reviews

    visits = []
    v = start + timedelta(days=rng.randint(1, 10))
    while v <= today:
        visits.append(
            {
                "date": _iso(v),
                "by": rng.choice(("lead_social_worker", "professional")),
                "seen_alone": rng.random() < 0.5,
            }
        )
        v += timedelta(days=rng.randint(5, 16))
    case["visits"] = visits[-6:]  # the store keeps the history; the engine needs the recent ones

    if rng.random() < 0.1:
        case["school_moves"] = [_iso(today - timedelta(days=rng.randint(0, 30)))]
    if rng.random() < 0.15:
        case["significant_changes"] = [
            {"date": _iso(today - timedelta(days=rng.randint(0, 20))), "reported": None}
        ]
    if rng.random() < 0.08:
        raised = today - timedelta(days=rng.randint(0, 25))
        if raised >= start:
            case["escalations"] = [{"raised": _iso(raised), "stage": rng.randint(1, 3)}]
    if profile == "cwm-taf-morgannwg":
        case["lead_visit_every"] = rng.choice((None, 10, 15, 20))
        if (today - start).days > 400:
            t1 = start + timedelta(days=rng.randint(400, (today - start).days))
            case["resolution"] = {
                "tier1_meetings": [_iso(t1)],
                "significant_risk_reduction": rng.random() < 0.3,
            }
    return case


def build(n: int, seed: int = SEED) -> list[CaseState]:
    rng = random.Random(seed)
    return [case_from_dict(synthetic_case(rng)) for _ in range(n)]


def run(cases: list[CaseState], today: date = TODAY) -> int:
    """Obligations for every case; returns how many there were."""
    profiles: dict[str, Profile] = {n: load_profile(n) for n in profile_names()}
    cals: dict[str, WorkingCalendar] = {n: calendar_for(p.nation, p.closures) for n, p in profiles.items()}
    total = 0
    for c in cases:
        total += len(obligations(c, profiles[c.profile], cals[c.profile], today))
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Obligations per second for synthetic active cases.")
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; min/median/max are reported")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run instead")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    cases = build(args.cases, args.seed)
    run(cases[:100])  # load profiles and build calendars outside the timing
    print(
        f"built {len(cases):,} synthetic cases in {time.perf_counter() - t0:.1f} s "
        f"(Python {sys.version.split()[0]})"
    )

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run(cases)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
        return 0

    # one untimed run first: the sweep process keeps its calendar memo from sweep to sweep, so the
    # timed runs are all warm and comparable with each other
    run(cases)
    load_before = os.getloadavg()[0]
    walls: list[float] = []
    cpus: list[float] = []
    total = 0
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        total = run(cases)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    load_after = os.getloadavg()[0]
    n = len(cases)
    print(f"{n:,} cases, {total:,} obligations per run, {args.repeat} runs")
    # On a shared machine the wall clock includes time spent waiting for a core; CPU time does not,
    # so CPU time is the figure to compare between runs made under different loads.
    for label, times in (("wall", walls), ("CPU ", cpus)):
        lo, mid, hi = min(times), statistics.median(times), max(times)
        print(
            f"{label} min/median/max {lo:.3f}/{mid:.3f}/{hi:.3f} s: "
            f"{n / hi:,.0f}/{n / mid:,.0f}/{n / lo:,.0f} cases/s (slowest/median/fastest run), "
            f"{total / mid:,.0f} obligations/s median"
        )
    print(
        f"load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores "
        f"(Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
