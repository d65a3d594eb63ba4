"""A real browser on the answer page: Debian's headless Chromium, driven by Selenium through the
system chromedriver (never selenium-manager, which would fetch a browser from the network).

It opens the link from a received email, writes a report, submits it and sees the confirmation;
the record then holds the report (the export) and the chair's bundle counts it. The same browser
then tries a forged link and an expired one. It takes a picture of the page at phone width
(into docs/answer-page.png, for the README, with COREGROUP_SCREENSHOT=1). A Welsh member's page
is Welsh (`lang="cy"`), and its switch goes to English and back (docs/answer-page-cy.png). Skipped only where
Chromium is absent; with COREGROUP_REQUIRE_BROWSER=1 (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import GP, Page, language_links

from storage import repository as repo
from storage.export import case_record

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
SHOT = Path(__file__).resolve().parents[2] / "docs" / "answer-page.png"
SHOT_CY = SHOT.with_name("answer-page-cy.png")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        reason = "Chromium is not installed here: apt-get install -y chromium chromium-driver"
        if os.environ.get("COREGROUP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COREGROUP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=390,844",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def heading(browser: Any, text: str) -> None:
    """Wait for the page whose h1 is `text` (a click starts a navigation; it has not ended yet)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # The old page's h1 can go stale between finding it and reading it: look again.
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.TAG_NAME, "h1").text == text
    )


def test_a_report_written_in_a_real_browser(asked: Page, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    link = asked.local(asked.mail.link(GP, "written report"))
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your answer for the core group"
    assert "CG-0001" in browser.find_element(By.CLASS_NAME, "caption").text
    # Labels are real labels: clicking the words picks the radio button.
    browser.find_element(By.CSS_SELECTOR, "label[for='answer']").click()
    assert browser.find_element(By.ID, "answer").is_selected()
    box = browser.find_element(By.ID, "report")
    box.send_keys("Seen at the surgery on Monday.\nNo new concerns; immunisations up to date.")
    browser.execute_script("window.scrollTo(0, 0)")  # the page works without it; this is for the picture
    shot = SHOT if os.environ.get("COREGROUP_SCREENSHOT") == "1" else tmp_path / SHOT.name
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 1000
    # Sent empty, the error summary names the problem and links to the field.
    box.clear()
    browser.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    summary = WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CLASS_NAME, "summary")))
    assert "Write your report in the box" in summary.text
    assert summary.find_element(By.TAG_NAME, "a").get_attribute("href").endswith("#report")
    assert browser.title.startswith("Error: ")
    browser.find_element(By.ID, "answer").click()
    box = browser.find_element(By.ID, "report")
    box.send_keys("Seen at the surgery on Monday.\nNo new concerns; immunisations up to date.")
    browser.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    heading(browser, "Your report is in")
    assert "immunisations up to date" in browser.find_element(By.CLASS_NAME, "inset").text

    # The record holds it (the export) ...
    with asked.session.store.read() as s:
        rec = case_record(s, "CG-0001", now=asked.clock())
    texts = [r.get("text") for m in rec["meetings"] for r in m["written_reports"]]
    assert any(t and "immunisations up to date" in t for t in texts)
    # ... and the chair's bundle, the working day before, counts it.
    before = len(asked.out.getvalue())
    asked.clock.set("2027-01-14T10:00")
    asked.deliver()
    assert (
        "CG-0001: 1 of 2 written reports in for the core group on Fri 15 Jan" in asked.out.getvalue()[before:]
    )

    # A second visit shows what was sent, with no form.
    browser.get(link)
    heading(browser, "Your report is already in")
    assert not browser.find_elements(By.TAG_NAME, "form")

    # A forged link and an expired one: plain pages that say what to do.
    browser.get(link[: link.rindex(".")] + ".forged-signature")
    heading(browser, "This link does not work")
    assert "contact the lead social worker" in browser.find_element(By.TAG_NAME, "main").text
    other = asked.local(asked.mail.link("pc@police.example", "written report"))
    asked.clock.set("2027-01-16T09:00")
    browser.get(other)
    heading(browser, "This link has expired")
    assert not browser.find_elements(By.TAG_NAME, "form")


def test_a_welsh_members_page_in_a_real_browser_and_its_language_switch(
    asked_cy: Page, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    link = asked_cy.local(asked_cy.mail.link(GP, "adroddiad ysgrifenedig"))
    browser.get(link)
    heading(browser, "Eich ateb i'r grŵp craidd")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "cy"
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Grŵp craidd, Dydd Gwener 15 Ionawr 2027 am 10:00" in main
    assert "Ysgrifennu fy adroddiad" in main and "Eich adroddiad ysgrifenedig" in main
    assert browser.title == "CG-0001: eich ateb – grŵp craidd"
    browser.find_element(By.CSS_SELECTOR, "label[for='answer']").click()
    browser.find_element(By.ID, "report").send_keys("Gwelwyd yn y feddygfa ddydd Llun.\nDim pryderon newydd.")
    browser.execute_script("window.scrollTo(0, 0)")
    shot = SHOT_CY if os.environ.get("COREGROUP_SCREENSHOT") == "1" else tmp_path / SHOT_CY.name
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 1000

    # The switch: English, stored as the member's choice, then back to Cymraeg.
    switch = browser.find_element(By.ID, "switch-language")
    assert switch.text == "English" and switch.get_attribute("lang") == "en"
    switch.click()
    heading(browser, "Your answer for the core group")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-GB"
    assert "Core group, Fri 15 Jan 2027 at 10:00" in browser.find_element(By.TAG_NAME, "main").text
    with asked_cy.session.store.read() as s:
        assert repo.language_of_address(s, "email", GP) == "en"
    browser.find_element(By.ID, "switch-language").click()
    heading(browser, "Eich ateb i'r grŵp craidd")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "cy"

    # The parent's language question, in the same browser: the link asks, the button sets.
    cy = next(u for u in language_links(asked_cy.mail.mail, "parent@example.org") if u.endswith("/cy"))
    browser.get(asked_cy.url + cy[cy.index("/l/") :])
    heading(browser, "Pa iaith hoffech chi i mi ei defnyddio gyda chi?")
    browser.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    heading(browser, "Byddaf yn ysgrifennu atoch yn Gymraeg o hyn ymlaen.")
    with asked_cy.session.store.read() as s:
        assert repo.language_of_address(s, "email", "parent@example.org") == "cy"
