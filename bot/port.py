"""The chat port: what the bot needs from a chat platform, one small interface with an adapter
per platform beside it (Slack `bot.slack.chat.SlackChat`, Teams `bot.teams.chat.TeamsChat`, the
console `bot.console.ConsoleChat`).

Its own module so both users of the port -- `bot.chat.deliver` (a handler's outcome) and
`bot.delivery` (the reminder outbox) -- depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from handlers.replies import Form, Message


class ChatError(Exception):
    """A platform call failed in a way the person should hear about; `code` is the platform's."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail}" if detail else code)


class ChatPort(Protocol):
    """What handlers' outcomes need from a chat platform. Message ids are opaque strings."""

    platform: str

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str: ...

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None: ...

    def direct_message(self, user: str, message: Message) -> str: ...

    def update_message(self, channel: str, message_id: str, message: Message) -> None: ...

    def pin(self, channel: str, message_id: str) -> None: ...

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None: ...

    def create_private_channel(self, name: str) -> str: ...

    def invite(self, channel: str, users: Sequence[str]) -> None: ...

    def kick(self, channel: str, user: str) -> None: ...

    def archive(self, channel: str) -> None: ...

    def publish_home(self, user: str, cases: Sequence[Message]) -> None: ...


@runtime_checkable
class FileUploads(Protocol):
    """Optional on a `ChatPort`: post a file (an .ics invitation) in a channel, with `comment` as
    the message it is attached to. Returns the platform's file id. Adapters without it get the
    calendar's message without the file (see docs/graph.md)."""

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, *, comment: str | None = None
    ) -> str: ...
