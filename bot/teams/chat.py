"""The chat port on Teams (Bot Connector REST API), and the user directory (the team roster).

What Teams can't do, and what this port does instead (docs/teams.md has the reasons):

- No ephemeral messages. `post_ephemeral` sends a 1:1 chat message to the person instead (the bot's
  personal chat with them); the listener falls back to a threaded reply in the channel when the app
  is not installed for that person.
- A bot can't create private channels in every tenant (it needs Graph's `Channel.Create` and a team
  owner to add members). `new` links the team channel it was typed in: `create_private_channel`
  returns that channel, or fails with `ChatError("channel_required")` outside a channel, or
  `ChatError("channel_taken")` when that channel already belongs to another case.
- Bots can't pin, invite to or remove from a standard channel, or archive it: those are no-ops (the
  team's membership is the channel's), logged by case-free ids only.
- No App Home: `publish_home` does nothing.
- No files from a bot in a channel (the Bot Connector's file API works in personal chats only;
  channel files need Graph and SharePoint). `upload_file` posts the invitation's details as text
  with a line saying to add it to the calendar by hand; with GRAPH_* set no file is needed.

Where a message goes: a channel is addressed by its Teams id (`19:…@thread.tacv2`), with the
service URL and tenant taken from the conversation reference stored for the case (so reminders
reach it proactively) or from the activity being answered. A person is addressed by their Teams
user id (`29:…`); their personal conversation is created once and remembered.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.chat import ChatError, reader_lang, reader_voice
from bot.teams.cards import NameOf, form_activity, message_activity
from bot.teams.connector import Connector
from handlers.common import Person
from handlers.i18n import _, verbatim, voiced
from handlers.replies import Form, Message, clean

log = logging.getLogger("coregroup.teams")

DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"

#: channel id → stored conversation reference (dict), or None when the bot has none for it.
ReferenceLookup = Callable[[str], dict[str, Any] | None]
#: channel id → the reference of the case linked to it, if any (to refuse linking it twice).
LinkedCase = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Here:
    """The conversation an activity came from: where answers to it go."""

    service_url: str
    conversation_id: str
    tenant_id: str | None = None
    #: The team channel's id when the activity came from a channel (not a chat).
    channel_id: str | None = None
    team_id: str | None = None
    bot_id: str | None = None
    #: The id of the activity being answered (threaded replies go under it).
    activity_id: str | None = None

    def reference(self) -> dict[str, Any]:
        """The conversation reference stored for proactive messages: ids and the service URL."""
        ref: dict[str, Any] = {
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "conversation": {
                "id": self.channel_id or self.conversation_id,
                "conversationType": "channel" if self.channel_id else "personal",
                "tenantId": self.tenant_id,
            },
            "bot": {"id": self.bot_id},
        }
        if self.team_id:
            ref["teamId"] = self.team_id
        return ref


def reference_json(here: Here) -> str:
    return json.dumps(here.reference(), sort_keys=True, separators=(",", ":"))


#: The sentence of an .ics message that points at the file (Teams gets no file).
_ATTACHED = re.compile(r"\s*Open the attached [^.]*\.")
NO_FILE_HINT = _(
    "Teams can't take a calendar file from the bot in a channel: add it to your "
    "calendar by hand. (With Microsoft Graph set up, the bot sends real invitations.)"
)


class PersonalChats:
    """user id → their 1:1 conversation id with the bot, shared across requests (bounded)."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, user: str) -> str | None:
        with self._lock:
            return self._ids.get(user)

    def put(self, user: str, conversation: str) -> None:
        with self._lock:
            self._ids[user] = conversation
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)


