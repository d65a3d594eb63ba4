"""The chat port on Slack's Web API, and the user directory (`users.info`).

Every call goes through one `WebClient` (with `RateLimitErrorRetryHandler` attached by the app
factory); Slack's benign "already done" answers (already in the channel, already pinned…) are
treated as success so a retried step is harmless, and other API errors become `ChatError` with
Slack's error code.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.chat import ChatError, reader_lang, reader_voice
from bot.ops.metrics import chat_error
from bot.slack.blocks import home_view, message_payload, modal_view, mrkdwn
from handlers.common import Person
from handlers.replies import Form, Message, clean

log = logging.getLogger("coregroup.slack")

#: Errors that mean "it is already the way you want it".
_ALREADY = {
    "already_in_channel",
    "already_pinned",
    "not_in_channel",
    "already_archived",
    "cant_invite_self",
}


def _call(method: str, fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except SlackApiError as exc:
        code = str(exc.response.get("error", "unknown_error"))
        if code in _ALREADY:
            return None
        log.warning("slack call refused", extra={"method": method, "code": code})
        chat_error("slack", code)
        raise ChatError(code, method) from exc


class SlackChat:
    platform = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        r = _call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=channel,
            thread_ts=thread,
            unfurl_links=False,
            unfurl_media=False,
            **message_payload(message, voice=reader_voice()),
        )
        return str(r["ts"])

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None:
        _call(
            "chat.postEphemeral",
            self.client.chat_postEphemeral,
            channel=channel,
            user=user,
            **message_payload(message, voice=reader_voice()),
        )

    def direct_message(self, user: str, message: Message) -> str:
        """Into the app's Messages tab with the user (chat:write only; no im:write needed).

        The id is "<DM channel>:<ts>": `chat.update` wants the D… conversation id, not the user
        id, and only this answer tells it without `im:write` (the chair's bundle is edited)."""
        r = _call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=user,
            unfurl_links=False,
            **message_payload(message, voice=reader_voice()),
        )
        return f"{r['channel']}:{r['ts']}" if r.get("channel") else str(r["ts"])

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        if ":" in message_id:  # a direct message's id (see direct_message)
            channel, message_id = message_id.split(":", 1)
        _call(
            "chat.update",
            self.client.chat_update,
            channel=channel,
            ts=message_id,
            **message_payload(message, voice=reader_voice()),
        )

    def pin(self, channel: str, message_id: str) -> None:
        _call("pins.add", self.client.pins_add, channel=channel, timestamp=message_id)

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        _call(
            "views.open",
            self.client.views_open,
            trigger_id=trigger,
            view=modal_view(form, channel=channel, lang=reader_lang()),
        )

    def create_private_channel(self, name: str) -> str:
        r = _call("conversations.create", self.client.conversations_create, name=name, is_private=True)
        return str(r["channel"]["id"])

    def invite(self, channel: str, users: Sequence[str]) -> None:
        if users:
            _call(
                "conversations.invite",
                self.client.conversations_invite,
                channel=channel,
                users=",".join(users),
            )

    def kick(self, channel: str, user: str) -> None:
        _call("conversations.kick", self.client.conversations_kick, channel=channel, user=user)

    def archive(self, channel: str) -> None:
        _call("conversations.archive", self.client.conversations_archive, channel=channel)

    def publish_home(self, user: str, cases: Sequence[Message]) -> None:
        _call(
            "views.publish",
            self.client.views_publish,
            user_id=user,
            view=home_view(cases, lang=reader_lang()),
        )

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, *, comment: str | None = None
    ) -> str:
        """`files_upload_v2`: getUploadURLExternal, the upload itself, completeUploadExternal
        (needs the files:write scope). `comment` becomes the message the file is attached to, so
        it is mrkdwn and escaped like any message (it carries the venue someone typed)."""
        r = _call(
            "files.upload",
            self.client.files_upload_v2,
            channel=channel,
            filename=filename,
            content=content,
            title=title,
            initial_comment=mrkdwn(comment) if comment is not None else None,
        )
        files = r.get("files") or [r.get("file") or {}]
        return str(files[0].get("id", ""))


class SlackDirectory:
    """`users.info`, remembered briefly: adding five people shouldn't cost five lookups twice."""

    def __init__(
        self,
        client: WebClient,
        cache: OrderedDict[str, Person | None] | None = None,
        lock: Lock | None = None,
        size: int = 512,
    ) -> None:
        self.client = client
        self.cache: OrderedDict[str, Person | None] = cache if cache is not None else OrderedDict()
        self.lock = lock or Lock()
        self.size = size

    def person(self, user_id: str) -> Person | None:
        with self.lock:
            if user_id in self.cache:
                return self.cache[user_id]
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise ChatError(str(exc.response.get("error")), "users.info") from exc
        profile = user.get("profile") or {}
        person = (
            None
            if user.get("deleted")
            else Person(
                # A name is text its owner chose: cleaned like anything typed (see handlers.replies).
                name=clean(
                    str(profile.get("real_name") or user.get("real_name") or user.get("name") or user_id)
                ),
                email=profile.get("email"),
                is_bot=bool(user.get("is_bot")),
            )
        )
        with self.lock:
            self.cache[user_id] = person
            while len(self.cache) > self.size:
                self.cache.popitem(last=False)
        return person
