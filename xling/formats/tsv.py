"""Tab-separated pairs with a header: ``source<TAB>target<TAB>score``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xling.data import Bead
from xling.formats.atomic import atomic_open
from xling.formats.lines import one_line

HEADER = ("source", "target", "score")


def write_tsv(beads: Iterable[Bead], path: Path) -> None:
    with atomic_open(path) as out:
        out.write("\t".join(HEADER) + "\n")
        for bead in beads:
            out.write(f"{one_line(bead.source_text)}\t{one_line(bead.target_text)}\t{bead.score:.4f}\n")


def read_tsv(path: Path) -> list[tuple[str, str, float]]:
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    if not lines or tuple(lines[0].split("\t")) != HEADER:
        raise ValueError(f"{path}: expected the header {'/'.join(HEADER)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(HEADER):
            raise ValueError(f"{path}:{number}: expected {len(HEADER)} fields, found {len(fields)}")
        rows.append((fields[0], fields[1], float(fields[2])))
    return rows
