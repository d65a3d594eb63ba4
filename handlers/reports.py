"""When a written report is due.

A member who cannot attend sends apologies and a written report before the meeting (Newham §9.2,
Suffolk §4.6, Cwm Taf Morgannwg §3). The commands that record them (`attending`, `apologies`,
`report`) live in `handlers.answers`; this module keeps the due-date rule they share.
"""

from __future__ import annotations

from datetime import datetime

from handlers.common import Rules, at_london, london_date
from scheduling.engine import before
from storage.models import Meeting


def report_due(rules: Rules, plan: str, meeting: Meeting) -> datetime | None:
    """When the written report is due under the profile: end of the working day it falls on."""
    rule = rules.profile.rules.get("written_report")
    spec = rule.for_plan(plan) if rule else None
    if spec is None or spec.period is None:
        return None
    day = before(rules.calendar, london_date(meeting.starts_at), spec.period)
    return at_london(day, rules.profile.working_hours.end)
