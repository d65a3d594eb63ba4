"""A council's own profile reaches the running bot without a release (`COREGROUP_PROFILE_DIR`), and
`coregroup profile check FILE` explains every problem of a file before it goes there.

Through the real command line in a fresh process, as a council's administrator would use it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The installed entry point, as an administrator runs it (`python -m bot.cli` would load
#: `bot.cli` twice, as `__main__` and as itself).
COREGROUP = Path(sys.executable).with_name("coregroup")

GOOD = """name = "mycouncil"
title = "My Council"
nation = "england"
inherits = "england"

[rules.next_core_group]
period = "4 weeks"
source = "My Council procedures §3"
text = "Core groups meet at least every 4 weeks."
"""

#: Three problems at once: an unknown key, a rule without its period, a name that is not the file's.
BAD = """name = "othername"
title = "Broken"
nation = "england"
inherits = "england"
colour = "blue"

[rules.minutes_circulated]
source = "x §1"
text = "Minutes go out."
"""


def _run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(COREGROUP), *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=120, input=stdin
    )


@pytest.fixture
def council(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "mycouncil.toml").write_text(GOOD, encoding="utf-8")
    return folder


def test_check_a_good_file(council: Path) -> None:
    r = _run("profile", "check", str(council / "mycouncil.toml"))
    assert r.returncode == 0, r.stderr
    assert "good" in r.stdout and "My Council" in r.stdout


def test_check_names_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text(BAD, encoding="utf-8")
    r = _run("profile", "check", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert any("colour: unknown key" in line for line in lines), r.stderr
    assert "Traceback" not in r.stderr
    # The unknown key stops validation of the shape; a file of the right shape lists the rest.
    bad.write_text(BAD.replace('colour = "blue"\n', ""), encoding="utf-8")
    r = _run("profile", "check", str(bad))
    assert r.returncode == 2
    assert "must match the file name" in r.stderr
    assert "rules.minutes_circulated.period: is required" in r.stderr
    assert "2 problem(s)" in r.stderr


def test_check_without_a_file_is_one_line() -> None:
    r = _run("profile", "check")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "coregroup profile check mycouncil.toml" in r.stderr


def test_the_folder_adds_profiles_to_every_command(council: Path, tmp_path: Path) -> None:
    env = {"COREGROUP_PROFILE_DIR": str(council)}
    r = _run("profiles", env=env)
    assert r.returncode == 0 and "mycouncil" in r.stdout and "suffolk" in r.stdout
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "profile": "mycouncil",
                "plan": "cp",
                "start": "2027-01-04",
                "meetings": [{"kind": "core_group", "date": "2027-01-15"}],
            }
        )
    )
    r = _run("timeline", str(case), "--today", "2027-01-20", "--json", env=env)
    assert r.returncode == 0, r.stderr
    due = {o["rule"]: o["due"] for o in json.loads(r.stdout)["obligations"]}
    assert due["next_core_group"] == "2027-02-12"  # four weeks after the 15th, not six


def test_the_running_bot_accepts_a_case_of_that_profile(council: Path, tmp_path: Path) -> None:
    env = {"COREGROUP_PROFILE_DIR": str(council), "COREGROUP_SQLITE_PATH": str(tmp_path / "cg.db")}
    script = "/coregroup new CG-0042 profile:mycouncil plan:cp start:2027-01-04\n/coregroup status\n"
    r = _run("console", "--user", "U0LEAD", "--now", "2027-01-04T14:00", env=env, cwd=tmp_path, stdin=script)
    assert r.returncode == 0, r.stderr
    assert "My Council" in r.stdout, r.stdout
    assert "don't know the profile" not in r.stdout


def test_a_broken_folder_stops_start_up_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "broken.toml").write_text(BAD.replace("othername", "broken"), encoding="utf-8")
    r = _run("profiles", env={"COREGROUP_PROFILE_DIR": str(folder)})
    assert r.returncode == 2
    assert "COREGROUP_PROFILE_DIR" in r.stderr and "colour: unknown key" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_built_in_name_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "suffolk.toml").write_text(GOOD.replace("mycouncil", "suffolk"), encoding="utf-8")
    r = _run("profiles", env={"COREGROUP_PROFILE_DIR": str(folder)})
    assert r.returncode == 2 and "built-in profile" in r.stderr
