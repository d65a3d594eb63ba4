"""What the console says stays true for the case as it is now: the pinned summary stops asking
for written reports once they are all in, and the example in an error is itself valid today
(no visit still to come, no meeting already past)."""

from __future__ import annotations

import io
from datetime import datetime

from bot.console import ConsoleSession
from scheduling.london import LONDON
from storage.db import Store


def console(store: Store, lines: list[str], now: str) -> str:
    at = datetime.fromisoformat(now).replace(tzinfo=LONDON)
    out = io.StringIO()
    session = ConsoleSession(
        store=store, clock=lambda: at, user="U0LEAD", source=io.StringIO("\n".join(lines) + "\n"), out=out
    )
    session.loop()
    session.close()
    return out.getvalue()


def test_the_pinned_summary_stops_asking_for_reports_once_they_are_in(store: Store) -> None:
    out = console(
        store,
        [
            "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
            '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
            '/coregroup add @U0TEACH role:"designated teacher" agency:"School"',
            '/coregroup add @U0GP role:"GP" agency:"NHS"',
            "/coregroup meeting 2027-01-15 10:00",
            "/as U0TEACH",
            "/coregroup report 2027-01-15 Seen at school.",
            "/as U0GP",
            "/coregroup report 2027-01-15 Registered; no concerns.",
            "/as U0LEAD",
            "/pinned",
            "/coregroup status",
        ],
        now="2027-01-04T14:00",
    )
    pinned = out[out.index("> /pinned") : out.index("> /coregroup status")]
    assert "Written reports: 2 of 2 in for Fri 15 Jan 2027" in pinned
    assert "written report from absent members" not in pinned.lower()
    status = out[out.index("> /coregroup status") :]
    assert "written report from absent members" not in status.lower()


def test_the_example_in_an_error_is_valid_today(store: Store) -> None:
    out = console(
        store,
        [
            "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-03-01",
            "/coregroup visit 2027-03-20",  # still to come
            "/coregroup meeting 2027-03-02 25:00",  # not a time
        ],
        now="2027-03-10T14:00",
    )
    visit = out[out.index("> /coregroup visit") : out.index("> /coregroup meeting")]
    assert "Try `/coregroup visit 2027-03-10 seen-alone`" in visit
    meeting = out[out.index("> /coregroup meeting") :]
    assert "Try `/coregroup meeting 2027-03-17 10:00" in meeting  # 5 working days ahead
