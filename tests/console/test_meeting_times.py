"""Meeting times that make sense, typed in the console as a new user would: a Sunday, a bank
holiday, 03:00 or a Tier 2 meeting after its deadline asks first and names the problem; the same
slot twice makes one meeting and one invitation; a second core group offers to move the first.
Also the obligations that had no command (the chair's update, a significant change) and dates
written out in detail lines."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.console import ConsoleSession, run_console
from handlers.common import case_obligations
from scheduling.london import LONDON
from scheduling.wording import long_date
from storage import repository as repo
from storage.db import Store
from storage.models import Reminder

SETUP = [
    "/coregroup new CG-0001 profile:suffolk plan:cp start:2026-12-21",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    '/coregroup add @U0TEACH role:"designated teacher" agency:"School"',
]


def console(store: Store, lines: list[str], now: str = "2026-12-21T14:00") -> str:
    at = datetime.fromisoformat(now).replace(tzinfo=LONDON)
    out = io.StringIO()
    session = ConsoleSession(
        store=store, clock=lambda: at, user="U0LEAD", source=io.StringIO("\n".join(lines) + "\n"), out=out
    )
    session.loop()
    session.close()
    return out.getvalue()


def meetings(store: Store) -> list[tuple[str, str]]:
    with store.read() as s:
        return [
            (m.starts_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"), m.status)
            for m in repo.meetings(s, "CG-0001")
        ]


def invitations(store: Store) -> int:
    with store.read() as s:
        return sum(1 for r in s.scalars(select(Reminder)) if r.rule == "calendar_invitation")


def test_a_sunday_a_bank_holiday_and_3am_ask_first_and_name_the_problem(store: Store) -> None:
    out = console(
        store,
        [
            *SETUP,
            "/coregroup meeting 2027-01-03 10:00",  # a Sunday
            "/coregroup meeting 2027-01-01 10:00",  # New Year's Day
            "/coregroup meeting 2027-01-04 03:00",  # a Monday, at 03:00
        ],
    )
    assert "CG-0001: Sun 3 Jan 2027 at 10:00 is not a working time for a core group" in out
    assert "Sun 3 Jan 2027 is a Sunday: not a working day in England." in out
    assert "Fri 1 Jan 2027 is New Year's Day, a bank holiday: not a working day in England." in out
    assert "03:00 is outside working hours (09:00–17:00)." in out
    assert out.count("] Book it anyway") == 3
    assert meetings(store) == []  # nothing booked until confirmed


def test_easter_monday_outside_the_window_names_both_problems(store: Store) -> None:
    out = console(store, [*SETUP, "/coregroup meeting 2027-03-29 10:00"])
    assert "is outside the window" in out
    assert "Mon 29 Mar 2027 is Easter Monday, a bank holiday: not a working day in England." in out
    assert meetings(store) == []


def test_book_it_anyway_books_the_unusual_time(store: Store) -> None:
    out = console(store, [*SETUP, "/coregroup meeting 2027-01-03 10:00", "/press 1"])
    assert "core group booked for Sun 3 Jan 2027" in out
    assert meetings(store) == [("2027-01-03 10:00", "scheduled")]


def test_the_same_slot_twice_makes_one_meeting_and_one_invitation(store: Store) -> None:
    out = console(
        store, [*SETUP, "/coregroup meeting 2027-01-05 10:00", "/coregroup meeting 2027-01-05 10:00"]
    )
    assert "CG-0001: the core group on Tue 5 Jan 2027 at 10:00 is already booked" in out
    assert "no second invitation has gone out" in out
    assert meetings(store) == [("2027-01-05 10:00", "scheduled")]
    assert invitations(store) == 1


def test_another_core_group_offers_to_move_the_booked_one(store: Store) -> None:
    out = console(
        store, [*SETUP, "/coregroup meeting 2027-01-05 10:00", "/coregroup meeting 2027-01-06 14:00"]
    )
    assert "CG-0001: a core group is already booked for Tue 5 Jan 2027" in out
    assert "Move it to Wed 6 Jan" in out and "Book both" in out
    assert meetings(store) == [("2027-01-05 10:00", "scheduled")]
    out = console(store, ["/in CG-0001", "/coregroup meeting 2027-01-06 14:00", "/press 1"])
    assert "CG-0001: core group moved to Wed 6 Jan 2027" in out
    assert meetings(store) == [("2027-01-06 14:00", "scheduled")]


def test_a_tier2_meeting_after_its_deadline_and_on_a_sunday_asks_first(store: Store) -> None:
    """Cwm Taf Morgannwg: Tier 1 held on Mon 4 Jan 2027 and no significant risk reduction, so a
    Tier 2 meeting is due after the 12-week check; booking it late, on a Sunday, names both."""
    console(
        store,
        [
            "/coregroup new CG-0001 profile:cwm-taf-morgannwg plan:cp start:2026-12-21",
            "/coregroup tier1 2027-01-04 10:00",
        ],
        now="2027-01-05T10:00",
    )
    today = date(2027, 4, 1)  # after the 12-week check (Mon 29 Mar), before the deadline
    with store.read() as s:
        _rules, obs = case_obligations(s, repo.get_case(s, "CG-0001"), today)
    [tier2] = [o for o in obs if o.rule == "resolution_tier2_meeting" and o.status != "met"]
    sunday = tier2.due + timedelta(days=6 - tier2.due.weekday() + 7)
    out = console(store, ["/in CG-0001", f"/coregroup tier2 {sunday} 10:00"], now=f"{today}T10:00")
    assert f"CG-0001: a Tier 2 meeting on {long_date(sunday)} would be after its deadline" in out
    assert f"after the Tier 2 deadline, {long_date(tier2.due)}" in out
    assert f"{long_date(sunday)} is a Sunday: not a working day in Wales." in out
    assert [k for k in meetings(store) if k[1] == "scheduled"] == []
    console(store, ["/in CG-0001", f"/coregroup tier2 {sunday} 10:00", "/press 1"], now=f"{today}T10:00")
    assert (f"{sunday} 10:00", "scheduled") in meetings(store)


def test_a_tier_meeting_on_a_sunday_asks_first(store: Store) -> None:
    out = console(
        store,
        [
            "/coregroup new CG-0001 profile:cwm-taf-morgannwg plan:cp start:2026-12-21",
            "/coregroup tier1 2027-01-10 10:00",
        ],
    )
    assert "CG-0001: Sun 10 Jan 2027 at 10:00 is not a working time for a Tier 1 meeting" in out
    assert "Sun 10 Jan 2027 is a Sunday: not a working day in Wales." in out
    assert meetings(store) == []
    out = console(store, ["/in CG-0001", "/coregroup tier1 2027-01-10 10:00", "/press 1"])
    assert meetings(store) == [("2027-01-10 10:00", "scheduled")]


def test_the_chairs_update_and_a_significant_change_can_be_recorded(store: Store) -> None:
    """Suffolk §4.2 and §4.5: both were obligations with no command, so they stayed due for ever."""
    out = console(
        store,
        [
            *SETUP,
            "/time 2027-01-05T16:00",
            "/coregroup held 2027-01-05 attended:@U0HV,@U0TEACH",
            "/coregroup status",
            "/coregroup update sent",
            "/coregroup significant 2027-01-05",
            "/coregroup status",
            "/coregroup significant reported",
            "/coregroup status",
        ],
    )
    assert "the chair's update on the core group of Tue 5 Jan 2027 went to the lead social worker" in out
    assert "significant change recorded for Tue 5 Jan 2027" in out
    assert "the significant change of Tue 5 Jan 2027 was reported to the conference chair" in out
    with store.read() as s:
        case = repo.get_case(s, "CG-0001")
        _rules, obs = case_obligations(s, case, datetime(2027, 1, 5).date())
    open_rules = {o.rule for o in obs if o.status != "met"}
    assert "chair_update_to_lead_sw" not in open_rules
    assert "significant_change_to_conference_chair" not in open_rules


def test_status_detail_lines_write_dates_out(store: Store) -> None:
    out = console(store, [*SETUP, "/coregroup status"])
    status = out[out.index("> /coregroup status") :]
    assert "conference Mon 21 Dec 2026" in status
    assert "2026-12-21" not in status.replace("start:2026-12-21", "")


def test_slots_after_held_fall_in_the_final_window_before_the_booked_review(
    store: Store, tmp_path: Path
) -> None:
    """Suffolk §3.6: with the review booked for Tue 30 Mar 2027 the last core group is held
    between Fri 5 Mar and Thu 25 Mar; after a core group held on Mon 15 Feb (the next one due 6
    weeks later, after the window opens) the offered times are inside that window, not the next
    three working days."""
    out = io.StringIO()
    script = [
        "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
        '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
        "/coregroup review 2027-03-30 14:00",
        "/coregroup meeting 2027-01-15 10:00",
        "/time 2027-01-15T16:00",
        "/coregroup held attended:@U0LEAD,@U0HV",
        "/time 2027-02-01T10:00",
        "/coregroup meeting 2027-02-15 10:00",
        "/time 2027-02-15T16:00",
        "/coregroup held attended:@U0LEAD,@U0HV",
    ]
    run_console(
        store,
        lambda: datetime(2027, 1, 4, 14, 0, tzinfo=LONDON),
        user="U0LEAD",
        source=io.StringIO("\n".join(script) + "\n"),
        out=out,
        files_dir=tmp_path / "files",
    )
    text = out.getvalue()
    offers = text.split("times for the next core group meeting before")
    assert len(offers) == 3  # one offer after each meeting held
    last = offers[2].split("\n\n")[0]
    assert "Thu 25 Mar 2027" in last.splitlines()[0]
    booked = re.findall(r"Book (\w{3} \d+ \w{3}) \d\d:\d\d", last)
    assert booked == ["Fri 5 Mar", "Mon 8 Mar", "Tue 9 Mar"], last
    # After the first: the next core group is due in 6 weeks (Fri 26 Feb), before the window
    # opens; the times are in its last two working weeks, not Mon 18 Jan onwards.
    first = re.findall(r"Book (\w{3} \d+ \w{3}) \d\d:\d\d", offers[1].split("\n\n")[0])
    assert first == ["Fri 12 Feb", "Mon 15 Feb", "Tue 16 Feb"], offers[1]
