"""Moses / OPUS line-aligned text: line i of the source file ↔ line i of the target file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xling.data import Record
from xling.formats.atomic import atomic_open
from xling.formats.lines import one_line


def write_moses(records: Iterable[Record], source_path: Path, target_path: Path) -> int:
    """Write both sides; returns the number of lines (equal in both files by construction)."""
    count = 0
    with atomic_open(source_path) as src, atomic_open(target_path) as tgt:
        for record in records:
            src.write(one_line(record.bead.source_text) + "\n")
            tgt.write(one_line(record.bead.target_text) + "\n")
            count += 1
    return count


def read_moses(source_path: Path, target_path: Path) -> list[tuple[str, str]]:
    src = source_path.read_text(encoding="utf-8").split("\n")[:-1]
    tgt = target_path.read_text(encoding="utf-8").split("\n")[:-1]
    if len(src) != len(tgt):
        raise ValueError(f"{source_path} has {len(src)} lines but {target_path} has {len(tgt)}")
    return list(zip(src, tgt, strict=True))
