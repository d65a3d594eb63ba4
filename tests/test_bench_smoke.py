"""The benchmarks still run: each once on a tiny input, in a fresh process, as `bench/*.py` is run
by hand. Not timed (figures come from the real runs, in the README); this only keeps a schema
change from breaking a bench unnoticed, as it once broke `bench/storage.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["bench/storage.py", "--cases", "60", "--runs", "1", "--no-postgres"],
        ["bench/sweep.py", "--cases", "60", "--runs", "1"],
        ["bench/timeline.py", "--cases", "200", "--repeat", "1"],
    ],
    ids=lambda argv: argv[0],
)
def test_bench_runs(argv: list[str], tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert r.stdout.strip()
