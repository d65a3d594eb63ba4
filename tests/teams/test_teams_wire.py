"""The real Teams SDK app over HTTP, driven with activities as Teams sends them (a channel message
with mentions, an Adaptive Card submit, a Universal Action invoke) carrying JWTs signed by a local
test key whose OpenID metadata and JWKS the fake serves — so the SDK's token validation really runs.
Replies go to the fake Bot Connector, whose recorded bodies are asserted field by field."""

from __future__ import annotations

import json

import pytest
from fakes.teams_connector import (
    BOT_ID,
    CHANNEL,
    TENANT,
    SigningKey,
    card_invoke,
    channel_message,
)
from fakes.teams_harness import HV, LEAD, OTHER, TEACH, TeamsHarness
from sqlmodel import func, select

from bot.teams.cards import CARD_TYPE, KIND, LINE, card_text
from handlers.replies import Message
from storage import repository as repo
from storage.models import AuditEvent

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def audit_count(h: TeamsHarness) -> int:
    with h.store.read() as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)).one())


def start_case(h: TeamsHarness) -> None:
    assert h.say(LEAD, NEW).status_code == 200
    h.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])


def test_unsigned_or_wrongly_signed_activities_get_401_and_change_nothing(teams: TeamsHarness) -> None:
    before = audit_count(teams)
    activity = channel_message(teams.fake, LEAD, NEW)
    service = activity["serviceUrl"]
    stranger = SigningKey(kid=teams.fake.key.kid)  # same key id, a key nobody published
    bad = {
        "unsigned": "",
        "wrong key": stranger.token(service_url=service),
        "wrong audience": teams.fake.key.token(service_url=service, audience="someone-else"),
        "wrong issuer": teams.fake.key.token(service_url=service, issuer="https://evil.example"),
        "expired": teams.fake.key.token(service_url=service, lifetime=-3600),
        "other service url": teams.fake.key.token(service_url="https://elsewhere.example/"),
        "not a jwt": "not-a-token",
    }
    for why, token in bad.items():
        r = teams.send(activity, token=token)
        assert r.status_code == 401, why
    assert teams.fake.calls == []
    assert audit_count(teams) == before
    with teams.store.read() as s:
        assert repo.list_cases(s, status=None) == []
    # …and the same activity, properly signed, is accepted.
    assert teams.send(activity).status_code == 200
    with teams.store.read() as s:
        assert [c.reference for c in repo.list_cases(s)] == ["CG-0001"]


def test_new_in_a_channel_links_it_and_stores_the_conversation_reference(teams: TeamsHarness) -> None:
    r = teams.say(LEAD, NEW)
    assert r.status_code == 200
    with teams.store.read() as s:
        conv = repo.conversation(s, "CG-0001", "teams")
        no_slack = repo.conversation(s, "CG-0001", "slack")
        lead = repo.member_by_address(s, "CG-0001", "teams", LEAD.id)
    assert conv is not None and conv.channel == CHANNEL and no_slack is None
    assert lead.role == "lead_social_worker" and lead.address("teams") == LEAD.id
    assert lead.display_name == "Lead Social Worker" and lead.email == "lead@example.org"
    ref = json.loads(conv.reference or "{}")
    assert ref == {
        "channelId": "msteams",
        "serviceUrl": teams.fake.service_url,
        "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        "bot": {"id": BOT_ID},
        "teamId": "19:team-general@thread.tacv2",
    }
    # The private answer: a 1:1 conversation created with the bot, then a card in it.
    created = teams.fake.conversations_created()
    assert created == [
        {
            "isGroup": False,
            "bot": {"id": BOT_ID},
            "members": [{"id": LEAD.id}],
            "channelData": {"tenant": {"id": TENANT}},
            "tenantId": TENANT,
        }
    ]
    private = teams.fake.activities(teams.fake.personal_conversation(LEAD.id))
    assert len(private) == 1
    assert private[0]["type"] == "message"
    assert private[0]["summary"] == "CG-0001 is set up and you are its lead social worker."
    card = private[0]["attachments"][0]
    assert card["contentType"] == CARD_TYPE
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["version"] == "1.5"
    assert card["content"]["body"][0] == {
        "type": "TextBlock",
        "text": "CG-0001 is set up and you are its lead social worker.",
        "wrap": True,
        "weight": "Bolder",
    }
    # The summary goes to the channel itself, first deadlines with rule and source last.
    posts = teams.fake.activities(CHANNEL)
    assert len(posts) == 1
    body = posts[0]["attachments"][0]["content"]["body"]
    assert body[0]["text"].startswith("CG-0001: core group set up; first core group due by Mon 18 Jan 2027")
    small = [b["text"] for b in body if b.get("size") == "Small"]
    assert small[0].startswith("first_core_group · Suffolk guidance §2.1")
    assert all(b.get("isSubtle") for b in body if b.get("size") == "Small")
    # Every connector call carried the bot's token.
    assert {c.authorization for c in teams.fake.calls} == {"Bearer connector-token-for-tests"}


