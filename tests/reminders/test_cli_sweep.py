"""`coregroup sweep [--now ISO] [--dry-run]` on a SQLite file, without Slack (console adapter)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from world import ACTOR, london, new_case

from bot.cli import main
from storage import outbox
from storage import repository as repo
from storage.db import Store


@pytest.fixture
def db(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = store.engine.url.database
    assert path
    for var in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", path)
    c = new_case(
        store,
        london(date(2027, 1, 6), "10:00"),
        reference="CG-0001",
        profile="suffolk",
        start=date(2027, 1, 5),
        prefix="A",
    )
    with store.transaction() as s:
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=london(date(2027, 1, 6), "10:00"),
            starts_at=london(date(2027, 1, 19), "10:00"),
            chair_member_id=c.members["lead"],
        )
    return store


def test_dry_run_prints_what_would_go_and_writes_nothing(
    db: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "--now", "2027-01-12T08:00", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "CG-0001  attendance             member:2               Tue 12 Jan 2027 09:00",
        "CG-0001  attendance             member:3               Tue 12 Jan 2027 09:00",
    ]
    assert out[-1] == "dry run: 2 reminder(s) planned for 1 active case(s); nothing written or sent"
    with db.read() as s:
        assert outbox.reminders(s) == []


def test_a_sweep_without_slack_prints_the_messages(db: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--now", "2027-01-12T09:30"]) == 0
    out = capsys.readouterr().out
    assert "CG-0001  attendance             member:2               Tue 12 Jan 2027 09:30  sent" in out
    assert "coregroup → @UAHV (direct message)" in out
    assert "CG-0001: are you coming to the core group on Tue 19 Jan?" in out
    assert out.rstrip().endswith("2 new reminder(s) queued for 1 changed or due case(s); 2 sent now")
    # Again: nothing new (the case is not even re-planned), nothing sent twice.
    assert main(["sweep", "--now", "2027-01-12T09:40"]) == 0
    assert (
        capsys.readouterr()
        .out.rstrip()
        .endswith("0 new reminder(s) queued for 0 changed or due case(s); 0 sent now")
    )
    # A full re-plan reads the case again and still queues nothing twice.
    assert main(["sweep", "--full", "--now", "2027-01-12T09:50"]) == 0
    assert (
        capsys.readouterr().out.rstrip().endswith("0 new reminder(s) queued for 1 active case(s); 0 sent now")
    )


def test_outside_working_hours_it_queues_for_the_morning(
    db: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "--now", "2027-01-12T07:00"]) == 0
    assert (
        capsys.readouterr()
        .out.rstrip()
        .endswith("2 new reminder(s) queued for 1 changed or due case(s); 0 sent now")
    )


def test_a_bad_time_is_refused_kindly(db: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["sweep", "--now", "tuesday"]) == 2
    err = capsys.readouterr().err
    assert "--now 'tuesday' is not a time; try --now 2027-01-05T09:30" in err
