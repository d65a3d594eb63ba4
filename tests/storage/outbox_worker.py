"""A separate process that drains the outbox (used by test_storage_outbox: real processes, each
with its own engine and connections, not threads sharing a session).

    python outbox_worker.py DATABASE_URL WORKER_NAME GO_FILE NOW_ISO

Prints "ready", waits for GO_FILE to exist (so both workers start together), then claims in small
batches and marks each reminder sent until nothing is due; prints the ids it claimed as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from storage import outbox
from storage.db import Store


def main(url: str, worker: str, go_file: str, now_iso: str) -> int:
    store = Store.open(url)
    now = datetime.fromisoformat(now_iso)
    print("ready", flush=True)
    go = Path(go_file)
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.002)
    claimed: list[int] = []
    while True:
        with store.transaction() as s:
            ids = [r.id for r in outbox.claim_due(s, now=now, limit=5, worker=worker)]
        if not ids:
            break
        claimed += [i for i in ids if i is not None]
        for rid in ids:
            assert rid is not None
            with store.transaction() as s:
                outbox.mark_sent(s, rid, now=now, worker=worker)
    store.dispose()
    print(json.dumps(claimed), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:5]))
