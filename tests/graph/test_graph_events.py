"""Create, reschedule, attendee change and cancel through the real msgraph-sdk client: the JSON
Graph receives, field by field."""

from __future__ import annotations

from fakes.graph_server import FakeGraphServer
from graph_helpers import ATTENDEES, ORGANISER, london, make_invite, with_graph

from bot.calendar.graph import GraphCalendar, transaction_id
from bot.calendar.invite import Attendee, body_text
from bot.settings import Settings

EVENTS_PATH = f"/v1.0/users/{ORGANISER}/events"


def _attendee_json(a: Attendee) -> dict[str, object]:
    return {
        "@odata.type": "#microsoft.graph.attendee",
        "emailAddress": {"address": a.email, "name": a.role},
        "type": "required",
    }


def test_create_sends_every_field_graph_needs(fake: FakeGraphServer, settings: Settings) -> None:
    invite = make_invite()
    event_id = with_graph(settings, lambda port: port.create(invite))

    [call] = fake.graph_calls("POST")
    assert call.path == EVENTS_PATH
    assert call.headers["authorization"] == "Bearer fake-token-1"
    body = call.body
    assert set(body) == {
        "@odata.type",
        "subject",
        "body",
        "start",
        "end",
        "location",
        "attendees",
        "transactionId",
        "sensitivity",
        "responseRequested",
    }
    assert body["@odata.type"] == "#microsoft.graph.event"
    assert body["subject"] == "CG-0421: core group meeting"
    assert body["body"] == {"contentType": "text", "content": body_text(invite)}
    assert body["start"] == {"dateTime": "2027-01-05T10:00:00", "timeZone": "Europe/London"}
    assert body["end"] == {"dateTime": "2027-01-05T11:30:00", "timeZone": "Europe/London"}
    assert body["location"] == {"displayName": "Family centre, Room 2"}
    assert body["attendees"] == [_attendee_json(a) for a in ATTENDEES]
    assert body["transactionId"] == transaction_id(invite)
    assert body["sensitivity"] == "private"
    assert body["responseRequested"] is True
    # The agenda is Shropshire's outline for a core group, and the case is named by reference only.
    content = body["body"]["content"]
    assert "1. Status of child and purpose of meeting" in content
    assert "9. Setting next meeting" in content
    assert content.count("CG-0421") >= 2
    assert event_id == next(iter(fake.events))
    # One token for the whole exchange, fetched with the client-credentials grant.
    [token] = [r for r in fake.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert token.body["grant_type"] == "client_credentials"
    assert token.body["client_id"] == "client-test"


def test_online_meeting_in_summer_time_keeps_london_wall_clock(
    fake: FakeGraphServer, settings: Settings
) -> None:
    invite = make_invite(
        starts_at=london(2027, 7, 6, 14),
        ends_at=london(2027, 7, 6, 15),
        venue=None,
        online=True,
        kind="resolution_tier1",
        profile="cwm-taf-morgannwg",
    )
    with_graph(settings, lambda port: port.create(invite))

    [call] = fake.graph_calls("POST")
    body = call.body
    assert body["start"] == {"dateTime": "2027-07-06T14:00:00", "timeZone": "Europe/London"}
    assert body["end"] == {"dateTime": "2027-07-06T15:00:00", "timeZone": "Europe/London"}
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert "location" not in body
    assert body["subject"] == "CG-0421: cyfarfod datrys Haen 1 / Tier 1 resolution meeting"
    # Cwm Taf Morgannwg Appendix 4, not the core group outline.
    assert "1. Welcome and apologies" in body["body"]["content"]
    assert "8. Date of next core group meeting" in body["body"]["content"]
    assert "Setting next meeting" not in body["body"]["content"]


def test_reschedule_patches_the_same_event(fake: FakeGraphServer, settings: Settings) -> None:
    invite = make_invite()
    moved = invite.changed(
        starts_at=london(2027, 1, 7, 14), ends_at=london(2027, 1, 7, 15, 30), venue="School, meeting room 1"
    )

    async def go(port: GraphCalendar) -> str:
        event_id = await port.create(invite)
        await port.update(event_id, moved)
        return event_id

    event_id = with_graph(settings, go)

    [patch] = fake.graph_calls("PATCH")
    assert patch.path == f"{EVENTS_PATH}/{event_id}"
    assert set(patch.body) == {"@odata.type", "subject", "body", "start", "end", "location"}
    assert patch.body["start"] == {"dateTime": "2027-01-07T14:00:00", "timeZone": "Europe/London"}
    assert patch.body["end"] == {"dateTime": "2027-01-07T15:30:00", "timeZone": "Europe/London"}
    assert patch.body["location"] == {"displayName": "School, meeting room 1"}
    assert "Thu 7 Jan 2027, 14:00–15:30 (UK time)" in patch.body["body"]["content"]
    assert len(fake.events) == 1
    assert fake.events[event_id]["start"]["dateTime"] == "2027-01-07T14:00:00"


def test_moving_online_clears_the_old_venue(fake: FakeGraphServer, settings: Settings) -> None:
    invite = make_invite()

    async def go(port: GraphCalendar) -> None:
        event_id = await port.create(invite)
        await port.update(event_id, invite.changed(venue=None, online=True))

    with_graph(settings, go)
    [patch] = fake.graph_calls("PATCH")
    assert patch.body["location"] == {"displayName": ""}
    assert patch.body["isOnlineMeeting"] is True
    assert patch.body["onlineMeetingProvider"] == "teamsForBusiness"


def test_member_added_and_removed_patches_attendees_only(fake: FakeGraphServer, settings: Settings) -> None:
    invite = make_invite()
    police = Attendee("pc@police.example.test", "Police")
    new_list = (ATTENDEES[0], ATTENDEES[2], police)  # the health visitor left, the police joined

    async def go(port: GraphCalendar) -> str:
        event_id = await port.create(invite)
        await port.update_attendees(event_id, invite.changed(attendees=new_list))
        return event_id

    event_id = with_graph(settings, go)
    [patch] = fake.graph_calls("PATCH")
    assert patch.path == f"{EVENTS_PATH}/{event_id}"
    assert patch.body == {
        "@odata.type": "#microsoft.graph.event",
        "attendees": [_attendee_json(a) for a in new_list],
    }
    assert [a["emailAddress"]["address"] for a in fake.events[event_id]["attendees"]] == [
        "lsw@council.example.test",
        "dsl@school.example.test",
        "pc@police.example.test",
    ]


def test_cancel_posts_to_cancel_with_the_message(fake: FakeGraphServer, settings: Settings) -> None:
    invite = make_invite()

    async def go(port: GraphCalendar) -> str:
        event_id = await port.create(invite)
        await port.cancel(event_id, invite, "the review conference was brought forward")
        return event_id

    event_id = with_graph(settings, go)
    [cancel] = fake.graph_calls("POST", "/cancel")
    assert cancel.path == f"{EVENTS_PATH}/{event_id}/cancel"
    # The SDK spells action parameters as Graph's metadata does ("Comment"); Graph reads them
    # case-insensitively, and so does the fake.
    assert cancel.body == {"Comment": "CG-0421: the review conference was brought forward"}
    assert cancel.status == 202
    assert fake.events[event_id]["isCancelled"] is True


def test_repeated_create_returns_the_same_event(fake: FakeGraphServer, settings: Settings) -> None:
    """What the outbox does after a crash between Graph's answer and storing the event id."""
    invite = make_invite()

    async def go(port: GraphCalendar) -> tuple[str, str]:
        return await port.create(invite), await port.create(invite)

    first, second = with_graph(settings, go)
    assert first == second
    assert len(fake.events) == 1
    calls = fake.graph_calls("POST")
    assert len(calls) == 2
    assert calls[0].body["transactionId"] == calls[1].body["transactionId"]


def test_transaction_id_is_per_meeting() -> None:
    a = make_invite()
    assert transaction_id(a) == transaction_id(a.changed(venue="elsewhere"))
    assert transaction_id(a) != transaction_id(make_invite(uid="coregroup-CG-0421-18@coregroup"))
