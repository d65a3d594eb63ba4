"""Adaptive Card rendering of messages and forms, reading card submissions back, and the text of
a channel message after the bot's mention."""

from __future__ import annotations

from bot.teams.cards import (
    CARD_TYPE,
    command_text,
    form_card,
    message_activity,
    people_fields,
    submitted_values,
)
from handlers.forms import held_form, new_case_form, submit
from handlers.parse import NewCase, RecordHeld
from handlers.replies import Button, Message, mention

HV = "29:1health-visitor"


def test_a_message_in_the_order_of_messages_md() -> None:
    msg = Message(
        "CG-0001: **report** due",
        (f"Detail for {mention(HV)}.",),
        (Button("I'll attend", "cg.run", "CG-0001 attending", primary=True), Button("Not now", "cg.dismiss")),
        ("written_report · Suffolk guidance §4.6",),
    )
    activity = message_activity(msg, {HV: "Health Visitor"}.get)  # type: ignore[arg-type]
    assert activity["summary"] == "CG-0001: report due"
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == CARD_TYPE
    card = attachment["content"]
    assert [b["text"] for b in card["body"]] == [
        "CG-0001: **report** due",
        "Detail for <at>Health Visitor</at>.",
        "written_report · Suffolk guidance §4.6",
    ]
    assert card["body"][-1]["size"] == "Small" and card["body"][-1]["isSubtle"]
    assert card["msteams"]["entities"] == [
        {
            "type": "mention",
            "text": "<at>Health Visitor</at>",
            "mentioned": {"id": HV, "name": "Health Visitor"},
        }
    ]
    assert card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "I'll attend",
            "style": "positive",
            "data": {"cg.kind": "run", "cg.line": "CG-0001 attending"},
        },
        {"type": "Action.Submit", "title": "Not now", "data": {"cg.kind": "dismiss"}},
    ]


def test_every_field_kind_has_an_input() -> None:
    card = form_card(new_case_form(["suffolk", "newham"]), channel="19:c@thread.tacv2")
    inputs = {b["id"]: b for b in card["body"] if b["type"].startswith("Input.")}
    assert inputs["reference"]["type"] == "Input.Text"
    assert inputs["profile"]["type"] == "Input.ChoiceSet"
    assert [c["value"] for c in inputs["profile"]["choices"]] == ["suffolk", "newham"]
    assert inputs["plan"]["value"] == "cp" and inputs["plan"]["style"] == "compact"
    assert inputs["start"]["type"] == "Input.Date" and inputs["start"]["isRequired"] is True
    data = card["actions"][0]["data"]
    assert data["cg.form"] == "new" and data["cg.channel"] == "19:c@thread.tacv2"


def test_a_submitted_new_case_card_becomes_the_typed_command() -> None:
    card = form_card(new_case_form(["suffolk"]))
    data = {
        **card["actions"][0]["data"],
        "reference": "CG-0009",
        "profile": "suffolk",
        "plan": "cp",
        "start": "2027-01-04",
    }
    cmd = submit("new", submitted_values(data), data["cg.context"])
    assert isinstance(cmd, NewCase)
    assert (cmd.reference, cmd.profile, cmd.plan, str(cmd.start)) == (
        "CG-0009",
        "suffolk",
        "cp",
        "2027-01-04",
    )


def test_multi_selects_come_back_as_lists() -> None:
    from datetime import date

    form = held_form("CG-0001", 3, date(2027, 1, 15), [(1, "lead"), (2, "hv"), (3, "teacher")])
    data = {
        **form_card(form)["actions"][0]["data"],
        "date": "2027-01-15",
        "attended": "m:1,m:2",
        "apologies": "m:3",
    }
    values = submitted_values(data)
    assert values == {"date": "2027-01-15", "attended": ["m:1", "m:2"], "apologies": ["m:3"]}
    cmd = submit("held", values, form.context)
    assert isinstance(cmd, RecordHeld)
    assert people_fields(data) == []


def test_command_text_strips_the_bot_and_keeps_people() -> None:
    entities = [
        {
            "type": "mention",
            "text": "<at>coregroup</at>",
            "mentioned": {"id": "28:bot-app-id", "name": "coregroup"},
        },
        {
            "type": "mention",
            "text": "<at>Health Visitor</at>",
            "mentioned": {"id": HV, "name": "Health Visitor"},
        },
    ]
    text, names = command_text(
        "<at>coregroup</at>&nbsp;action add &quot;Book it&quot; owner:<at>Health Visitor</at> due:2027-02-01",
        entities,
        "28:bot-app-id",
    )
    assert text == f'action add "Book it" owner:<@{HV}> due:2027-02-01'
    assert names == {HV: "Health Visitor"}
    assert command_text("<p>/coregroup status</p>", [], "28:x") == ("status", {})
