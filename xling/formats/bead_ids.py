"""The bead-id format of the common aligners' gold files: ``[src ids]:[tgt ids]`` per line, 0-based."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from xling.data import Record


def format_bead(source_ids, target_ids) -> str:
    return f"[{', '.join(map(str, source_ids))}]:[{', '.join(map(str, target_ids))}]"


def write_bead_ids_to(records: Iterable[Record], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(format_bead(record.bead.source_ids, record.bead.target_ids) + "\n")
        count += 1
    return count


BeadIds = tuple[tuple[int, ...], tuple[int, ...]]


def parse_bead_ids(text: str) -> list[BeadIds]:
    """``[0]:[0, 1]`` lines → ``((0,), (0, 1))``; blank lines and beads empty on both sides are dropped."""
    beads = []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, right = line.split("]:[")
        bead = (tuple(int(x) for x in left.strip("[ ").split(",") if x.strip()),
                tuple(int(x) for x in right.strip("] ").split(",") if x.strip()))
        if bead[0] or bead[1]:
            beads.append(bead)
    return beads


def read_bead_ids(path: Path) -> list[BeadIds]:
    return parse_bead_ids(path.read_text(encoding="utf-8"))
