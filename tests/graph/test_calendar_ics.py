"""The .ics fallback, read back by two independent parsers: `icalendar` (which resolves TZID with
zoneinfo) and `vobject` (which uses the file's own VTIMEZONE), so a wrong VTIMEZONE shows up as a
disagreement between them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import vobject
from graph_helpers import ATTENDEES, LONDON, london, make_invite
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.calendar.ics import IcsCalendar, IcsFile, filename, to_ics
from bot.calendar.invite import Invite
from bot.calendar.port import SlotRequest

STAMP = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _icalendar(data: bytes) -> tuple[icalendar.Calendar, Any]:
    cal = icalendar.Calendar.from_ical(data)
    [ev] = cal.walk("VEVENT")
    return cal, ev


def _vobject(data: bytes) -> tuple[Any, Any]:
    cal = vobject.readOne(data.decode("utf-8"))
    return cal, cal.vevent


def _check_both(data: bytes, invite: Invite, method: str) -> None:
    cal, ev = _icalendar(data)
    assert str(cal["METHOD"]) == method
    assert str(ev["UID"]) == invite.uid
    assert ev.decoded("SEQUENCE") == invite.sequence
    assert ev.decoded("DTSTART") == invite.starts_at
    assert ev.decoded("DTEND") == invite.ends_at
    assert ev["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(ev["ORGANIZER"]) == f"mailto:{invite.organiser}"
    attendees = ev["ATTENDEE"] if isinstance(ev["ATTENDEE"], list) else [ev["ATTENDEE"]]
    assert [str(a) for a in attendees] == [f"mailto:{a.email}" for a in invite.attendees]
    assert [a.params["CN"] for a in attendees] == [a.role for a in invite.attendees]
    assert all(a.params["ROLE"] == "REQ-PARTICIPANT" for a in attendees)
    assert str(ev["SUMMARY"]) == "CG-0421: core group meeting"

    vcal, vev = _vobject(data)
    assert vcal.method.value == method
    assert vev.uid.value == invite.uid
    assert int(vev.sequence.value) == invite.sequence
    assert vev.dtstart.value == invite.starts_at  # through the file's own VTIMEZONE
    assert vev.dtend.value == invite.ends_at
    assert vev.organizer.value == f"mailto:{invite.organiser}"
    assert [a.value for a in vev.attendee_list] == [f"mailto:{a.email}" for a in invite.attendees]
    assert vev.summary.value == "CG-0421: core group meeting"
    assert vev.description.value == str(ev["DESCRIPTION"])


def test_an_invitation_parses_with_both_parsers() -> None:
    invite = make_invite()
    data = to_ics(invite, stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    _check_both(data, invite, "REQUEST")
    _, ev = _icalendar(data)
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert ev.decoded("DTSTAMP") == STAMP
    assert "1. Status of child and purpose of meeting" in str(ev["DESCRIPTION"])
    assert str(ev["LOCATION"]) == "Family centre, Room 2"


def test_an_update_round_trips_with_the_same_uid_and_a_higher_sequence() -> None:
    first = make_invite()
    moved = first.changed(
        starts_at=london(2027, 3, 29, 14), ends_at=london(2027, 3, 29, 15, 30), venue="School, meeting room 1"
    )
    data = to_ics(moved, stamp=STAMP)
    _check_both(data, moved, "REQUEST")
    _, ev = _icalendar(data)
    _, vev = _vobject(data)
    assert str(ev["UID"]) == first.uid and ev.decoded("SEQUENCE") == 1
    # 29 Mar 2027 is the day after the clocks go forward: 14:00 BST is 13:00 UTC.
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 29, 13, 0, tzinfo=UTC)
    assert vev.dtstart.value.astimezone(UTC) == datetime(2027, 3, 29, 13, 0, tzinfo=UTC)


def test_a_cancellation_round_trips() -> None:
    invite = make_invite().changed().changed()
    data = to_ics(invite, method="CANCEL", comment="the review conference was brought forward", stamp=STAMP)
    _check_both(data, invite, "CANCEL")
    _, ev = _icalendar(data)
    _, vev = _vobject(data)
    assert str(ev["STATUS"]) == "CANCELLED" and vev.status.value == "CANCELLED"
    assert ev.decoded("SEQUENCE") == 2
    assert str(ev["COMMENT"]) == "the review conference was brought forward"
    assert str(ev["DESCRIPTION"]).startswith("Cancelled: the review conference was brought forward")


@settings(max_examples=60, deadline=None)
@example(day=date(2028, 3, 26), minutes=60)  # 01:00 on a spring-forward day never happens
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2035, 12, 31)),
    minutes=st.integers(min_value=0, max_value=23 * 60 + 59),
)
def test_any_london_time_means_the_same_instant_to_both_parsers(day: date, minutes: int) -> None:
    start = london(day.year, day.month, day.day, minutes // 60, minutes % 60)
    invite = make_invite(starts_at=start, ends_at=start + timedelta(hours=1))
    data = to_ics(invite, stamp=STAMP)
    _, ev = _icalendar(data)
    _, vev = _vobject(data)
    expected = invite.starts_at.astimezone(UTC)
    assert ev.decoded("DTSTART").astimezone(UTC) == expected
    assert vev.dtstart.value.astimezone(UTC) == expected


def test_the_file_names_no_one() -> None:
    invite = make_invite()
    assert filename(invite) == "CG-0421-core_group-20270105.ics"
    assert filename(invite, "CANCEL") == "CG-0421-core_group-20270105-cancelled.ics"


def test_the_ics_port_posts_one_file_per_change() -> None:
    posted: list[IcsFile] = []
    port = IcsCalendar(posted.append, clock=lambda: STAMP)
    invite = make_invite()

    async def go() -> str:
        uid = await port.create(invite)
        moved = invite.changed(starts_at=london(2027, 1, 6, 10), ends_at=london(2027, 1, 6, 11))
        await port.update(uid, moved)
        fewer = moved.changed(attendees=ATTENDEES[:2])
        await port.update_attendees(uid, fewer)
        await port.cancel(uid, fewer.changed(), "the family asked to move it")
        return uid

    uid = asyncio.run(go())
    assert uid == invite.uid
    assert [(f.method, f.sequence, f.uid) for f in posted] == [
        ("REQUEST", 0, uid),
        ("REQUEST", 1, uid),
        ("REQUEST", 2, uid),
        ("CANCEL", 3, uid),
    ]
    assert posted[0].message == (
        "CG-0421: core group meeting, Tue 5 Jan 2027, 10:00–11:30 (UK time), Family centre, Room 2. "
        "Open the attached invitation to add it to your calendar."
    )
    assert posted[3].message.startswith(
        "CG-0421: the core group meeting on Wed 6 Jan 2027, 10:00–11:00 (UK time) is cancelled: "
        "the family asked to move it."
    )
    for f in posted:
        cal, ev = _icalendar(f.content)
        assert str(cal["METHOD"]) == f.method and ev.decoded("SEQUENCE") == f.sequence
        vobject.readOne(f.content.decode("utf-8"))


def test_the_ics_port_offers_working_hours_only() -> None:
    port = IcsCalendar(lambda f: None)
    req = SlotRequest(
        case_ref="CG-0421",
        deadline=date(2027, 1, 6),
        earliest=london(2026, 12, 23, 12),
        lead_social_worker="lsw@council.example.test",
    )
    offer = asyncio.run(port.find_slots(req))
    assert offer.basis == "working hours"
    # 24 Dec, then past Christmas, Boxing Day (observed Mon 28th) to Tue 29 Dec.
    assert [s.starts_at.astimezone(LONDON) for s in offer.slots] == [
        london(2026, 12, 23, 12),
        london(2026, 12, 24, 10),
        london(2026, 12, 29, 10),
    ]
    assert "no Microsoft Graph connection" in offer.message
