"""`status` remembers who was found a member, keyed by the case's record version: a member
removed (here or by another process, straight in the database) is refused at once."""

from __future__ import annotations

import pytest
from fakes.env import CtxFactory

from handlers import status as status_mod
from handlers.dispatch import handle_text
from handlers.replies import Outcome
from storage import repository as repo
from storage.db import Store

CHANNEL = "C0CACHE"


def text(out: Outcome) -> str:
    return "\n".join(r.message.preview for r in out.replies)


def setup_case(ctx: CtxFactory, store: Store) -> None:
    handle_text(ctx(), "new CG-0001 profile:suffolk plan:cp start:2027-01-04")
    with store.transaction() as s:
        repo.link_channel(s, "CG-0001", actor="test", now=ctx().now, kind="slack", channel_id=CHANNEL)
    out = handle_text(ctx(channel=CHANNEL), 'add <@U0TEACH> role:"designated teacher" agency:School')
    assert "joined the core group" in text(out), text(out)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = status_mod.member_of

    def member_of(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(status_mod, "member_of", member_of)
    return calls


def test_a_member_asking_again_is_not_looked_up_again(
    ctx: CtxFactory, store: Store, counted: list[int]
) -> None:
    setup_case(ctx, store)
    first = handle_text(ctx("U0TEACH", CHANNEL), "status")
    assert "Only members" not in text(first)
    looked_up = len(counted)
    assert looked_up >= 1
    again = handle_text(ctx("U0TEACH", CHANNEL), "status")
    assert text(again) == text(first)
    assert len(counted) == looked_up


def test_a_removed_member_is_refused_at_once(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    assert "Only members" not in text(handle_text(ctx("U0TEACH", CHANNEL), "status"))
    handle_text(ctx(channel=CHANNEL), "remove <@U0TEACH>")
    assert "Only members" in text(handle_text(ctx("U0TEACH", CHANNEL), "status"))


def test_a_member_removed_by_another_process_is_refused_at_once(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    assert "Only members" not in text(handle_text(ctx("U0TEACH", CHANNEL), "status"))
    with store.transaction() as s:  # straight in the database, as another bot process would
        teacher = repo.member_by_address(s, "CG-0001", "slack", "U0TEACH")
        assert teacher.id is not None
        repo.remove_member(s, "CG-0001", teacher.id, actor="other", now=ctx().now)
    assert "Only members" in text(handle_text(ctx("U0TEACH", CHANNEL), "status"))


def test_a_stranger_is_refused_every_time(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    for _ in range(2):
        assert "Only members" in text(handle_text(ctx("U0NOBODY", CHANNEL), "status"))
