"""Draw the Teams app icons (no image library needed): `teams/color.png` (192x192, full colour)
and `teams/outline.png` (32x32, white on transparent), as the app manifest requires.

The motif is three people around a table (a core group): a white ring with three dots. Run
`python scripts/teams_icons.py` to redraw them; the output is deterministic.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

TEAMS = Path(__file__).resolve().parents[1] / "teams"
TEAL = (0, 105, 120)


def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def coverage(x: float, y: float, size: int) -> float:
    """How much of the motif covers the point (0..1), with 4x4 supersampling done by the caller."""
    c = size / 2
    r = math.hypot(x - c, y - c)
    ring = abs(r - size * 0.25) <= size * 0.045
    dots = any(
        math.hypot(x - (c + size * 0.25 * math.cos(a)), y - (c + size * 0.25 * math.sin(a))) <= size * 0.09
        for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)
    )
    return 1.0 if ring or dots else 0.0


def draw(size: int, background: tuple[int, int, int] | None) -> bytes:
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            samples = [
                coverage(x + (i + 0.5) / 4, y + (j + 0.5) / 4, size) for i in range(4) for j in range(4)
            ]
            a = sum(samples) / len(samples)
            if background is None:
                row.append((255, 255, 255, round(255 * a)))
            else:
                px = tuple(round(b + (255 - b) * a) for b in background)
                row.append((px[0], px[1], px[2], 255))
        rows.append(row)
    return png(size, size, rows)


def main() -> None:
    TEAMS.mkdir(exist_ok=True)
    (TEAMS / "color.png").write_bytes(draw(192, TEAL))
    (TEAMS / "outline.png").write_bytes(draw(32, None))
    print(f"wrote {TEAMS / 'color.png'} and {TEAMS / 'outline.png'}")


if __name__ == "__main__":
    main()
