"""Email through a real SMTP server on loopback: invitations as iMIP, reminders exactly once and
only in working hours, and a refusing server retried, then dead-lettered in the channel."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest
from icalendar import Calendar
from mail_helpers import CASE, Inbox, Story, free_port

from bot.delivery import Delivery, Pacer
from bot.email.transport import SmtpSettings, SmtpTransport
from handlers.sweep import sweep
from storage import repository as repo

GP = "gp@example.org"
PC = "pc@police.example"


def calendar_of(mail: EmailMessage) -> Calendar:
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one text/calendar part"
    assert parts[0].get_param("method") in ("REQUEST", "CANCEL")
    return Calendar.from_ical(parts[0].get_content())


def event_of(mail: EmailMessage) -> tuple[str, str, int]:
    cal = calendar_of(mail)
    ev = next(iter(cal.walk("VEVENT")))
    return str(cal["METHOD"]), str(ev["UID"]), int(ev["SEQUENCE"])


def test_a_booking_a_move_and_a_cancellation_reach_each_email_member_as_imip(
    story: Story, inbox: Inbox
) -> None:
    story.say(*CASE)
    out = story.say('/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    assert len(inbox.to(GP)) == 1 and len(inbox.to(PC)) == 1
    method, uid, seq = event_of(inbox.to(GP)[0])
    assert (method, seq) == ("REQUEST", 0)
    assert event_of(inbox.to(PC)[0])[1] == uid
    first = inbox.to(GP)[0]
    assert first["Subject"].startswith("CG-0001: core group meeting, Fri 15 Jan 2027")
    assert "multipart/alternative" in first.get_content_type()
    # The channel's .ics has the same UID and SEQUENCE as the emails.
    ics = next((story.session.files_dir).glob("*.ics")).read_bytes()
    posted = next(iter(Calendar.from_ical(ics).walk("VEVENT")))
    assert (str(posted["UID"]), int(posted["SEQUENCE"])) == (uid, 0)
    assert "📎" in out

    story.say('/coregroup meeting 2027-01-14 10:00 venue:"Family centre" move')
    assert len(inbox.to(GP)) == 2
    method, uid2, seq2 = event_of(inbox.to(GP)[1])
    assert (method, uid2) == ("REQUEST", uid) and seq2 > seq

    story.say("/coregroup cancel")
    assert len(inbox.to(GP)) == 3 and len(inbox.to(PC)) == 3
    method, uid3, seq3 = event_of(inbox.to(GP)[2])
    assert (method, uid3) == ("CANCEL", uid) and seq3 > seq2
    # Never the child's name, always the case reference.
    for m in inbox.mail:
        assert "CG-0001" in m["Subject"]


def deliver(story: Story) -> list[str]:
    s = story.session
    assert s.email is not None
    sweep(s.store, story.clock(), email=True)
    sent = Delivery(
        s.store, s.chat, clock=story.clock, worker="t", pacer=Pacer(0), email=s.email, max_attempts=5
    ).run()
    return [x.outcome for x in sent]


def test_two_sweeps_send_each_report_request_once(story: Story, inbox: Inbox) -> None:
    story.say(*CASE, '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    deliver(story)
    story.clock.set("2027-01-12T11:30")
    deliver(story)
    new = inbox.mail[before:]
    asks = [m for m in new if "your written report is needed" in m["Subject"]]
    assert sorted(m["To"] for m in asks) == [PC, GP] or sorted(m["To"] for m in asks) == sorted([GP, PC])
    assert len(asks) == 2
    # One nag per person (issue 12): the attendance question, due the same day, rides in the
    # report request rather than going as a second email.
    assert [m for m in new if "are you coming" in m["Subject"]] == []
    assert len(new) == 2
    body = asks[0].get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "0 of 2 written reports in." in text
    assert "/r/" in text and "open this link" in text
    assert "To answer (Write my report / Attending / Sending apologies), open this link:" in text


@pytest.mark.parametrize(
    ("start", "meeting", "at"),
    [("2027-01-04", "2027-01-15", "2027-01-12T18:00"), ("2027-04-26", "2027-05-06", "2027-05-03T10:00")],
    ids=["18:00", "early May bank holiday"],
)
def test_a_sweep_outside_working_hours_or_on_a_bank_holiday_sends_nothing(
    story: Story, inbox: Inbox, start: str, meeting: str, at: str
) -> None:
    story.clock.set(f"{start}T14:00")
    story.say(
        CASE[0].replace("2027-01-04", start),
        *CASE[1:],
        f'/coregroup meeting {meeting} 10:00 venue:"Family centre" confirm',
    )
    before = len(inbox.mail)
    story.clock.set(at)
    outcomes = deliver(story)
    assert len(inbox.mail) == before, "nothing sent"
    assert "sent" not in outcomes
    # The next working morning they go.
    story.clock.set({"2027-01-12": "2027-01-13T09:00", "2027-05-03": "2027-05-04T09:00"}[at[:10]])
    deliver(story)
    assert len(inbox.mail) > before


def test_a_refusing_server_is_retried_then_dead_lettered_in_the_channel(story: Story, inbox: Inbox) -> None:
    story.say(*CASE, '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    before = len(inbox.mail)
    inbox.refuse = "451"
    story.clock.set("2027-01-12T09:30")
    assert set(deliver(story)) <= {"retry", "postponed"}
    # Temporary failures: retried with backoff (1, 5, 30, 120 minutes), then accepted once.
    story.clock.set("2027-01-12T09:32")
    assert "retry" in deliver(story)
    inbox.refuse = None
    for at in ("2027-01-12T09:40", "2027-01-12T10:15", "2027-01-12T12:30"):
        story.clock.set(at)
        deliver(story)
    got = inbox.mail[before:]
    keys = [(m["To"], m["Subject"]) for m in got]
    assert len(keys) == len(set(keys)), "nothing sent twice"
    assert {"your written report is needed" in s for _, s in keys} == {True}
    assert sorted(to for to, _ in keys) == sorted([GP, PC]), "nothing lost: one combined ask each"

    # A permanent refusal: five tries, then the case channel hears of it.
    story.say('/coregroup action add "Share the safety plan" owner:@U0HV due:2027-01-20')
    inbox.refuse = "550"
    story.say('/coregroup add email:school@example.org name:"DSL" role:"teacher" agency:"School"')
    out_before = len(story.out.getvalue())
    for at in (
        "2027-01-13T09:30",
        "2027-01-13T09:32",
        "2027-01-13T09:40",
        "2027-01-13T10:15",
        "2027-01-13T12:30",
    ):
        story.clock.set(at)
        deliver(story)
    printed = story.out.getvalue()[out_before:]
    assert "could not be delivered after 5 tries" in printed
    assert "smtp_5xx" in printed
    assert "still in the workspace" not in printed, "an email recipient is not in the workspace"
    assert "check the email address with them" in printed


def test_connection_refused_is_retried_like_a_temporary_failure(story: Story, inbox: Inbox) -> None:
    story.say(*CASE, '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    s = story.session
    assert s.email is not None
    real = s.email.transport
    s.email.transport = SmtpTransport(SmtpSettings("127.0.0.1", free_port(), implicit_tls=False), real.sender)
    story.clock.set("2027-01-12T09:30")
    assert "retry" in deliver(story)
    before = len(inbox.mail)
    s.email.transport = real
    story.clock.set("2027-01-12T09:32")
    deliver(story)
    got = inbox.mail[before:]
    assert sorted(m["To"] for m in got) == sorted([GP, PC]), "one combined ask each, none lost"
    assert {"your written report is needed" in m["Subject"] for m in got} == {True}


def test_an_escalation_reaches_a_line_manager_known_only_by_email(story: Story, inbox: Inbox) -> None:
    """Newham: five working days a stage; the stage's end goes to the raiser and the next stage
    (the lead social worker's line manager), whose only address is `line_manager_email`."""
    from storage import repository as repo

    story.say(CASE[0].replace("suffolk", "newham"), CASE[1])
    with story.session.store.transaction() as tx:
        lead = next(m for m in repo.members(tx, "CG-0001") if m.role == "lead_social_worker")
        assert lead.id is not None
        repo.update_member(
            tx,
            "CG-0001",
            lead.id,
            actor="test",
            now=story.clock(),
            changes={"line_manager_name": "Team manager", "line_manager_email": "tm@council.example"},
        )
    story.say("/as U0HV", '/coregroup concern "The plan is not reducing the risk"')
    for day in range(5, 29):
        story.clock.set(f"2027-01-{day:02d}T09:30")
        deliver(story)
        if inbox.to("tm@council.example"):
            break
    [notice] = inbox.to("tm@council.example")
    assert notice["Subject"].startswith("CG-0001: this escalation stage ends")


def test_a_plan_action_owned_by_someone_outside_the_workspace_is_reminded_by_email(
    story: Story, inbox: Inbox
) -> None:
    story.say(*CASE)
    out = story.say('/coregroup action add "Share the health assessment" owner:gp@example.org due:2027-01-20')
    assert "plan action 1 added" in out and "owner Practice GP (gp)" in out
    bad = story.say('/coregroup action add "x" owner:nobody@example.org due:2027-01-20')
    assert "`nobody@example.org` is not a member of CG-0001's core group" in bad
    for day in range(12, 21):
        story.clock.set(f"2027-01-{day:02d}T09:30")
        deliver(story)
        if inbox.to(GP):
            break
    [reminder] = [m for m in inbox.to(GP) if "plan action 1" in m["Subject"]]
    assert reminder["Subject"] == "CG-0001: plan action 1 (“Share the health assessment”) is due Wed 20 Jan"


def test_a_retried_invitation_emails_only_the_attendees_it_has_not_reached(
    story: Story, inbox: Inbox
) -> None:
    """The police officer's mailbox refuses once: the row is retried, and the retry emails the
    police officer only. Each attendee gets one invitation; the channel gets one file."""
    story.say(*CASE)
    inbox.refuse_once = {PC}
    story.say('/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    assert len(inbox.to(PC)) == 0, "refused at RCPT"
    assert not list(story.session.files_dir.glob("*.ics")), "the channel waits for the emails"
    jobs = story.session._calendar
    assert jobs is not None
    story.clock.set("2027-01-04T14:00")  # past the calendar row's backoff
    jobs.run_now(30)
    story.clock.set("2027-01-04T16:00")
    jobs.run_now(30)  # nothing left to do: sends nothing more
    assert len(inbox.to(GP)) == 1, "the GP, reached the first time, is not emailed again"
    assert len(inbox.to(PC)) == 1
    assert event_of(inbox.to(GP)[0])[1:] == event_of(inbox.to(PC)[0])[1:]
    assert len(list(story.session.files_dir.glob("*.ics"))) == 1

    # A move is a new file: both are emailed it, once each.
    story.say('/coregroup meeting 2027-01-14 10:00 venue:"Family centre" move')
    assert len(inbox.to(GP)) == 2 and len(inbox.to(PC)) == 2


def test_a_cover_outside_the_workspace_is_reached_by_email(story: Story, inbox: Inbox) -> None:
    """A member may name someone with only an email to cover (`cover:gp@example.org`), and what
    the absent member would have been sent reaches the cover by email, saying why it came."""
    story.say(*CASE, '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"')
    out = story.say(
        "/as U0HV", f"/coregroup CG-0001 away 2027-01-11 until 2027-01-14 cover:{GP}", "/as U0LEAD"
    )
    assert "Practice GP (gp) (covering, by email)" in out
    # The police officer (email only) is away, the GP covering: the officer's asks go to the GP.
    with story.session.store.transaction() as s:
        people = {m.email: m.id for m in repo.members(s, "CG-0001")}
        repo.set_away(
            s,
            "CG-0001",
            people[PC] or 0,
            actor="test",
            now=story.clock(),
            away_from=date(2027, 1, 11),
            away_until=date(2027, 1, 14),
            cover_member_id=people[GP],
        )
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    texts = [m.get_body(("plain",)).get_content() for m in inbox.mail[before:] if m["To"] == GP]  # type: ignore[union-attr]
    covering = [t for t in texts if "Sent to you as cover: the police officer" in t]
    assert covering, texts
    assert all("Only they can answer this; pass it on." in t for t in covering)
    assert not [m for m in inbox.mail[before:] if m["To"] == PC], "nothing to the absent officer"


def test_a_parent_is_asked_in_plain_words(story: Story, inbox: Inbox) -> None:
    """A family member's attendance ask says what the meeting is for, without "core group" or
    "written report"; a professional's says it as before."""
    parent = "parent@example.org"
    story.say(
        *CASE,
        f'/coregroup add email:{parent} name:"Parent" role:"mother"',
        '/coregroup meeting 2027-01-15 10:00 venue:"Family centre" family',
    )
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    theirs = [m for m in inbox.mail[before:] if m["To"] == parent]
    assert [m["Subject"] for m in theirs] == [
        "CG-0001: can you come to the meeting about the plan on Fri 15 Jan?"
    ]
    body = theirs[0].get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "check how the plan for your family is going" in text
    assert "core group" not in text.split("This email is from")[0].lower()
    assert "written report" not in text
    assert "Attending" in text, "they can still answer from the link"
    # A professional's wording is unchanged: at this short notice their one ask is the report
    # request, which carries the attendance answers too (one nag per person).
    gp = [m["Subject"].strip() for m in inbox.mail[before:] if m["To"] == GP]
    assert gp == ["CG-0001: your written report is needed before the core group on Fri 15 Jan"]
