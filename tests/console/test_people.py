"""Issue 12, as a new user met it in the console: who a member is (family, professional, others),
safe case references, leaving a form, and the clock showing reminders (`/time`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fakes.env import MovableClock

from bot.chat import deliver
from bot.cli import main
from bot.console import ConsoleSession
from handlers.replies import Message, Outcome
from storage.db import Store

NEW = "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04\n"


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(tmp_path / "coregroup.db"))

    def run(script: str, now: str = "2027-01-04T14:00", user: str = "U0LEAD") -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO(script))
        assert main(["console", "--user", user, "--now", now]) == 0
        out = capsys.readouterr().out
        assert "Traceback" not in out
        return out

    return run


def test_family_roles_are_family_and_quorum_counts_professionals_only(console) -> None:  # type: ignore[no-untyped-def]
    out = console(
        NEW
        + '/coregroup add @U0HV role:"health visitor" agency:"NHS"\n'
        + '/coregroup add @U0MUM role:"mum"\n'
        + "/coregroup add @U0STEP role:stepfather\n"
        + '/coregroup add @U0GRAN role:"grandmother (carer)"\n'
        + "/coregroup rota\n"
        + "/coregroup members\n"
    )
    rota = out.split("chair and minute-taker rota", 1)[1].split(">", 1)[0]
    for family in ("@U0MUM", "@U0STEP", "@U0GRAN"):
        assert family not in rota, rota
    out = console(
        "/in CG-0001\n/coregroup meeting 2027-01-15 10:00\n/time 2027-01-15T16:00\n"
        "/coregroup held 2027-01-15 attended:<@U0LEAD>,<@U0MUM>,<@U0STEP>,<@U0GRAN>\n"
    )
    assert "Quorate: no — 1 professional member attended; at least 2 needed." in out
    assert "3 professional members attended" not in out


def test_a_misspelt_or_unknown_role_is_asked_about_not_guessed(console) -> None:  # type: ignore[no-untyped-def]
    out = console(
        NEW
        + '/coregroup add @U0HV role:"helth visiter" agency:"NHS"\n'
        + '/coregroup add @U0X role:"wizard"\n'
        + '/coregroup add @U0INT role:"wizard" kind:other\n'
        + "/coregroup members\n"
    )
    assert 'I don\'t know the role "helth visiter". Did you mean health visitor? Nothing has changed.' in out
    assert 'Try `/coregroup add @someone role:"health visitor"`' in out
    assert "`kind:` with one of: `professional`" in out
    assert "@U0HV joined" not in out and "@U0X joined" not in out
    assert "@U0INT joined the core group as wizard" in out


def test_a_name_in_a_reference_is_refused_and_a_left_out_one_allocated(console) -> None:  # type: ignore[no-untyped-def]
    out = console(
        "/coregroup new JAYDEN-1 profile:suffolk plan:cp start:2027-01-04\n"
        "/coregroup new profile:suffolk plan:cp start:2027-01-04\n"
    )
    assert "`JAYDEN-1` isn't a case reference here: references are CG- then digits" in out
    assert "must never carry a name" in out
    assert "Try `/coregroup new profile:suffolk plan:cp start:2027-01-04`" in out
    assert "cg-jayden" not in out.lower()
    assert "(private channel #cg-cg-0001 created)" in out


def test_cancel_in_a_form_leaves_it_and_a_command_in_a_form_runs(console) -> None:  # type: ignore[no-untyped-def]
    out = console(
        NEW + "/coregroup add\ncancel\n/coregroup add\n@U0HV\n/coregroup status\n/coregroup members\n"
    )
    assert out.count("(form cancelled: nothing was recorded)") == 2
    assert "joined the core group" not in out
    assert "CG-0001: next, first core group by" in out
    assert "1 member in the core group" in out


def test_time_runs_the_reminders_and_bad_time_is_one_line(console) -> None:  # type: ignore[no-untyped-def]
    out = console(NEW + "/time 2027-02-30T10:00\n/time 2027-01-15T10:00\n/coregroup status\n")
    bad = [line for line in out.splitlines() if "2027-02-30T10:00" in line and not line.startswith(">")]
    assert len(bad) == 1 and "the clock has not moved" in bad[0]
    assert "(the time is now Fri 15 Jan 2027 10:00)" in out
    assert "CG-0001: the child must be seen by Mon 18 Jan" in out
    assert "reminder" in out.split("(the time is now Fri 15 Jan 2027 10:00)", 1)[1].split(">", 1)[0]


def test_close_asks_why_lists_what_is_open_and_posts_before_archiving(console) -> None:  # type: ignore[no-untyped-def]
    out = console(
        NEW
        + '/coregroup add @U0HV role:"health visitor" agency:"NHS"\n'
        + "/coregroup add @U0GP role:gp\n/coregroup remove @U0GP\n"
        + '/coregroup action add "Book the dental check-up" owner:@U0HV due:2027-02-01\n'
        + "/coregroup close\ncancel\n"
        + '/coregroup close reason:"Plan ended at the review conference"\n'
    )
    assert "Why is the case closing?" in out
    assert "CG-0001 still has 1 thing open; nothing has been closed yet." in out
    assert "Open plan action 1: Book the dental check-up, @U0HV, due Mon 1 Feb 2027." in out
    assert "archived)" not in out
    out = console("/in CG-0001\n/press 1\n/coregroup status\n/as U0GP\n/coregroup status CG-0001\n")
    assert "(no button 1" in out  # a new session has no buttons: the line itself is the way
    out = console(
        '/in CG-0001\n/coregroup close reason:"Plan ended at the review conference" confirm\n'
        "/coregroup status\n/coregroup visit 2027-01-04\n/as U0GP\n/coregroup status CG-0001\n"
    )
    closed = out.index("CG-0001 is closed: Plan ended at the review conference")
    assert closed < out.index("(#cg-cg-0001 archived)")
    assert "CG-0001: closed on Mon 4 Jan 2027" in out and "Why: Plan ended at the review conference" in out
    assert "CG-0001 was closed on Mon 4 Jan 2027; nothing more can be recorded for it." in out


def test_a_post_to_an_archived_channel_is_told_privately_not_a_crash(
    store: Store, clock: MovableClock
) -> None:
    """Closing archives the channel; anything that still has something to say to it (the same
    order of steps serves Slack) reaches the person privately instead of raising `is_archived`."""
    out = io.StringIO()
    session = ConsoleSession(store, clock, user="U0LEAD", source=io.StringIO(), out=out)
    session.run(NEW.strip())
    session.chat.archive(session.channel or "")  # as closing leaves it
    assert "(#cg-cg-0001 archived)" in out.getvalue()
    late = Outcome(reference="CG-0001")
    late.say(Message("CG-0001: a late note for the channel"), "channel")
    ctx = session.context()
    deliver(late, ctx=ctx, port=session.chat, reply_to_actor=session.tell)
    tail = out.getvalue().rsplit("(#cg-cg-0001 archived)", 1)[1]
    assert "(only @U0LEAD sees this)\n  CG-0001: a late note for the channel" in tail


def test_quit_typed_inside_a_form_leaves_the_form_and_the_console(console) -> None:  # type: ignore[no-untyped-def]
    """`/quit` answering a form's question is not an unknown command: the form is left with
    nothing recorded, and the console ends as `/quit` anywhere else would."""
    out = console(NEW + "/coregroup close\n/quit\n/coregroup status\n")
    assert "(form cancelled: nothing was recorded)" in out
    assert "I don't know `/quit`" not in out
    assert "> /coregroup status" not in out, "the console ended at /quit"
