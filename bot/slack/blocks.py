"""Block Kit rendering: pure functions from the neutral replies to Slack's JSON.

Kept free of I/O so the layouts are tested as plain data (and checked against the same Block Kit
limits the fake Web API enforces). The order is messages.md's: preview line, detail, buttons,
context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.chat import said
from handlers.forms import FormValue
from handlers.i18n import Lang, Voice, _
from handlers.replies import Button, Form, FormField, Message, render

MAX_BLOCKS: Final = 50
MAX_VIEW_BLOCKS: Final = 100
SECTION_CHARS: Final = 3000
CONTEXT_ELEMENTS: Final = 10
BUTTON_CHARS: Final = 75
VALUE_CHARS: Final = 2000
TITLE_CHARS: Final = 24
FORM_CALLBACK: Final = "cg.form"

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def escape(text: str) -> str:
    """Slack's own escaping: with `&`, `<` and `>` escaped no text can form a `<…>` entity
    (`<!channel>`, `<@U…>`, `<https://…|disguise>`), and `&lt;` typed stays visible as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Neutral markup → Slack mrkdwn: everything escaped, mentions made from their ids alone,
    **b** → *b*. The only entities in the result are the `<@U…>` the handlers asked for."""
    return _BOLD.sub(r"*\1*", render(text, escape=escape, mention=_mention))


def fallback(text: str) -> str:
    """The message's `text` (the notification, and what screen readers and old clients show):
    Slack reads it as mrkdwn too, so it is escaped like blocks; markup removed."""
    return _BOLD.sub(r"\1", render(text, escape=escape, mention=_mention))


def plain(text: str) -> str:
    """Text for plain_text fields (buttons, labels, titles): markup removed, a mention as @id.

    Slack shows plain_text literally, so nothing needs escaping; only our tokens are undone."""
    return _BOLD.sub(r"\1", render(text, escape=str, mention=lambda u: f"@{u}"))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(lines: Sequence[str], limit: int = SECTION_CHARS) -> list[str]:
    """Join lines into texts of at most `limit` characters, breaking between lines."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = _clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def _button(b: Button, index: int) -> dict[str, Any]:
    el: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(plain(b.label), BUTTON_CHARS)},
        "action_id": f"{b.action}:{index}",
        "value": b.value[:VALUE_CHARS],
    }
    if b.primary:
        el["style"] = "primary"
    elif b.danger:
        el["style"] = "danger"
    return el


def message_blocks(
    msg: Message, *, max_blocks: int = MAX_BLOCKS, voice: Voice = "en"
) -> list[dict[str, Any]]:
    """`voice`: the reader's, for the one line the layout adds (a message cut short)."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mrkdwn(msg.preview), SECTION_CHARS)}}
    ]
    for chunk in _chunks([mrkdwn(line) for line in msg.detail]):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    if msg.buttons:
        seen_primary = False
        buttons = []
        for i, b in enumerate(msg.buttons[:5]):
            if b.primary and seen_primary:
                b = Button(b.label, b.action, b.value)
            seen_primary = seen_primary or b.primary
            buttons.append(_button(b, i))
        blocks.append({"type": "actions", "elements": buttons})
    ctx = [{"type": "mrkdwn", "text": _clip(mrkdwn(c), SECTION_CHARS)} for c in msg.context]
    for i in range(0, len(ctx), CONTEXT_ELEMENTS):
        blocks.append({"type": "context", "elements": ctx[i : i + CONTEXT_ELEMENTS]})
    if len(blocks) > max_blocks:
        more = {"type": "mrkdwn", "text": mrkdwn(said(_("…more with `/coregroup status`"), voice))}
        blocks = [*blocks[: max_blocks - 1], {"type": "context", "elements": [more]}]
    return blocks


def message_payload(msg: Message, *, voice: Voice = "en") -> dict[str, Any]:
    """`text` (the notification preview, plain) and `blocks` for chat.postMessage & co."""
    return {"text": _clip(fallback(msg.preview), 3000), "blocks": message_blocks(msg, voice=voice)}


# --- forms ---------------------------------------------------------------------------------------


def _text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": plain(text)}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(_clip(label, 75)), "value": value[:150]}


def _element(f: FormField) -> dict[str, Any]:
    el: dict[str, Any]
    if f.kind in ("text", "long_text"):
        el = {"type": "plain_text_input", "multiline": f.kind == "long_text"}
        if f.kind == "long_text":
            el["max_length"] = 3000
        if isinstance(f.initial, str):
            el["initial_value"] = f.initial
    elif f.kind == "email":
        el = {"type": "email_text_input"}
    elif f.kind == "date":
        el = {"type": "datepicker"}
        if isinstance(f.initial, str):
            el["initial_date"] = f.initial
    elif f.kind == "time":
        el = {"type": "timepicker"}
        if isinstance(f.initial, str):
            el["initial_time"] = f.initial
    elif f.kind == "select":
        el = {"type": "static_select", "options": [_option(o.value, o.label) for o in f.options]}
        init = next((o for o in f.options if o.value == f.initial), None)
        if init:
            el["initial_option"] = _option(init.value, init.label)
    elif f.kind == "multi_select":
        el = {"type": "multi_static_select", "options": [_option(o.value, o.label) for o in f.options[:100]]}
        if isinstance(f.initial, tuple) and f.initial:
            el["initial_options"] = [_option(o.value, o.label) for o in f.options if o.value in f.initial]
    elif f.kind == "user":
        el = {"type": "users_select"}
    elif f.kind == "checkbox":
        el = {"type": "checkboxes", "options": [_option(o.value, o.label) for o in f.options]}
    else:  # pragma: no cover - FieldKind is closed
        raise ValueError(f.kind)
    el["action_id"] = "v"
    if f.placeholder and f.kind in ("text", "long_text", "email", "select", "multi_select", "user", "date"):
        el["placeholder"] = _text(_clip(f.placeholder, 150))
    return el


def modal_view(form: Form, *, channel: str | None = None, lang: Lang = "en") -> dict[str, Any]:
    """A modal for `form` (already in the reader's language `lang`, which the modal's own Cancel
    follows); the channel it was opened from and that language ride along in private_metadata,
    so the problems of a submission are told in it too, with no lookup before the ack."""
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mrkdwn(form.intro), 3000)}}
        )
    for f in form.fields:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": f.id,
            "label": _text(_clip(f.label, 2000)),
            "element": _element(f),
            "optional": f.optional,
        }
        if f.hint:
            block["hint"] = _text(f.hint)
        blocks.append(block)
    meta = json.dumps(
        {"form": form.id, "context": form.context, "channel": channel, "lang": lang}, separators=(",", ":")
    )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _text(_clip(form.title, TITLE_CHARS)),
        "submit": _text(_clip(form.submit, TITLE_CHARS)),
        "close": _text(_clip(said(_("Cancel"), lang), TITLE_CHARS)),
        "private_metadata": meta[:3000],
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


def read_metadata(view: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(form id, context, channel) from a submitted view's private_metadata."""
    meta = _metadata(view)
    return str(meta.get("form", "")), str(meta.get("context", "")), meta.get("channel")


