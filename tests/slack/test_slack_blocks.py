"""Block Kit layouts are pure functions: tested as data, against the same limits the fake Web API
enforces (so a layout Slack would refuse fails here first)."""

from __future__ import annotations

from fakes.slack_api import validate_blocks, validate_view

from bot.slack.blocks import (
    form_values,
    home_view,
    message_blocks,
    message_payload,
    modal_view,
    mrkdwn,
    read_metadata,
)
from handlers.forms import (
    action_form,
    add_member_form,
    held_form,
    meeting_form,
    new_case_form,
    report_form,
    resolution_form,
)
from handlers.replies import Button, Message, mention
from scheduling.profiles import profile_names


def test_order_is_preview_detail_buttons_context() -> None:
    msg = Message(
        "CG-0421: written report due before **Tuesday**",
        ("Due **Mon 4 Jan 2027**",),
        (Button("Write my report", "cg.run", "report", primary=True),),
        ("written_report · Suffolk guidance §4.6",),
    )
    blocks = message_blocks(msg)
    assert [b["type"] for b in blocks] == ["section", "section", "actions", "context"]
    assert blocks[0]["text"]["text"] == "CG-0421: written report due before *Tuesday*"
    assert message_payload(msg)["text"] == "CG-0421: written report due before Tuesday"
    assert blocks[2]["elements"][0]["style"] == "primary"
    assert validate_blocks(blocks) == []


def test_escaping_keeps_our_mentions_only() -> None:
    assert (
        mrkdwn(f"{mention('U0HV')} & <script> <@U0X> **x**")
        == "<@U0HV> &amp; &lt;script&gt; &lt;@U0X&gt; *x*"
    )


def test_limits_hold_for_long_and_busy_messages() -> None:
    msg = Message(
        "x" * 5000,
        tuple(f"line {i} " + "y" * 400 for i in range(200)),
        tuple(Button(f"b{i}" * 50, "cg.run", "v" * 3000, primary=True) for i in range(9)),
        tuple(f"ctx {i}" for i in range(25)),
    )
    blocks = message_blocks(msg)
    assert validate_blocks(blocks) == []
    assert len(blocks) <= 50


def test_every_form_is_a_valid_modal_and_round_trips_its_metadata() -> None:
    forms = [
        new_case_form(profile_names()),
        add_member_form("CG-0001"),
        meeting_form("CG-0001"),
        held_form(
            "CG-0001",
            7,
            __import__("datetime").date(2027, 1, 15),
            [(i, f"Member {i} (role)") for i in range(1, 40)],
        ),
        report_form("CG-0001", 7, "Fri 15 Jan 2027"),
        action_form("CG-0001"),
        resolution_form("CG-0001", __import__("datetime").date(2027, 3, 1)),
    ]
    for form in forms:
        view = modal_view(form, channel="G0CASE")
        assert validate_view(view) == [], form.id
        assert read_metadata(view) == (form.id, form.context, "G0CASE")


def test_form_values_reads_every_element_type() -> None:
    state = {
        "a": {"v": {"type": "plain_text_input", "value": "x"}},
        "b": {"v": {"type": "datepicker", "selected_date": "2027-01-04"}},
        "c": {"v": {"type": "timepicker", "selected_time": "10:00"}},
        "d": {"v": {"type": "static_select", "selected_option": {"value": "cp"}}},
        "e": {"v": {"type": "multi_static_select", "selected_options": [{"value": "m:1"}]}},
        "f": {"v": {"type": "users_select", "selected_user": "U0HV"}},
        "g": {"v": {"type": "checkboxes", "selected_options": []}},
        "h": {"v": {"type": "static_select", "selected_option": None}},
    }
    assert form_values(state) == {
        "a": "x",
        "b": "2027-01-04",
        "c": "10:00",
        "d": "cp",
        "e": ["m:1"],
        "f": "U0HV",
        "g": [],
        "h": None,
    }


def test_home_view_is_valid_with_many_cases() -> None:
    cases = [
        Message(
            f"CG-{i:04d} — next core group",
            ("Action 1: x",),
            (Button("Status", "cg.run", f"status case:CG-{i:04d}"),),
            ("ctx",),
        )
        for i in range(60)
    ]
    view = home_view(cases)
    assert validate_view(view) == []
    assert validate_view(home_view([])) == []
