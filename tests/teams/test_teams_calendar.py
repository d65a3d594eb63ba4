"""Calendar invitations from Teams (issue 6 x issue 7): a meeting scheduled by a signed Teams
activity leaves a calendar outbox row; the calendar worker, wired as `serve --teams` wires it (the
proactive Teams port, `deps.calendar = jobs.notify`), carries it out with the .ics fallback, and
the case's Teams channel hears about it. A bot can't attach a file to a channel message, so
`TeamsChat.upload_file` posts the invitation's details as text and says so (docs/teams.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fakes.teams_connector import CHANNEL
from fakes.teams_harness import HV, LEAD, TeamsHarness

from bot.calendar.ics import IcsCalendar
from bot.calendar.jobs import CalendarJobs
from bot.teams.chat import NO_FILE_HINT
from handlers.invitations import CALENDAR_RULE
from storage import outbox

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


@pytest.fixture
def jobs(teams: TeamsHarness) -> Iterator[CalendarJobs]:
    """The worker with poll off: each test runs the outbox itself with `run_now`."""
    j = CalendarJobs(
        teams.store,
        teams.deps.chat(),
        teams.clock,
        lambda publish: IcsCalendar(publish, teams.clock),
        poll=0,
        warm_up=False,
    ).start()
    teams.deps.calendar = j.notify
    try:
        yield j
    finally:
        j.stop()


def calendar_rows(teams: TeamsHarness) -> list[Any]:
    with teams.store.read() as s:
        return [r for r in outbox.reminders(s) if r.rule == CALENDAR_RULE]


def test_a_meeting_scheduled_in_teams_is_sent_and_the_channel_hears_of_it(
    teams: TeamsHarness, jobs: CalendarJobs
) -> None:
    teams.say(LEAD, NEW)
    teams.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])
    teams.say(LEAD, 'meeting 2027-01-15 10:00 venue:"Family centre"')
    jobs.run_now()
    rows = calendar_rows(teams)
    assert rows and all(r.status == "sent" for r in rows), [(r.status, r.error) for r in rows]
    said = teams.channel(CHANNEL)
    invitation = [t for t in said if "Family centre" in t and "CG-0001" in t and NO_FILE_HINT in t]
    assert len(invitation) == 1, said
    assert "Open the attached" not in invitation[0]  # no file, so nothing to open
    assert "15" in invitation[0] and "10:00" in invitation[0]


def test_a_cancelled_meeting_is_announced_without_a_file(teams: TeamsHarness, jobs: CalendarJobs) -> None:
    teams.say(LEAD, NEW)
    teams.say(LEAD, "meeting 2027-01-15 10:00")
    jobs.run_now()
    teams.say(LEAD, "cancel")
    jobs.run_now()
    said = teams.channel(CHANNEL)
    assert any("cancelled" in t and NO_FILE_HINT in t for t in said), said
    assert all(r.status == "sent" for r in calendar_rows(teams))
