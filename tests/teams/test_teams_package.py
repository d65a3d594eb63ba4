"""`coregroup teams-package` builds a sideloadable zip; `coregroup serve --teams` names each missing
setting on its own line and exits 2."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from bot.cli import main
from bot.teams.package import PackageError, build, png_size

APP = "00000000-0000-4000-8000-00000000b07a"
ENV = (
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_TENANT_ID",
    "TEAMS_CERTIFICATE_PATH",
    "TEAMS_CERTIFICATE_THUMBPRINT",
    "DATABASE_URL",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COREGROUP_SQLITE_PATH", str(tmp_path / "empty.db"))
    return monkeypatch


def test_the_package_has_the_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    out = build(
        tmp_path / "pkg.zip", APP, developer="Anytown Council", website="https://anytown.example.gov.uk"
    )
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(z.read("manifest.json"))
        assert png_size(z.read("color.png")) == (192, 192)
        assert png_size(z.read("outline.png")) == (32, 32)
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP and manifest["bots"][0]["botId"] == APP
    assert manifest["bots"][0]["scopes"] == ["team", "personal"]
    assert manifest["developer"]["privacyUrl"] == "https://anytown.example.gov.uk/privacy"
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["bots"][0]["commandLists"][0]["commands"]) <= 10
    assert "{{" not in json.dumps(manifest)


def test_a_bad_app_id_or_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="GUID"):
        build(tmp_path / "p.zip", "not-a-guid")
    with pytest.raises(PackageError, match="https"):
        build(tmp_path / "p.zip", APP, website="http://insecure.example")


def test_teams_package_command(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "TEAMS_APP_ID is not set" in capsys.readouterr().err
    env.setenv("TEAMS_APP_ID", APP)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 0
    assert (tmp_path / "x.zip").exists()


def test_serve_teams_names_each_missing_setting(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--teams"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "coregroup: TEAMS_APP_ID is not set: the Application (client) ID of the bot's Entra app "
        "registration (Azure Bot resource → Configuration)",
        "coregroup: TEAMS_APP_PASSWORD is not set: a client secret of that app registration "
        "(or set TEAMS_CERTIFICATE_PATH and TEAMS_CERTIFICATE_THUMBPRINT)",
        "coregroup: TEAMS_TENANT_ID is not set: your Microsoft 365 tenant id (the bot is single-tenant)",
    ]
    env.setenv("TEAMS_APP_ID", APP)
    env.setenv("TEAMS_CERTIFICATE_PATH", "/nowhere/key.pem")
    env.setenv("TEAMS_TENANT_ID", "t")
    assert main(["serve", "--teams"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "coregroup: TEAMS_CERTIFICATE_THUMBPRINT is not set: the SHA-1 thumbprint of the "
        "certificate uploaded to the app registration"
    ]


def test_the_icons_script_draws_what_is_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "teams_icons.py"
    spec = importlib.util.spec_from_file_location("teams_icons", script)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    committed = Path(__file__).resolve().parents[2] / "teams"
    # The outline is redrawn (the 192 px colour icon takes seconds; its size is checked above).
    assert mod.draw(32, None) == (committed / "outline.png").read_bytes()
