"""Teams polish (issue 15, item 6): the package's version, people pickers limited to the channel
with a typed fallback for phones, and cards that declare the Adaptive Cards version they use.

Before: the manifest's `version` was fixed at 1.0.0 (an update could not be uploaded without a hand
edit); the people picker searched the whole organisation (`graph.microsoft.com/users`) and offered
nothing on phones; the forms with a people picker used `choices.data` (Adaptive Cards 1.6) in a
card declaring 1.5.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import pytest
from fakes.env import MovableClock
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import HV, LEAD, ROSTER, TeamsHarness, running

from bot.cli import main
from bot.teams.cards import PEOPLE_DATASET, form_card, message_card
from handlers import forms
from handlers.replies import Button, Message
from storage import repository as repo
from storage.db import Store

APP_ID = "00000000-1111-4222-8333-444444444444"

#: The Adaptive Cards version that introduced each feature a card of ours can use
#: (adaptivecards.io schema explorer): element types, and properties on any element.
TYPES = {
    "TextBlock": "1.0",
    "Input.Text": "1.0",
    "Input.Date": "1.0",
    "Input.Time": "1.0",
    "Input.Toggle": "1.0",
    "Input.ChoiceSet": "1.0",
    "Action.Submit": "1.0",
    "Data.Query": "1.6",
}
PROPERTIES = {
    "style": "1.0",
    "wrap": "1.0",
    "isSubtle": "1.0",
    "isMultiline": "1.0",
    "label": "1.3",
    "isRequired": "1.3",
    "errorMessage": "1.3",
    "choices.data": "1.6",
}
#: Values that came later than their property.
VALUES = {("style", "filtered"): "1.5", ("style", "positive"): "1.2", ("style", "destructive"): "1.2"}


def _v(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def needed(node: Any) -> tuple[int, int]:
    """The newest Adaptive Cards version any part of `node` needs."""
    best = (1, 0)
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str) and kind in TYPES:
            best = max(best, _v(TYPES[kind]))
        for key, value in node.items():
            if key in PROPERTIES:
                best = max(best, _v(PROPERTIES[key]))
            if isinstance(value, str) and (key, value) in VALUES:
                best = max(best, _v(VALUES[(key, value)]))
            if key not in ("data", "msteams"):  # Action.Submit data and Teams' own block are not schema
                best = max(best, needed(value))
    elif isinstance(node, list):
        for item in node:
            best = max(best, needed(item))
    return best


def every_form() -> list[Any]:
    today = date(2027, 1, 4)
    return [
        forms.new_case_form(["suffolk", "england"]),
        forms.add_member_form("CG-0001", "team"),
        forms.meeting_form("CG-0001", [(3, "mother")]),
        forms.held_form("CG-0001", 1, today, [(1, "lead social worker"), (2, "health visitor")]),
        forms.report_form("CG-0001", 1, "Fri 15 Jan"),
        forms.action_form("CG-0001"),
        forms.visit_form("CG-0001", today),
        forms.resolution_form("CG-0001", today),
    ]


def every_card() -> list[dict[str, Any]]:
    messages = [
        Message("CG-0001: hello"),
        Message(
            "CG-0001: are you coming?",
            ("Fri 15 Jan at 10:00",),
            (Button("Attending", "cg.run", "attend yes", primary=True), Button("Not me", "cg.dismiss", "")),
            ("rule · Suffolk §4.2",),
        ),
    ]
    return [message_card(m) for m in messages] + [form_card(f, channel="19:x") for f in every_form()]


def test_every_card_declares_the_version_it_uses() -> None:
    cards = every_card()
    assert any(needed(c) == (1, 6) for c in cards), "no card uses a 1.6 feature: the check is empty"
    for card in cards:
        declared = _v(card["version"])
        assert declared == max(needed(card), (1, 5)), (card["version"], card["body"][0])


def test_people_pickers_look_in_the_channel_and_have_a_typed_fallback() -> None:
    pickers = 0
    for form in every_form():
        body = form_card(form, channel="19:x")["body"]
        for i, element in enumerate(body):
            if "choices.data" not in element:
                continue
            pickers += 1
            assert element["choices.data"]["dataset"] == PEOPLE_DATASET
            assert PEOPLE_DATASET.endswith("?scope=currentContext")
            assert element["isRequired"] is False  # a phone shows no picker: typing must be enough
            typed = body[i + 1]
            assert typed["type"] == "Input.Text" and typed["id"] == element["id"] + "_typed"
            assert typed["style"] == "Email" and "phone" in typed["label"]
    assert pickers == 3  # add (person), action (owner), visit (by)


@pytest.fixture
def teams(store: Store, clock: MovableClock) -> Iterator[TeamsHarness]:
    with FakeTeams(roster=list(ROSTER)) as fake, running(fake, store, clock) as h:
        yield h


def test_an_email_typed_on_a_phone_finds_the_channel_member(teams: TeamsHarness) -> None:
    assert teams.say(LEAD, "new CG-0001 profile:suffolk plan:cp start:2027-01-04").status_code == 200
    teams.say(LEAD, 'add @Health Visitor role:"health visitor" agency:"NHS"', mentions=[HV])
    teams.say(LEAD, "action")
    card = teams.last_form(LEAD)
    assert card["version"] == "1.6"
    data = card["actions"][0]["data"]
    # The picker left empty (a phone), the address typed below it.
    teams.submit(
        LEAD,
        {**data, "text": "Book the dental check-up", "owner_typed": HV.email.upper(), "due": "2027-02-01"},
    )
    with teams.store.read() as s:
        (action,) = repo.actions(s, "CG-0001")
        hv = repo.member_by_address(s, "CG-0001", "teams", HV.id)
    assert action.owner_member_id == hv.id


def test_teams_package_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out), "--version", "2.3.4"]) == 0
    with zipfile.ZipFile(out) as z:
        assert json.loads(z.read("manifest.json"))["version"] == "2.3.4"
    # Default: the installed package's version, so each release uploads as an update.
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert json.loads(z.read("manifest.json"))["version"] == installed_version("coregroup")
    capsys.readouterr()
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out), "--version", "2.3"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--version" in line and "2.3" in line and "e.g. 1.4.0" in line
