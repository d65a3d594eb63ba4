"""`coregroup console` runs a whole case from a fresh install with no Slack settings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main

DEMO = Path(__file__).with_name("demo.txt")


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "fresh" / "coregroup.db"
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(db))
    return db


def test_a_whole_case_in_the_console(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console", "--user", "U0LEAD", "--now", "2027-01-04T14:00", str(DEMO)]) == 0
    out = capsys.readouterr().out
    for expected in [
        "(private channel #cg-cg-0001 created)",
        "CG-0001: core group set up; first core group due by Mon 18 Jan 2027",
        "(pinned in #cg-cg-0001)",
        "CG-0001: @U0HV joined the core group as health visitor, NHS.",
        # Email is on in the console (printed, not sent), so the GP is told what they will get.
        "They are outside the workspace, so I will email them the meeting invitations",
        "coregroup → email to gp@example.org",
        "📅 calendar part: METHOD REQUEST, SEQUENCE 0",
        "CG-0001: core group booked for Fri 15 Jan 2027 (in 9 working days)",
        "your written report is due by Thu 14 Jan 2027",
        # The GP, reached by email, is asked for a report too (before issue 13 they were not).
        "1 of 2 written reports in for the core group",
        "CG-0001: you're down as attending the core group on Fri 15 Jan 2027 at 10:00",
        "(pinned summary in #cg-cg-0001 updated: CG-0001: core group summary;",
        "CG-0001: you're marked away from Mon 25 Jan 2027 until Fri 29 Jan 2027",
        "Away: @U0TEACH from Mon 25 Jan 2027 until Fri 29 Jan 2027; @U0HV covers",
        "CG-0001: reminders in this channel now come as one morning digest",
        "Form: Meeting held",
        "Quorate: yes — 2 professional members attended; at least 2 needed.",
        "On time: they were due by Fri 5 Feb 2027.",
        "CG-0001: visit on Wed 20 Jan 2027 recorded",
        "CG-0001: plan action 1 added",
        "Due: Next core group by Fri 26 Feb 2027",
        "· next_core_group · Suffolk guidance §3.1",
        "CG-0001: chair and minute-taker rota",
        "App Home of @U0LEAD",
    ]:
        assert expected in out, expected
    assert "Traceback" not in out
    assert fresh.exists()


def test_a_later_session_finds_the_case_and_its_channel(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["console", "--user", "U0LEAD", "--now", "2027-01-04T14:00", str(DEMO)])
    capsys.readouterr()
    script = "/in CG-0001\n/coregroup meeting 2027-03-01 10:00\n/press 1\n/as U0OTHER\n/coregroup status\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert main(["console", "--user", "U0LEAD", "--now", "2027-01-21T10:00"]) == 0
    out = capsys.readouterr().out
    assert "(you are now typing in #cg-cg-0001)" in out
    assert "[1] Book it anyway" in out and "(pressed “Book it anyway”)" in out
    assert "#cg-cg-0001 · coregroup\n  CG-0001: core group booked for Mon 1 Mar 2027" in out
    assert "Only members of CG-0001's core group" in out


def test_bad_console_arguments_exit_2(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console", "--user", "alice"]) == 2
    assert main(["console", "--now", "yesterday"]) == 2
    assert main(["console", "no-such-script.txt"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("coregroup: ") for line in err)
