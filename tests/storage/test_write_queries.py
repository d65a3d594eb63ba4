"""What a write asks the database (issue 17): a case read once a transaction, a batch's inbound
rows claimed in one statement, no snapshot recomputed for a change the snapshot does not hold.

Each is a saving that must not change an answer, so each test also checks the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, update

from storage import inbound
from storage import repository as repo
from storage.common import load_case
from storage.db import Store
from storage.errors import CaseClosed
from storage.models import CoreGroup


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements the store sends inside the block."""
    seen: list[str] = []

    def note(_conn: object, _cur: object, stmt: str, *_rest: object) -> None:
        seen.append(stmt)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def _case_reads(seen: list[str]) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT") and "FROM core_group" in s)


@pytest.fixture
def ref(store: Store, now: datetime) -> str:
    with store.transaction() as s:
        case = repo.create_case(s, actor="cli", now=now, profile="suffolk", plan="cp", start=date(2027, 1, 4))
        repo.link_channel(s, case.reference, actor="cli", now=now, kind="slack", channel_id="C0MEMO")
        return case.reference


def test_a_case_is_read_once_a_transaction(store: Store, ref: str) -> None:
    with store.read() as s, statements(store) as seen:
        first = repo.get_case(s, ref)
        again = [repo.get_case(s, ref.lower()) for _ in range(5)]
        repo.members(s, ref)
        repo.case_state(s, ref)
    assert all(c is first for c in again)
    assert _case_reads(seen) <= 2  # the case once; `case_state` reads its columns and snapshot
    with store.read() as s, statements(store) as seen:
        assert repo.get_case(s, ref).reference == ref
    assert _case_reads(seen) == 1  # a new transaction reads it afresh


def test_found_by_channel_counts_as_read(store: Store, ref: str) -> None:
    with store.read() as s, statements(store) as seen:
        by_channel = repo.case_by_channel(s, "C0MEMO")
        assert repo.get_case(s, ref) is by_channel
    assert _case_reads(seen) == 1


def test_what_another_transaction_wrote_is_seen_next_time(store: Store, ref: str, now: datetime) -> None:
    with store.read() as s:
        assert repo.get_case(s, ref).status == "active"
    with store.transaction() as s:
        repo.close_case(s, ref, actor="cli", now=now, reason="plan ended")
    with store.transaction() as s:
        with pytest.raises(CaseClosed):
            load_case(s, ref)  # a change to a closed case is still refused
        assert repo.get_case(s, ref).status == "closed"


def test_a_case_put_out_of_the_session_is_read_again(store: Store, ref: str) -> None:
    with store.read() as s:
        case = repo.get_case(s, ref)
        s.expunge(case)  # detached: what is remembered must not be handed out again
        fresh = repo.get_case(s, ref)
        assert fresh is not case and fresh.reference == ref


def test_a_flush_does_not_forget_but_a_rollback_does(store: Store, ref: str, now: datetime) -> None:
    with store.transaction() as s, statements(store) as seen:
        case = load_case(s, ref)
        repo.record_visit(s, ref, actor="cli", now=now, on=date(2027, 1, 4), by="lead_social_worker")
        assert load_case(s, ref) is case
        s.rollback()
        s.execute(update(CoreGroup).where(CoreGroup.reference == ref).values(digest=True))  # type: ignore[arg-type]
        assert load_case(s, ref).digest is True  # read again after the rollback
    assert _case_reads(seen) >= 2


def test_claim_many_takes_a_batch_in_one_statement(store: Store, now: datetime) -> None:
    with store.transaction() as s:
        ids = [
            inbound.add(s, platform="slack", kind="command", body={"n": k}, now=now, worker="me")
            for k in range(5)
        ]
    with store.transaction() as s:
        assert inbound.claim(s, ids[1], now=now, worker="other") is not None  # someone else has it
        inbound.done(s, ids[3])  # finished already
    with store.transaction() as s, statements(store) as seen:
        taken = inbound.claim_many(s, list(reversed(ids)), now=now, worker="me")
    assert [r.id for r in taken] == [ids[4], ids[2], ids[0]]  # in the order asked
    assert all(r.status == "claimed" and r.claimed_by == "me" and r.attempts == 1 for r in taken)
    assert [r.body for r in taken] == [{"n": 4}, {"n": 2}, {"n": 0}]
    assert sum(1 for q in seen if q.lstrip().upper().startswith("UPDATE")) == 1
    later = now + inbound.DEFAULT_LEASE + timedelta(seconds=1)
    with store.transaction() as s:
        again = inbound.claim_many(s, ids, now=later, worker="next")  # leases ran out
    assert [r.id for r in again] == [ids[0], ids[1], ids[2], ids[4]]
    assert {r.attempts for r in again} == {2}


def test_a_plan_action_leaves_the_snapshot_alone(store: Store, ref: str, now: datetime) -> None:
    """An action is not part of the engine's state: its write reads no child table (the
    snapshot stays what the tables give, which the incremental tests check after every change)."""
    with store.read() as s:
        before = repo.get_case(s, ref).state_snapshot
    with store.transaction() as s, statements(store) as seen:
        repo.add_action(
            s, ref, actor="cli", now=now, text="Book the review", owner_member_id=None, due_on=None
        )
    assert not any("FROM meeting" in q or "FROM visit" in q or "FROM escalation" in q for q in seen)
    with store.read() as s:
        assert repo.get_case(s, ref).state_snapshot == before
        assert repo.case_state(s, ref) == repo.case_state(s, ref, from_tables=True)
