"""No platform name below the adapters: `grep -ri 'slack\\|teams'` over handlers/, scheduling/ and
storage/ finds only migrations, the address/conversation models' docs, and the listed word a
person may type. A channel kind is an opaque string there; its name lives in `bot/<kind>/`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"slack|teams", re.IGNORECASE)
#: (file, the line's text): where the word may stay, and why.
ALLOWED = {
    # `meeting … teams` is a person's word for an online meeting (a Teams meeting via Graph),
    # not a branch on the chat the command came from.
    ("handlers/parse.py", 'online = a.flag("online", "teams", "virtual")'),
}
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
            if not path.is_file() or "/migrations/" in rel or "__pycache__" in rel:
                continue
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if not WORDS.search(line) or (rel, line.strip()) in ALLOWED:
                    continue
                if rel == "storage/models.py" and n in model_lines:
                    continue
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == [], "\n".join(found)
