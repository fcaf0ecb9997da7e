"""Bead JSONL: one bead per line with ids, exact text, offsets, score and flags (xling's own format)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from xling.data import Bead, Record
from xling.formats.atomic import atomic_open
from xling.formats.lines import json_line


def record_to_json(record: Record) -> str:
    bead = record.bead
    return json_line({
        "doc": record.doc,
        "bead": record.index,
        "paragraph": bead.paragraph,
        "src_ids": list(bead.source_ids),
        "tgt_ids": list(bead.target_ids),
        "src": bead.source_text,
        "tgt": bead.target_text,
        "src_spans": [list(span) for span in bead.source_spans],
        "score": bead.score,
        "flags": list(bead.flags),
    })


def record_from_json(line: str) -> Record:
    row = json.loads(line)
    bead = Bead(
        source_ids=tuple(row["src_ids"]), target_ids=tuple(row["tgt_ids"]),
        source_text=row["src"], target_text=row["tgt"],
        source_spans=tuple(tuple(s) for s in row.get("src_spans", ())),
        score=row.get("score", 0.0), flags=tuple(row.get("flags", ())), paragraph=row.get("paragraph"),
    )
    return Record(row["doc"], row["bead"], bead)


def write_beads_to(records: Iterable[Record], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(record_to_json(record) + "\n")
        count += 1
    return count


def write_beads(records: Iterable[Record], path: Path) -> int:
    with atomic_open(path) as out:
        return write_beads_to(records, out)


def read_beads(path: Path) -> Iterator[Record]:
    """The records of a bead file; a damaged line is a ``ReadError`` naming the file and line."""
    from xling.errors import ReadError

    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield record_from_json(line)
                    except (ValueError, KeyError, TypeError) as exc:
                        raise ReadError(f"{path}, line {number}: not a bead record ({type(exc).__name__}: {exc}); "
                                        "run `xling translate` again to rewrite it") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path} is not UTF-8 text ({exc.reason})") from exc
