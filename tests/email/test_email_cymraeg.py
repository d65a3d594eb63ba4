"""Email in the reader's language (docs/cymraeg.md): in a Cwm Taf Morgannwg case, the GP who
chose Welsh gets her reminders in Welsh and the police officer and the teacher who chose
English get theirs in English, through a real SMTP server on loopback; the meeting invitation
they all receive is Welsh first, then English."""

from __future__ import annotations

from mail_helpers import Inbox, Story
from test_email_smtp import deliver

GP = "gp@example.org"
PC = "pc@police.example"
SCHOOL = "teacher@school.example"

WELSH_CASE = [
    "/coregroup new CG-0001 profile:cwm-taf-morgannwg plan:cp start:2027-01-04",
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    f'/coregroup add email:{GP} name:"Practice GP" role:"GP" agency:"NHS" lang:cy',
    f'/coregroup add email:{PC} name:"PC Officer" role:"police officer" agency:"Police" lang:en',
    f'/coregroup add email:{SCHOOL} name:"A. Teacher" role:"designated teacher" agency:"School" lang:en',
    '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"',
]


def test_each_email_member_reads_their_own_language(story: Story, inbox: Inbox) -> None:
    story.say(*WELSH_CASE)
    invitations = inbox.to(GP)
    assert invitations, "the invitation went by email"
    assert invitations[0]["Subject"].startswith("CG-0001: cyfarfod grŵp craidd / core group meeting")
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    new = inbox.mail[before:]
    to_gp = [m["Subject"] for m in new if m["To"] == GP]
    # The chair and minute-taker are not asked; of the two English readers, at least one is.
    to_pc = [m["Subject"] for m in new if m["To"] in (PC, SCHOOL)]
    welsh = "CG-0001: mae angen eich adroddiad ysgrifenedig cyn y grŵp craidd ar ddydd Gwener 15 Ionawr"
    assert welsh in to_gp
    assert to_pc and all("Fri 15 Jan" in s for s in to_pc), to_pc
    assert all("Dydd" not in s and "ddydd" not in s for s in to_pc)
    body = next(m for m in new if m["To"] == GP).get_body(("plain",))
    assert body is not None and "ar ddydd Gwener 15 Ionawr 2027" in body.get_content()
