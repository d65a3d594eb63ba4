"""The answer page over HTTP: what it shows, what it writes (through the handlers), and the
plain refusals that write nothing."""

from __future__ import annotations

import re

import httpx
from page_helpers import GP, PC, Page

from storage import repository as repo
from storage.export import case_record


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def reports(page: Page) -> dict[str, str | None]:
    with page.session.store.read() as s:
        rec = case_record(s, "CG-0001", now=page.clock())
    out: dict[str, str | None] = {}
    for m in rec["meetings"]:
        for r in m["written_reports"]:
            out[str(r["member"]["name"])] = r.get("text")
    return out


def test_the_page_shows_the_reference_the_meeting_and_the_ask_and_nothing_else(asked: Page) -> None:
    link = asked.local(asked.mail.link(GP, "written report"))
    r = httpx.get(link)
    assert r.status_code == 200
    html = r.text
    assert "CG-0001" in html and "Core group, Fri 15 Jan 2027 at 10:00" in html
    assert "Write my report" in html and "Attending" in html
    assert '<label for="report">Your written report</label>' in html
    # Nothing else about the case: no member's name, role or agency, no venue.
    for private in ("Practice GP", "PC Officer", "health visitor", "NHS", "Police", "Family centre"):
        assert private not in html
    assert "<script" not in html
    assert r.headers["cache-control"] == "no-store"
    assert "cg_form" in r.headers["set-cookie"] and "samesite=strict" in r.headers["set-cookie"].lower()


def test_a_report_is_written_once_through_the_handlers(asked: Page) -> None:
    link = asked.local(asked.mail.link(GP, "written report"))
    with httpx.Client() as browser:
        form = browser.get(link)
        empty = browser.post(link, data={"csrf": csrf(form.text), "answer": "report", "report": "  "})
        assert empty.status_code == 400
        assert "There is a problem" in empty.text and 'href="#report"' in empty.text
        assert reports(asked).get("Practice GP") is None, "nothing written"
        before = asked.out.getvalue()
        done = browser.post(
            link,
            data={"csrf": csrf(empty.text), "answer": "report", "report": "Seen at surgery; no concerns."},
        )
        assert done.status_code == 200
        assert "Your report is in" in done.text and "Seen at surgery; no concerns." in done.text
    assert reports(asked)["Practice GP"] == "Seen at surgery; no concerns."
    # The channel hears the progress, as for a report typed in chat.
    assert "CG-0001: 1 of 2 written reports in for the core group" in asked.out.getvalue()[len(before) :]
    # A second visit shows what was sent, and a second POST writes nothing more.
    again = httpx.get(link)
    assert "Your report is already in" in again.text and "Seen at surgery; no concerns." in again.text
    assert "<form" not in again.text


def test_attending_and_apologies_go_through_the_same_handlers(asked: Page) -> None:
    # One nag per person (issue 12): the report request carries the attendance answers too.
    link = asked.local(asked.mail.link(PC, "written report"))
    with httpx.Client() as browser:
        form = browser.get(link)
        for label in ("Attending", "Sending apologies", "Write my report"):
            assert label in form.text
        done = browser.post(link, data={"csrf": csrf(form.text), "answer": "attending"})
    assert done.status_code == 200 and "You are down as attending" in done.text
    with asked.session.store.read() as s:
        meeting = repo.meetings(s, "CG-0001")[0]
        assert meeting.id is not None
        said = {a.member_id: a.status for a in repo.attendance(s, "CG-0001", meeting.id)}
    assert "attended" in said.values()


def test_a_post_without_the_form_cookie_is_refused_and_writes_nothing(asked: Page) -> None:
    link = asked.local(asked.mail.link(GP, "written report"))
    form = httpx.get(link)
    # Another site's form: it may know the link, but it never has this browser's cookie.
    r = httpx.post(link, data={"csrf": csrf(form.text), "answer": "report", "report": "forged"})
    assert r.status_code == 403 and "contact the lead social worker" in r.text
    assert reports(asked).get("Practice GP") is None


def test_forged_and_expired_links_get_a_plain_page_and_write_nothing(asked: Page) -> None:
    link = asked.local(asked.mail.link(GP, "written report"))
    forged = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")
    r = httpx.get(forged)
    assert r.status_code == 400 and "This link does not work" in r.text
    assert "contact the lead social worker" in r.text
    assert httpx.post(forged, data={"answer": "report", "report": "x"}).status_code == 400
    asked.clock.set("2027-01-16T09:00")  # the day after the meeting: the answer makes no sense now
    r = httpx.get(link)
    assert r.status_code == 410 and "This link has expired" in r.text
    assert reports(asked).get("Practice GP") is None


def test_a_late_report_edits_the_outside_chairs_bundle(page: Page) -> None:
    """The chair is outside the workspace: the bundle goes by email, and a report that comes in
    after it is sent to them again, brought up to date."""
    page.say(*page_case_with_email_chair())
    with page.session.store.transaction() as s:  # the GP chairs this one (the rota chose the lead)
        gp = next(m for m in repo.members(s, "CG-0001") if m.email == GP)
        meeting = repo.meetings(s, "CG-0001")[0]
        assert meeting.id is not None
        repo.update_meeting(s, "CG-0001", meeting.id, actor="test", now=page.clock(), chair_member_id=gp.id)
    page.clock.set("2027-01-14T10:00")  # the working day before the meeting: the bundle goes
    page.deliver()
    bundles = [
        m
        for m in page.mail.mail
        if m["To"] == GP and "written report" in m["Subject"] and " of " in m["Subject"]
    ]
    # The chair is never asked for their own meeting's report (issue 12): only the police officer's is due.
    assert bundles and bundles[-1]["Subject"].startswith("CG-0001: 0 of 1 written report in")
    link = page.local(page.mail.link(PC, "written report"))
    with httpx.Client() as browser:
        form = browser.get(link)
        browser.post(link, data={"csrf": csrf(form.text), "answer": "report", "report": "Police check done."})
    bundles = [m for m in page.mail.mail if m["To"] == GP and " of " in m["Subject"]]
    assert bundles[-1]["Subject"].startswith("CG-0001: 1 of 1 written report in")


def page_case_with_email_chair() -> list[str]:
    from page_helpers import CASE

    return [
        *CASE[:4],
        '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"',
    ]


def test_a_changed_mind_is_recorded_and_a_double_submit_is_not(asked: Page) -> None:
    # One nag per person (issue 12): the report request carries the attendance answers too.
    link = asked.local(asked.mail.link(PC, "written report"))

    def status() -> set[str]:
        with asked.session.store.read() as s:
            meeting = repo.meetings(s, "CG-0001")[0]
            assert meeting.id is not None
            pc = next(m for m in repo.members(s, "CG-0001") if m.email == PC)
            return {a.status for a in repo.attendance(s, "CG-0001", meeting.id) if a.member_id == pc.id}

    for answer, expected in (
        ("attending", "attended"),
        ("apologies", "apologies"),
        ("attending", "attended"),
    ):
        with httpx.Client() as browser:
            form = browser.get(link)
            data = {"csrf": csrf(form.text), "answer": answer}
            assert browser.post(link, data=data).status_code == 200
            assert browser.post(link, data=data).status_code == 200  # the same form again
        assert status() == {expected}
