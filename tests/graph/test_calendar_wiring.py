"""Calendar invitations on the wire: signed `/coregroup` commands through the real Bolt app (served
by uvicorn, fake Slack Web API), the calendar worker as `coregroup serve` wires it, and either the
real msgraph-sdk client against the fake Graph server or the .ics fallback posting files through
Slack's files_upload_v2 flow.

What is asserted is what people would see: the acknowledgement time, the Graph requests' bodies,
the files in the channel (parsed with icalendar), the channel messages, and the outbox rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from fakes.env import PEOPLE, MovableClock
from fakes.graph_server import FakeGraphServer
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness, all_text, running
from graph_helpers import ORGANISER
from icalendar import Calendar

from bot.calendar import make_calendar
from bot.calendar.ics import IcsCalendar
from bot.calendar.jobs import CalendarJobs, MakePort
from bot.settings import Settings
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.invitations import CALENDAR_RULE
from storage import outbox
from storage import repository as repo
from storage.db import Store

ACK_LIMIT = 3.0
NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


@pytest.fixture
def slack_api() -> Iterator[FakeSlackAPI]:
    users = [User(uid, uid.lower(), p.name, p.email, is_bot=p.is_bot) for uid, p in PEOPLE.items()]
    with FakeSlackAPI(TOKEN, users=users) as api:
        yield api


@contextmanager
def wired(
    api: FakeSlackAPI, store: Store, clock: MovableClock, make_port: MakePort, organiser: str | None = None
) -> Iterator[tuple[SlackHarness, CalendarJobs]]:
    """The Slack endpoint plus the calendar worker, wired as `coregroup serve` does (poll off:
    each test runs the outbox itself with `run_now`, after moving the clock)."""
    with running(api, store, clock) as h:
        chat = SlackChat(make_client(TOKEN, api.base_url))
        jobs = CalendarJobs(store, chat, clock, make_port, organiser=organiser, poll=0, warm_up=False).start()
        h.deps.calendar = jobs.notify
        try:
            yield h, jobs
        finally:
            jobs.stop()


def graph_port(settings: Settings, clock: MovableClock) -> MakePort:
    return lambda publish: make_calendar(settings, publish, clock)


def ics_port(clock: MovableClock) -> MakePort:
    return lambda publish: IcsCalendar(publish, clock)


def start_case(h: SlackHarness) -> str:
    assert h.command(NEW).status_code == 200
    channel = h.fake.channel_named("cg-cg-0001")
    assert channel is not None
    h.command('add <@U0HV|hv> role:"health visitor" agency:"NHS"', channel=channel.id)
    return channel.id


def calendar_rows(store: Store) -> list[Any]:
    with store.read() as s:
        return [r for r in outbox.reminders(s) if r.rule == CALENDAR_RULE]


def meeting(store: Store, meeting_id: int = 1) -> Any:
    with store.read() as s:
        return repo.get_meeting(s, "CG-0001", meeting_id)


def wait_until(what: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def emails(event: dict[str, Any]) -> set[str]:
    return {a["emailAddress"]["address"] for a in event.get("attendees", [])}


def channel_texts(h: SlackHarness, channel: str) -> list[str]:
    return [all_text(p) for p in h.channel_posts(channel)]


# --- Graph ---------------------------------------------------------------------------------------


def test_signed_meeting_command_acks_in_time_while_graph_takes_five_seconds(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with wired(slack_api, store, clock, graph_port(settings, clock), ORGANISER) as (h, jobs):
        channel = start_case(h)
        fake.delay = 5.0
        t0 = time.monotonic()
        resp = h.command('meeting 2027-01-15 10:00 venue:"Family centre"', channel=channel, settle=False)
        acked = time.monotonic() - t0
        assert resp.status_code == 200
        assert acked < ACK_LIMIT, f"the ack took {acked:.2f}s"
        h.settle()
        assert any("core group booked" in t for t in channel_texts(h, channel))

        event = wait_until(lambda: next(iter(fake.events.values()), None))
        assert time.monotonic() - t0 >= 5.0  # it really waited for Graph, after the ack
        assert event["subject"] == "CG-0001: core group meeting"
        assert event["start"] == {"dateTime": "2027-01-15T10:00:00", "timeZone": "Europe/London"}
        assert event["location"]["displayName"] == "Family centre"
        assert emails(event) == {"lead@example.org", "hv@example.org"}
        assert "isOnlineMeeting" not in event
        fake.delay = 0.0
        jobs.run_now()
        assert meeting(store).calendar_event_id == event["id"]
        assert [(r.stage, r.status) for r in calendar_rows(store)] == [("v0", "sent")]


def test_move_add_remove_and_cancel_change_the_same_graph_event(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with wired(slack_api, store, clock, graph_port(settings, clock), ORGANISER) as (h, jobs):
        channel = start_case(h)
        h.command("meeting 2027-01-15 10:00 online", channel=channel)
        jobs.run_now()
        (event_id,) = fake.events
        assert fake.events[event_id]["isOnlineMeeting"] is True  # a Teams meeting
        assert fake.events[event_id]["onlineMeetingProvider"] == "teamsForBusiness"
        assert "location" not in fake.events[event_id]

        h.command('add <@U0POLICE|police> role:police agency:"Police"', channel=channel)
        jobs.run_now()
        patch = fake.graph_calls("PATCH", f"/events/{event_id}")[-1]
        assert set(patch.body) - {"@odata.type"} == {"attendees"}
        assert emails(patch.body) == {"lead@example.org", "hv@example.org", "police@example.org"}

        h.command("meeting 2027-01-14 11:30 move", channel=channel)
        jobs.run_now()
        patch = fake.graph_calls("PATCH", f"/events/{event_id}")[-1]
        assert patch.body["start"] == {"dateTime": "2027-01-14T11:30:00", "timeZone": "Europe/London"}
        assert patch.body["end"] == {"dateTime": "2027-01-14T12:30:00", "timeZone": "Europe/London"}
        assert patch.body["isOnlineMeeting"] is True
        assert "attendees" not in patch.body and "transactionId" not in patch.body

        h.command("remove <@U0POLICE|police>", channel=channel)
        jobs.run_now()
        patch = fake.graph_calls("PATCH", f"/events/{event_id}")[-1]
        assert emails(patch.body) == {"lead@example.org", "hv@example.org"}

        h.command("cancel", channel=channel)
        jobs.run_now()
        assert fake.cancelled[event_id].startswith("CG-0001: cancelled in the core group's channel")

        assert len(fake.graph_calls("POST", "/events")) == 1  # one event for the meeting's life
        m = meeting(store)
        assert m.calendar_event_id == event_id and m.calendar_sequence == 4
        assert [(r.stage, r.status) for r in calendar_rows(store)] == [
            ("v0", "sent"),
            ("v1", "sent"),
            ("v2", "sent"),
            ("v3", "sent"),
            ("v4", "sent"),
        ]
        assert slack_api.errors() == []


def test_a_500_storm_is_reported_once_and_the_row_stays_pending(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with wired(slack_api, store, clock, graph_port(settings, clock), ORGANISER) as (h, jobs):
        channel = start_case(h)
        fake.storm(500)
        h.command("meeting 2027-01-15 10:00", channel=channel)
        jobs.run_now()  # attempt 1 ran on notify; nothing else is due yet
        (row,) = calendar_rows(store)
        assert (row.status, row.attempts) == ("pending", 1)
        for minutes in (2, 5):  # attempts 2 and 3, after their backoff
            clock.set((clock() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M"))
            jobs.run_now()
        (row,) = calendar_rows(store)
        assert (row.status, row.attempts) == ("pending", 3)
        failures = [t for t in channel_texts(h, channel) if "could not be sent" in t]
        assert len(failures) == 1
        assert failures[0].startswith(
            "CG-0001: the invitation could not be sent: Microsoft Graph "
            "is not answering (HTTP 500). I will try again at"
        )
        assert fake.events == {}

        fake.storm(None)
        clock.set((clock() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        jobs.run_now()
        (row,) = calendar_rows(store)
        assert (row.status, row.attempts) == ("sent", 4)
        assert len(fake.events) == 1
        assert any("has now been sent" in t for t in channel_texts(h, channel))


def test_calendar_rows_survive_a_restart(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with running(slack_api, store, clock) as h:  # a bot whose calendar worker never ran
        channel = start_case(h)
        h.command("meeting 2027-01-15 10:00", channel=channel)
    (row,) = calendar_rows(store)
    assert row.status == "pending" and fake.events == {}
    # The next start claims what the last run left.
    jobs = CalendarJobs(
        store,
        SlackChat(make_client(TOKEN, slack_api.base_url)),
        clock,
        graph_port(settings, clock),
        organiser=ORGANISER,
        poll=0,
        warm_up=False,
    ).start()
    try:
        jobs.run_now()
    finally:
        jobs.stop()
    (row,) = calendar_rows(store)
    assert row.status == "sent" and len(fake.events) == 1


def test_held_offers_the_next_slots_from_free_busy(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with wired(slack_api, store, clock, graph_port(settings, clock), ORGANISER) as (h, jobs):
        channel = start_case(h)
        h.command("meeting 2027-01-15 10:00", channel=channel)
        jobs.run_now()
        clock.set("2027-01-15T15:00")
        # The slots fall in the next core group's last two working weeks (from Fri 12 Feb), not
        # the next three days. The lead social worker is busy every morning then; the health
        # visitor is not read.
        fake.external.add("hv@example.org")
        for day in (12, 15, 16, 17, 18, 19, 22, 23):
            fake.busy["lead@example.org"] = [
                *fake.busy.get("lead@example.org", []),
                (
                    datetime.fromisoformat(f"2027-02-{day}T09:00+00:00"),
                    datetime.fromisoformat(f"2027-02-{day}T13:00+00:00"),
                ),
            ]
        h.command("held attended:<@U0LEAD|lead>,<@U0HV|hv>", channel=channel)
        offer = wait_until(
            lambda: next((p for p in h.channel_posts(channel) if "times for the next" in all_text(p)), None),
            15,
        )
        text = all_text(offer)
        assert text.startswith("CG-0001: times for the next core group meeting before")
        assert "free/busy of 1 of 2 members" in text
        values = [el["value"] for b in offer["blocks"] if b["type"] == "actions" for el in b["elements"]]
        assert values and all(v.startswith("meeting 2027-02-") and v.endswith("case:CG-0001") for v in values)
        for v in values:  # every offered slot is in the afternoon, when the lead is free
            assert v.split()[2] >= "13:00"
        assert fake.graph_calls("POST", "/calendar/getSchedule")


def test_held_says_plainly_when_no_slot_with_the_lead_fits(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock, fake: FakeGraphServer, settings: Settings
) -> None:
    with wired(slack_api, store, clock, graph_port(settings, clock), ORGANISER) as (h, jobs):
        channel = start_case(h)
        h.command("meeting 2027-01-15 10:00", channel=channel)
        jobs.run_now()
        clock.set("2027-01-15T15:00")
        fake.busy["lead@example.org"] = [
            (
                datetime.fromisoformat("2027-01-15T00:00+00:00"),
                datetime.fromisoformat("2027-04-30T00:00+00:00"),
            )
        ]
        h.command("held attended:<@U0LEAD|lead>,<@U0HV|hv>", channel=channel)
        offer = wait_until(
            lambda: next(
                (p for p in h.channel_posts(channel) if "suits the lead social worker" in all_text(p)), None
            ),
            15,
        )
        assert "cannot be booked inside its deadline" in all_text(offer)
        values = [el["value"] for b in offer["blocks"] if b["type"] == "actions" for el in b["elements"]]
        assert values == ["meeting case:CG-0001"]


# --- the .ics fallback ---------------------------------------------------------------------------


def attendee_set(event: Any) -> set[str]:
    """ATTENDEE addresses of a VEVENT (icalendar gives one value or a list)."""
    raw: Any = event.get("attendee", [])
    return {str(a).removeprefix("mailto:") for a in (raw if isinstance(raw, list) else [raw])}


def _ics(api: FakeSlackAPI) -> list[Calendar]:
    files = sorted(api.files.values(), key=lambda f: f["id"])
    return [Calendar.from_ical(f["content"]) for f in files]


def test_ics_fallback_posts_files_with_a_stable_uid_and_rising_sequence(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    with wired(slack_api, store, clock, ics_port(clock)) as (h, jobs):
        channel = start_case(h)
        h.command('add email:parent@example.org name:"Parent" role:parent', channel=channel)
        h.command('meeting 2027-01-15 10:00 venue:"Family centre" family:all', channel=channel)
        jobs.run_now()
        h.command("meeting 2027-01-14 11:00 online move", channel=channel)
        jobs.run_now()
        h.command("cancel", channel=channel)
        jobs.run_now()

        cals = _ics(slack_api)
        assert [str(c["method"]) for c in cals] == ["REQUEST", "REQUEST", "CANCEL"]
        events = [c.walk("VEVENT")[0] for c in cals]
        assert len({str(e["uid"]) for e in events}) == 1
        assert [int(str(e["sequence"])) for e in events] == [0, 1, 2]
        first, moved, cancelled = events
        assert str(first["location"]) == "Family centre"
        assert attendee_set(first) == {"lead@example.org", "hv@example.org", "parent@example.org"}
        assert first.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == "2027-01-15 10:00"
        assert moved.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == "2027-01-14 11:00"
        assert str(moved["location"]).startswith("Family centre and online")
        assert str(cancelled["status"]) == "CANCELLED"
        assert str(first["organizer"]) == "mailto:lead@example.org"

        # Each file is attached to its message in the case channel, named by reference and date.
        files = sorted(slack_api.files.values(), key=lambda f: f["id"])
        assert [f["name"] for f in files] == [
            "CG-0001-core_group-20270115.ics",
            "CG-0001-core_group-20270114.ics",
            "CG-0001-core_group-20270114-cancelled.ics",
        ]
        assert all(f["channels"] == [channel] for f in files)
        comments = [m["text"] for m in slack_api.messages if m.get("files")]
        assert comments[0].startswith("CG-0001: core group meeting, Fri 15 Jan 2027, 10:00–11:00")
        assert "is cancelled" in comments[2]
        assert slack_api.errors() == []


def test_ics_online_only_meeting_has_no_venue_and_family_needs_the_tick(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    with wired(slack_api, store, clock, ics_port(clock)) as (h, jobs):
        channel = start_case(h)
        h.command('add email:parent@example.org name:"Parent" role:parent', channel=channel)
        h.command("meeting 2027-01-15 10:00 online", channel=channel)
        jobs.run_now()
        (cal,) = _ics(slack_api)
        event = cal.walk("VEVENT")[0]
        assert str(event["location"]) == "online (Microsoft Teams)"
        assert attendee_set(event) == {"lead@example.org", "hv@example.org"}

        # Only a social worker may tick family members; anyone else is told and nothing is booked.
        rows = len(calendar_rows(store))
        h.command("meeting 2027-01-16 10:00 family:all", user="U0HV", channel=channel)
        assert "Only CG-0001's lead social worker can invite family members" in h.last_reply_text()
        assert len(calendar_rows(store)) == rows


def test_changes_made_while_the_calendar_was_down_end_in_one_invitation(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    with running(slack_api, store, clock) as h:  # no calendar worker: the rows wait
        channel = start_case(h)
        h.command("meeting 2027-01-15 10:00", channel=channel)
        h.command("meeting 2027-01-14 09:30 move", channel=channel)
        h.command('add <@U0POLICE|police> role:police agency:"Police"', channel=channel)
    assert [(r.stage, r.status) for r in calendar_rows(store)] == [
        ("v0", "pending"),
        ("v1", "pending"),
        ("v2", "pending"),
    ]
    jobs = CalendarJobs(
        store,
        SlackChat(make_client(TOKEN, slack_api.base_url)),
        clock,
        ics_port(clock),
        poll=0,
        warm_up=False,
    ).start()
    try:
        jobs.run_now()
    finally:
        jobs.stop()
    # Only the newest row did any work: one file, the meeting as it is now, SEQUENCE 2.
    (cal,) = _ics(slack_api)
    event = cal.walk("VEVENT")[0]
    assert str(cal["method"]) == "REQUEST" and int(str(event["sequence"])) == 2
    assert event.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == "2027-01-14 09:30"
    assert "police@example.org" in attendee_set(event)
    assert [r.status for r in calendar_rows(store)] == ["sent", "sent", "sent"]
    assert meeting(store).calendar_event_id == str(event["uid"])


def test_the_booking_form_offers_family_ticks_to_the_lead_social_worker_only(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    with wired(slack_api, store, clock, ics_port(clock)) as (h, _jobs):
        channel = start_case(h)
        h.command('add email:parent@example.org name:"Parent" role:parent', channel=channel)
        h.command("meeting", channel=channel, trigger_id="T-lead")
        h.command("meeting", user="U0HV", channel=channel, trigger_id="T-hv")
        views = {a["trigger_id"]: a["view"] for a in slack_api.args_of("views.open")}
        assert set(views) == {"T-lead", "T-hv"}

        def labels(view: dict[str, Any]) -> list[str]:
            return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]

        assert "Send the invitation to family members" in labels(views["T-lead"])
        assert "Send the invitation to family members" not in labels(views["T-hv"])
        family = next(
            b
            for b in views["T-lead"]["blocks"]
            if b["type"] == "input" and b["label"]["text"].startswith("Send")
        )
        assert family["element"]["type"] == "checkboxes"
        assert [o["text"]["text"] for o in family["element"]["options"]] == ["Parent (parent)"]
        assert "initial_options" not in family["element"]  # nobody is ticked for them
        assert slack_api.errors() == []
