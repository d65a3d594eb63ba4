"""Tamper evidence covers the end of the audit chain.

Before: deleting the newest audit events, or all of them, left a valid (shorter) chain, and
`coregroup audit verify` reported "intact". Now every commit that appends to the log moves an
anchor outside the table (the newest event's id and hash: a file, and a log line every 100
events), and `audit verify` checks the table still reaches it, naming what is missing.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import load_settings
from storage import repository as repo
from storage.db import Store, make_engine

DEMO = Path(__file__).resolve().parents[1] / "console" / "demo.txt"


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A SQLite deployment run through the console (the real store, so the real anchor)."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
        "COREGROUP_AUDIT_ANCHOR",
    ):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "council" / "coregroup.db"
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(db))
    assert main(["console", "--user", "U0LEAD", "--now", "2027-01-04T14:00", str(DEMO)]) == 0
    return db


def sql(db: Path, statement: str) -> None:
    """What someone with the database file could do: drop the append-only triggers, then delete."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def last_event(db: Path) -> tuple[int, str]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").one()
    finally:
        engine.dispose()
    return int(row[0]), str(row[1])


def test_untouched_log_is_intact_up_to_its_anchor(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    last_id, last_hash = last_event(deployment)
    anchor = deployment.with_name("coregroup.db.audit-anchor")
    assert json.loads(anchor.read_text()) == {"id": last_id, "hash": last_hash}
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"audit log intact: {last_id} events" in out
    assert f"reaches event #{last_id}, where it was anchored" in out


def test_deleting_the_newest_events_is_detected_and_named(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last_id, _ = last_event(deployment)
    sql(deployment, f"DELETE FROM audit_event WHERE id > {last_id - 5}")
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert (
        f"the events after #{last_id - 5} are missing: the log ends at #{last_id - 5} "
        f"but was anchored at #{last_id}"
    ) in out


def test_deleting_every_event_is_detected(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last_id, _ = last_event(deployment)
    sql(deployment, "DELETE FROM audit_event")
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert (
        f"every event is missing: the log is empty but was anchored at #{last_id}" in capsys.readouterr().out
    )


def test_replacing_the_anchored_event_is_detected(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Delete the newest event and write a different one in its place, re-hashed and linked."""
    from storage import audit

    last_id, last_hash = last_event(deployment)
    engine = make_engine(f"sqlite:///{deployment}")
    with engine.connect() as conn:
        prev = conn.exec_driver_sql(f"SELECT hash FROM audit_event WHERE id = {last_id - 1}").scalar_one()
    engine.dispose()
    sql(deployment, f"DELETE FROM audit_event WHERE id = {last_id}")
    store = Store(make_engine(f"sqlite:///{deployment}"))  # no anchor: the attacker's own writer
    try:
        with store.transaction() as s:
            from bot.clock import system_clock

            ev = audit.append(s, actor="cli", now=system_clock(), action="case.viewed")
            assert ev.id == last_id and ev.prev_hash == prev and ev.hash != last_hash
    finally:
        store.dispose()
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"broken at event {last_id}" in out and "end of the log was replaced" in out


def test_an_anchor_from_the_log_catches_a_truncation_that_also_removed_the_file(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last_id, last_hash = last_event(deployment)
    sql(deployment, f"DELETE FROM audit_event WHERE id > {last_id - 3}")
    deployment.with_name("coregroup.db.audit-anchor").unlink()
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0  # the chain alone cannot tell ...
    assert "note: no audit anchor" in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", f"{last_id}:{last_hash}"]) == 1  # ... the log can
    assert f"anchored at #{last_id}" in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", "yesterday"]) == 2


def test_anchor_log_lines_name_a_real_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every 100 events a line a log collector keeps: `audit anchor <id>:<hash>`."""
    from datetime import date

    from fakes.env import migrated_template

    from bot.clock import system_clock

    db = migrated_template(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(db))
    monkeypatch.setenv("COREGROUP_AUDIT_ANCHOR", str(tmp_path / "elsewhere" / "anchor.json"))
    caplog.set_level(logging.INFO, logger="coregroup.audit")
    store = Store.open(load_settings())
    try:
        for n in range(1, 111):
            with store.transaction() as s:
                repo.create_case(
                    s,
                    actor="cli",
                    now=system_clock(),
                    profile="suffolk",
                    plan="cp",
                    start=date(2027, 1, 4),
                    reference=f"CG-{n:04d}",
                )
    finally:
        store.dispose()
    lines = [r.getMessage() for r in caplog.records if r.name == "coregroup.audit"]
    (line,) = [m for m in lines if m.startswith("audit anchor ")]
    at, digest = re.fullmatch(r"audit anchor (\d+):([0-9a-f]{64})", line).groups()  # type: ignore[union-attr]
    assert int(at) >= 100
    assert (tmp_path / "elsewhere" / "anchor.json").exists()
    assert main(["audit", "verify", "--anchor", f"{at}:{digest}"]) == 0
