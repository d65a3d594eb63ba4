"""Writes at a fixed rate through a real `coregroup serve`, and a SIGTERM in the middle.

    .venv/bin/python bench/writes.py [--rate 100] [--seconds 20] [--sigterm-at 10] [--grace 20]

The fake Slack Web API (tests/fakes/slack_api.py) runs in this process, so it can see when each
answer arrives; the bot runs as `coregroup serve` (HTTP mode, SQLite, one case) pointed at it.
This process signs `/coregroup action add "B000042" due:…` commands as Slack does and sends them
open-loop (one every 1/rate s, whether or not the last has answered). The ack latency is from
sending to the HTTP response (Slack's acknowledgement); the reply latency is from sending to the
fake receiving the channel post that names the new action (the answer to `action add`; after a
restart, "Done already" through the response_url counts too).

With `--sigterm-at S` the bot gets SIGTERM S seconds in: it stops taking requests (those sent
after are refused and are not acknowledged: Slack would show an error and the user may resend),
gets `--grace` seconds to finish, and is started again; the bench then waits until every
acknowledged command is recorded. It prints acked vs recorded (and recorded twice), the
latencies, the bot process's CPU per acknowledged write (user + system from /proc, every thread:
a write's whole cost, acknowledgement, work and answer), and the machine's load average. A
bench run by hand, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes import signing  # noqa: E402
from fakes.slack_api import FakeSlackAPI, User  # noqa: E402
from fakes.slack_harness import all_text  # noqa: E402

TOKEN = "xoxb-bench"
TITLE = re.compile(r"B(\d{6})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Bot:
    def __init__(
        self, fake: FakeSlackAPI, db_url: str, log: Path, grace: float, workers: int, port: int | None = None
    ) -> None:
        import httpx

        self.port = port or _free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("SLACK_APP_TOKEN", "DATABASE_URL", "COREGROUP_SQLITE_PATH")
        }
        env.update(
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN=TOKEN,
            PYTHONPATH=str(ROOT),
            SLACK_SIGNING_SECRET=signing.SIGNING_SECRET,
            SLACK_API_URL=fake.base_url,
        )
        self._out = log.open("a")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *(
                    [str(ROOT / "bench" / "_sampled.py")]
                    if os.environ.get("COREGROUP_BENCH_SAMPLES")
                    else ["-m", "bot.cli"]
                ),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--grace",
                str(grace),
            ],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve exited; see {log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU the bot's process has used so far (Linux /proc), its threads too."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._out.close()


def run(
    rate: int, seconds: float, sigterm_at: float | None, grace: float, workers: int, quiet: bool = False
) -> dict[str, Any]:
    import httpx
    from sqlalchemy import select

    from storage import inbound, migrate
    from storage.db import Store, make_engine
    from storage.models import PlanAction

    say = (lambda *a: None) if quiet else print
    tmp = Path(tempfile.mkdtemp(prefix="coregroup-writes-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    engine.dispose()
    log = tmp / "serve.log"
    users = [User("U0LEAD", "lead", "Lead Social Worker", "lead@example.org")]
    load_before = os.getloadavg()
    with FakeSlackAPI(TOKEN, users=users) as fake:
        bot = Bot(fake, db_url, log, grace, workers)
        start, due = date.today() - timedelta(days=14), date.today() + timedelta(days=30)
        http = httpx.Client(
            base_url=bot.url,
            timeout=10,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        setup = signing.slash_command(
            f"new CG-0001 profile:suffolk plan:cp start:{start}", response_url=fake.response_url("setup")
        )
        http.post("/slack/events", content=setup.body.encode(), headers=setup.headers)
        fake.wait_for("pins.add", timeout=30)
        channel = fake.channel_named("cg-cg-0001")
        assert channel is not None

        total = int(rate * seconds)
        sent_at: dict[int, float] = {}
        acks: dict[int, float] = {}
        refused: list[int] = []
        lock = threading.Lock()

        def send(i: int) -> None:
            req = signing.slash_command(
                f'action add "B{i:06d}" due:{due}',
                channel_id=channel.id,
                response_url=fake.response_url(f"b{i:06d}"),
            )
            t0 = time.monotonic()
            with lock:
                sent_at[i] = t0
            try:
                r = http.post("/slack/events", content=req.body.encode(), headers=req.headers)
                ok = r.status_code == 200
            except httpx.TransportError:
                ok = False
            with lock:
                if ok:
                    acks[i] = time.monotonic() - t0
                else:
                    refused.append(i)

        stopped = threading.Event()
        bots = [bot]

        def terminate() -> None:
            t0 = time.monotonic()
            code = bots[0].stop(timeout=grace + 30)
            say(f"SIGTERM at {sigterm_at:.0f} s: serve exited {code} after {time.monotonic() - t0:.1f} s")
            bots.append(Bot(fake, db_url, log, grace, workers, port=bots[0].port))  # same port
            say(f"restarted {time.monotonic() - t0:.1f} s after the SIGTERM")
            stopped.set()

        cpu_before = bot.cpu_seconds()
        began = time.monotonic()
        stopper: threading.Thread | None = None
        with ThreadPoolExecutor(max_workers=100) as pool:
            for i in range(total):
                at = began + i / rate
                if sigterm_at is not None and stopper is None and at - began >= sigterm_at:
                    stopper = threading.Thread(target=terminate)
                    stopper.start()
                delay = at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(send, i)
        if stopper is not None:
            stopped.wait()
        bot = bots[-1]
        acked = set(acks)

        def replied() -> dict[int, float]:
            out: dict[int, float] = {}
            for c in fake.calls:
                if not c.ok:
                    continue
                if c.method == "chat.postMessage":
                    found = TITLE.findall(all_text(c.args))
                elif c.method == "response_url" and c.path.rsplit("/", 1)[-1].startswith("b"):
                    found = [c.path.rsplit("/", 1)[-1][1:]]
                else:
                    continue
                for n in found:
                    out.setdefault(int(n), c.answered_at)
            return out

        store = Store(make_engine(db_url))

        def recorded() -> Counter[int]:
            with store.read() as s:
                return Counter(
                    int(m.group(1))
                    for t in s.scalars(select(PlanAction.text))  # type: ignore[call-overload]
                    if (m := TITLE.search(t))
                )

        deadline = time.monotonic() + 600
        while not (acked <= set(recorded()) and acked <= set(replied())):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        finished = time.monotonic() - began
        # CPU of the bot's process per acknowledged write (one process: without a restart).
        cpu_per_write = (
            (bot.cpu_seconds() - cpu_before) / max(1, len(acked)) if len(bots) == 1 else float("nan")
        )
        rec = recorded()
        rep = replied()
        bot.stop(timeout=grace + 30)
        http.close()
        with store.read() as s:
            left = inbound.waiting(s)
            dead = inbound.dead_count(s)
        store.dispose()
    reply_lat = [rep[i] - sent_at[i] for i in acked if i in rep]
    result = {
        "sent": total,
        "acked": len(acked),
        "refused": len(refused),
        "recorded": len(set(rec) & acked),
        "lost": len(acked - set(rec)),
        "twice": sum(1 for n in rec.values() if n > 1),
        "replied": len(acked & set(rep)),
        "queue_left": left,
        "dead": dead,
        "ack_p50": _pct(list(acks.values()), 50),
        "ack_p99": _pct(list(acks.values()), 99),
        "reply_p50": _pct(reply_lat, 50),
        "reply_p99": _pct(reply_lat, 99),
        "reply_max": max(reply_lat, default=float("nan")),
        "all_done_after": finished,
        "cpu_per_write": cpu_per_write,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    say(
        f"{total} action add sent at {rate}/s over {seconds:.0f} s; {len(acked)} acknowledged, "
        f"{len(refused)} refused (not acknowledged) while it stopped and restarted"
    )
    say(
        f"recorded {result['recorded']} of {len(acked)} acknowledged (lost {result['lost']}, "
        f"recorded twice {result['twice']}); replied to {result['replied']}; "
        f"queue left {left}, dead {dead}"
    )
    say(f"ack latency   p50 {result['ack_p50'] * 1000:.1f} ms  p99 {result['ack_p99'] * 1000:.1f} ms")
    say(
        f"reply latency p50 {result['reply_p50']:.2f} s  p99 {result['reply_p99']:.2f} s  "
        f"max {result['reply_max']:.2f} s; everything done {finished:.1f} s after the first send"
    )
    say(f"bot CPU per write {cpu_per_write * 1000:.1f} ms (user + system of the serve process)")
    say(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
        f"after {result['load_after'][0]:.2f} {result['load_after'][1]:.2f} "
        f"{result['load_after'][2]:.2f} ({os.cpu_count()} cores)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--sigterm-at", type=float, default=None, help="send SIGTERM this many seconds in, then restart"
    )
    parser.add_argument("--grace", type=float, default=20)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    run(args.rate, args.seconds, args.sigterm_at, args.grace, args.workers)


if __name__ == "__main__":
    main()
