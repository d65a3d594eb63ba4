"""Teams rendering: a handler's `Message` and `Form` as Adaptive Cards, and back again.

Messages become one Adaptive Card in the order of messages.md (preview, detail, buttons, then the
rule and its source, small and subtle) with the preview as the activity's `summary`, which is what
the Teams notification shows. The neutral markup maps almost unchanged: Adaptive Cards' TextBlock
markdown has `**bold**`; a mention token (`handlers.replies.mention`) becomes `<at>Name</at>` plus a
`msteams.entities` mention entry, as Teams requires for a mention inside a card. Everything else is
escaped (`escape`): `&`, `<`, `>` as entities (no `<at>` or HTML from typed text) and `[`, `]`
with a backslash (no `[Confirm](https://…)` link from typed text; a bare URL still shows as itself).

Forms become a card of inputs with one `Action.Submit`; its data carries the form id, the form's
context and the channel it was opened for (ids only, never personal data), and Teams merges the
inputs' values into it. `submitted_values` turns that back into the field → value mapping that
`handlers.forms.submit` takes, so a card and a Slack modal feed the same code.

Inbound text: `command_text` strips the bot's own mention, turns other mentions into `<@29:…>`
(the grammar's mention form) and undoes Teams' HTML (`&nbsp;`, `&quot;`, stray tags).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.chat import said
from handlers.forms import FormValue
from handlers.i18n import Lang, Voice, _
from handlers.replies import Button, Form, FormField, Message, clean, render

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
#: The schema version a card declares when it uses nothing newer (Teams documents 1.5 for bot
#: cards; older mobile clients may show less).
VERSION = "1.5"
#: What a card with a people picker declares: `choices.data` (a `Data.Query`) is Adaptive Cards
#: 1.6. A card declares the version of the newest feature it uses (`card_version`).
PICKER_VERSION = "1.6"
#: The people picker's dataset: only the members of the conversation the card is in (the case's
#: channel), not the whole organisation.
PEOPLE_DATASET = "graph.microsoft.com/users?scope=currentContext"
#: The id suffix of a people picker's typed companion (phones do not show the picker).
TYPED = "_typed"
#: Keys of our own in Action.Submit data (inputs use the form's field ids, which never start "cg.").
KIND, LINE, FORM, CONTEXT, CHANNEL = "cg.kind", "cg.line", "cg.form", "cg.context", "cg.channel"
#: The voice the card was written in (absent: English), so the answer to pressing one of its
#: buttons, given before any lookup, is in it too.
VOICE = "cg.voice"
#: Which inputs answer with several values ("a,b") and which with a person (Entra object id).
MANY, PEOPLE = "cg.many", "cg.people"

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")

NameOf = Callable[[str], str]


def _unnamed(user_id: str) -> str:
    return "member"


def escape(text: str) -> str:
    """Adaptive Card TextBlock markdown for text we did not write: no tags, mentions or links.

    `**bold**` and `` `code` `` are left alone (our own markup shares the string; bold typed by a
    user is harmless)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )


def _markdown(text: str) -> str:
    """TextBlock text outside a message card (no mention entities there): mentions as @id."""
    return render(text, escape=escape, mention=lambda u: "@" + u)


def _name(name: str) -> str:
    """A display name inside `<at>…</at>`: cleaned and escaped like any text (a name is chosen
    by its owner, and `</at>` in one would end the mention early)."""
    return escape(clean(name)) or "member"


class _Mentions:
    """Collects the mention entities a card needs while its text is rendered."""

    def __init__(self, name_of: NameOf) -> None:
        self.name_of = name_of
        self.entities: list[dict[str, Any]] = []
        self._seen: set[str] = set()

    def text(self, value: str) -> str:
        def swap(user: str) -> str:
            name = _name(self.name_of(user))
            tag = f"<at>{name}</at>"
            if user not in self._seen:
                self._seen.add(user)
                self.entities.append(
                    {
                        "type": "mention",
                        "text": tag,
                        "mentioned": {"id": user, "name": clean(self.name_of(user))},
                    }
                )
            return tag

        return render(value, escape=escape, mention=swap)


def plain(value: str) -> str:
    """Text for places without markup (the notification summary): no bold, mentions as @id.

    The summary is shown as plain text by Teams, so only our tokens need undoing."""
    return render(value.replace("**", ""), escape=str, mention=lambda u: "@" + u)