def form_lang(view: Mapping[str, Any]) -> Lang:
    """The language a submitted modal was shown in (English for one opened before it was kept)."""
    return "cy" if _metadata(view).get("lang") == "cy" else "en"


def _metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def form_values(state: Mapping[str, Any]) -> dict[str, FormValue]:
    """A view_submission's `view.state.values` → field id → string or list of strings."""
    out: dict[str, FormValue] = {}
    for block_id, actions in (state or {}).items():
        for _action_id, v in actions.items():
            kind = v.get("type")
            value: FormValue
            if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
                value = v.get("value")
            elif kind == "datepicker":
                value = v.get("selected_date")
            elif kind == "timepicker":
                value = v.get("selected_time")
            elif kind in ("static_select", "radio_buttons", "external_select"):
                opt = v.get("selected_option")
                value = opt.get("value") if opt else None
            elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
                value = [o["value"] for o in v.get("selected_options") or []]
            elif kind == "users_select":
                value = v.get("selected_user")
            elif kind == "multi_users_select":
                value = list(v.get("selected_users") or [])
            else:
                value = v.get("value")
            out[block_id] = value
    return out


# --- App Home -----------------------------------------------------------------------------------


def home_view(cases: Sequence[Message], *, lang: Lang = "en") -> dict[str, Any]:
    """The App Home tab; `lang` is its owner's (the cases' messages are rendered for them)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text(said(_("Your core groups"), lang))},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": mrkdwn(
                        said(
                            _(
                                "Newest first. What is due from you; `/coregroup status` in a case's "
                                "channel shows everything."
                            ),
                            lang,
                        )
                    ),
                }
            ],
        },
    ]
    if not cases:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": mrkdwn(
                        said(
                            _(
                                "You aren't in any core group yet. A lead social worker adds you with "
                                '`/coregroup add @you role:"…"`.'
                            ),
                            lang,
                        )
                    ),
                },
            }
        )
    for i, msg in enumerate(cases):
        blocks.append({"type": "divider"})
        for b in message_blocks(msg, voice=lang):
            if b["type"] == "actions":
                b = {
                    **b,
                    "block_id": f"case{i}",
                    "elements": [{**el, "action_id": f"{el['action_id']}:{i}"} for el in b["elements"]],
                }
            blocks.append(b)
        if len(blocks) > MAX_VIEW_BLOCKS - 5:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": mrkdwn(said(_("…and more core groups."), lang))}],
                }
            )
            break
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