class TeamsChat:
    platform = "teams"

    def __init__(
        self,
        connector: Connector,
        *,
        app_id: str,
        tenant_id: str | None,
        service_url: str = DEFAULT_SERVICE_URL,
        references: ReferenceLookup,
        linked_case: LinkedCase | None = None,
        name_of: NameOf | None = None,
        personal: PersonalChats | None = None,
        here: Here | None = None,
    ) -> None:
        self.connector = connector
        self.app_id = app_id
        self.tenant_id = tenant_id
        self.service_url = service_url
        self.references = references
        self.linked_case = linked_case or (lambda channel: None)
        self.name_of: NameOf = name_of or (lambda user: "member")
        self.personal = personal or PersonalChats()
        self.here = here

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}"

    # -- addressing --

    def _service_for(self, channel: str) -> str:
        if self.here and channel in (self.here.channel_id, self.here.conversation_id):
            return self.here.service_url
        ref = self.references(channel)
        if ref and ref.get("serviceUrl"):
            return str(ref["serviceUrl"])
        return self.service_url

    def _tenant(self, channel: str | None = None) -> str | None:
        if self.here and self.here.tenant_id:
            return self.here.tenant_id
        ref = self.references(channel) if channel else None
        if ref:
            tenant = (ref.get("conversation") or {}).get("tenantId")
            if tenant:
                return str(tenant)
        return self.tenant_id

    def send(self, service: str, conversation: str, activity: dict[str, Any]) -> str:
        """Post an activity into a conversation (a channel, a thread, a 1:1 chat); its id."""
        r = self.connector.call(
            "POST", service, f"v3/conversations/{quote(conversation, safe='')}/activities", activity
        )
        return str(r.get("id") or "")

    # -- the port --

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        conversation = f"{channel};messageid={thread}" if thread else channel
        return self.send(
            self._service_for(channel), conversation, message_activity(message, self.name_of, reader_voice())
        )

    def reply_here(self, message: Message) -> str:
        """Answer in the conversation the activity came from (a 1:1 or group chat)."""
        if self.here is None:
            raise ChatError("no_conversation", "nothing to answer")
        return self.send(
            self.here.service_url,
            self.here.conversation_id,
            message_activity(message, self.name_of, reader_voice()),
        )

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None:
        """Teams has no "only you can see this": the person gets it in their chat with the bot."""
        self.direct_message(user, message)

    def _personal_chat(self, user: str) -> tuple[str, str]:
        service = self.here.service_url if self.here else self.service_url
        known = self.personal.get(user)
        if known:
            return service, known
        tenant = self._tenant()
        body: dict[str, Any] = {
            "isGroup": False,
            "bot": {"id": self.here.bot_id if self.here and self.here.bot_id else self.bot_id},
            "members": [{"id": user}],
            "channelData": {"tenant": {"id": tenant}} if tenant else {},
        }
        if tenant:
            body["tenantId"] = tenant
        r = self.connector.call("POST", service, "v3/conversations", body)
        conversation = str(r.get("id") or "")
        if not conversation:
            raise ChatError("no_conversation", "create conversation returned no id")
        self.personal.put(user, conversation)
        return service, conversation

    def direct_message(self, user: str, message: Message) -> str:
        service, conversation = self._personal_chat(user)
        return self.send(service, conversation, message_activity(message, self.name_of, reader_voice()))

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        activity = {**message_activity(message, self.name_of, reader_voice()), "id": message_id}
        self.connector.call(
            "PUT",
            self._service_for(channel),
            f"v3/conversations/{quote(channel, safe='')}/activities/{quote(message_id, safe='')}",
            activity,
        )

    def delete_message(self, conversation: str, message_id: str) -> None:
        self.connector.call(
            "DELETE",
            self._service_for(conversation),
            f"v3/conversations/{quote(conversation, safe='')}/activities/{quote(message_id, safe='')}",
        )

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, *, comment: str | None = None
    ) -> str:
        """The .ics fallback on Teams: the invitation as text, because a bot can't attach a file
        to a channel message (the Bot Connector takes files in 1:1 chats only; a channel file needs
        a Graph upload to the team's SharePoint). `comment` already carries what, when and where;
        its "open the attached file" sentence would point at nothing, so it is replaced."""
        text = _ATTACHED.sub("", comment or title).strip()
        # `comment` is written for the channel's readers already; the hint is said in their voice.
        return self.post_message(channel, voiced(Message(verbatim(text), (NO_FILE_HINT,)), reader_voice()))

    def pin(self, channel: str, message_id: str) -> None:
        log.debug("teams has no pins for bots; summary left unpinned")

    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None:
        """The form card goes to the person's chat with the bot (a form is theirs to fill in,
        as a Slack modal is); `trigger` is their Teams user id."""
        service, conversation = self._personal_chat(trigger)
        self.send(service, conversation, form_activity(form, channel=channel, lang=reader_lang()))

    def create_private_channel(self, name: str) -> str:
        if self.here is None or not self.here.channel_id:
            raise ChatError(
                "channel_required", "type `new` in the team channel that should be the core group's"
            )
        taken = self.linked_case(self.here.channel_id)
        if taken:
            raise ChatError("channel_taken", f"this channel already belongs to {taken}")
        return self.here.channel_id

    def invite(self, channel: str, users: Sequence[str]) -> None:
        log.debug("teams channel membership is the team's; invite skipped", extra={"count": len(users)})

    def kick(self, channel: str, user: str) -> None:
        log.debug("teams channel membership is the team's; removal skipped")

    def archive(self, channel: str) -> None:
        log.debug("bots can't archive a teams channel; skipped")

    def publish_home(self, user: str, cases: Sequence[Message]) -> None:
        return None


class TeamsDirectory:
    """People by Teams user id (or Entra object id) from the team roster, remembered briefly."""

    def __init__(
        self,
        connector: Connector,
        service_url: str,
        conversation_id: str,
        cache: OrderedDict[str, tuple[str, Person] | None] | None = None,
        lock: threading.Lock | None = None,
        size: int = 512,
    ) -> None:
        self.connector = connector
        self.service_url = service_url
        self.conversation_id = conversation_id
        self.cache: OrderedDict[str, tuple[str, Person] | None] = (
            cache if cache is not None else OrderedDict()
        )
        self.lock = lock or threading.Lock()
        self.size = size

    def lookup(self, user: str) -> tuple[str, Person] | None:
        """(Teams user id, person) for a Teams id or an Entra object id; None if not in the team."""
        with self.lock:
            if user in self.cache:
                return self.cache[user]
        try:
            r = self.connector.call(
                "GET",
                self.service_url,
                f"v3/conversations/{quote(self.conversation_id, safe='')}/members/{quote(user, safe='')}",
            )
        except ChatError as exc:
            if exc.code in ("http_404", "MemberNotFoundInConversation", "NotFound", "ConversationNotFound"):
                found = None
            else:
                raise
        else:
            found = (
                str(r.get("id") or user),
                Person(
                    name=clean(str(r.get("name") or r.get("givenName") or user)),
                    email=r.get("email") or r.get("userPrincipalName"),
                ),
            )
        with self.lock:
            self.cache[user] = found
            while len(self.cache) > self.size:
                self.cache.popitem(last=False)
        return found

    def person(self, user_id: str) -> Person | None:
        found = self.lookup(user_id)
        return found[1] if found else None
