"""Retention cannot be bypassed from the command line.

Before: `coregroup purge` had a hidden `--now` option, so anyone at the terminal could set the clock
a year ahead and delete a case closed today, defeating the retention floor (never under 3 months).
Now there is no clock option on `purge` (nor on `export`, whose audit line would be backdated);
tests inject a clock through the code instead (`bot.cli_storage.CLOCK`, `purge_closed_cases(now=)`).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fakes.env import migrated_template
from fakes.slack_harness import TOKEN, SlackHarness
from sqlalchemy import text

from bot.cli import main
from bot.clock import london_today, system_clock
from bot.delivery import Delivery, Pacer
from bot.scheduler import SweepJob
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store

A = "slack:U0LEAD"


@pytest.fixture
def closed_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A deployment (SQLite) with one case, closed just now by the real clock the CLI reads."""
    db = migrated_template(tmp_path)
    for name in ("COREGROUP_RETENTION_MONTHS", "COREGROUP_AUDIT_ANCHOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    store = Store.open(f"sqlite:///{db}")
    try:
        now = system_clock()
        with store.transaction() as s:
            ref = repo.create_case(
                s, actor=A, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
            ).reference
            repo.close_case(s, ref, actor=A, now=now)
    finally:
        store.dispose()
    return f"sqlite:///{db}"


def _cases(url: str) -> list[str]:
    store = Store.open(url)
    try:
        with store.read() as s:
            return [c.reference for c in repo.list_cases(s, status=None)]
    finally:
        store.dispose()


def test_purge_has_no_clock_option_and_a_case_closed_today_survives(
    closed_today: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tomorrow = (london_today(system_clock) + timedelta(days=1)).isoformat()
    with pytest.raises(SystemExit) as exit_:
        main(["purge", "--closed-before", tomorrow, "--now", "2099-01-01T00:00"])
    assert exit_.value.code == 2
    assert "--now" in capsys.readouterr().err
    assert _cases(closed_today) == ["CG-0001"]
    # Without the option the retention floor refuses, as it always did.
    assert main(["purge", "--closed-before", tomorrow]) == 2
    assert "retention" in capsys.readouterr().err
    assert _cases(closed_today) == ["CG-0001"]


def test_export_has_no_clock_option(
    closed_today: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", "CG-0001", "--out", str(tmp_path / "out"), "--now", "1999-01-01T00:00"])
    assert exit_.value.code == 2
    assert not (tmp_path / "out").exists()


def test_the_request_log_is_pruned_after_its_retry_window(slack: SlackHarness) -> None:
    """`processed_request` (the retry dedup behind `repo.first_time`) grew forever; the sweep tick
    now drops ids older than a day, long after Slack's last retry, and keeps newer ones."""
    slack.clock.set("2027-01-04T14:00")
    assert slack.command("new CG-0001 profile:suffolk plan:cp start:2027-01-04").status_code == 200
    slack.clock.set("2027-01-05T13:00")  # 23 hours later: still inside the window
    assert slack.command("new CG-0002 profile:suffolk plan:cp start:2027-01-04").status_code == 200
    assert _request_keys(slack.store) == 2
    port = SlackChat(make_client(TOKEN, slack.fake.base_url))
    slack.clock.set("2027-01-05T14:30")  # the first is 24 h 30 min old, the second 1 h 30 min
    job = SweepJob(
        slack.store,
        port,
        slack.clock,
        delivery=Delivery(slack.store, port, clock=slack.clock, worker="t", pacer=Pacer(0)),
    )
    assert job.tick()
    assert _request_keys(slack.store) == 1


def _request_keys(store: Store) -> int:
    with store.read() as s:
        return int(s.execute(text("SELECT count(*) FROM processed_request")).scalar_one())
