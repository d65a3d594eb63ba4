"""`add email:…` says truthfully what that person will receive, and `status` lists who cannot be
reached (before issue 13, `add` promised invitations and reminders by email that never went)."""

from __future__ import annotations

import io

from fakes.env import MovableClock

from bot.console import ConsoleSession
from storage.db import Store

CASE = [
    "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
]


def run(session: ConsoleSession, out: io.StringIO, *lines: str) -> str:
    start = len(out.getvalue())
    for line in lines:
        session.run(line)
    return out.getvalue()[start:]


def test_without_email_set_up_add_and_status_say_they_will_not_hear(
    store: Store, clock: MovableClock
) -> None:
    out = io.StringIO()
    s = ConsoleSession(store, clock, "U0LEAD", io.StringIO(), out)  # no email: as `serve` without it
    run(s, out, *CASE)
    said = run(s, out, '/coregroup add email:gp@example.org name:"Practice GP" role:"GP" agency:"NHS"')
    assert (
        "Email is not set up: they will not hear from me; an administrator can set COREGROUP_SMTP_URL."
        in said
    )
    assert "they get meeting invitations and reminders by email" not in said
    status = run(s, out, "/coregroup status")
    assert "Cannot be reached by the bot (email is not set up): Practice GP (gp)." in status


def test_with_email_set_up_add_says_what_goes_by_email(store: Store, clock: MovableClock) -> None:
    out = io.StringIO()
    s = ConsoleSession(store, clock, "U0LEAD", io.StringIO(), out, email_on=True)
    run(s, out, *CASE)
    said = run(s, out, '/coregroup add email:gp@example.org name:"Practice GP" role:"GP" agency:"NHS"')
    assert "so I will email them the meeting invitations, attendance asks, written-report requests" in said
    family = run(s, out, '/coregroup add email:parent@example.org name:"Parent" role:"mother"')
    assert "so I will email them the meeting invitations and ask if they are coming" in family
    assert "written-report" not in family, "family members are not asked for reports"
    status = run(s, out, "/coregroup status")
    assert "Cannot be reached" not in status