def test_add_by_mention_stores_the_teams_id_and_mentions_them_back(teams: TeamsHarness) -> None:
    start_case(teams)
    with teams.store.read() as s:
        hv = repo.member_by_address(s, "CG-0001", "teams", HV.id)
    assert (hv.role, hv.agency, hv.display_name, hv.email) == (
        "health_visitor",
        "NHS",
        "Health Visitor",
        "hv@example.org",
    )
    assert hv.address("slack") is None and hv.address("teams") == HV.id
    post = teams.fake.activities(CHANNEL)[-1]
    content = post["attachments"][0]["content"]
    assert content["body"][0]["text"] == (
        "CG-0001: <at>Health Visitor</at> joined the core group as health visitor, NHS."
    )
    assert content["msteams"]["entities"] == [
        {
            "type": "mention",
            "text": "<at>Health Visitor</at>",
            "mentioned": {"id": HV.id, "name": "Health Visitor"},
        }
    ]
    assert post["summary"] == f"CG-0001: @{HV.id} joined the core group as health visitor, NHS."
    # A second add of the same person changes nothing.
    before = audit_count(teams)
    teams.say(LEAD, 'add @Health Visitor role:"health visitor"', mentions=[HV])
    assert audit_count(teams) == before
    assert "is already in the core group" in teams.private(LEAD)[-1]


def test_someone_not_in_the_team_is_refused_by_name(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.fake.roster.pop(TEACH.id)
    before = audit_count(teams)
    teams.say(LEAD, "add @Designated Teacher role:teacher", mentions=[TEACH])
    assert audit_count(teams) == before
    assert teams.private(LEAD)[-1].startswith("I can't find <at>Designated Teacher</at> in this team.")


def test_a_non_member_is_refused_privately_and_nothing_changes(teams: TeamsHarness) -> None:
    start_case(teams)
    before = audit_count(teams)
    posts = len(teams.fake.activities(CHANNEL))
    teams.say(OTHER, "visit 2027-01-04 seen-alone")
    assert audit_count(teams) == before
    assert len(teams.fake.activities(CHANNEL)) == posts  # nothing in the channel
    assert teams.private(OTHER) == [
        "Only members of CG-0001's core group can see or change its record.\n"
        'Ask the lead social worker to add you: `/coregroup add @you role:"…"`.'
    ]


def test_report_form_is_an_adaptive_card_and_its_submit_saves_the_report(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "meeting 2027-01-15 10:00")
    teams.say(HV, "report")
    card = teams.last_form(HV)
    inputs = [b for b in card["body"] if b["type"].startswith("Input.")]
    assert inputs == [
        {
            "id": "text",
            "label": "Report",
            "isRequired": True,
            "errorMessage": "Report is needed.",
            "type": "Input.Text",
            "isMultiline": True,
        }
    ]
    action = card["actions"][0]
    assert action["type"] == "Action.Submit" and action["title"] == "Send report"
    assert action["data"]["cg.form"] == "report" and action["data"]["cg.channel"] == CHANNEL
    assert action["data"]["cg.context"].startswith("CG-0001|")
    # Teams sends the data with the inputs merged in, from the 1:1 chat the card is in.
    teams.submit(HV, {**action["data"], "text": "Seen twice; weight on track."})
    with teams.store.read() as s:
        meeting = repo.next_meeting(s, "CG-0001", now=teams.clock())
        assert meeting is not None
        reports = repo.reports(s, "CG-0001", meeting.id)
    mine = [r for r in reports if r.submitted_at is not None]
    assert len(mine) == 1 and mine[0].text == "Seen twice; weight on track."


def test_held_form_reads_multi_selects_and_records_attendance(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "meeting 2027-01-15 10:00")
    teams.clock.set("2027-01-15T12:00")
    teams.say(LEAD, "held")
    card = teams.last_form(LEAD)
    attended = next(b for b in card["body"] if b.get("id") == "attended")
    assert attended["type"] == "Input.ChoiceSet" and attended["isMultiSelect"] is True
    values = ",".join(c["value"] for c in attended["choices"])
    data = card["actions"][0]["data"]
    assert data["cg.many"] == "attended,apologies"
    teams.submit(LEAD, {**data, "date": "2027-01-15", "attended": values, "apologies": ""})
    with teams.store.read() as s:
        meeting = repo.meetings(s, "CG-0001")[0]
        present = repo.attendance(s, "CG-0001", meeting.id or 0)
    assert meeting.status == "held"
    assert sorted(a.status for a in present) == ["attended", "attended"]
    assert "held" in " ".join(teams.channel()).lower()


def test_card_buttons_run_their_command_line(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "meeting 2027-03-30 10:00")  # outside the first-core-group window: asks
    question = teams.fake.activities(teams.fake.personal_conversation(LEAD.id))[-1]
    actions = question["attachments"][0]["content"]["actions"]
    confirm = next(a for a in actions if a["data"][KIND] == "run")
    assert confirm["type"] == "Action.Submit" and confirm["data"][LINE]
    with teams.store.read() as s:
        assert repo.meetings(s, "CG-0001") == []
    teams.submit(LEAD, confirm["data"], in_channel=CHANNEL)
    with teams.store.read() as s:
        assert len(repo.meetings(s, "CG-0001")) == 1


def test_universal_action_invoke_answers_in_the_response_and_does_the_work(teams: TeamsHarness) -> None:
    start_case(teams)
    r = teams.send(
        card_invoke(teams.fake, LEAD, {KIND: "run", LINE: "visit 2027-01-04 seen-alone"}, in_channel=CHANNEL)
    )
    assert r.status_code == 200
    assert r.json() == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Got it: working on it.",
    }
    with teams.store.read() as s:
        assert len(repo.visits(s, "CG-0001")) == 1


