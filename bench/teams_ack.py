"""Acknowledgement latency of `@coregroup status` on the Teams endpoint, and the cost of the
SDK's token validation in it.

    .venv/bin/python bench/teams_ack.py [--requests 300]

In one process: the fake Bot Framework (tests/fakes/teams_connector.py: OpenID metadata, JWKS,
Bot Connector), and the real Teams SDK app as `coregroup serve --teams` builds it, under uvicorn,
on a migrated SQLite file with one case. Requests are sent one after another, each a channel
message with its own activity id and a freshly signed token (RS256, 2048-bit key), so every one
runs the SDK's full JWT validation (the JWKS itself is cached by PyJWKClient after the first).
Latency is from sending to the HTTP 200, which is what Teams waits for (it expects it within 15 s).
The work after the ack (database, Bot Connector calls) runs on the worker, and is drained between
requests so it doesn't compete with the next acknowledgement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def main() -> None:
    from fakes.env import MovableClock, migrated_template, store_from
    from fakes.teams_connector import FakeTeams, channel_message
    from fakes.teams_harness import LEAD, ROSTER, running

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="teams-ack-"))
    store = store_from(migrated_template(directory), directory)
    with FakeTeams(roster=list(ROSTER)) as fake, running(fake, store, MovableClock()) as h:
        h.say(LEAD, "new CG-0001 profile:suffolk plan:cp start:2027-01-04")
        sign, ack = [], []
        for i in range(args.requests):
            activity = channel_message(fake, LEAD, "status", activity_id=f"bench-{i}")
            t0 = time.perf_counter()
            token = fake.key.token(service_url=activity["serviceUrl"])
            t1 = time.perf_counter()
            r = h.client.post("/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"})
            t2 = time.perf_counter()
            assert r.status_code == 200, r.text
            sign.append(t1 - t0)
            ack.append(t2 - t1)
            h.settle()
        ack.sort()
        p50 = statistics.median(ack) * 1000
        p99 = ack[int(len(ack) * 0.99) - 1] * 1000
        print(
            f"teams ack over {args.requests} signed activities: p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms (signing a token, test side: "
            f"{statistics.median(sign) * 1000:.1f} ms median)"
        )
        print(f"replies sent: {len(fake.activities())}, connector calls: {len(fake.calls)}")
    store.dispose()


if __name__ == "__main__":
    main()
