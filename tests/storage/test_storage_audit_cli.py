"""The audit chain, and `coregroup db|audit|export|purge` end to end on both backends."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.cli import main
from bot.clock import fixed_clock
from storage import audit, migrate
from storage import repository as repo
from storage.db import Store, make_engine

A = "slack:U0LEAD"


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("COREGROUP_RETENTION_MONTHS", raising=False)
    return db_url


def seed(store: Store, now: datetime) -> str:
    with store.transaction() as s:
        ref = repo.create_case(
            s, actor=A, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
        ).reference
        lead = repo.add_member(
            s, ref, actor=A, now=now, display_name="Lead Worker", role="lead social worker"
        )
        hv = repo.add_member(
            s, ref, actor=A, now=now, display_name="Visitor Health", role="health visitor", agency="NHS"
        )
        m = repo.schedule_meeting(
            s, ref, actor=A, now=now, starts_at=now + timedelta(days=1), venue="Family centre"
        )
        repo.request_reports(s, ref, m.id, [hv.id], actor=A, now=now)
        repo.submit_report(s, ref, m.id, hv.id, "Weighed on Monday.", actor=A, now=now)
        repo.add_action(
            s,
            ref,
            actor=A,
            now=now,
            text="GP to review medication",
            owner_member_id=lead.id,
            due_on=date(2027, 1, 20),
        )
    later = now + timedelta(days=1, hours=3)
    with store.transaction() as s:
        repo.record_attendance(s, ref, m.id, actor=A, now=later, attended=[lead.id], apologies=[hv.id])
        repo.hold_meeting(s, ref, m.id, actor=A, now=later)
        repo.record_visit(
            s, ref, actor=A, now=later, on=date(2027, 1, 5), by="lead_social_worker", seen_alone=True
        )
    return ref


def tamper(url: str, sql: str) -> None:
    """What someone with database access could do: get round the trigger, then edit."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            else:
                conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
                conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_chain_links_every_event(store: Store, now: datetime) -> None:
    seed(store, now)
    with store.read() as s:
        result = audit.verify(s)
        events = audit.history(s, "CG-0001")
    assert result.ok and result.checked == len(events) > 5
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))


