"""A delivery process that is killed (SIGKILL, no clean-up) straight after its N-th message was
accepted by the (fake) Slack Web API and before the row is marked sent — the worst moment.

    python crash_worker.py DATABASE_URL SLACK_API_URL NOW_ISO KILL_AFTER

KILL_AFTER < 0: never killed (the restart). Prints one JSON line: what it handled.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime
from typing import Any

from bot.delivery import Delivery, Pacer
from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from handlers.replies import Message
from storage.db import Store


class KillAfter(SlackChat):
    def __init__(self, client: Any, n: int) -> None:
        super().__init__(client)
        self.n = n
        self.sent = 0

    def _count(self) -> None:
        self.sent += 1
        if self.sent == self.n:
            os.kill(os.getpid(), signal.SIGKILL)

    def post_message(self, channel: str, message: Message, *, thread: str | None = None) -> str:
        ts = super().post_message(channel, message, thread=thread)
        self._count()
        return ts

    def direct_message(self, user: str, message: Message) -> str:
        ts = super().direct_message(user, message)
        self._count()
        return ts


def main(url: str, api: str, now_iso: str, kill_after: str) -> int:
    store = Store.open(url)
    now = datetime.fromisoformat(now_iso)
    port = KillAfter(make_client("xoxb-test", api), int(kill_after))
    sent = Delivery(store, port, clock=lambda: now, worker=f"crash-{os.getpid()}", pacer=Pacer(0)).run()
    print(json.dumps([[s.reminder_id, s.outcome] for s in sent]), flush=True)
    store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:5]))