def _button(b: Button, voice: Voice = "en") -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": plain(b.label)[:40]}
    if b.action == "cg.run":
        action["data"] = {KIND: "run", LINE: b.value}
    else:
        action["data"] = {KIND: "dismiss"}
    if voice != "en":
        action["data"][VOICE] = voice
    if b.primary:
        action["style"] = "positive"
    elif b.danger:
        action["style"] = "destructive"
    return action


def message_card(message: Message, name_of: NameOf = _unnamed, voice: Voice = "en") -> dict[str, Any]:
    mentions = _Mentions(name_of)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": mentions.text(message.preview), "wrap": True, "weight": "Bolder"},
    ]
    body += [
        {"type": "TextBlock", "text": mentions.text(line), "wrap": True, "spacing": "Small"}
        for line in message.detail
    ]
    body += [
        {
            "type": "TextBlock",
            "text": mentions.text(line),
            "wrap": True,
            "size": "Small",
            "isSubtle": True,
            "spacing": "Medium",
        }
        for line in message.context
    ]
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if message.buttons:
        card["actions"] = [_button(b, voice) for b in message.buttons]
    if mentions.entities:
        card["msteams"]["entities"] = mentions.entities
    return card


def message_activity(message: Message, name_of: NameOf = _unnamed, voice: Voice = "en") -> dict[str, Any]:
    """A Bot Connector message activity carrying the message as a card; `voice` is its reader's."""
    return {
        "type": "message",
        "summary": plain(message.preview)[:250],
        "attachments": [{"contentType": CARD_TYPE, "content": message_card(message, name_of, voice)}],
    }


# --- forms ---------------------------------------------------------------------------------------


def _input(f: FormField, lang: Lang = "en") -> dict[str, Any]:
    base: dict[str, Any] = {"id": f.id, "label": plain(f.label), "isRequired": not f.optional}
    if not f.optional:
        base["errorMessage"] = said(_("{label} is needed.", label=plain(f.label)), lang)
    if f.placeholder:
        base["placeholder"] = plain(f.placeholder)
    initial = f.initial
    if f.kind in ("select", "multi_select", "checkbox") and f.options:
        many = f.kind != "select"
        base.update(
            {
                "type": "Input.ChoiceSet",
                "isMultiSelect": many,
                "style": "expanded" if many else "compact",
                "choices": [{"title": plain(o.label), "value": o.value} for o in f.options],
            }
        )
        if initial:
            base["value"] = ",".join(initial) if isinstance(initial, tuple) else initial
        return base
    if f.kind == "checkbox":
        base.update({"type": "Input.Toggle", "title": plain(f.label), "valueOn": "true", "valueOff": "false"})
        return base
    if f.kind == "user":
        # The people picker answers with Entra object ids; the adapter maps them to Teams ids. It
        # is never required on the card: on a phone it shows no one, and the typed companion
        # (`_people_inputs`) is the way in; the handler says what is missing when both are empty.
        base.pop("errorMessage", None)
        base.update(
            {
                "type": "Input.ChoiceSet",
                "isMultiSelect": False,
                "isRequired": False,
                "style": "filtered",
                "choices": [],
                "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
            }
        )
        return base
    kind = {"date": "Input.Date", "time": "Input.Time"}.get(f.kind, "Input.Text")
    base["type"] = kind
    if f.kind == "long_text":
        base["isMultiline"] = True
    if f.kind == "email":
        base["style"] = "Email"
    if isinstance(initial, str) and initial:
        base["value"] = initial
    return base


def _people_inputs(f: FormField, lang: Lang = "en") -> list[dict[str, Any]]:
    """A people picker limited to the channel's members, and under it a text input for their
    work email or sign-in name: Teams on phones does not show the picker, and the readers are on
    phones. The adapter looks the typed address up in the channel's roster (`typed_people`)."""
    typed = {
        "type": "Input.Text",
        "id": f.id + TYPED,
        "label": said(_("…or type their work email ({field:lower}; on a phone)", field=plain(f.label)), lang),
        "style": "Email",
        "isRequired": False,
        "placeholder": "name@council.gov.uk",
    }
    return [_input(f, lang), typed]


def typed_people(data: Mapping[str, Any], values: dict[str, FormValue]) -> dict[str, str]:
    """The typed companions of the people pickers, removed from `values`: field id -> what was
    typed, for the pickers left empty (a pick wins over typing)."""
    out: dict[str, str] = {}
    for key in people_fields(data):
        typed = values.pop(key + TYPED, None)
        if isinstance(typed, str) and typed.strip() and not values.get(key):
            out[key] = typed.strip()
    return out