def test_a_retried_activity_changes_nothing_twice(teams: TeamsHarness) -> None:
    start_case(teams)
    activity = channel_message(teams.fake, LEAD, "visit 2027-01-04 seen-alone", activity_id="1700000000999")
    teams.send(activity)
    teams.send(activity)  # Teams retries when the 200 is late
    with teams.store.read() as s:
        assert len(repo.visits(s, "CG-0001")) == 1


def test_throttling_is_waited_out_with_retry_after(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.fake.throttle(times=2, retry_after=3)
    teams.say(LEAD, "status")
    assert teams.sleeps == [3.0, 3.0]
    assert teams.deps.connector.throttled == 2
    assert teams.private(LEAD)[-1].startswith("CG-0001")
    statuses = [c.status for c in teams.fake.calls[-3:]]
    assert statuses == [429, 429, 201]


def test_no_personal_chat_falls_back_to_a_threaded_reply(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.fake.no_personal_chat.add(OTHER.id)
    teams.say(OTHER, "status")
    thread = f"{CHANNEL};messageid=1700000000001"
    replies = teams.fake.activities(thread)
    assert len(replies) == 1
    assert card_text(replies[0]).startswith("Only members of CG-0001's core group")


def test_proactive_posts_use_the_stored_reference(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.fake.reset()
    port = teams.deps.chat()  # no activity to answer: the sweep's port
    mid = port.post_message(CHANNEL, Message("CG-0001: reminder", ("detail",)))
    port.update_message(CHANNEL, mid, Message("CG-0001: reminder (edited)"))
    dm = port.direct_message(HV.id, Message("CG-0001: your report is due"))
    assert mid and dm
    calls = [(c.method, c.path) for c in teams.fake.calls]
    assert calls == [
        ("POST", f"/teams/v3/conversations/{CHANNEL}/activities"),
        ("PUT", f"/teams/v3/conversations/{CHANNEL}/activities/{mid}"),
        ("POST", "/teams/v3/conversations"),
        ("POST", f"/teams/v3/conversations/{teams.fake.personal_conversation(HV.id)}/activities"),
    ]
    put = teams.fake.calls[1].body
    assert put["id"] == mid and put["summary"] == "CG-0001: reminder (edited)"
    # A fresh process (no activity seen yet) starts 1:1 chats at the tenant's regional connector
    # from the stored reference, not at the TEAMS_SERVICE_URL default.
    teams.deps.seen_service_url = None
    teams.deps.service_url = "http://127.0.0.1:9/nowhere/"
    teams.deps.personal = type(teams.deps.personal)()
    assert teams.deps.chat().direct_message(TEACH.id, Message("CG-0001: hello"))


def test_new_outside_a_channel_is_refused_and_saves_nothing(teams: TeamsHarness) -> None:
    from fakes.teams_connector import personal_message

    teams.send(personal_message(teams.fake, LEAD, NEW))
    with teams.store.read() as s:
        assert repo.list_cases(s, status=None) == []
    assert teams.private(LEAD) == [
        "In Teams, a core group lives in a team channel: type `@coregroup new …` there.\n"
        "I link the channel you type it in to the case; nothing has been saved yet.\n"
        "Try `@coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04` in the channel."
    ]


def test_new_in_a_channel_that_has_a_case_is_refused(teams: TeamsHarness) -> None:
    teams.say(LEAD, NEW)
    teams.say(LEAD, "new CG-0002 profile:suffolk plan:cp start:2027-01-04")
    with teams.store.read() as s:
        assert [c.reference for c in repo.list_cases(s)] == ["CG-0001"]
    assert teams.private(LEAD)[-1] == (
        "This channel is already CG-0001's core group channel.\n"
        "Nothing has been saved. Make a channel for the new case (private where your tenant "
        "allows), add the app to it, and type `@coregroup new …` there."
    )


@pytest.mark.parametrize("text", ["/coregroup status", "coregroup status", "status"])
def test_the_command_word_is_optional(teams: TeamsHarness, text: str) -> None:
    start_case(teams)
    teams.say(LEAD, text)
    assert teams.private(LEAD)[-1].startswith("CG-0001")


def test_the_conversation_reference_is_audited_once_and_refreshed_when_it_moves(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "status")
    teams.say(OTHER, "status")

    def refs() -> list[AuditEvent]:
        with teams.store.read() as s:
            return list(
                s.exec(select(AuditEvent).where(AuditEvent.action == "case.conversation_reference")).all()
            )

    (first,) = refs()
    assert first.actor == "teams:bot" and first.case_ref == "CG-0001"
    # Teams moves the tenant to another regional service URL: the next activity updates it.
    moved = channel_message(teams.fake, LEAD, "status")
    moved["serviceUrl"] = teams.fake.service_url.replace("127.0.0.1", "localhost")
    assert teams.send(moved).status_code == 200
    assert len(refs()) == 2
    with teams.store.read() as s:
        conv = repo.conversation(s, "CG-0001", "teams")
        stored = json.loads(conv.reference if conv and conv.reference else "{}")
    assert stored["serviceUrl"] == moved["serviceUrl"]


def test_the_people_picker_answer_becomes_the_teams_member(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "action")
    card = teams.last_form(LEAD)
    owner = next(b for b in card["body"] if b.get("id") == "owner")
    assert owner["type"] == "Input.ChoiceSet"
    assert owner["choices.data"] == {
        "type": "Data.Query",
        "dataset": "graph.microsoft.com/users?scope=currentContext",
    }
    data = card["actions"][0]["data"]
    assert data["cg.people"] == "owner"
    # The picker answers with the person's Entra object id; the roster maps it to their Teams id.
    teams.submit(LEAD, {**data, "text": "Book the dental check-up", "owner": HV.aad, "due": "2027-02-01"})
    with teams.store.read() as s:
        (action,) = repo.actions(s, "CG-0001")
        hv = repo.member_by_address(s, "CG-0001", "teams", HV.id)
    assert action.owner_member_id == hv.id and str(action.due_on) == "2027-02-01"


def test_an_activity_from_another_tenant_changes_nothing(teams: TeamsHarness) -> None:
    activity = channel_message(teams.fake, LEAD, NEW)
    activity["channelData"]["tenant"]["id"] = "99999999-0000-4000-8000-000000000000"
    activity["conversation"]["tenantId"] = "99999999-0000-4000-8000-000000000000"
    before = audit_count(teams)
    assert teams.send(activity).status_code == 200  # validly signed: Teams gets its 200
    assert audit_count(teams) == before and teams.fake.calls == []


def test_the_new_case_form_links_the_channel_it_was_opened_in(teams: TeamsHarness) -> None:
    teams.say(LEAD, "new")
    card = teams.last_form(LEAD)
    data = card["actions"][0]["data"]
    assert data["cg.form"] == "new" and data["cg.channel"] == CHANNEL
    teams.submit(
        LEAD, {**data, "reference": "CG-0042", "profile": "suffolk", "plan": "cp", "start": "2027-01-04"}
    )
    with teams.store.read() as s:
        conv = repo.conversation(s, "CG-0042", "teams")
    assert conv is not None and conv.channel == CHANNEL
    assert json.loads(conv.reference or "{}")["conversation"]["id"] == CHANNEL
    (summary,) = teams.fake.activities(CHANNEL)
    assert summary["summary"].startswith("CG-0042: core group set up")


def test_a_form_with_a_problem_says_which_field_and_saves_nothing(teams: TeamsHarness) -> None:
    start_case(teams)
    teams.say(LEAD, "meeting 2027-01-15 10:00")
    teams.clock.set("2027-01-15T12:00")
    teams.say(LEAD, "held")
    data = teams.last_form(LEAD)["actions"][0]["data"]
    before = audit_count(teams)
    teams.submit(LEAD, {**data, "date": "2027-01-15", "attended": "", "apologies": ""})
    assert audit_count(teams) == before
    assert teams.private(LEAD)[-1] == (
        "That form needs another look; nothing was saved.\n"
        "**Who attended**: Pick who attended.\n"
        "Correct it in the card and press the button again."
    )
