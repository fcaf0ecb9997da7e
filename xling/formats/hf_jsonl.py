"""JSON Lines in the Hugging Face translation layout, read by ``datasets.load_dataset("json", ...)``:

``{"translation": {"pl": ..., "en": ...}, "doc": ..., "bead": 0, "src_ids": [...], "tgt_ids": [...],
"score": -0.4, "flags": [...]}``
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from xling.data import CorpusInfo, Record
from xling.formats.atomic import atomic_open
from xling.formats.lines import json_line


def write_hf_jsonl_to(records: Iterable[Record], out: IO[str], info: CorpusInfo) -> int:
    count = 0
    for record in records:
        bead = record.bead
        out.write(json_line({
            "translation": {info.source_lang: bead.source_text, info.target_lang: bead.target_text},
            "doc": record.doc, "bead": record.index,
            "src_ids": list(bead.source_ids), "tgt_ids": list(bead.target_ids),
            "score": bead.score, "flags": list(bead.flags),
        }) + "\n")
        count += 1
    return count


def write_hf_jsonl(records: Iterable[Record], path: Path, info: CorpusInfo) -> int:
    with atomic_open(path) as out:
        return write_hf_jsonl_to(records, out, info)


def read_hf_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
