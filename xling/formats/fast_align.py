"""Input for word aligners (fast_align, eflomal): ``source ||| target``, one pair per line.

Line breaks and TABs inside a segment become spaces (``one_line``) and a run of
three or more ``|`` inside a segment is spaced out (``|||`` → ``| | |``), so the
separator is never ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from xling.data import Record
from xling.formats.atomic import atomic_open
from xling.formats.lines import one_line

SEPARATOR = " ||| "


def fold(text: str) -> str:
    text = one_line(text)
    while "|||" in text:
        text = text.replace("|||", "| | |")
    return text


def write_fast_align_to(records: Iterable[Record], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(f"{fold(record.bead.source_text)}{SEPARATOR}{fold(record.bead.target_text)}\n")
        count += 1
    return count


def write_fast_align(records: Iterable[Record], path: Path) -> int:
    with atomic_open(path) as out:
        return write_fast_align_to(records, out)


def read_fast_align(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n")[:-1], start=1):
        source, sep, target = line.partition(SEPARATOR)
        if not sep:
            raise ValueError(f"{path}:{number}: no '{SEPARATOR.strip()}' separator")
        pairs.append((source, target))
    return pairs
