"""Handlers speak of members and cases only: a channel kind they have never heard of runs the same
code, and one person reached two ways is one member."""

from __future__ import annotations

from fakes.env import FakeDirectory, MovableClock

from handlers.common import Actor, ChannelKind, Context
from handlers.dispatch import handle_text
from handlers.replies import CreateChannel, Outcome, render
from storage import repository as repo
from storage.db import Store

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"
#: A kind no handler names: its adapter links the channel `new` is typed in and finds people in
#: a "directory".
PAGER = ChannelKind("pager", people_place="directory", makes_channels=False)
SLACKISH = ChannelKind("chat")


def text(out: Outcome) -> str:
    lines = []
    for r in out.replies:
        lines += [r.message.preview, *r.message.detail]
    return render("\n".join(lines), escape=str, mention=lambda u: f"<@{u}>")


def ctx_for(
    store: Store,
    clock: MovableClock,
    directory: FakeDirectory,
    user: str,
    kind: ChannelKind,
    channel: str | None = None,
) -> Context:
    return Context(Actor(user, kind, kind.name), store, clock, channel_id=channel, directory=directory)


def test_a_new_channel_kind_needs_no_handler_change(
    store: Store, clock: MovableClock, directory: FakeDirectory
) -> None:
    out = handle_text(ctx_for(store, clock, directory, "U0LEAD", PAGER), NEW)
    assert "I've linked the channel you typed this in" in text(out)
    assert any(isinstance(e, CreateChannel) for e in out.effects)
    with store.transaction() as s:
        lead = repo.member_by_address(s, "CG-0001", "pager", "U0LEAD")
        assert lead.role == "lead_social_worker" and lead.address("slack") is None
        repo.link_channel(s, "CG-0001", actor="test", now=clock(), kind="pager", channel_id="PAGER-ROOM")
    here = ctx_for(store, clock, directory, "U0LEAD", PAGER, "PAGER-ROOM")
    out = handle_text(here, 'add <@U0HV> role:"health visitor" agency:NHS')
    assert "joined the core group" in text(out), text(out)
    out = handle_text(here, 'add <@U0NOBODY> role:"police"')
    assert "in this directory" in text(out), text(out)
    with store.read() as s:
        hv = repo.member_by_address(s, "CG-0001", "pager", "U0HV")
        assert [(a.whose, a.kind, a.address) for a in hv.addresses] == [("member", "pager", "U0HV")]
        assert repo.case_by_channel(s, "PAGER-ROOM").reference == "CG-0001"


def test_one_person_reached_two_ways_is_one_member(
    store: Store, clock: MovableClock, directory: FakeDirectory
) -> None:
    handle_text(ctx_for(store, clock, directory, "U0LEAD", SLACKISH), NEW)
    with store.transaction() as s:
        lead = repo.member_by_address(s, "CG-0001", "chat", "U0LEAD")
        assert lead.id is not None
        repo.update_member(
            s, "CG-0001", lead.id, actor="test", now=clock(), changes={}, addresses={"pager": "U0LEADPAGER"}
        )
    out = handle_text(ctx_for(store, clock, directory, "U0LEADPAGER", PAGER), "members CG-0001")
    assert "**Lead social worker**" in text(out), text(out)
    out = handle_text(ctx_for(store, clock, directory, "U0STRANGER", PAGER), "members CG-0001")
    assert "Only members of CG-0001's core group" in text(out), text(out)
    with store.read() as s:
        same = repo.member_by_address(s, "CG-0001", "pager", "U0LEADPAGER")
        assert same.id == lead.id and same.address("chat") == "U0LEAD"
        assert [c.reference for c in repo.cases_for_address(s, "pager", "U0LEADPAGER")] == ["CG-0001"]
