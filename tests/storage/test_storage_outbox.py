"""The reminder outbox: one row per key, leased claims, and exactly-once claiming across
processes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from storage import audit, outbox
from storage import repository as repo
from storage.db import Store
from storage.errors import InvalidState, InvalidValue, UnknownRecord

WORKER = Path(__file__).with_name("outbox_worker.py")


def new_case(store: Store, now: datetime) -> int:
    with store.transaction() as s:
        c = repo.create_case(s, actor="cli", now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18))
        assert c.id is not None
        return c.id


def test_same_key_twice_is_a_no_op(store: Store, now: datetime) -> None:
    cid = new_case(store, now)
    key = {"case_id": cid, "rule": "minutes_circulated", "subject": "meeting:7", "stage": "due"}
    with store.transaction() as s:
        first = outbox.enqueue(
            s, **key, recipient="member:3", due_at=now, now=now, payload={"kind": "minutes_due"}
        )
        again = outbox.enqueue(s, **key, recipient="member:4", due_at=now, now=now)
        other = outbox.enqueue(
            s, **{**key, "stage": "overdue"}, recipient="channel", due_at=now + timedelta(days=1), now=now
        )
    assert first is not None and again is None and other is not None
    with store.transaction() as s:  # and in a later transaction (the next sweep)
        assert outbox.enqueue(s, **key, recipient="member:3", due_at=now, now=now) is None
    with store.read() as s:
        rows = outbox.reminders(s, case_id=cid)
    assert [(r.stage, r.recipient) for r in rows] == [("due", "member:3"), ("overdue", "channel")]
    assert rows[0].payload == {"kind": "minutes_due"}


def test_enqueue_refuses_bad_keys(store: Store, now: datetime) -> None:
    cid = new_case(store, now)
    with pytest.raises(InvalidValue), store.transaction() as s:
        outbox.enqueue(
            s, case_id=cid, rule="", subject="x", stage="due", recipient="channel", due_at=now, now=now
        )
    with pytest.raises(UnknownRecord), store.transaction() as s:
        outbox.enqueue(
            s, case_id=cid + 100, rule="r", subject="x", stage="due", recipient="channel", due_at=now, now=now
        )


def test_claim_lease_retry_and_give_up(store: Store, now: datetime) -> None:
    cid = new_case(store, now)
    with store.transaction() as s:
        for i in range(3):
            outbox.enqueue(
                s,
                case_id=cid,
                rule="r",
                subject=f"s{i}",
                stage="due",
                recipient="channel",
                due_at=now + timedelta(minutes=i),
                now=now,
            )
    with store.transaction() as s:
        assert outbox.claim_due(s, now=now - timedelta(seconds=1), limit=10, worker="a") == []
        got = outbox.claim_due(s, now=now + timedelta(minutes=1), limit=10, worker="a")
    assert [r.subject for r in got] == ["s0", "s1"]  # s2 is not due yet
    later = now + timedelta(minutes=2)
    with store.transaction() as s:
        # a's lease still holds: b only gets the one newly due.
        s2 = outbox.claim_due(s, now=later, limit=10, worker="b")
        assert [r.subject for r in s2] == ["s2"]
        outbox.mark_sent(s, got[0].id or 0, now=later, worker="a")
        outbox.mark_failed(s, s2[0].id or 0, now=later, worker="b", error="channel_not_found", retry_at=None)
    # "a" crashed before sending s1: after the lease it comes back, attempts counted.
    after_lease = now + timedelta(minutes=1) + outbox.DEFAULT_LEASE + timedelta(seconds=1)
    with store.transaction() as s:
        assert outbox.claim_due(s, now=after_lease - timedelta(seconds=2), limit=10, worker="b") == []
        again = outbox.claim_due(s, now=after_lease, limit=10, worker="b")
        assert [(r.subject, r.attempts, r.claimed_by) for r in again] == [("s1", 2, "b")]
        outbox.mark_failed(
            s,
            again[0].id or 0,
            now=after_lease,
            worker="b",
            error="HTTP 429",
            retry_at=after_lease + timedelta(minutes=10),
        )
    with store.transaction() as s:
        assert outbox.claim_due(s, now=after_lease + timedelta(minutes=9), limit=10, worker="c") == []
        retry = outbox.claim_due(s, now=after_lease + timedelta(minutes=10), limit=10, worker="c")
        assert [r.subject for r in retry] == ["s1"]
        outbox.mark_sent(s, retry[0].id or 0, now=after_lease, worker="c")
    with store.read() as s:
        status = {r.subject: (r.status, r.last_error) for r in outbox.reminders(s, case_id=cid)}
        assert status == {"s0": ("sent", None), "s1": ("sent", None), "s2": ("dead", "channel_not_found")}
        sent = [e for e in audit.history(s, "CG-0001") if e.action == "reminder.sent"]
        assert len(sent) == 2
    with pytest.raises(InvalidState), store.transaction() as s:
        outbox.mark_sent(s, retry[0].id or 0, now=after_lease, worker="c")


def test_two_processes_claim_every_row_exactly_once(
    backend: str, db_url: str, store: Store, now: datetime, tmp_path: Path
) -> None:
    n = 300
    cids = [new_case(store, now) for _ in range(3)]
    with store.transaction() as s:
        for i in range(n):
            outbox.enqueue(
                s,
                case_id=cids[i % 3],
                rule="written_report",
                subject=f"m:{i}",
                stage="due",
                recipient=f"member:{i}",
                due_at=now,
                now=now,
            )
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), db_url, f"w{k}", str(go), now.isoformat()],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    claimed: list[list[int]] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        claimed.append(json.loads(out.strip().splitlines()[-1]))
    everything = Counter(claimed[0] + claimed[1])
    with store.read() as s:
        rows = outbox.reminders(s)
        assert audit.verify(s).ok  # both processes appended to one unbroken chain
    assert set(everything) == {r.id for r in rows}
    assert all(c == 1 for c in everything.values()), "a reminder was claimed twice"
    assert {r.status for r in rows} == {"sent"}
    assert all(r.attempts == 1 for r in rows)
    if backend == "postgres":  # SKIP LOCKED lets both work at once
        assert claimed[0] and claimed[1]
