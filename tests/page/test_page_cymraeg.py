"""The answer page in the member's language (docs/cymraeg.md): a Welsh member's page is Welsh
(`lang="cy"`, every word from the catalogue), an English member's English; the page's own switch
stores the choice where `/coregroup language` does, audited, behind the page's CSRF pair; and the
language question an email-only parent is sent opens a page that asks, and a button sets it."""

from __future__ import annotations

from html import unescape

import httpx
from page_helpers import GP, PARENT, PC, Page, language_links
from test_page_http import csrf

from handlers.replies import Message
from storage import repository as repo
from storage.audit import history


def language_of(page: Page, address: str) -> str | None:
    with page.session.store.read() as s:
        return repo.language_of_address(s, "email", address)


def test_a_welsh_members_page_is_welsh_and_an_english_members_english(asked_cy: Page) -> None:
    welsh = httpx.get(asked_cy.local(asked_cy.mail.link(GP, "adroddiad ysgrifenedig")))
    assert welsh.status_code == 200
    html = unescape(welsh.text)
    assert '<html lang="cy">' in html and welsh.headers["content-language"] == "cy"
    assert "<h1>Eich ateb i'r grŵp craidd</h1>" in html
    assert "Grŵp craidd, Dydd Gwener 15 Ionawr 2027 am 10:00" in html
    assert "Ysgrifennu fy adroddiad" in html and "Yn bresennol" in html
    assert "<title>CG-0001: eich ateb – grŵp craidd</title>" in html
    assert ">Anfon</button>" in html and 'lang="en" id="switch-language">English</button>' in html
    for english in ("Your answer", "Meeting", "What is asked", "Send<", "Core group<"):
        assert english not in html, english
    english = unescape(httpx.get(asked_cy.local(asked_cy.mail.link(PC, "written report"))).text)
    assert '<html lang="en-GB">' in english and "<h1>Your answer for the core group</h1>" in english
    assert "Core group, Fri 15 Jan 2027 at 10:00" in english
    assert 'lang="cy" id="switch-language">Cymraeg</button>' in english


def test_errors_are_in_the_readers_language(asked_cy: Page) -> None:
    link = asked_cy.local(asked_cy.mail.link(GP, "adroddiad ysgrifenedig"))
    with httpx.Client() as browser:
        form = browser.get(link)
        empty = browser.post(link, data={"csrf": csrf(form.text), "answer": "report", "report": " "})
        assert empty.status_code == 400
        assert "Mae problem" in unescape(empty.text)
        assert "Gwall: Ysgrifennwch eich adroddiad yn y blwch, neu dewiswch ateb arall." in unescape(
            empty.text
        )
        none = browser.post(link, data={"csrf": csrf(empty.text), "answer": ""})
        assert (
            "Dewiswch eich ateb: Ysgrifennu fy adroddiad, neu Yn bresennol, neu Anfon ymddiheuriadau."
            in unescape(none.text)
        )
        done = browser.post(link, data={"csrf": csrf(none.text), "answer": "attending"})
    assert done.status_code == 200 and "Rydych wedi'ch nodi'n bresennol" in unescape(done.text)
    assert "Gallwch gau'r dudalen hon." in unescape(done.text)


def test_the_switch_stores_the_choice_audited_and_shows_the_page_again(asked_cy: Page) -> None:
    link = asked_cy.local(asked_cy.mail.link(GP, "adroddiad ysgrifenedig"))
    with httpx.Client() as browser:
        form = browser.get(link)
        # Without this browser's form cookie (another site's form): refused, nothing changes.
        forged = httpx.post(f"{link}/language", data={"csrf": csrf(form.text), "lang": "en"})
        assert forged.status_code == 403 and language_of(asked_cy, GP) == "cy"
        moved = browser.post(f"{link}/language", data={"csrf": csrf(form.text), "lang": "en"})
        assert moved.status_code == 303 and moved.headers["location"].endswith(link[link.index("/r/") :])
        again = browser.get(link)
        assert "<h1>Your answer for the core group</h1>" in unescape(
            again.text
        ) and '<html lang="en-GB">' in unescape(again.text)
        assert language_of(asked_cy, GP) == "en"
        back = browser.post(f"{link}/language", data={"csrf": csrf(again.text), "lang": "cy"})
        assert back.status_code == 303
        assert "<h1>Eich ateb i'r grŵp craidd</h1>" in unescape(browser.get(link).text)
    with asked_cy.session.store.read() as s:
        events = [e for e in history(s, "CG-0001") if e.action == "member.language_set"]
    assert [e.actor for e in events] == [f"page:{GP}", f"page:{GP}"]
    # The next email follows the choice too: Welsh again.
    assert language_of(asked_cy, GP) == "cy"


def test_the_parents_language_question_opens_a_page_that_asks_then_sets_it(asked_cy: Page) -> None:
    links = language_links(asked_cy.mail.mail, PARENT)
    cy = asked_cy.local_path(next(u for u in links if u.endswith("/cy")))
    en = asked_cy.local_path(next(u for u in links if u.endswith("/en")))
    assert language_of(asked_cy, PARENT) is None
    with httpx.Client() as browser:
        asks = browser.get(cy)
        assert asks.status_code == 200 and '<html lang="cy">' in unescape(asks.text)
        assert "<h1>Pa iaith hoffech chi i mi ei defnyddio gyda chi?</h1>" in unescape(asks.text)
        assert ">Defnyddio Cymraeg</button>" in unescape(
            asks.text
        ) and f'href="{en[en.index("/l/") :]}"' in unescape(asks.text)
        assert language_of(asked_cy, PARENT) is None, "opening the link (a mail scanner might) sets nothing"
        english = browser.get(en)
        assert '<html lang="en-GB">' in unescape(english.text) and ">Use English</button>" in unescape(
            english.text
        )
        done = browser.post(cy, data={"csrf": csrf(asks.text)})
    assert done.status_code == 200 and "Byddaf yn ysgrifennu atoch yn Gymraeg o hyn ymlaen." in unescape(
        done.text
    )
    assert language_of(asked_cy, PARENT) == "cy"
    # A forged language link, and one posted without the form cookie, change nothing.
    assert httpx.get(cy[:-8] + "AAAAA/cy").status_code == 400
    assert httpx.post(en, data={"csrf": csrf(asks.text)}).status_code == 403
    assert language_of(asked_cy, PARENT) == "cy"
    # The parent's next email is in Welsh only, without the question.
    email = asked_cy.session.email
    assert email is not None
    email.direct_message(PARENT, Message("CG-0001: a message"))
    text = asked_cy.mail.mail[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "/l/" not in text and "This email is from" not in text
    assert "Daw'r e-bost hwn" in text
