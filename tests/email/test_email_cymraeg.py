"""Email in the reader's language (docs/cymraeg.md): in a Cwm Taf Morgannwg case, the GP who
chose Welsh gets her reminders in Welsh and the police officer and the teacher who chose
English get theirs in English, through a real SMTP server on loopback; the meeting invitation
they all receive is Welsh first, then English."""

from __future__ import annotations

import re
from email.message import EmailMessage

from mail_helpers import Inbox, Story
from test_email_smtp import deliver

from storage import repository as repo

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


PARENT = "parent@example.org"


def _text(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_the_emails_own_words_are_in_the_readers_language(story: Story, inbox: Inbox) -> None:
    """The answer link's sentence and the footer, not just the message, are Welsh for the GP who
    chose Welsh and English for the officer; neither is asked their language (they chose)."""
    story.say(*WELSH_CASE)
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    new = inbox.mail[before:]
    gp = _text(next(m for m in new if m["To"] == GP))
    assert "I ateb (" in gp and "agorwch y ddolen hon:" in gp
    assert "Daw'r e-bost hwn o wasanaeth nodiadau atgoffa'r grŵp craidd." in gp
    assert "To answer" not in gp and "This email is from" not in gp
    assert next(m for m in new if m["To"] == GP)["Content-Language"] == "cy"
    english = _text(next(m for m in new if m["To"] in (PC, SCHOOL)))
    assert "To answer (" in english and "This email is from the core group's reminder service." in english
    assert "I ateb" not in english and "Daw'r e-bost" not in english
    for text in (gp, english):
        assert "/l/" not in text and "pa iaith" not in text.lower()


def test_an_email_only_parent_is_asked_their_language_in_both_languages(story: Story, inbox: Inbox) -> None:
    """A parent added by email in a Welsh profile's case, language not known, reads Welsh then
    English and is asked which they want, with a signed link for each; once they have chosen,
    the question stops and the email is in their language only."""
    story.say(
        *WELSH_CASE[:-1],
        f'/coregroup add email:{PARENT} name:"Parent" role:"mother"',
        '/coregroup meeting 2027-01-15 10:00 venue:"Family centre" family',
    )
    invitation = inbox.to(PARENT)
    assert invitation, "the parent's invitation went by email"
    text = _text(invitation[0])
    assert "CG-0001: pa iaith hoffech chi i mi ei defnyddio gyda chi?" in text
    assert "CG-0001: which language would you like me to use with you?" in text
    cy = re.search(r"^Cymraeg: (http://\S+/l/[\w.-]+/cy)\s*$", text, re.MULTILINE)
    en = re.search(r"^English: (http://\S+/l/[\w.-]+/en)\s*$", text, re.MULTILINE)
    assert cy and en, text
    # The links are signed for this member and case, and expire.
    links = story.session.links
    assert links is not None
    token = cy.group(1).split("/l/")[1].rsplit("/", 1)[0]
    link = links.read_language(token, story.clock())
    assert (link.reference, link.address) == ("CG-0001", PARENT)
    # Welsh first, then English, for the frame as well.
    footer = text.index("Daw'r e-bost hwn")
    assert footer < text.index("This email is from the core group's reminder service.")
    assert invitation[0]["Content-Language"] == "cy, en"
    # The GP, who chose Welsh, is not asked.
    assert "/l/" not in _text(inbox.to(GP)[0])

    # The parent chooses English (what the page's button does); the next email is English only.
    with story.session.store.transaction() as s:
        repo.set_language(s, "email", PARENT, "en", actor="page:parent", now=story.clock())
    before = len(inbox.mail)
    story.clock.set("2027-01-12T09:30")
    deliver(story)
    theirs = [m for m in inbox.mail[before:] if m["To"] == PARENT]
    assert theirs
    later = _text(theirs[0])
    assert "/l/" not in later and "pa iaith" not in later.lower()
    assert "Daw'r e-bost" not in later and "This email is from the core group's reminder service." in later
