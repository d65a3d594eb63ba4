"""`/open URL` in the console: the answer page as text, answered from the console's input.

The page is requested through its real routes (an in-process ASGI client: the same GET, cookie,
CSRF field and POST a browser sends), then its HTML is read back as text, so what the console
shows is what the page says, not a second rendering of it.
"""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from bot.page.app import PageDeps, page_routes


class _Text(HTMLParser):
    """The page's words, one line per block, and its form's fields."""

    BLOCKS = frozenset({"h1", "h2", "p", "dt", "dd", "li", "legend", "label", "span", "div"})

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.choices: list[tuple[str, str]] = []  # (value, label)
        self.hidden: dict[str, str] = {}
        self.textarea = False
        self._buf: list[str] = []
        self._radio: dict[str, str] = {}
        self._label_for: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("style", "title", "header"):
            self._skip += 1
        if tag in self.BLOCKS:
            self._flush()
        if tag == "input" and a.get("type") == "radio":
            self._radio[a.get("id", "")] = a.get("value", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = True
        elif tag == "label":
            self._label_for = a.get("for")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "header"):
            self._skip = max(0, self._skip - 1)
            self._buf = []
            return
        if tag == "label" and self._label_for in self._radio:
            self.choices.append((self._radio[self._label_for], " ".join("".join(self._buf).split())))
            self._buf = []
            self._label_for = None
            return
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.lines.append(text)
        self._buf = []


def _read(html: str) -> _Text:
    t = _Text()
    t.feed(html)
    t.close()
    return t


def open_link(session: Any, url: str) -> None:
    """`session` is the `bot.console.ConsoleSession` (not imported: the console imports this)."""
    out = session.out
    links = session.links
    assert links is not None
    path = urlsplit(url.strip()).path
    if not path.startswith("/r/"):
        out.write("  (that is not an answer link: they look like http://console.invalid/r/…)\n")
        return
    deps = PageDeps(
        session.store,
        lambda: session.clock(),
        links,
        lambda: session.chat,
        session.email,
        session.config,
    )
    app = Starlette(routes=page_routes(deps))

    async def visit() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=links.public_url) as client:
            page = await client.get(path)
            text = _read(page.text)
            _show(out, text)
            if not text.choices:
                return
            for i, (_, label) in enumerate(text.choices, 1):
                out.write(f"    [{i}] {label}\n")
            answer = session.lines.read("  your answer (number)> ") or ""
            value = _choice(text.choices, answer)
            form: dict[str, Any] = {**text.hidden, "answer": value}
            if value == "report" and text.textarea:
                form["report"] = session.lines.read("  your written report (one line)> ") or ""
            done = await client.post(path, data=form)
            _show(out, _read(done.text))

    asyncio.run(visit())


def _choice(choices: list[tuple[str, str]], answer: str) -> str:
    answer = answer.strip()
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1][0]
    for value, label in choices:
        if answer.lower() in (value, label.lower()):
            return value
    return answer


def _show(out: Any, text: _Text) -> None:
    out.write("\n  answer page\n")
    for line in text.lines:
        out.write(f"    {line}\n")
