"""Run `python -m bot.cli …` with a wall-clock stack sampler on every thread (bench use only).

    COREGROUP_BENCH_SAMPLES=/tmp/out.txt python bench/_sampled.py serve --port …

Every 5 ms it records the innermost frames of each thread; at exit (SIGTERM included) it writes
the most common stacks and, per function, how often it was on a stack (inclusive) or on top
(exclusive), split by thread name. py-spy is not installed here; this is its poor cousin.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = os.environ.get("COREGROUP_BENCH_SAMPLES", "/tmp/coregroup-samples.txt")
inclusive: Counter[tuple[str, str]] = Counter()
exclusive: Counter[tuple[str, str]] = Counter()
stacks: Counter[tuple[str, str]] = Counter()
ticks = [0]
stop = threading.Event()


def where(frame) -> str:  # type: ignore[no-untyped-def]
    code = frame.f_code
    return f"{Path(code.co_filename).name}:{code.co_name}"


def sample() -> None:
    me = threading.get_ident()
    while not stop.wait(0.005):
        names = {t.ident: t.name.rstrip("0123456789-_") for t in threading.enumerate()}
        ticks[0] += 1
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            group = names.get(ident, "?")
            chain = []
            f = frame
            while f is not None:
                chain.append(where(f))
                f = f.f_back
            if not chain:
                continue
            exclusive[(group, chain[0])] += 1
            for w in set(chain):
                inclusive[(group, w)] += 1
            stacks[(group, " < ".join(chain[:14]))] += 1


def dump() -> None:
    stop.set()
    with open(OUT, "w") as out:
        out.write(f"ticks {ticks[0]} (5 ms each)\n\n== inclusive ==\n")
        for (g, w), n in inclusive.most_common(150):
            out.write(f"{n:7d} {g:28s} {w}\n")
        out.write("\n== exclusive ==\n")
        for (g, w), n in exclusive.most_common(80):
            out.write(f"{n:7d} {g:28s} {w}\n")
        out.write("\n== stacks ==\n")
        for (g, s), n in stacks.most_common(60):
            out.write(f"{n:7d} {g:28s} {s}\n")


def main() -> None:
    threading.Thread(target=sample, daemon=True, name="sampler").start()
    atexit.register(dump)
    from bot.cli import main as cli_main

    sys.exit(cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
