"""The email channel kind: its one registration (bot/channels.py)."""

from __future__ import annotations

from bot.channels import register
from handlers.common import ChannelKind
from storage.models import EMAIL_KIND

EMAIL = register(ChannelKind(EMAIL_KIND, people_place="mailbox", makes_channels=False, title="email"))
