"""Slack as a channel kind: addresses are Slack user ids (`U0123ABCD`), conversations are
channel ids. Slack's bot creates each case's private channel itself."""

from __future__ import annotations

from bot.channels import register
from handlers.common import ChannelKind
from handlers.i18n import _

SLACK = register(ChannelKind("slack", people_place=_("workspace"), makes_channels=True, title="Slack"))
