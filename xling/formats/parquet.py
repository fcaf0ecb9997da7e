"""Apache Parquet (pyarrow; ``pip install 'xling[parquet]'``), written in row groups as it streams.

Schema: doc string · bead int64 · src_ids list<int64> · tgt_ids list<int64> · src string ·
tgt string · score double · flags list<string> · src_spans list<struct<start int64, end int64>>
(character offsets into the decoded source document).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xling.data import CorpusInfo, Record
from xling.errors import UsageError
from xling.formats.atomic import atomic_open

ROW_GROUP = 10_000


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise UsageError("the parquet format needs pyarrow: pip install 'xling[parquet]'") from exc
    return pa, pq


def schema():
    pa, _ = _pyarrow()
    span = pa.struct([("start", pa.int64()), ("end", pa.int64())])
    return pa.schema([
        ("doc", pa.string()), ("bead", pa.int64()), ("src_ids", pa.list_(pa.int64())),
        ("tgt_ids", pa.list_(pa.int64())), ("src", pa.string()), ("tgt", pa.string()),
        ("score", pa.float64()), ("flags", pa.list_(pa.string())), ("src_spans", pa.list_(span)),
    ])


def write_parquet(records: Iterable[Record], path: Path, info: CorpusInfo) -> int:
    pa, pq = _pyarrow()
    table_schema = schema().with_metadata({
        "xling.source_lang": info.source_lang, "xling.target_lang": info.target_lang,
        "xling.signature": info.signature,
    })
    count = 0
    with atomic_open(path, "wb") as out, pq.ParquetWriter(out, table_schema) as writer:
        rows: list[dict] = []
        for record in records:
            rows.append(_row(record))
            if len(rows) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=table_schema))
                count += len(rows)
                rows = []
        if rows or count == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=table_schema))
            count += len(rows)
    return count


def _row(record: Record) -> dict:
    bead = record.bead
    return {
        "doc": record.doc, "bead": record.index, "src_ids": list(bead.source_ids),
        "tgt_ids": list(bead.target_ids), "src": bead.source_text, "tgt": bead.target_text,
        "score": bead.score, "flags": list(bead.flags),
        "src_spans": [{"start": s, "end": e} for s, e in bead.source_spans],
    }


def read_parquet(path: Path) -> list[dict]:
    _, pq = _pyarrow()
    return pq.read_table(path).to_pylist()
