"""Bead JSONL: one bead per line with ids, exact text, offsets, score and flags (xling's own format)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from xling.data import Bead
from xling.formats.atomic import atomic_open
from xling.formats.lines import json_line


def bead_to_json(bead: Bead, doc_id: str, index: int) -> str:
    return json_line({
        "doc": doc_id,
        "bead": index,
        "src_ids": list(bead.source_ids),
        "tgt_ids": list(bead.target_ids),
        "src": bead.source_text,
        "tgt": bead.target_text,
        "src_spans": [list(span) for span in bead.source_spans],
        "score": bead.score,
        "flags": list(bead.flags),
    })


def write_beads(beads: Iterable[Bead], doc_id: str, path: Path) -> None:
    with atomic_open(path) as out:
        for index, bead in enumerate(beads):
            out.write(bead_to_json(bead, doc_id, index) + "\n")


def read_beads(path: Path) -> Iterator[tuple[str, Bead]]:
    """Yield ``(doc_id, bead)`` for every line of a bead file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            yield row["doc"], Bead(
                source_ids=tuple(row["src_ids"]), target_ids=tuple(row["tgt_ids"]),
                source_text=row["src"], target_text=row["tgt"],
                source_spans=tuple(tuple(s) for s in row["src_spans"]),
                score=row["score"], flags=tuple(row["flags"]),
            )
