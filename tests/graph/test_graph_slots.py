""" "Book the next one before you leave": slots from free/busy through the real client, and the
plain statement when the lead social worker cannot fit before the deadline."""

from __future__ import annotations

from datetime import date, timedelta

from fakes.graph_server import FakeGraphServer
from graph_helpers import ORGANISER, london, with_graph

from bot.calendar.port import SlotRequest
from bot.settings import Settings
from scheduling.hours import LONDON

LSW = "lsw@council.example.test"
HV = "hv@council.example.test"
SCHOOL = "dsl@school.example.test"  # another organisation: no free/busy


def _request(**over: object) -> SlotRequest:
    base: dict[str, object] = dict(
        case_ref="CG-0421",
        # Held on Wed 16 Dec 2026; next core group within a month. Christmas and Boxing Day
        # (observed Mon 28 Dec) and New Year's Day are bank holidays in England.
        earliest=london(2026, 12, 17, 9),
        deadline=date(2027, 1, 6),
        lead_social_worker=LSW,
        attendees=(HV, SCHOOL),
        duration=timedelta(hours=1, minutes=30),
    )
    base.update(over)
    return SlotRequest(**base)  # type: ignore[arg-type]


def test_slots_come_from_free_busy_inside_working_days_and_hours(
    fake: FakeGraphServer, settings: Settings
) -> None:
    fake.external.add(SCHOOL)
    # The lead social worker is busy all of 17 and 18 Dec; the health visitor on the morning of 21st.
    fake.busy[LSW] = [(london(2026, 12, 17, 8), london(2026, 12, 18, 18))]
    fake.busy[HV] = [(london(2026, 12, 21, 9), london(2026, 12, 21, 12))]

    offer = with_graph(settings, lambda port: port.find_slots(_request()))

    [call] = fake.graph_calls("POST", "/calendar/getSchedule")
    assert call.path == f"/v1.0/users/{ORGANISER}/calendar/getSchedule"
    assert call.body["Schedules"] == [LSW, HV, SCHOOL]
    assert call.body["StartTime"] == {"dateTime": "2026-12-17T09:00:00", "timeZone": "UTC"}
    assert call.body["EndTime"] == {"dateTime": "2027-01-07T00:00:00", "timeZone": "UTC"}
    assert call.body["AvailabilityViewInterval"] == 30  # the SDK writes action parameters in PascalCase

    assert offer.fits and offer.basis == "free/busy"
    assert offer.checked == (LSW, HV)
    assert len(offer.slots) == 3
    for s in offer.slots:
        local_start = s.starts_at.astimezone(LONDON)
        assert local_start.date() not in {date(2026, 12, 17), date(2026, 12, 18)}
        assert local_start.weekday() < 5
        assert local_start.hour >= 9 and s.ends_at.astimezone(LONDON).hour <= 17
        assert s.free == s.checked == 2
    assert offer.message.splitlines()[0] == (
        "CG-0421: times for the next core group meeting before Wed 6 Jan 2027 "
        "(free/busy of 2 of 3 members; others are outside the organiser's organisation):"
    )
    assert offer.message.splitlines()[1] == "• Mon 21 Dec 2026, 12:00–13:30 — everyone checked is free"


def test_no_slot_with_the_lead_social_worker_is_said_plainly(
    fake: FakeGraphServer, settings: Settings
) -> None:
    fake.busy[LSW] = [(london(2026, 12, 1, 0), london(2027, 1, 31, 0))]
    offer = with_graph(settings, lambda port: port.find_slots(_request()))
    assert not offer.fits and offer.slots == ()
    assert offer.message == (
        "CG-0421: no time before Wed 6 Jan 2027 suits the lead social worker (09:00–17:00 on working "
        "days), so the next core group meeting cannot be booked inside its deadline from their "
        "calendar. Ask them to free some time, or book the earliest date after the deadline and note "
        "why it is late."
    )


def test_members_outside_the_tenant_get_working_hours(fake: FakeGraphServer, settings: Settings) -> None:
    fake.external.update({LSW, HV, SCHOOL})
    offer = with_graph(settings, lambda port: port.find_slots(_request()))
    assert offer.basis == "working hours" and offer.fits
    assert [s.starts_at.astimezone(LONDON) for s in offer.slots] == [
        london(2026, 12, 17, 10),
        london(2026, 12, 18, 10),
        london(2026, 12, 21, 10),
    ]
    assert "from working hours only" in offer.message
    assert "no member's calendar is in the organiser's organisation" in offer.message


def test_a_free_busy_outage_falls_back_to_working_hours(fake: FakeGraphServer, settings: Settings) -> None:
    fake.storm(500)
    offer = with_graph(settings, lambda port: port.find_slots(_request()))
    assert offer.basis == "working hours" and len(offer.slots) == 3
    assert "free/busy could not be read: Microsoft Graph is not answering (HTTP 500)" in offer.message


def test_a_long_window_is_asked_in_pieces_graph_accepts(fake: FakeGraphServer, settings: Settings) -> None:
    req = _request(earliest=london(2027, 1, 4, 9), deadline=date(2027, 4, 30))
    offer = with_graph(settings, lambda port: port.find_slots(req))
    calls = fake.graph_calls("POST", "/calendar/getSchedule")
    assert len(calls) == 4 and all(c.status == 200 for c in calls)
    assert offer.basis == "free/busy" and offer.fits


def test_a_welsh_reader_gets_the_suggested_times_in_welsh() -> None:
    """Issue 14: the offer's lines are catalogue sentences, so a Welsh channel reads them in
    Welsh (dates written out, the meeting kind in Welsh) and the buttons say `Trefnu`."""
    from bot.calendar.jobs import slot_message
    from bot.calendar.slots import offer_slots
    from handlers.i18n import localise_message, unlocalised

    offer = offer_slots(_request(), None, note="")
    message = slot_message("CG-0421", offer, None, date(2027, 1, 6))
    assert unlocalised(message) == []
    welsh = localise_message(message, "cy")
    assert welsh.preview.startswith("CG-0421: amseroedd ar gyfer y ")
    assert "o oriau gwaith yn unig" in welsh.preview and "Ionawr 2027" in welsh.preview
    assert welsh.detail[0].startswith("• Dydd Iau 17 Rhagfyr 2026, 10:00")
    assert welsh.buttons[0].label.startswith("Trefnu ")
    assert welsh.context[0].startswith("Amseroedd o oriau gwaith yn unig")
