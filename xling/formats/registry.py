"""Every corpus format as one entry: what a run writes per document and what ``xling export``
writes per corpus go through the same ``Format.write``.

A format is a streaming writer ``(records, handle, info, columns) -> count`` (text formats, which
can also go to stdout) or a file writer ``(records, path, info, columns) -> [paths]`` (Moses writes
two files from one prefix; Parquet is binary and columnar). A new output format is one entry in
``FORMATS``; a run names the formats it writes per document in ``DOCUMENT_FORMATS``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from xling.data import CorpusInfo, Record
from xling.errors import UnknownNameError, UsageError
from xling.formats.atomic import atomic_open

StreamWriter = Callable[[Iterable[Record], IO, CorpusInfo, Sequence[str]], int]
FileWriter = Callable[[Iterable[Record], Path, CorpusInfo, Sequence[str]], list[Path]]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # added to a prefix: corpus.<pair><suffix>, <pair>/<doc><suffix>; "" for Moses (two files)
    help: str
    stream: StreamWriter | None = None  # a text format that can stream (to a file or stdout)
    files: FileWriter | None = None  # a format written to files only
    binary: bool = False  # the stream writes bytes

    @property
    def text(self) -> bool:
        """Whether it can be written to stdout."""
        return self.stream is not None

    def path(self, prefix: Path) -> Path:
        """Where the format goes for a prefix (Moses: the prefix, completed by language codes)."""
        return prefix.with_name(prefix.name + self.suffix)

    def write(self, records: Iterable[Record], output: Path | str, info: CorpusInfo,
              columns: Sequence[str] = ()) -> list[Path]:
        """Write ``records`` to ``output`` ('-': stdout); the files written, each atomically."""
        if output == "-":
            if self.stream is None:
                raise UsageError(f"format {self.name} cannot be written to stdout; give a file with -o")
            self.stream(records, sys.stdout.buffer if self.binary else sys.stdout, info, columns)
            return []
        path = Path(output)
        if self.files is not None:
            return self.files(records, path, info, columns)
        with atomic_open(path, "wb" if self.binary else "w") as out:
            self.stream(records, out, info, columns)
        return [path]


def _moses(records, prefix: Path, info: CorpusInfo, columns) -> list[Path]:
    from xling.formats.moses import write_moses

    files = [prefix.with_name(f"{prefix.name}.{info.source_lang}"),
             prefix.with_name(f"{prefix.name}.{info.target_lang}")]
    write_moses(records, *files)
    return files


def _parquet(records, path: Path, info: CorpusInfo, columns) -> list[Path]:
    from xling.formats.parquet import write_parquet

    write_parquet(records, path, info)
    return [path]


def _tsv(records, out, info, columns) -> int:
    from xling.formats.tsv import write_tsv_to

    return write_tsv_to(records, out, columns)


def _tmx(records, out, info, columns) -> int:
    from xling.formats.tmx import write_tmx_to

    return write_tmx_to(records, out, info)


def _hf_jsonl(records, out, info, columns) -> int:
    from xling.formats.hf_jsonl import write_hf_jsonl_to

    return write_hf_jsonl_to(records, out, info)


def _xling_beads(records, out, info, columns) -> int:
    from xling.formats.beads import write_beads_to

    return write_beads_to(records, out)


def _fast_align(records, out, info, columns) -> int:
    from xling.formats.fast_align import write_fast_align_to

    return write_fast_align_to(records, out)


def _bead_ids(records, out, info, columns) -> int:
    from xling.formats.bead_ids import write_bead_ids_to

    return write_bead_ids_to(records, out)


FORMATS = {f.name: f for f in (
    Format("moses", "", "two line-aligned files, corpus.<pair>.<src> and corpus.<pair>.<tgt> (OPUS naming)",
           files=_moses),
    Format("tsv", ".tsv", "source<TAB>target with a header; --columns adds doc, bead, src_ids, tgt_ids, score",
           stream=_tsv),
    Format("tmx", ".tmx", "TMX 1.4b with doc, score, ids and flags as <prop> elements", stream=_tmx, binary=True),
    Format("jsonl", ".jsonl", 'Hugging Face translation layout: {"translation": {"pl": ..., "en": ...}, ...}',
           stream=_hf_jsonl),
    Format("parquet", ".parquet", "Apache Parquet with the bead schema (pip install 'xling[parquet]')",
           files=_parquet),
    Format("fast_align", ".fa", "'source ||| target' per line, for fast_align/eflomal", stream=_fast_align),
    Format("beads", ".align", "'[src ids]:[tgt ids]' per line, 0-based, as aligners' gold files",
           stream=_bead_ids),
    Format("xling", ".jsonl", "xling's bead JSONL (what a run writes per document): ids, exact text, source "
           "offsets, score, flags; read by xling view", stream=_xling_beads),
)}

# What a run writes for every translated document, in this order (the manifest lists them so), with
# the TSV columns after source and target.
DOCUMENT_FORMATS: tuple[tuple[str, tuple[str, ...]], ...] = (("moses", ()), ("tsv", ("score",)), ("xling", ()))


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise UnknownNameError("format", name, list(FORMATS))
    return FORMATS[name]


def write_corpus(records: Iterable[Record], fmt: str, output: Path | str, info: CorpusInfo,
                 columns: Sequence[str] = ()) -> list[Path]:
    """Write ``records`` in format ``fmt`` to ``output`` ('-': stdout; for moses, a file prefix)."""
    return get_format(fmt).write(records, output, info, columns)