def form_card(form: Form, *, channel: str | None = None, lang: Lang = "en") -> dict[str, Any]:
    """The form as a card; `form` is in its reader's language `lang`, which the card's own
    words (a field that is needed, the typed companion of a people picker) follow."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": _markdown(form.title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
    ]
    if form.intro:
        body.append({"type": "TextBlock", "text": _markdown(form.intro), "wrap": True, "isSubtle": True})
    for f in form.fields:
        body += _people_inputs(f, lang) if f.kind == "user" else [_input(f, lang)]
    data = {
        KIND: "form",
        FORM: form.id,
        CONTEXT: form.context,
        CHANNEL: channel or "",
        MANY: ",".join(f.id for f in form.fields if f.kind in ("multi_select", "checkbox")),
        PEOPLE: ",".join(f.id for f in form.fields if f.kind == "user"),
    }
    if lang != "en":
        data[VOICE] = lang
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": PICKER_VERSION if data[PEOPLE] else VERSION,
        "body": body,
        "actions": [{"type": "Action.Submit", "title": form.submit, "style": "positive", "data": data}],
        "msteams": {"width": "Full"},
    }


def form_activity(form: Form, *, channel: str | None = None, lang: Lang = "en") -> dict[str, Any]:
    return {
        "type": "message",
        "summary": said(_("Form: {title}", title=form.title), lang),
        "attachments": [{"contentType": CARD_TYPE, "content": form_card(form, channel=channel, lang=lang)}],
    }


def card_voice(data: Mapping[str, Any]) -> Voice:
    """The voice a pressed card was written in (see `VOICE`)."""
    voice = data.get(VOICE)
    return voice if voice in ("cy", "both") else "en"


def submitted_values(data: Mapping[str, Any]) -> dict[str, FormValue]:
    """Action.Submit data (inputs merged in by Teams) → field id → value, lists for multi-selects.

    The card's own data says which inputs are multi-valued (Teams answers those "a,b"), so the
    form needn't be rebuilt to read its answers.
    """
    many = {k for k in str(data.get(MANY) or "").split(",") if k}
    out: dict[str, FormValue] = {}
    for key, value in data.items():
        if key.startswith("cg.") or key == "msteams":
            continue
        text = "" if value is None else str(value).strip()
        if key in many:
            out[key] = [v for v in (p.strip() for p in text.split(",")) if v and v != "false"]
        else:
            out[key] = text or None
    return out


def people_fields(data: Mapping[str, Any]) -> list[str]:
    """The inputs of a submitted form that hold a person (from the people picker)."""
    return [k for k in str(data.get(PEOPLE) or "").split(",") if k]


# --- inbound text --------------------------------------------------------------------------------


def command_text(
    text: str, entities: Sequence[Mapping[str, Any]] | None, bot_id: str | None
) -> tuple[str, dict[str, str]]:
    """The command typed after `@coregroup`, mentions as `<@29:…>`; and the names mentioned.

    Returns the text and a map of user id → display name from the mention entities (the
    renderer uses it to mention them back without a directory lookup).
    """
    names: dict[str, str] = {}
    for e in entities or ():
        if e.get("type") != "mention":
            continue
        who = e.get("mentioned") or {}
        uid, tag = str(who.get("id") or ""), str(e.get("text") or "")
        if not uid or not tag:
            continue
        if bot_id and (uid == bot_id or uid.split(":", 1)[-1] == bot_id.split(":", 1)[-1]):
            text = text.replace(tag, " ", 1)
            continue
        if who.get("name"):
            names[uid] = clean(str(who["name"]))
        text = text.replace(tag, f"<@{uid}>")
    text = _TAG.sub(" ", text.replace("<br>", " ").replace("<br/>", " "))
    text = clean(html.unescape(text))
    text = _SPACES.sub(" ", text).strip()
    for prefix in ("/coregroup", "coregroup"):
        if text.lower().startswith(prefix + " ") or text.lower() == prefix:
            text = text[len(prefix) :].strip()
            break
    return text, names


def card_text(activity: Mapping[str, Any]) -> str:
    """Every TextBlock of an outgoing activity's cards, one per line (tests, logs of shape)."""
    lines: list[str] = []
    for a in activity.get("attachments") or []:
        for block in (a.get("content") or {}).get("body") or []:
            if block.get("type") == "TextBlock":
                lines.append(str(block.get("text", "")))
    if activity.get("text"):
        lines.insert(0, str(activity["text"]))
    return "\n".join(lines)
