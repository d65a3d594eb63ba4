"""The sideloadable Teams app package: `teams/manifest.json` with the app id filled in, and the two
icons, zipped at the archive's root (Teams rejects a package whose files sit in a folder).

Checked before zipping, so a bad package fails here with a clear line rather than in Teams Admin
Center: the app id is a GUID, no placeholder is left, the icons are PNGs of the sizes Teams wants
(color 192x192, outline 32x32), every developer URL is https.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

TEAMS_DIR = Path(__file__).resolve().parents[2] / "teams"
ICONS = {"color.png": 192, "outline.png": 32}
#: Teams wants the manifest's version as MAJOR.MINOR.PATCH, raised for every update uploaded.
_SEMVER = re.compile(r"^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(ValueError):
    """The package can't be built; the message says what to fix."""


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise PackageError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def manifest(
    app_id: str,
    *,
    developer: str = "Your council",
    website: str = "https://example.org",
    source: Path = TEAMS_DIR,
    version: str | None = None,
) -> dict[str, Any]:
    """The manifest for `app_id`. `version` (default: this package's version, so every release
    can be uploaded as an update without a hand edit) must be MAJOR.MINOR.PATCH."""
    version = version or package_version()
    if not _SEMVER.match(version):
        raise PackageError(
            f"--version must be MAJOR.MINOR.PATCH, higher than the one uploaded last, "
            f"e.g. 1.4.0 (got {version!r})"
        )
    if not _GUID.match(app_id or ""):
        raise PackageError(
            f"TEAMS_APP_ID should be the bot's Entra application (client) id, a GUID "
            f"like 00000000-0000-0000-0000-000000000000 (got {app_id!r})"
        )
    if not website.startswith("https://"):
        raise PackageError(f"--website must be an https URL (got {website!r})")
    text = (source / "manifest.json").read_text(encoding="utf-8")
    for key, value in {
        "TEAMS_APP_ID": app_id,
        "DEVELOPER_NAME": developer,
        "WEBSITE_URL": website.rstrip("/"),
    }.items():
        text = text.replace("{{" + key + "}}", json.dumps(value)[1:-1])
    left = re.findall(r"\{\{(\w+)\}\}", text)
    if left:
        raise PackageError(f"manifest.json still has placeholders: {', '.join(sorted(set(left)))}")
    data: dict[str, Any] = json.loads(text)
    data["version"] = version
    return data


def package_version() -> str:
    """coregroup's installed version, as MAJOR.MINOR.PATCH (a pre-release tail dropped)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        raw = installed("coregroup")
    except PackageNotFoundError:
        return "0.0.0"
    parts = re.match(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?", raw)
    if not parts:
        return "0.0.0"
    return ".".join(str(int(p or 0)) for p in parts.groups())


def build(
    out: Path,
    app_id: str,
    *,
    developer: str = "Your council",
    website: str = "https://example.org",
    source: Path = TEAMS_DIR,
    version: str | None = None,
) -> Path:
    """Write the zip to `out` and return it."""
    data = manifest(app_id, developer=developer, website=website, source=source, version=version)
    icons: dict[str, bytes] = {}
    for name, size in ICONS.items():
        path = source / name
        if not path.exists():
            raise PackageError(f"{path} is missing: run python scripts/teams_icons.py")
        raw = path.read_bytes()
        if png_size(raw) != (size, size):
            raise PackageError(f"{name} must be {size}x{size} pixels (is {png_size(raw)})")
        icons[name] = raw
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for name, raw in icons.items():
            z.writestr(name, raw)
    return out
