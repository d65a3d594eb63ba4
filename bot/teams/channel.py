"""Teams as a channel kind: addresses are Bot Framework user ids (`29:1abc…`), conversations are
channel conversation ids with their conversation reference. A Teams bot can't create a channel in
every team, so `new` links the channel it was typed in; people are looked up in the team's
roster."""

from __future__ import annotations

from bot.channels import register
from handlers.common import ChannelKind
from handlers.i18n import _

TEAMS = register(ChannelKind("teams", people_place=_("team"), makes_channels=False, title="Teams"))
