"""Test hygiene (issue 15, item 7): a test run killed part-way leaves no PostgreSQL behind.

Before: the throw-away cluster was stopped by the session fixture and `atexit`, neither of which
runs when pytest is killed with SIGTERM or SIGKILL, so each such run left a server running (and
its data directory on disk). Now a watcher beside the cluster stops it when the run dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pg import find_bin_dir

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
from pg import postgres_server  # noqa: F401 - the session fixture under test


def test_hold(postgres_server):
    print("READY", postgres_server.data_dir, flush=True)
    import time

    time.sleep(600)
"""


def _postgres_using(data_dir: str) -> list[int]:
    """Pids of processes whose command line names `data_dir` (the postmaster has `-D data_dir`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if data_dir in cmdline and "postgres" in cmdline:
            found.append(int(entry.name))
    return found


def _gone(data_dir: str, within: float = 60.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _postgres_using(data_dir) and not Path(data_dir).exists():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=lambda s: s.name)
def test_a_killed_run_leaves_no_postgres(how: signal.Signals, tmp_path: Path) -> None:
    if find_bin_dir() is None:
        pytest.skip("no PostgreSQL binaries")
    (tmp_path / "test_hold.py").write_text(HOLD, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    env.pop("COREGROUP_TEST_DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_hold.py"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    data_dir = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("READY"):
                data_dir = line.split()[1]
                break
        assert data_dir, "the cluster did not start"
        assert _postgres_using(data_dir), "no postgres process found: the check would be empty"
        proc.send_signal(how)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _gone(data_dir), f"{_postgres_using(data_dir)} still running on {data_dir} after {how.name}"
