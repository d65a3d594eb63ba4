"""The channel kinds the bot can reach people through: one registration per adapter.

A channel kind is an adapter's folder under `bot/` (`bot/slack/`, `bot/teams/`) plus one line
that registers its `ChannelKind` here. Everything below the adapters treats the kind's name as an
opaque string: a member's address (`storage.models.MemberAddress`) and a case's conversation
(`CaseConversation`) are stored under it, handlers look people up by (kind, address), and
delivery picks the member's address for its port's kind (`bot.delivery`). So adding a kind (email,
a web page) changes no handler, no storage module and no reminder plan.
"""

from __future__ import annotations

from handlers.common import ChannelKind

_KINDS: dict[str, ChannelKind] = {}


def register(kind: ChannelKind) -> ChannelKind:
    """Make a channel kind known; registering the same one again is harmless, a clash is not."""
    have = _KINDS.get(kind.name)
    if have is not None and have != kind:
        raise ValueError(f"channel kind {kind.name!r} is already registered differently")
    _KINDS[kind.name] = kind
    return kind


def channel_kind(name: str) -> ChannelKind:
    """The registered kind of that name (KeyError if no adapter registered it)."""
    return _KINDS[name]


def registered() -> tuple[str, ...]:
    return tuple(sorted(_KINDS))
