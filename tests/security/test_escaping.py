"""Text people type never goes out as a live control sequence (security issue, item 2).

A venue, an action, a concern, an email member's name or a role containing `<!channel>`,
`<@U…>` or `<https://evil.example|Confirm>` used to reach Slack as a live @channel or a disguised
link (and `&lt;!channel&gt;` was unescaped into one). Now handlers name people with
`handlers.replies.mention`, a token no input can carry, and every renderer escapes the rest for
its surface. These tests feed hostile text through every renderer (a property test) and through
the real wire: signed Slack requests through the Bolt app against the fake Web API (channel
posts, the pinned summary's chat.update, the .ics upload's comment), Teams activities through the
Teams SDK app against the fake Bot Connector, and the console.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from fakes.env import PEOPLE, MovableClock
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness, all_text, make_deps, running
from fakes.teams_connector import CHANNEL as TEAMS_CHANNEL
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import HV, LEAD, ROSTER, TeamsHarness
from fakes.teams_harness import running as teams_running
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from slack_bolt import BoltRequest

from bot.calendar.ics import IcsCalendar, to_ics
from bot.calendar.invite import Invite
from bot.calendar.jobs import CalendarJobs
from bot.console import ConsoleSession
from bot.console import plain as console_plain
from bot.slack.app import build_app, make_client
from bot.slack.blocks import home_view, message_payload, modal_view, mrkdwn
from bot.slack.chat import SlackChat, SlackDirectory
from bot.teams.cards import command_text, form_card, message_activity
from handlers.forms import submit
from handlers.parse import AddAction, RaiseConcern, ScheduleMeeting, parse
from handlers.replies import MENTION_CLOSE, MENTION_OPEN, Button, Form, FormField, Message, clean
from handlers.replies import mention as user_mention
from storage.db import Store

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"

#: What an attacker types. Each one, unescaped, is something Slack or Teams would act on.
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@U0LEAD|lead>",
    "<#C1>",
    "<#C1|general>",
    "<!subteam^S1|@team>",
    "<https://evil.example|Confirm>",
    "<https://evil.example>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
    "[Confirm](https://evil.example)",
    "<at>Lead Social Worker</at>",
    "</at><at>x",
    "<script>alert(1)</script>",
    "<b>x</b>",
    "\x1b[2J\x1b[31mred",
    "\x9b2J",
    "a\x00b\x07c",
    "\u202etxet desrever",
    MENTION_OPEN,
    MENTION_CLOSE,
    f"{MENTION_OPEN}U0LEAD{MENTION_CLOSE}",
    f"{MENTION_OPEN}U0LEAD",
    "**bold** `code`",
    "&",
    "<",
    ">",
]
#: A live Slack entity: `<` then `@`, `#`, `!` or a link scheme, up to `>`.
SLACK_LIVE = re.compile(r"<[@#!]|<(?:https?|mailto|ftp):|<[^<>]*\|[^<>]*>")
#: Anything Slack would read as the start of an entity at all.
SLACK_ANGLE = re.compile(r"[<>]")


def hostile_text() -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
    return st.lists(pieces, min_size=1, max_size=5).map(" ".join)


def slack_texts(payload: Any) -> list[str]:
    """Every string Slack reads as mrkdwn in a payload or view (plain_text objects are shown
    literally by Slack, so `<!channel>` there is only text)."""
    out: list[str] = []
    if isinstance(payload, dict):
        literal = payload.get("type") == "plain_text"
        for key, value in payload.items():
            if key in ("text", "initial_comment") and isinstance(value, str):
                if literal:
                    continue
                out.append(value)
            else:
                out += slack_texts(value)
    elif isinstance(payload, list):
        for value in payload:
            out += slack_texts(value)
    return out


def assert_slack_safe(texts: list[str], allowed: set[str]) -> None:
    """No entity but the mentions we made; `<` and `>` never appear otherwise."""
    for t in texts:
        rest = t
        for ok in allowed:
            rest = rest.replace(ok, "")
        assert not SLACK_ANGLE.search(rest), t
        assert MENTION_OPEN not in t and MENTION_CLOSE not in t, t


# --- every renderer, with hostile text (property) -------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile=hostile_text())
def test_no_renderer_lets_typed_text_become_a_live_sequence(hostile: str) -> None:
    typed = clean(hostile)  # what input keeps of it (parse and forms clean likewise)
    ours = user_mention("U0HV")
    msg = Message(
        f"CG-0001: {typed} booked by {ours}",
        (f"**Venue**: {typed}", typed),
        (Button(typed or "x", "cg.run", "status"),),
        (f"{typed} · rule",),
    )

    # Slack: blocks, fallback text, App Home, a modal's intro and labels, the upload comment.
    payload = message_payload(msg)
    texts = slack_texts(payload) + slack_texts(home_view([msg]))
    form = Form("f", "Form", (FormField("a", typed or "x", hint=typed or None),), intro=typed)
    texts += [*slack_texts(modal_view(form)), mrkdwn(f"{typed} {ours}")]
    assert_slack_safe(texts, {"<@U0HV>"})
    assert "<@U0HV>" in payload["blocks"][0]["text"]["text"]
    assert "<@U0HV>" in payload["text"]

    # Teams: card text blocks and the summary; the only mention entity is ours.
    activity = message_activity(msg, lambda u: {"U0HV": "Health Visitor"}.get(u, "member"))
    card = activity["attachments"][0]["content"]
    for block in card["body"] + form_card(form)["body"]:
        text = str(block.get("text", ""))
        rest = text.replace("<at>Health Visitor</at>", "")
        assert "<" not in rest and ">" not in rest, text
        assert not re.search(r"(?<!\\)\[", rest), text  # no markdown link can open
        assert MENTION_OPEN not in text and MENTION_CLOSE not in text
    assert "<at>Health Visitor</at>" in card["body"][0]["text"]
    assert [e["mentioned"]["id"] for e in card["msteams"]["entities"]] == ["U0HV"]
    assert MENTION_OPEN not in activity["summary"] and MENTION_CLOSE not in activity["summary"]

    # Console: no control characters reach the terminal; our mention reads @U0HV.
    shown = console_plain(msg.preview)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff]", shown), repr(shown)
    assert "@U0HV" in shown

    # .ics (RFC 5545 escaping, icalendar's): a venue or cancellation reason is one property
    # value, read back exactly; it cannot start a property or component of its own.
    venue = typed or "x"
    start = datetime(2027, 1, 15, 10, tzinfo=UTC)
    invite = Invite(
        uid="coregroup-CG-0001-1@coregroup",
        case_ref="CG-0001",
        kind="core_group",
        starts_at=start,
        ends_at=start.replace(hour=11),
        organiser="lead@example.org",
        venue=venue,
    )
    cal = Calendar.from_ical(to_ics(invite, method="CANCEL", comment=venue, stamp=start))
    (event,) = cal.walk("VEVENT")
    assert (str(event["location"]), str(event["comment"])) == (venue, venue)
    assert not cal.walk("VALARM")


def test_a_mention_token_typed_or_sent_by_a_directory_is_stripped() -> None:
    forged = f"{MENTION_OPEN}U0LEAD{MENTION_CLOSE}"
    assert clean(f"hi {forged}\x1b[2J\u202e") == "hi U0LEAD[2J"
    cmd = parse(f'action add "call {forged}" owner:@U0HV due:2027-02-01')
    assert isinstance(cmd, AddAction) and MENTION_OPEN not in cmd.text
    action = submit("action", {"text": f"{forged} <!channel>\x1b[2J"}, "CG-0001")
    assert isinstance(action, AddAction) and action.text == "U0LEAD <!channel>[2J"
    assert mrkdwn(action.text) == "U0LEAD &lt;!channel&gt;[2J"


def test_parse_stores_what_was_meant_and_never_a_live_sequence() -> None:
    # Slack sends a typed `<!channel>` as `&lt;!channel&gt;`: stored as the literal text.
    cmd = parse("concern &lt;!channel&gt; &amp;lt;here")
    assert isinstance(cmd, RaiseConcern) and cmd.text == "<!channel> &lt;here"
    # Slack's own special mention, channel link and link become plain words.
    meeting = parse(
        'meeting 2027-02-26 10:00 venue:"<!channel> <#C1|general> <https://evil.example|Confirm>"'
    )
    assert isinstance(meeting, ScheduleMeeting)
    assert meeting.venue == "@channel #general https://evil.example"
    # A person picked inside free text is kept as the words it reads as, not as a mention.
    action = parse('action add "ring <@U0HV|hv> and <mailto:gp@example.org|gp@example.org>" owner:<@U0HV|hv>')
    assert isinstance(action, AddAction) and action.owner == "U0HV"
    assert action.text == "ring @hv and gp@example.org"
    concern = parse("concern <@U0HV> disagrees")
    assert isinstance(concern, RaiseConcern) and concern.text == "@U0HV disagrees"


# --- the wire: Slack ------------------------------------------------------------------------------


@pytest.fixture
def slack_api() -> Iterator[FakeSlackAPI]:
    users = [User(uid, uid.lower(), p.name, p.email, is_bot=p.is_bot) for uid, p in PEOPLE.items()]
    with FakeSlackAPI(TOKEN, users=users) as api:
        yield api


@contextmanager
def slack_with_ics(
    api: FakeSlackAPI, store: Store, clock: MovableClock
) -> Iterator[tuple[SlackHarness, CalendarJobs]]:
    """The Slack endpoint plus the calendar worker posting .ics files, as `coregroup serve`."""
    with running(api, store, clock) as h:
        chat = SlackChat(make_client(TOKEN, api.base_url))
        jobs = CalendarJobs(
            store, chat, clock, lambda publish: IcsCalendar(publish, clock), poll=0, warm_up=False
        ).start()
        h.deps.calendar = jobs.notify
        try:
            yield h, jobs
        finally:
            jobs.stop()


def _sent_texts(api: FakeSlackAPI) -> list[str]:
    """Every text the bot sent to Slack: posts, edits, ephemeral answers, file comments."""
    out: list[str] = []
    for method in (
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "response_url",
        "files.completeUploadExternal",
        "views.publish",
        "views.open",
    ):
        for args in api.args_of(method):
            out += slack_texts(args)
            if "blocks" in args and isinstance(args["blocks"], str):  # form-encoded JSON
                out.append(args["blocks"])
    return out


EVIL = "<!channel> <@U0MGR> <https://evil.example|Confirm>"
#: As Slack sends EVIL typed into a slash command: it escapes `&`, `<`, `>` in typed text.
EVIL_TYPED = "&lt;!channel&gt; &lt;@U0MGR&gt; &lt;https://evil.example|Confirm&gt;"


def test_slack_venue_action_concern_names_and_roles_go_out_escaped(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    with slack_with_ics(slack_api, store, clock) as (h, jobs):
        assert h.command(NEW).status_code == 200
        channel = h.fake.channel_named("cg-cg-0001")
        assert channel is not None
        ch = channel.id
        for line in (
            f'add <@U0HV|hv> role:"{EVIL_TYPED}" agency:"NHS" kind:professional',
            f'add email:parent@example.org name:"{EVIL_TYPED}" role:parent',
            f'meeting 2027-01-15 10:00 venue:"{EVIL_TYPED}"',
            f'action add "{EVIL_TYPED}" owner:<@U0HV|hv> due:2027-02-01',
            f"concern {EVIL_TYPED}",
            # What Slack itself sends for a real @channel / link typed in the command.
            'action add "<!channel> <https://evil.example|Confirm>" owner:<@U0HV|hv> due:2027-02-02',
        ):
            assert h.command(line, channel=ch).status_code == 200
        jobs.run_now()
        h.settle()

        texts = _sent_texts(slack_api)
        joined = "\n".join(texts)
        for live in ("<!channel>", "<!here>", "<@U0MGR>", "<https://evil.example"):
            assert live not in joined, live
        for t in texts:
            assert not SLACK_LIVE.search(re.sub(r"<@U0[A-Z]+>", "", t)), t
        # The typed text is shown as typed, escaped; the people the bot names are still mentioned.
        posts = [all_text(p) for p in h.channel_posts(ch)]
        assert any("&lt;!channel&gt;" in p and "&lt;https://evil.example|Confirm&gt;" in p for p in posts)
        assert any("<@U0HV>" in p for p in posts)
        # The pinned summary (edited in place after each change) carries the venue escaped.
        updates = [all_text(a) for a in slack_api.args_of("chat.update")]
        assert updates and any("&lt;!channel&gt;" in u for u in updates)
        # The .ics file's comment (files_upload_v2's initial_comment) too.
        comments = [m["text"] for m in slack_api.messages if m.get("files")]
        assert comments and "&lt;!channel&gt;" in comments[0]
        assert "<!channel>" not in comments[0] and "<https://" not in comments[0]


# --- the wire: Teams ------------------------------------------------------------------------------


@pytest.fixture
def teams(store: Store, clock: MovableClock) -> Iterator[TeamsHarness]:
    with FakeTeams(roster=list(ROSTER)) as fake, teams_running(fake, store, clock) as h:
        yield h


@pytest.mark.filterwarnings("ignore:The bot client is deprecated")
@pytest.mark.filterwarnings("ignore:.*in preview")
def test_teams_cards_carry_typed_links_and_tags_as_text(teams: TeamsHarness) -> None:
    assert teams.say(LEAD, NEW).status_code == 200
    teams.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])
    # Teams sends typed `<` as `&lt;` in the activity's HTML; the markdown link arrives as is.
    evil = (
        "&lt;at&gt;Lead Social Worker&lt;/at&gt; [Confirm](https://evil.example) "
        "&lt;!channel&gt; &lt;b&gt;x&lt;/b&gt;"
    )
    teams.say(LEAD, f'meeting 2027-01-15 10:00 venue:"{evil}"')
    teams.say(LEAD, f'action add "{evil}" owner:@Health Visitor due:2027-02-01', mentions=[HV])

    posts = teams.fake.activities(TEAMS_CHANNEL) + teams.fake.activities(TEAMS_CHANNEL, "PUT")
    assert len(posts) >= 3
    seen_venue = False
    for post in posts:
        card = post["attachments"][0]["content"]
        names = {e["text"] for e in card.get("msteams", {}).get("entities", [])}
        assert names <= {"<at>Health Visitor</at>", "<at>Lead Social Worker</at>"}
        ids = {e["mentioned"]["id"] for e in card.get("msteams", {}).get("entities", [])}
        assert ids <= {HV.id, LEAD.id}
        for block in card["body"]:
            text = str(block.get("text", ""))
            rest = text
            for n in names:
                rest = rest.replace(n, "")
            assert "<" not in rest and ">" not in rest, text
            assert "[Confirm](" not in text, text
            seen_venue = seen_venue or "\\[Confirm\\](https://evil.example)" in text
    assert seen_venue


# --- the console ----------------------------------------------------------------------------------


def test_console_strips_terminal_escapes_from_what_it_prints(store: Store, clock: MovableClock) -> None:
    script = (
        "\n".join(
            [
                f"/coregroup {NEW}",
                '/coregroup meeting 2027-01-15 10:00 venue:"Hall \x1b[2J\x1b]0;pwned\x07 \x9b31m room"',
                f'/coregroup concern "{MENTION_OPEN}U0MGR{MENTION_CLOSE} agrees \u202eevil"',
                "/coregroup status",
            ]
        )
        + "\n"
    )
    out = io.StringIO()
    session = ConsoleSession(store=store, clock=clock, user="U0LEAD", source=io.StringIO(script), out=out)
    try:
        session.loop()
    finally:
        session.close()
    text = out.getvalue()
    assert "Hall [2J]0;pwned 31m room" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ue000-\uf8ff]", text)
    assert "@U0MGR" not in text  # a typed token is not our mention
    assert "U0MGR agrees evil" in text


# --- the wire: Socket Mode ------------------------------------------------------------------------


def test_socket_mode_posts_typed_text_escaped_too(
    slack_api: FakeSlackAPI, store: Store, clock: MovableClock
) -> None:
    """Socket Mode hands Bolt the same payloads over a WebSocket; `SocketModeHandler` dispatches
    them as `BoltRequest(mode="socket_mode")`, which is what this does, into the same app."""
    deps = make_deps(store, clock)
    app = build_app(token=TOKEN, signing_secret=None, api_url=slack_api.base_url, deps=deps, socket_mode=True)

    def command(text: str, channel: str = "D0DIRECT") -> None:
        body = {
            "team_id": "T0000TEST",
            "channel_id": channel,
            "user_id": "U0LEAD",
            "user_name": "lead",
            "command": "/coregroup",
            "text": text,
            "api_app_id": "A0000TEST",
            "response_url": slack_api.response_url(),
            "trigger_id": f"1337.{len(slack_api.calls)}.trigger",
        }
        resp = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        assert resp.status == 200
        assert deps.worker.drain(10)

    try:
        command(NEW)
        channel = slack_api.channel_named("cg-cg-0001")
        assert channel is not None
        command(f'meeting 2027-01-15 10:00 venue:"{EVIL_TYPED}"', channel.id)
        command(f"concern {EVIL_TYPED}", channel.id)
    finally:
        deps.worker.shutdown()
    texts = _sent_texts(slack_api)
    assert any("&lt;!channel&gt;" in t for t in texts)
    for t in texts:
        assert not SLACK_LIVE.search(re.sub(r"<@U0[A-Z]+>", "", t)), t


def test_names_from_the_directories_are_cleaned(slack_api: FakeSlackAPI) -> None:
    """A display name is chosen by its owner: it can't carry our token or terminal escapes."""
    forged = f"{MENTION_OPEN}U0LEAD{MENTION_CLOSE}\x1b[2J"
    slack_api.add_user(User("U0EVIL", "evil", forged, "evil@example.org"))
    person = SlackDirectory(make_client(TOKEN, slack_api.base_url)).person("U0EVIL")
    assert person is not None and person.name == "U0LEAD[2J"
    _text, names = command_text(
        "<at>coregroup</at> add <at>x</at>",
        [{"type": "mention", "text": "<at>x</at>", "mentioned": {"id": "29:1x", "name": forged}}],
        "28:bot",
    )
    assert names == {"29:1x": "U0LEAD[2J"}
    card = message_activity(Message(f"hi {user_mention('29:1x')}"), lambda u: "</at><at>Lead")["attachments"][
        0
    ]["content"]
    assert card["body"][0]["text"] == "hi <at>&lt;/at&gt;&lt;at&gt;Lead</at>"
