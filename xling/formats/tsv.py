"""Tab-separated pairs with a header. Columns: ``source``, ``target``, then any of
``doc``, ``bead``, ``src_ids``, ``tgt_ids`` (comma-separated, empty for none) and ``score``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from xling.data import Record
from xling.errors import UnknownNameError
from xling.formats.atomic import atomic_open
from xling.formats.lines import one_line

EXTRA_COLUMNS = ("doc", "bead", "src_ids", "tgt_ids", "score")


def _cell(record: Record, column: str) -> str:
    bead = record.bead
    if column == "source":
        return one_line(bead.source_text)
    if column == "target":
        return one_line(bead.target_text)
    if column == "doc":
        return one_line(record.doc)
    if column == "bead":
        return str(record.index)
    if column == "src_ids":
        return ",".join(map(str, bead.source_ids))
    if column == "tgt_ids":
        return ",".join(map(str, bead.target_ids))
    return f"{bead.score:.4f}"


def columns_for(extra: Sequence[str]) -> tuple[str, ...]:
    for column in extra:
        if column not in EXTRA_COLUMNS:
            raise UnknownNameError("TSV column", column, list(EXTRA_COLUMNS))
    return ("source", "target", *extra)


def write_tsv_to(records: Iterable[Record], out: IO[str], extra: Sequence[str] = ("score",)) -> int:
    columns = columns_for(extra)
    out.write("\t".join(columns) + "\n")
    count = 0
    for record in records:
        out.write("\t".join(_cell(record, c) for c in columns) + "\n")
        count += 1
    return count


def write_tsv(records: Iterable[Record], path: Path, extra: Sequence[str] = ("score",)) -> int:
    with atomic_open(path) as out:
        return write_tsv_to(records, out, extra)


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows as dicts keyed by the header's column names (values are strings)."""
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    if not lines or lines[0].split("\t")[:2] != ["source", "target"]:
        raise ValueError(f"{path}: expected a header starting with source<TAB>target")
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ValueError(f"{path}:{number}: expected {len(header)} fields, found {len(fields)}")
        rows.append(dict(zip(header, fields, strict=True)))
    return rows
