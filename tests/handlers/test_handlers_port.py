"""Delivering an outcome only talks to the chat port (architecture item 3): the handlers hand
`bot.chat.deliver` finished messages -- the pinned summary, App Home pages -- and do the reading
and recording about the case (its channel, the channel the adapter made, the pinned summary's id)
in small handler functions, so `bot/chat.py` imports nothing from `storage`."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from fakes.env import CtxFactory
from test_handlers_cases import CHANNEL, run, setup_case

from bot.chat import deliver
from handlers.cases import case_channel, link_channel
from handlers.home import refresh_home
from handlers.replies import Form, Message, Outcome, RefreshHome, RefreshSummary
from handlers.summary import pinned_summary, remember_pin, summary_message
from storage import repository as repo
from storage.db import Store

CHAT = Path(__file__).resolve().parents[2] / "bot" / "chat.py"
#: The handler modules bot/chat.py may use: the reply types, the Context type and the small
#: use-case functions it calls while delivering.
# handlers.i18n is pure (the catalogue and rendering, no storage): deliver words its own notes.
# handlers.language: who reads which language (user_voice, channel_voice), asked while delivering.
ALLOWED_HANDLERS = {
    "handlers.replies",
    "handlers.common",
    "handlers.cases",
    "handlers.summary",
    "handlers.i18n",
    "handlers.language",
}


class RecordingPort:
    """Just enough of a chat port to see what `deliver` asks of it."""

    platform = "slack"

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        self.calls.append(("post", (channel, message)))
        return f"m{len(self.calls)}"

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None:
        self.calls.append(("ephemeral", (channel, user, message)))

    def direct_message(self, user: str, message: Message) -> str:
        self.calls.append(("dm", (user, message)))
        return "dm1"

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        self.calls.append(("update", (channel, message_id, message)))

    def pin(self, channel: str, message_id: str) -> None:
        self.calls.append(("pin", (channel, message_id)))

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        self.calls.append(("form", form))

    def create_private_channel(self, name: str) -> str:
        self.calls.append(("create", name))
        return "C0NEW"

    def invite(self, channel: str, users: Sequence[str]) -> None:
        self.calls.append(("invite", (channel, tuple(users))))

    def kick(self, channel: str, user: str) -> None:
        self.calls.append(("kick", (channel, user)))

    def archive(self, channel: str) -> None:
        self.calls.append(("archive", channel))

    def publish_home(self, user: str, cases: Sequence[Message]) -> None:
        self.calls.append(("home", (user, tuple(cases))))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_bot_chat_imports_no_storage_and_only_small_handler_functions() -> None:
    imported = _imports(CHAT)
    assert not {m for m in imported if m == "storage" or m.startswith("storage.")}
    assert {m for m in imported if m.startswith("handlers")} <= ALLOWED_HANDLERS
    assert "bot.delivery" not in imported  # the bundle comes in as a callable: no cycle


def test_a_change_carries_its_finished_summary(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    out = run(ctx(channel=CHANNEL), "digest on")
    [refresh] = [e for e in out.effects if isinstance(e, RefreshSummary)]
    assert refresh.message is not None
    assert refresh.message == summary_message(ctx(), "CG-0001")
    assert refresh.message.preview.startswith("CG-0001: core group summary")
    assert any("morning digest" in line for line in refresh.message.detail)


def test_deliver_edits_the_pinned_summary_with_the_handlers_message(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    remember_pin(ctx(), "CG-0001", "slack", "m-pinned")
    assert pinned_summary(ctx(), "CG-0001", "slack") == (CHANNEL, "m-pinned")
    finished = Message("CG-0001: core group summary (as the handler built it)")
    port = RecordingPort()
    deliver(
        Outcome(effects=[RefreshSummary("CG-0001", finished)], reference="CG-0001"),
        ctx=ctx(channel=CHANNEL),
        port=port,
        reply_to_actor=lambda m: None,
    )
    assert port.calls == [("update", (CHANNEL, "m-pinned", finished))]


def test_a_summary_with_nowhere_pinned_is_not_posted(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    assert pinned_summary(ctx(), "CG-0001", "slack") is None  # linked, never pinned
    assert pinned_summary(ctx(), "CG-9999", "slack") is None
    port = RecordingPort()
    deliver(
        Outcome(effects=[RefreshSummary("CG-0001", Message("x"))]),
        ctx=ctx(),
        port=port,
        reply_to_actor=lambda m: None,
    )
    assert port.calls == []


def test_the_channel_deliver_makes_is_recorded_by_the_handler_function(ctx: CtxFactory, store: Store) -> None:
    out = run(ctx(), "new CG-0002 profile:suffolk plan:cp start:2027-01-04")
    port = RecordingPort()
    deliver(out, ctx=ctx(), port=port, reply_to_actor=lambda m: None)
    assert case_channel(ctx(), "CG-0002", "slack") == "C0NEW"
    [(_, (channel, pinned))] = [c for c in port.calls if c[0] == "pin"]
    assert pinned_summary(ctx(), "CG-0002", "slack") == (channel, pinned)
    with store.read() as s:
        assert repo.summary_message_id(s, "CG-0002", "slack") == pinned
    assert case_channel(ctx(), "CG-9999", "slack") is None
    link_channel(ctx(), "CG-0002", "teams", "19:abc@thread.tacv2")
    assert case_channel(ctx(), "CG-0002", "teams") == "19:abc@thread.tacv2"


def test_app_home_pages_are_finished_by_the_handler(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    [page] = refresh_home(ctx(), ("U0HV",))
    assert page.user == "U0HV" and page.page
    assert page.page[0].preview.startswith("CG-0001")
    port = RecordingPort()
    deliver(Outcome(effects=[page]), ctx=ctx(), port=port, reply_to_actor=lambda m: None)
    assert port.calls == [("home", ("U0HV", page.page))]
    assert isinstance(page, RefreshHome)
