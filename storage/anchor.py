"""The end of the audit chain, kept outside the audit table.

The hash chain shows an edited or removed row in the middle of the log, but not a log cut short:
delete the newest events (or all of them) and what is left is still a valid chain. So the newest
event's id and hash are also written somewhere else after every commit that appended to the log,
and `coregroup audit verify` checks that the event named there is still in the table, unchanged.

Two places, both cheap (an append is already a write transaction):

- an anchor file (`COREGROUP_AUDIT_ANCHOR`; with SQLite by default beside the database file),
  rewritten atomically (temporary file + rename) and only ever moved forward, so concurrent
  writers in one or several processes sharing it cannot move it back;
- a log line `audit anchor <id>:<hash>` at every `LOG_EVERY`-th event, for a council's log
  collector, which the database's owner cannot rewrite. `coregroup audit verify --anchor <id>:<hash>`
  checks against a value taken from there.

An anchor on the same disk as the database only catches a careless deletion; real tamper evidence
needs the log lines shipped off the host, or the file on storage the database's owner cannot
write (docs/security.md). The file is written after the commit, so a crash between the two leaves
it behind the table (never ahead); the next commit moves it on.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

log = logging.getLogger("coregroup.audit")

#: One log line per this many events: enough for the collector to bound a truncation, without a
#: line per command.
LOG_EVERY: Final = 100


@dataclass(frozen=True, slots=True)
class Anchored:
    """The newest event seen at commit time: its id and its hash."""

    id: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchored:
        """`57:<64 hex>`, as the log line and `audit verify --anchor` write it."""
        raw_id, sep, digest = text.strip().lstrip("#").partition(":")
        digest = digest.strip().lower()
        if not (
            sep and raw_id.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(f"{text!r} is not an anchor like 57:{'0' * 8}… (id:hash)")
        return cls(int(raw_id), digest)


class AnchorFile:
    """The anchor file of one deployment; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._written = 0  # the highest id this process has written (skip the file below it)

    def read(self) -> Anchored | None:
        """The anchored event, or None when there is no file yet (nothing was anchored)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise AnchorError(f"the audit anchor {self.path} cannot be read ({exc})") from None
        try:
            return Anchored(int(data["id"]), str(data["hash"]))
        except (KeyError, TypeError, ValueError):
            raise AnchorError(f"the audit anchor {self.path} is not an anchor file") from None

    def advance(self, to: Anchored) -> None:
        """Move the anchor to `to` unless it already names that event or a later one."""
        with self._lock:
            if to.id <= self._written:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    current = self.read()
                except AnchorError:
                    current = None  # rewritten below; verify already reported it if it mattered
                if current is None or to.id > current.id:
                    tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                    tmp.write_text(json.dumps({"id": to.id, "hash": to.hash}) + "\n", encoding="utf-8")
                    os.replace(tmp, self.path)
            if to.id // LOG_EVERY > self._written // LOG_EVERY:
                log.info("audit anchor %d:%s", to.id, to.hash)
            self._written = to.id


class AnchorError(Exception):
    """The anchor file exists but cannot be used: said in one line by `audit verify`."""
