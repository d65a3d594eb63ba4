"""Acknowledgement latency of `/coregroup status` over HTTP, beside a bare Bolt app.

    .venv/bin/python bench/ack.py [--rate 50] [--seconds 30] [--sweep-cases 50000]

Three processes on this machine: the fake Slack Web API (tests/fakes/slack_api.py), the real bot
(`coregroup serve`, HTTP mode, SQLite with one seeded case, pointed at the fake through
SLACK_API_URL), and a bare Bolt app whose only listener acks a trivial command, on the bot's own
server stack (`bot.slack.http.http_app` under uvicorn, `process_before_response=True`). This process
signs the requests as Slack does and sends them open-loop at a fixed rate (a request every 1/rate s,
whether or not the previous one has answered), first to the bare app, then to the bot; latency is
from sending a request to its HTTP response, which is Slack's acknowledgement. Every request has its
own trigger_id, so the bot's retry de-duplication never short-cuts one.

Prints p50/p99 for both and their ratio; the goal is p99 < 100 ms and ratio <= 1.5.
`--sweep-cases 50000` measures the bot while it re-plans 50,000 cases (a full sweep every minute,
planned in its own process: bot/sweep_process.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"
CHANNEL = "G0BENCH"
USERS = ("U0LEAD", "U0HV", "U0TEACH", "U0POLICE")


# --- the three servers ---------------------------------------------------------------------------


def serve_fake() -> None:
    from fakes.slack_api import FakeSlackAPI, User

    api = FakeSlackAPI(TOKEN, users=[User(u, u.lower(), f"Member {u}") for u in USERS]).start()
    print(api.port, flush=True)
    threading.Event().wait()


def serve_bare(port: int, api_url: str) -> None:
    """A bare Bolt app on the bot's own server stack (`bot.slack.http.http_app`, dispatch in the
    thread pool, `process_before_response=True`, as `coregroup serve` runs): Bolt's own Starlette
    adapter dispatches on the event loop and polls its ack every 10 ms, which flattered the
    ratio (issue 17)."""
    import uvicorn
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.slack.http import http_app

    app = App(
        client=WebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET, process_before_response=True
    )

    @app.command("/coregroup")
    def trivial(ack: object) -> None:
        ack("ok")  # type: ignore[operator]

    uvicorn.run(http_app(app), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def seed(db: Path) -> None:
    """One active case with members, a held and a scheduled meeting, actions and a visit."""
    from bot.clock import LONDON
    from storage import migrate
    from storage import repository as repo
    from storage.db import Store, make_engine

    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    store = Store(engine)
    now = datetime.now(LONDON)
    today = now.date()
    start = today - timedelta(days=30)
    with store.transaction() as s:
        repo.create_case(
            s,
            actor="bench",
            now=now,
            profile="suffolk",
            plan="cp",
            start=start,
            registered=start,
            reference="CG-0001",
        )
        repo.link_channel(s, "CG-0001", actor="bench", now=now, kind="slack", channel_id=CHANNEL)
        ids: list[int] = []
        for user, role in zip(
            USERS, ("lead_social_worker", "health_visitor", "teacher", "police"), strict=True
        ):
            m = repo.add_member(
                s,
                "CG-0001",
                actor="bench",
                now=now,
                display_name=f"M {user}",
                role=role,
                addresses={"slack": user},
                joined_on=start,
            )
            assert m.id is not None
            ids.append(m.id)
        held = repo.record_held_meeting(
            s,
            "CG-0001",
            actor="bench",
            now=now,
            starts_at=datetime.combine(
                start + timedelta(days=10), datetime.min.time(), tzinfo=LONDON
            ).replace(hour=10),
        )
        assert held.id is not None
        repo.record_attendance(
            s, "CG-0001", held.id, actor="bench", now=now, attended=ids[:3], apologies=ids[3:]
        )
        nxt = repo.schedule_meeting(s, "CG-0001", actor="bench", now=now, starts_at=now + timedelta(days=7))
        assert nxt.id is not None
        repo.request_reports(s, "CG-0001", nxt.id, ids[3:], actor="bench", now=now)
        repo.record_visit(
            s,
            "CG-0001",
            actor="bench",
            now=now,
            on=today - timedelta(days=3),
            by="lead_social_worker",
            member_id=ids[0],
            seen_alone=True,
        )
        for i in range(3):
            repo.add_action(
                s,
                "CG-0001",
                actor="bench",
                now=now,
                text=f"Action {i + 1}",
                owner_member_id=ids[i],
                due_on=today + timedelta(days=i),
            )
    engine.dispose()


def start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def wait_healthy(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the load ------------------------------------------------------------------------------------


def load(url: str, rate: float, seconds: float, response_url: str) -> tuple[list[float], int]:
    """Open-loop: request i is sent at t0 + i/rate. Returns latencies (s) and failures."""
    import httpx
    from fakes import signing

    n = int(rate * seconds)
    reqs = [
        signing.slash_command(
            "status", user_id="U0LEAD", channel_id=CHANNEL, response_url=response_url, secret=SECRET
        )
        for _ in range(n)
    ]
    latencies: list[float] = []
    trace: list[tuple[float, float]] = []
    failures = 0
    lock = threading.Lock()
    client = httpx.Client(
        base_url=url, timeout=10, limits=httpx.Limits(max_connections=200, max_keepalive_connections=200)
    )
    warm = [
        signing.slash_command(
            "status", user_id="U0LEAD", channel_id=CHANNEL, response_url=response_url, secret=SECRET
        )
        for _ in range(5)
    ]
    for r in warm:  # warm connections and code paths (and let their slow work finish): unmeasured
        client.post("/slack/events", content=r.body.encode(), headers=r.headers)
    time.sleep(2)

    def one(i: int, t0: float) -> None:
        nonlocal failures
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        req = reqs[i]
        sent = time.perf_counter()
        try:
            resp = client.post("/slack/events", content=req.body.encode(), headers=req.headers)
            ok = resp.status_code == 200
        except httpx.HTTPError:
            ok = False
        took = time.perf_counter() - sent
        with lock:
            if ok:
                latencies.append(took)
                if os.environ.get("BENCH_TRACE"):
                    trace.append((sent - t0, took))
            else:
                failures += 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        # start every sender thread before the clock starts, so spawning them is not measured
        barrier = threading.Barrier(65)
        for _ in range(64):
            pool.submit(barrier.wait)
        barrier.wait()
        t0 = time.perf_counter() + 0.5
        for i in range(n):
            pool.submit(one, i, t0)
    client.close()
    if trace:
        worst = sorted(trace, key=lambda t: -t[1])[:12]
        print(
            "   slowest (sent at s, took ms):", ", ".join(f"{a:.2f}:{b * 1000:.0f}" for a, b in sorted(worst))
        )
        print(f"   p90 {pct(latencies, 90):.1f} p95 {pct(latencies, 95):.1f} max {max(latencies) * 1000:.1f}")
    return latencies, failures


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each run")
    parser.add_argument(
        "--sweep-cases",
        type=int,
        default=0,
        metavar="N",
        help="also fill the bot's database with N cases (bench/sweep.py's) and have it re-plan them "
        "all every minute while it is measured (a full sweep of N cases during the load)",
    )
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        serve_fake()
        return 0
    if args.bare:
        serve_bare(args.bare, args.api)
        return 0

    py = sys.executable
    fake = start([py, __file__, "--fake"])
    assert fake.stdout is not None
    fake_port = int(fake.stdout.readline())
    api_url = f"http://127.0.0.1:{fake_port}/api/"
    response_url = f"http://127.0.0.1:{fake_port}/response/bench"
    procs = [fake]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            if args.sweep_cases:
                sys.path.insert(0, str(ROOT / "bench"))
                import sweep as sweep_bench  # bench/sweep.py: its cases, filled directly

                sweep_bench.fill(f"sqlite:///{db}", args.sweep_cases)
            seed(db)
            bare_port, bot_port = free_port(), free_port()
            bare = start([py, __file__, "--bare", str(bare_port), "--api", api_url])
            procs.append(bare)
            env = {
                **os.environ,
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": api_url,
                "DATABASE_URL": f"sqlite:///{db}",
            }
            env.pop("SLACK_APP_TOKEN", None)
            if args.sweep_cases:  # a full re-plan of every case every minute, in the bot
                env.update(COREGROUP_SWEEP_MINUTES="1", COREGROUP_FULL_SWEEP_HOURS="0")
            bot = start([str(Path(py).with_name("coregroup")), "serve", "--port", str(bot_port)], env)
            procs.append(bot)
            bare_url, bot_url = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{bot_port}"
            wait_healthy(bare_url, bare)
            wait_healthy(bot_url, bot)
            print(
                f"{args.rate:g} requests/s for {args.seconds:g} s each, "
                f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
            )
            results = {}
            print(f"load average before: {os.getloadavg()[0]:.1f}")
            for name, url in (("bare Bolt", bare_url), ("coregroup", bot_url)):
                # With --sweep-cases the bot's run spans at least one of its minutely full sweeps.
                seconds = (
                    max(args.seconds, 65.0) if args.sweep_cases and name == "coregroup" else args.seconds
                )
                lat, failed = load(url, args.rate, seconds, response_url)
                results[name] = (pct(lat, 50), pct(lat, 99), len(lat), failed)
                p50, p99, ok, bad = results[name]
                print(
                    f"{name:>10}: p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({ok} acknowledged, {bad} failed)"
                )
            ratio = results["coregroup"][1] / results["bare Bolt"][1]
            print(
                f"{'ratio':>10}: p99 coregroup / bare = {ratio:.2f} "
                f"(p50 ratio {results['coregroup'][0] / results['bare Bolt'][0]:.2f})"
            )
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            if args.sweep_cases:
                print(f"during the coregroup run the bot re-planned {args.sweep_cases:,} cases every minute")
            goal = results["coregroup"][1] < 100 and ratio <= 1.5
            print(f"goal (p99 < 100 ms, ratio <= 1.5): {'met' if goal else 'NOT met'}")
            return 0 if goal else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.sweep_cases and len(procs) == 3 and procs[2].stderr is not None:
            swept = procs[2].stderr.read().count("sweep done")
            print(f"sweeps the bot finished while it ran (start to stop): {swept}")


if __name__ == "__main__":
    raise SystemExit(main())