def test_database_refuses_to_edit_or_delete_audit_rows(store: Store, now: datetime) -> None:
    seed(store, now)
    for sql in (
        "UPDATE audit_event SET actor = 'someone' WHERE id = 2",
        "DELETE FROM audit_event WHERE id = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as s:
            s.execute(text(sql))


def test_editing_one_audit_row_makes_verify_fail_and_name_it(
    cli_env: str, store: Store, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, now)
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    tamper(cli_env, "UPDATE audit_event SET after = '{\"stage\":1}' WHERE id = 4")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "broken at event 4" in out
    assert "edited" in out


def test_deleting_an_audit_row_is_detected(
    cli_env: str, store: Store, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, now)
    tamper(cli_env, "DELETE FROM audit_event WHERE id = 3")
    assert main(["audit", "verify"]) == 1
    assert "broken at event 4" in capsys.readouterr().out


def test_audit_show_lists_a_cases_history(
    cli_env: str, store: Store, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = seed(store, now)
    assert main(["audit", "show", ref.lower()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("#1 2027-01-04 09:00 slack:U0LEAD case.created case 1")
    assert any("meeting.held" in line and "'scheduled' → 'held'" in line for line in out)
    assert all("Lead Worker" not in line for line in out)
    assert main(["audit", "show", "CG-9999"]) == 2
    assert "no audit events for CG-9999" in capsys.readouterr().err


def test_export_writes_json_and_a_readable_document(
    cli_env: str,
    store: Store,
    now: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = seed(store, now)
    out_dir = tmp_path / "export"
    monkeypatch.setattr("bot.cli_storage.CLOCK", fixed_clock(datetime.fromisoformat("2027-01-06T10:00")))
    assert main(["export", ref, "--out", str(out_dir)]) == 0
    record: dict[str, Any] = json.loads((out_dir / f"{ref}-record.json").read_text())
    meeting = record["meetings"][0]
    assert meeting["status"] == "held" and meeting["venue"] == "Family centre"
    assert [p["name"] for p in meeting["attended"]] == ["Lead Worker"]
    assert [p["name"] for p in meeting["apologies"]] == ["Visitor Health"]
    assert meeting["written_reports"][0]["text"] == "Weighed on Monday."
    assert record["plan_actions"][0]["text"] == "GP to review medication"
    assert record["visits"][0]["seen_alone"] is True
    assert record["engine_state"]["meetings"][0]["status"] == "held"
    assert record["audit"][0]["action"] == "case.created"
    doc = (out_dir / f"{ref}-record.md").read_text()
    assert f"# Core group record: {ref}" in doc
    assert "Tue 5 Jan 2027 09:00 — core group (held)" in doc
    assert "Apologies: Visitor Health" in doc
    assert "  > Weighed on Monday." in doc
    with store.read() as s:
        assert audit.history(s, ref)[-1].action == "case.exported"
    assert main(["export", "CG-9999", "--out", str(out_dir)]) == 2
    assert "no core group with the reference" in capsys.readouterr().err


def test_purge_respects_retention_and_leaves_an_audit_line(
    cli_env: str,
    store: Store,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = seed(store, now)
    with store.transaction() as s:
        recent = repo.create_case(
            s, actor=A, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
        ).reference
        repo.close_case(s, old, actor=A, now=datetime.fromisoformat("2027-01-10T12:00+00:00"))
        repo.close_case(s, recent, actor=A, now=datetime.fromisoformat("2028-05-01T12:00+00:00"))
    # The clock is injected (the CLI has no --now: see tests/security/test_retention.py).
    monkeypatch.setattr("bot.cli_storage.CLOCK", fixed_clock(datetime.fromisoformat("2028-06-01T09:00")))
    today: list[str] = []
    # Inside the 12-month retention period: refused, nothing removed.
    assert main(["purge", "--closed-before", "2028-01-01", *today]) == 2
    assert "latest date allowed is 2027-06-02" in capsys.readouterr().err
    # Never under 3 months, whatever the deployment says.
    monkeypatch.setenv("COREGROUP_RETENTION_MONTHS", "1")
    assert main(["purge", "--closed-before", "2028-05-15", *today]) == 2
    assert "3-month retention period" in capsys.readouterr().err
    monkeypatch.delenv("COREGROUP_RETENTION_MONTHS")
    assert main(["purge", "--closed-before", "2027-06-01", "--dry-run", *today]) == 0
    assert f"would purge 1 closed case(s): {old}" in capsys.readouterr().out
    assert main(["purge", "--closed-before", "2027-06-01", *today]) == 0
    assert f"purged 1 closed case(s): {old}" in capsys.readouterr().out
    with store.read() as s:
        assert [c.reference for c in repo.list_cases(s, status=None)] == [recent]
        events = audit.history(s, old)
        assert events[-1].action == "case.purged"
        after = json.loads(events[-1].after or "{}")
        assert after["rows_removed"]["meeting"] == 1
        assert after["rows_removed"]["member"] == 2
        assert audit.verify(s).ok
    assert main(["purge", "--closed-before", "2027-06-01", *today]) == 0
    assert "nothing to purge" in capsys.readouterr().out
    assert main(["purge", "--closed-before", "2027-02-30", *today]) == 2
    assert "February 2027 has 28 days" in capsys.readouterr().err


def test_db_commands(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    assert main(["audit", "verify"]) == 2
    assert "Run: coregroup db upgrade" in capsys.readouterr().err
    assert main(["db", "current"]) == 1
    assert main(["db", "upgrade"]) == 0
    assert f"upgraded from empty to {migrate.head()}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert "(current)" in capsys.readouterr().out
    assert main(["db", "downgrade", "base"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert main(["audit", "verify"]) == 0
