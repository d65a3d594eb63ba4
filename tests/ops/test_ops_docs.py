"""docs/operations.md (issue 15, item 5) stays true: its settings table names exactly the settings
`bot/settings.py` reads, with their defaults, and the deployment files it describes exist and keep
their promises (non-root, health check, no secrets baked in)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"


def _table() -> dict[str, str]:
    """setting -> default, from the doc's settings table."""
    section = DOC.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| (.*?) \| .* \|$", section, re.M)
    return dict(rows)


def test_the_settings_table_matches_the_settings_class() -> None:
    documented = _table()
    fields = {f.alias: f for f in Settings.model_fields.values() if f.alias}
    missing, stale = sorted(set(fields) - set(documented)), sorted(set(documented) - set(fields))
    assert not missing, f"docs/operations.md's settings table lacks {missing}: add a row for each"
    assert not stale, f"docs/operations.md documents {stale}, which bot/settings.py no longer reads"
    for name, field in fields.items():
        default = field.default
        if default is None or default == "":
            continue  # unset or empty: described in words
        shown = str(default).lower()
        if hasattr(default, "strftime"):
            shown = default.strftime("%H:%M")
        assert shown in documented[name].lower(), (
            f"{name}: default {shown!r}, the doc says {documented[name]}"
        )


def test_the_deployment_files_keep_their_promises() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER (?!root)\w+", docker, re.M), "the image runs as a non-root user"
    assert "HEALTHCHECK" in docker and "/healthz" in docker
    assert "requirements.lock" in docker
    assert not re.search(r"^(ENV|ARG) .*(TOKEN|SECRET|PASSWORD)", docker, re.M), "no secret in the image"
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "postgres" in compose and "db upgrade" in compose and "xoxb-" not in compose
    unit = (ROOT / "deploy" / "coregroup.service").read_text(encoding="utf-8")
    assert "User=coregroup" in unit and "EnvironmentFile=" in unit and "ExecStart=" in unit
    assert (ROOT / "docs" / "grafana-dashboard.json").exists()


def test_the_host_help_says_what_listens(capsys: pytest.CaptureFixture[str]) -> None:
    """It used to say "0.0.0.0 in a container" when there was no container; now it says what
    listens there in every mode, and the container (Dockerfile) exists."""
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "/healthz, /readyz and /metrics in every mode" in text
    assert "0.0.0.0 in a container" not in text and (ROOT / "Dockerfile").exists()


def test_every_series_the_doc_and_the_dashboard_name_exists() -> None:
    from bot.ops import metrics

    families = {f.name for f in metrics.REGISTRY.collect()} | {"coregroup_outbox_rows"}
    text = DOC.read_text(encoding="utf-8") + (ROOT / "docs" / "grafana-dashboard.json").read_text(
        encoding="utf-8"
    )
    named = set(re.findall(r"\bcoregroup_[a-z_]+", text))
    assert named
    for name in named:
        base = re.sub(r"_(bucket|count|sum|total)$", "", name)
        assert base in families, f"{name} is named in the docs but /metrics has no such series"
    assert families <= {re.sub(r"_(bucket|count|sum|total)$", "", n) for n in named}, (
        "a series is undocumented"
    )
