"""Test hygiene (issue 15, item 7): a test run killed part-way leaves no PostgreSQL behind.

Before: the throw-away cluster was stopped by the session fixture and `atexit`, neither of which
runs when pytest is killed with SIGTERM or SIGKILL, so each such run left a server running (and
its data directory on disk). Now a watcher beside the cluster stops it when the run dies.
"""

from __future__ import annotations

import contextlib
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
    print("READY", postgres_server.admin_url, flush=True)
    import time

    time.sleep(600)
"""


def _postmasters(port: str) -> dict[int, str]:
    """pid -> data directory of the test clusters' servers listening on `port`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if args[0].endswith("/postgres") and "-D" in args and f"-p {port} " in " ".join(args) + " ":
            data = args[args.index("-D") + 1]
            if "coregroup-pg-" in data:
                found[int(entry.name)] = data
    return found


def _gone(port: str, data_dir: str, within: float = 60.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _postmasters(port) and not Path(data_dir).exists():
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
    port = data_dir = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("READY"):
                port = line.split()[1].rsplit(":", 1)[1].split("/", 1)[0]
                break
        assert port, "the cluster did not start"
        deadline = time.monotonic() + 30
        while not (found := _postmasters(port)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert found, "no postgres process found: the check below would be empty"
        data_dir = next(iter(found.values()))
        proc.send_signal(how)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    left = _postmasters(port)
    if left and not _gone(port, data_dir):
        for pid in left:  # what the old code left behind: not left running by this test either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
        raise AssertionError(f"PostgreSQL {sorted(left)} on {data_dir} still running after {how.name}")
    assert _gone(port, data_dir), f"{data_dir} left on disk after {how.name}"
