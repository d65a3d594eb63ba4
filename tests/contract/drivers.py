"""The contract suite's drivers, one per chat adapter: the same use-case steps run through Slack
(signed requests to the real Bolt app, fake Web API), Teams (signed activities to the real Teams SDK
app, fake Bot Connector) and the console, and each step's messages come back normalised — markup
dropped, mentions as `@lead`/`@hv`… — split into what only the actor saw and what the case channel
saw. The tests assert the same records and the same text on all three, so a behaviour change in
`handlers/` shows on every adapter. `driver_for(name, …)` builds one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from fakes import signing
from fakes.env import PEOPLE, FakeDirectory, MovableClock, store_from
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness
from fakes.slack_harness import running as slack_running
from fakes.teams_connector import CHANNEL, FakeTeams
from fakes.teams_harness import HV, LEAD, OTHER, ROSTER, TEACH, TeamsHarness
from fakes.teams_harness import running as teams_running

from bot.console import ConsoleChat, ConsoleSession, Lines
from handlers.common import Config, Context
from handlers.replies import Form, Message
from storage.db import Store

#: The people of the story, by role, and their ids on each platform.
WHO = ("lead", "hv", "teacher", "other")
SLACK_IDS = {"lead": "U0LEAD", "hv": "U0HV", "teacher": "U0TEACH", "other": "U0OTHER"}
TEAMS_IDS = {"lead": LEAD.id, "hv": HV.id, "teacher": TEACH.id, "other": OTHER.id}
TEAMS_NAMES = {"lead": LEAD.name, "hv": HV.name, "teacher": TEACH.name, "other": OTHER.name}
ADAPTERS = ("slack", "teams", "console")


@dataclass
class Said:
    """One step's messages, normalised: those only the actor saw, and the channel's posts."""

    private: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    #: Direct messages to the other people of the story, by role ("hv", "teacher").
    dms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.private + self.channel)


class Driver(Protocol):
    platform: str
    store: Store
    clock: MovableClock

    def mention(self, who: str) -> str:
        """How `who` is mentioned when typed on this platform."""
        ...

    def do(self, who: str, text: str, *, mentions: Sequence[str] = ()) -> Said: ...

    def fill(self, who: str, values: dict[str, str], choose: dict[str, list[str]] | None = None) -> Said:
        """Submit the last form opened for `who`: `values` by field id; `choose` picks options
        of multi-selects by (part of) their label."""
        ...


_WS = re.compile(r"[ \t]+")


def tidy(text: str) -> str:
    """Markup every renderer adds or keeps, removed: bold/italic stars, HTML escapes."""
    text = text.replace("**", "").replace("*", "")
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return "\n".join(_WS.sub(" ", line).strip() for line in text.splitlines() if line.strip())


def _ids_to_roles(text: str, ids: dict[str, str]) -> str:
    for role, uid in ids.items():
        text = text.replace(f"<@{uid}>", f"@{role}").replace(f"@{uid}", f"@{role}")
    return text


# --- Slack -------------------------------------------------------------------------------------


def slack_lines(payload: dict[str, Any]) -> str:
    lines: list[str] = []
    for b in payload.get("blocks") or []:
        if b.get("type") in ("section", "header") and isinstance(b.get("text"), dict):
            lines += str(b["text"].get("text", "")).split("\n")
        elif b.get("type") == "context":
            lines += [str(e.get("text", "")) for e in b.get("elements") or []]
    if not lines:
        lines = [str(payload.get("text", ""))]
    return tidy(_ids_to_roles("\n".join(lines), SLACK_IDS))


class SlackDriver:
    platform = "slack"

    def __init__(self, h: SlackHarness) -> None:
        self.h = h
        self.store = h.store
        self.clock = h.clock
        self.channel = "D0DIRECT"

    def mention(self, who: str) -> str:
        return f"<@{SLACK_IDS[who]}|{who}>"

    def _marks(self) -> tuple[int, int]:
        return len(self.h.replies()), len(self.h.fake.calls)

    def _said(self, marks: tuple[int, int], who: str) -> Said:
        replies = self.h.replies()[marks[0] :]
        calls = self.h.fake.calls[marks[1] :]
        said = Said(private=[slack_lines(r) for r in replies])
        for c in calls:
            if not c.ok:
                continue
            if c.method == "chat.postEphemeral":
                said.private.append(slack_lines(c.args))
            elif c.method == "chat.postMessage":
                target = c.args.get("channel")
                if target == SLACK_IDS[who]:
                    said.private.append(slack_lines(c.args))
                elif target == self.channel:
                    said.channel.append(slack_lines(c.args))
                elif target in SLACK_IDS.values():
                    role = next(r for r, i in SLACK_IDS.items() if i == target)
                    said.dms.setdefault(role, []).append(slack_lines(c.args))
        return said

    def do(self, who: str, text: str, *, mentions: Sequence[str] = ()) -> Said:
        for m in mentions:
            text = text.replace(f"@{m}", self.mention(m))
        marks = self._marks()
        assert self.h.command(text, user=SLACK_IDS[who], channel=self.channel).status_code == 200
        made = self.h.fake.channel_named("cg-cg-0001")
        if made is not None:
            self.channel = made.id
        return self._said(marks, who)

    def fill(self, who: str, values: dict[str, str], choose: dict[str, list[str]] | None = None) -> Said:
        view = self.h.fake.args_of("views.open")[-1]["view"]
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            fid, el = block.get("block_id"), block.get("element") or {}
            kind = el.get("type")
            if fid in values:
                v = values[fid]
                state[fid] = {
                    "v": {"datepicker": signing.date_value(v), "static_select": signing.select(v)}.get(
                        kind,
                        {"type": "timepicker", "selected_time": v}
                        if kind == "timepicker"
                        else signing.plain(v),
                    )
                }
            elif choose and fid in choose:
                picked = [
                    o["value"]
                    for o in el.get("options", [])
                    if any(p in o["text"]["text"] for p in choose[fid])
                ]
                state[fid] = {"v": {"type": kind, "selected_options": [{"value": p} for p in picked]}}
        marks = self._marks()
        req = signing.view_submission(
            "cg.form", state, private_metadata=view["private_metadata"], user_id=SLACK_IDS[who]
        )
        assert self.h.send(req).status_code == 200
        self.h.settle()
        return self._said(marks, who)


# --- Teams -------------------------------------------------------------------------------------


def teams_lines(activity: dict[str, Any]) -> str:
    lines: list[str] = []
    for a in activity.get("attachments") or []:
        content = a.get("content") or {}
        tags = {e["text"]: e["mentioned"]["id"] for e in (content.get("msteams") or {}).get("entities") or []}
        for block in content.get("body") or []:
            if block.get("type") == "TextBlock":
                text = str(block.get("text", ""))
                for tag, uid in tags.items():
                    role = next((r for r, i in TEAMS_IDS.items() if i == uid), uid)
                    text = text.replace(tag, f"@{role}")
                lines.append(text)
    return tidy("\n".join(lines))


class TeamsDriver:
    platform = "teams"

    def __init__(self, h: TeamsHarness) -> None:
        self.h = h
        self.store = h.store
        self.clock = h.clock

    def mention(self, who: str) -> str:
        return f"@{TEAMS_NAMES[who]}"

    def _mark(self) -> int:
        return len(self.h.fake.calls)

    def _said(self, mark: int, who: str) -> Said:
        said = Said()
        personal = self.h.fake.personal_conversation(TEAMS_IDS[who])
        others = {self.h.fake.personal_conversation(i): r for r, i in TEAMS_IDS.items() if r != who}
        for c in self.h.fake.calls[mark:]:
            if c.method != "POST" or c.status >= 400 or "/activities" not in c.path:
                continue
            conv = c.path.split("/v3/conversations/", 1)[1].split("/activities", 1)[0]
            if conv == personal or ";messageid=" in conv:
                if _is_form(c.body):
                    continue
                said.private.append(teams_lines(c.body))
            elif conv == CHANNEL:
                said.channel.append(teams_lines(c.body))
            elif conv in others and not _is_form(c.body):
                said.dms.setdefault(others[conv], []).append(teams_lines(c.body))
        return said

    def do(self, who: str, text: str, *, mentions: Sequence[str] = ()) -> Said:
        mark = self._mark()
        people = [next(r for r in ROSTER if r.id == TEAMS_IDS[m]) for m in mentions]
        for m in mentions:
            text = text.replace(f"@{m}", self.mention(m))
        user = next(r for r in ROSTER if r.id == TEAMS_IDS[who])
        assert self.h.say(user, text, mentions=people).status_code == 200
        return self._said(mark, who)

    def fill(self, who: str, values: dict[str, str], choose: dict[str, list[str]] | None = None) -> Said:
        user = next(r for r in ROSTER if r.id == TEAMS_IDS[who])
        card = self.h.last_form(user)
        data = dict(card["actions"][0]["data"])
        for block in card["body"]:
            fid = block.get("id")
            if fid in values:
                data[fid] = values[fid]
            elif choose and fid in choose:
                data[fid] = ",".join(
                    c["value"] for c in block.get("choices", []) if any(p in c["title"] for p in choose[fid])
                )
        mark = self._mark()
        assert self.h.submit(user, data).status_code == 200
        return self._said(mark, who)


def _is_form(activity: dict[str, Any]) -> bool:
    return any(
        str(b.get("type", "")).startswith("Input.")
        for a in activity.get("attachments") or []
        for b in (a.get("content") or {}).get("body") or []
    )


# --- console -----------------------------------------------------------------------------------


class _RecordingChat(ConsoleChat):
    """The console's chat port, remembering each printed message and where it went."""

    def __init__(self, session: ConsoleSession) -> None:
        super().__init__(session)
        self.printed: list[tuple[str, Message]] = []
        self.forms: list[tuple[Form, str | None]] = []

    def _print(self, where: str, message: Message) -> str:
        self.printed.append((where, message))
        return super()._print(where, message)

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        self.forms.append((form, channel))  # filled in by `fill`, as a person would type it


