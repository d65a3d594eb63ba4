"""Time is injected: the one place that reads the real clock.

London time, the `Clock` type and the fixed clock live in `scheduling.london` (every layer needs
them); they are named here too so the runtime's modules import one place.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scheduling.london import LONDON, Clock, fixed_clock, london_today

__all__ = ["LONDON", "Clock", "fixed_clock", "london_today", "system_clock"]


def system_clock() -> datetime:
    return datetime.now(UTC)
