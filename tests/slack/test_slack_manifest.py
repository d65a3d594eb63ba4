"""manifest.yml is a valid Slack app manifest with the fewest scopes that work, each one justified
in docs/slack.md.

PyYAML is not a dependency, so the test reads the manifest with a small loader for the YAML subset
the file uses (maps, lists, folded scalars); when PyYAML happens to be installed, both must agree.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"
DOC = ROOT / "docs" / "slack.md"
SCOPES = [
    "commands",
    "chat:write",
    "files:write",
    "groups:write",
    "pins:write",
    "users:read",
    "users:read.email",
]


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def load_subset(source: str) -> Any:
    """Indentation-structured maps and lists of the manifest's kind; raises on anything else."""
    lines = [
        (len(raw) - len(raw.lstrip(" ")), raw.strip())
        for raw in source.splitlines()
        if raw.strip() and not raw.lstrip().startswith("#")
    ]
    pos = 0

    def block(indent: int) -> Any:
        nonlocal pos
        if lines[pos][1].startswith("- "):
            items: list[Any] = []
            while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
                body = lines[pos][1][2:]
                if re.match(r"^[\w.]+:( |$)", body):
                    lines[pos] = (indent + 2, body)
                    items.append(mapping(indent + 2))
                else:
                    items.append(_scalar(body))
                    pos += 1
            return items
        return mapping(indent)

    def mapping(indent: int) -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while pos < len(lines) and lines[pos][0] == indent:
            key, sep, rest = lines[pos][1].partition(":")
            assert sep, f"not a key: {lines[pos][1]!r}"
            pos += 1
            rest = rest.strip()
            if rest == ">-":
                parts = []
                while pos < len(lines) and lines[pos][0] > indent:
                    parts.append(lines[pos][1])
                    pos += 1
                out[key] = " ".join(parts)
            elif rest:
                out[key] = _scalar(rest)
            else:
                out[key] = block(lines[pos][0])
        return out

    return mapping(0)


def manifest() -> dict[str, Any]:
    data = load_subset(MANIFEST.read_text(encoding="utf-8"))
    try:
        import yaml
    except ImportError:
        return data
    assert yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) == data
    return data


def test_manifest_has_what_the_bot_uses() -> None:
    m = manifest()
    display = m["display_information"]
    assert len(display["name"]) <= 35 and len(display["description"]) <= 140
    assert 175 <= len(display["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-f]{6}", display["background_color"])
    features = m["features"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/coregroup" and command["should_escape"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["bot_user"]["display_name"]
    settings = m["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["socket_mode_enabled"] is True
    assert set(m) <= {"_metadata", "display_information", "features", "oauth_config", "settings"}


def test_fewest_scopes_each_justified_in_the_docs() -> None:
    scopes = manifest()["oauth_config"]["scopes"]["bot"]
    assert scopes == SCOPES
    assert "user" not in manifest()["oauth_config"]["scopes"]
    doc = DOC.read_text(encoding="utf-8")
    for scope in scopes:
        assert f"| `{scope}` |" in doc, f"{scope} is not justified in docs/slack.md"
    assert not any(s.startswith(("channels:", "im:", "groups:read", "groups:history")) for s in scopes)
