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


def read_bead_ids(path: Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    beads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            left, right = line.split("]:[")
            beads.append((tuple(int(x) for x in left.strip("[ ").split(",") if x.strip()),
                          tuple(int(x) for x in right.strip("] ").split(",") if x.strip())))
    return beads
