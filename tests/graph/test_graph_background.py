"""A slow Graph never delays the Slack acknowledgement.

NOTE for the Slack wiring: this test stands in for the `/coregroup meeting …` listener with a plain
function that calls `ack` and then `CalendarWorker.submit`. Once the Slack app exists, the same
assertion belongs in tests/slack as a signed slash command through the real Bolt app (ack < 3 s
while `fake.delay = 5`), with the listener doing exactly what `listener` does here.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

from fakes.graph_server import FakeGraphServer
from graph_helpers import make_invite

from bot.calendar import make_calendar
from bot.calendar.graph import GraphCalendar
from bot.calendar.sync import SyncResult, sync_invitation
from bot.calendar.worker import CalendarWorker
from bot.settings import Settings


def test_ack_returns_at_once_while_graph_takes_five_seconds(fake: FakeGraphServer,
                                                            settings: Settings) -> None:
    fake.delay = 5.0
    worker = CalendarWorker(lambda: make_calendar(settings, publish=lambda f: None)).start()
    try:
        invite = make_invite()
        channel: list[str] = []
        acked: list[float] = []
        t0 = time.monotonic()

        def listener(ack: Callable[[str], None]) -> concurrent.futures.Future[SyncResult]:
            ack("CG-0421: core group booked for Tue 5 Jan 2027, 10:00. Sending the invitations now.")
            return worker.submit(lambda port: sync_invitation(port, invite, channel.append))

        future = listener(lambda text: acked.append(time.monotonic() - t0))
        returned = time.monotonic() - t0
        assert acked[0] < 3.0 and returned < 3.0

        result = future.result(timeout=30)
        assert time.monotonic() - t0 >= 5.0
        assert result.status == "sent" and result.event_id in fake.events
        assert channel == []
        assert isinstance(worker.port, GraphCalendar)
    finally:
        worker.stop()
