"""Delivery picks a member's address for its port's channel kind: a kind it has never heard of
is reached by registering an adapter, with no change to delivery, handlers or the plan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.channels import channel_kind, register
from handlers.common import ChannelKind
from handlers.replies import Form, Message
from storage import repository as repo
from storage.db import Store


class PagerPort:
    """The smallest chat port: records what it is asked to send."""

    platform = "pager"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def _add(self, how: str, where: str, message: Message) -> str:
        self.sent.append((how, where, message.preview))
        return f"p{len(self.sent)}"

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        return self._add("post", channel, message)

    def direct_message(self, user: str, message: Message) -> str:
        return self._add("dm", user, message)

    def update_message(self, channel: str, message_id: str, message: Message) -> None:
        self._add("update", channel, message)

    def post_ephemeral(self, channel: str, user: str, message: Message) -> None: ...
    def pin(self, channel: str, message_id: str) -> None: ...
    def open_form(self, trigger: str, form: Form, *, channel: str | None = None) -> None: ...
    def create_private_channel(self, name: str) -> str:
        return "PAGER-NEW"

    def invite(self, channel: str, users: Sequence[str]) -> None: ...
    def kick(self, channel: str, user: str) -> None: ...
    def archive(self, channel: str) -> None: ...
    def publish_home(self, user: str, cases: Sequence[Message]) -> None: ...


def test_a_registered_kind_gets_each_member_s_own_address(store: Store) -> None:
    pager = register(ChannelKind("pager", people_place="directory", makes_channels=False))
    assert channel_kind("pager") is pager and register(pager) is pager
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            starts_at=london(date(2027, 1, 19), "10:00"),
            chair_member_id=c.members["lead"],
        )
        # The health visitor is on the pager too; the teacher only on the other chat.
        repo.update_member(
            s,
            c.reference,
            c.members["hv"],
            actor=ACTOR,
            now=clock(),
            changes={},
            addresses={"pager": "PAGER-HV"},
        )
        repo.link_channel(s, c.reference, actor=ACTOR, now=clock(), kind="pager", channel_id="PAGER-ROOM")
    clock.set(date(2027, 1, 12), "09:30")
    port = PagerPort()
    run_sweep(store, port, clock)
    question = "CG-0001: are you coming to the core group on Tue 19 Jan?"
    assert ("dm", "PAGER-HV", question) in port.sent
    # Someone with no pager address is not DMed at their other address: the case's pager
    # channel hears it, with a note to pass it on.
    assert not [w for how, w, _ in port.sent if how == "dm" and w.startswith("U")]
    assert ("post", "PAGER-ROOM", question) in port.sent
