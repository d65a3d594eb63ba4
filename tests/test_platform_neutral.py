"""No platform name below the adapters: `grep -ri 'slack\\|teams'` over handlers/, scheduling/ and
storage/ finds only migrations, the address/conversation models' docs, the listed word a
person may type, and the message catalogue (handlers/locale/), which holds every layer's words --
the adapters' own sentences too, extracted from bot/<kind>/ by scripts/catalogue.py.
A channel kind is an opaque string there; its name lives in `bot/<kind>/`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"slack|teams", re.IGNORECASE)
#: (file, the line's text): where the word may stay, and why.
ALLOWED: set[tuple[str, str]] = set()
#: The address/conversation models document what the opaque strings hold, with examples.
MODEL_DOCS = ("class MemberAddress", "class CaseConversation")


def _model_doc_lines() -> set[int]:
    """Line numbers of the MemberAddress and CaseConversation classes in storage/models.py."""
    lines = (ROOT / "storage" / "models.py").read_text().splitlines()
    out: set[int] = set()
    inside = False
    for n, line in enumerate(lines, 1):
        if line.startswith("class "):
            inside = line.startswith(MODEL_DOCS)
        elif line and not line.startswith((" ", "#")):
            inside = False
        if inside:
            out.add(n)
    return out


def test_no_platform_name_below_the_adapters() -> None:
    model_lines = _model_doc_lines()
    found = []
    for package in ("handlers", "scheduling", "storage"):
        for path in sorted((ROOT / package).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if not path.is_file() or "__pycache__" in rel:
                continue
            if "/migrations/" in rel or rel.startswith("handlers/locale/"):
                continue
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if not WORDS.search(line) or (rel, line.strip()) in ALLOWED:
                    continue
                if rel == "storage/models.py" and n in model_lines:
                    continue
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == [], "\n".join(found)


def test_teams_still_means_an_online_meeting_in_the_running_bot(tmp_path: Path) -> None:
    """The word moved out of the parser into the runtime's settings; people can still type it."""
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("coregroup")
    script = (
        "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04\n"
        "/coregroup meeting 2027-01-15 10:00 teams\n"
    )
    env = {**os.environ, "COREGROUP_SQLITE_PATH": str(tmp_path / "cg.db")}
    r = subprocess.run(
        [str(exe), "console", "--user", "U0LEAD", "--now", "2027-01-04T14:00"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    booked = [line for line in r.stdout.splitlines() if "Fri 15 Jan 2027 at 10:00" in line]
    assert booked and "online" in booked[0].lower(), r.stdout
