"""The Teams adapter's own words for a Welsh reader, through the real SDK app with signed
activities against the fake Bot Connector: a card's button titles, a form card's own labels and
the answer to pressing a card in Welsh."""

from __future__ import annotations

from fakes.teams_connector import CHANNEL, card_invoke
from fakes.teams_harness import HV, LEAD, TeamsHarness

from bot.teams.cards import KIND, LINE, VOICE
from handlers.i18n import _, localise

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


def welsh_lead(teams: TeamsHarness) -> None:
    teams.say(LEAD, NEW)
    teams.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])
    teams.say(LEAD, "language cy")


def test_a_welsh_readers_card_has_welsh_button_titles_and_remembers_its_voice(teams: TeamsHarness) -> None:
    welsh_lead(teams)
    teams.say(LEAD, "meeting 2027-03-30 10:00")  # outside the first core group's window: asks
    question = teams.fake.activities(teams.fake.personal_conversation(LEAD.id))[-1]
    actions = question["attachments"][0]["content"]["actions"]
    titles = [a["title"] for a in actions]
    assert titles == [localise(_("Book it anyway"), "cy"), localise(_("Pick another date"), "cy")]
    assert "Book it anyway" not in titles
    assert all(a["data"][VOICE] == "cy" for a in actions)
    # Pressing it is answered in Welsh before any lookup.
    r = teams.send(card_invoke(teams.fake, LEAD, actions[0]["data"], in_channel=CHANNEL))
    assert r.json()["value"] == localise(_("Got it: working on it."), "cy") != "Got it: working on it."


def test_a_welsh_readers_form_card_has_welsh_labels_of_its_own(teams: TeamsHarness) -> None:
    welsh_lead(teams)
    teams.say(LEAD, "meeting 2027-01-15 10:00")
    teams.say(LEAD, "report")
    card = teams.last_form(LEAD)
    needed = [b["errorMessage"] for b in card["body"] if "errorMessage" in b]
    assert needed and all(m.endswith(": rhaid llenwi'r maes hwn.") for m in needed)
    assert card["actions"][0]["data"][VOICE] == "cy"
    activity = teams.fake.activities(teams.fake.personal_conversation(LEAD.id))[-1]
    assert activity["summary"].startswith("Ffurflen: ")


def test_an_english_press_is_answered_in_english(teams: TeamsHarness) -> None:
    teams.say(LEAD, NEW)
    r = teams.send(card_invoke(teams.fake, LEAD, {KIND: "run", LINE: "status"}, in_channel=CHANNEL))
    assert r.json()["value"] == "Got it: working on it."