def console_lines(message: Message) -> str:
    from bot.console import plain

    lines = [message.preview, *message.detail, *message.context]
    return tidy(_ids_to_roles("\n".join(plain(line) for line in lines), SLACK_IDS))


class _Session(ConsoleSession):
    """The console with the same pretend people as the Slack and Teams fakes (names, emails):
    the console's own directory invents names, which would make the records differ for a reason
    that has nothing to do with handlers."""

    def context(self, *, user: str | None = None) -> Context:
        return replace(super().context(user=user), directory=FakeDirectory())


class ConsoleDriver:
    platform = "console"

    def __init__(self, store: Store, clock: MovableClock, files: Path, config: Config | None = None) -> None:
        self.store = store
        self.clock = clock
        self.out = io.StringIO()
        self.session = _Session(
            store=store,
            clock=clock,
            user="U0LEAD",
            source=io.StringIO(""),
            out=self.out,
            config=config or Config(channel_prefix="cg-"),
            files_dir=files,
        )
        self.chat = _RecordingChat(self.session)
        self.session.chat = self.chat

    def mention(self, who: str) -> str:
        return f"<@{SLACK_IDS[who]}>"

    def _said(self, mark: int) -> Said:
        said = Said()
        for where, message in self.chat.printed[mark:]:
            if where.startswith("#"):
                said.channel.append(console_lines(message))
            elif where.startswith(("(only @", "coregroup → @")):
                said.private.append(console_lines(message))
            if where.startswith("coregroup → @"):
                uid = where.removeprefix("coregroup → @").split(" ", 1)[0]
                role = next((r for r, i in SLACK_IDS.items() if i == uid), None)
                if role is not None and uid != self.session.user:
                    said.dms.setdefault(role, []).append(console_lines(message))
        return said

    def do(self, who: str, text: str, *, mentions: Sequence[str] = ()) -> Said:
        for m in mentions:
            text = text.replace(f"@{m}", self.mention(m))
        mark = len(self.chat.printed)
        self.session.user = SLACK_IDS[who]
        self.session.run(text)
        return self._said(mark)

    def fill(self, who: str, values: dict[str, str], choose: dict[str, list[str]] | None = None) -> Said:
        form, channel = self.chat.forms[-1]
        answers = []
        for f in form.fields:
            if f.id in values:
                answers.append(values[f.id])
            elif choose and f.id in choose:
                answers.append(
                    ",".join(o.value for o in f.options if any(p in o.label for p in choose[f.id]))
                )
            else:
                answers.append("")
        mark = len(self.chat.printed)
        self.session.user = SLACK_IDS[who]
        self.session.lines = Lines(io.StringIO("\n".join(answers) + "\n"), self.out, False)
        self.session.fill_form(form, channel)
        return self._said(mark)


# --- building one --------------------------------------------------------------------------------


@contextmanager
def driver_for(name: str, template: Path, directory: Path, config: Config | None = None) -> Iterator[Driver]:
    directory.mkdir(parents=True, exist_ok=True)
    store = store_from(template, directory)
    clock = MovableClock("2027-01-04T14:00")
    try:
        if name == "slack":
            users = [User(uid, uid.lower(), p.name, p.email, is_bot=p.is_bot) for uid, p in PEOPLE.items()]
            with FakeSlackAPI(TOKEN, users=users) as api, slack_running(api, store, clock, config) as h:
                api.reset_calls()
                yield SlackDriver(h)
        elif name == "teams":
            with FakeTeams(roster=list(ROSTER)) as fake, teams_running(fake, store, clock, config) as h:
                yield TeamsDriver(h)
        else:
            yield ConsoleDriver(store, clock, directory / "files", config)
    finally:
        store.dispose()
