"""The calendar's share of the outbox and the console's file port, without the network."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from fakes.env import MovableClock, migrated_template, store_from

from bot.console import ConsoleSession
from bot.settings import Settings
from handlers.invitations import CALENDAR_RULE
from storage import outbox
from storage import repository as repo


def test_calendar_rows_and_reminders_are_claimed_by_their_own_senders(tmp_path: Path) -> None:
    store = store_from(migrated_template(tmp_path / "t"), tmp_path)
    clock = MovableClock("2027-01-04T14:00")
    now = clock()
    with store.transaction() as s:
        case = repo.create_case(
            s,
            reference="CG-0001",
            actor="test",
            now=now,
            profile="suffolk",
            plan="cp",
            start=date(2027, 1, 4),
        )
        assert case.id is not None
        for rule in (CALENDAR_RULE, "minutes_circulated"):
            outbox.enqueue(
                s,
                case_id=case.id,
                rule=rule,
                subject="meeting:1",
                stage="v0",
                recipient="calendar",
                due_at=now,
                now=now,
            )
        # The same key again (a retried command) adds nothing.
        assert (
            outbox.enqueue(
                s,
                case_id=case.id,
                rule=CALENDAR_RULE,
                subject="meeting:1",
                stage="v0",
                recipient="calendar",
                due_at=now,
                now=now,
            )
            is None
        )
    with store.transaction() as s:
        chat_rows = outbox.claim_due(s, now=now, limit=10, worker="delivery", exclude_rules=(CALENDAR_RULE,))
        assert [r.rule for r in chat_rows] == ["minutes_circulated"]
    with store.transaction() as s:
        calendar_rows = outbox.claim_due(s, now=now, limit=10, worker="calendar", rules=(CALENDAR_RULE,))
        assert [r.rule for r in calendar_rows] == [CALENDAR_RULE]
    store.dispose()


def test_console_upload_prints_the_file_and_writes_it(tmp_path: Path) -> None:
    store = store_from(migrated_template(tmp_path / "t"), tmp_path)
    out = io.StringIO()
    session = ConsoleSession(
        store, MovableClock(), "U0LEAD", io.StringIO(""), out, files_dir=tmp_path / "files"
    )
    file_id = session.chat.upload_file(
        "C0CASE",
        "CG-0001-core_group-20270115.ics",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "CG-0001 invitation",
        comment="CG-0001: core group meeting, Fri 15 Jan 2027",
    )
    assert file_id
    written = tmp_path / "files" / "CG-0001-core_group-20270115.ics"
    assert written.read_bytes().startswith(b"BEGIN:VCALENDAR")
    text = out.getvalue()
    assert "CG-0001: core group meeting, Fri 15 Jan 2027" in text
    assert "CG-0001-core_group-20270115.ics" in text and str(written) in text
    store.dispose()


def test_the_booking_form_carries_the_ticked_family_members() -> None:
    from handlers.forms import submit
    from handlers.parse import ScheduleMeeting, parse, to_text

    cmd = submit("meeting", {"date": "2027-01-15", "time": "10:00", "family": ["m:3", "m:7"]}, "CG-0001")
    assert isinstance(cmd, ScheduleMeeting) and cmd.family == ("m:3", "m:7")
    # The "Book it anyway" button carries the same choice.
    assert parse(to_text(cmd)) == cmd
    untouched = submit("meeting", {"date": "2027-01-15", "time": "10:00"}, "CG-0001")
    assert isinstance(untouched, ScheduleMeeting) and untouched.family == ()


def test_serve_starts_the_calendar_worker_for_the_settings_it_has(tmp_path: Path, settings: Settings) -> None:
    """`coregroup serve`'s wiring: Graph with all four GRAPH_* settings, .ics files without."""
    from bot.calendar.graph import GraphCalendar
    from bot.calendar.ics import IcsCalendar
    from bot.serving import start_calendar

    store = store_from(migrated_template(tmp_path / "t"), tmp_path)
    chat = ConsoleSession(store, MovableClock(), "U0LEAD", io.StringIO(""), io.StringIO()).chat
    for given, port in ((settings, GraphCalendar), (Settings.model_validate({}), IcsCalendar)):
        jobs = start_calendar(given, store, chat)
        try:
            assert isinstance(jobs.worker.port, port)
            assert jobs.run_now() == []  # nothing was left in the outbox
        finally:
            jobs.stop()
    store.dispose()


def test_the_console_posts_ics_invitations_and_offers_slots(tmp_path: Path) -> None:
    from bot.console import run_console

    store = store_from(migrated_template(tmp_path / "t"), tmp_path)
    script = io.StringIO(
        "\n".join(
            [
                "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
                '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"',
                "/time 2027-01-15T16:00",
                "/coregroup held attended:@U0LEAD",
            ]
        )
        + "\n"
    )
    out = io.StringIO()
    run_console(
        store,
        MovableClock("2027-01-04T14:00"),
        user="U0LEAD",
        source=script,
        out=out,
        files_dir=tmp_path / "files",
    )
    text = out.getvalue()
    assert "CG-0001: core group meeting, Fri 15 Jan 2027, 10:00–11:00 (UK time), Family centre." in text
    ics = (tmp_path / "files" / "CG-0001-core_group-20270115.ics").read_bytes()
    assert b"UID:coregroup-CG-0001-1@coregroup" in ics and b"SEQUENCE:0" in ics
    # After "held": times inside the next core group's window, from working hours (no Graph):
    # in its last two working weeks, not the next three working days.
    assert "CG-0001: times for the next core group meeting before" in text
    assert "Book Fri 12 Feb 10:00" in text and "Book Mon 18 Jan" not in text
    store.dispose()
