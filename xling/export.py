"""``xling export``: one corpus from a run (all documents of one language pair), streamed.

The formats are the entries of ``formats.registry.FORMATS``, the same a run writes per
document; ``-`` as output means stdout for the text formats. Moses writes two files, so
its output is a prefix: ``-o data/corpus.pl-en`` gives ``data/corpus.pl-en.pl`` and ``.en``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xling.data import CorpusInfo, Record
from xling.errors import ReadError, UnknownNameError, UsageError
from xling.formats.atomic import MANIFEST, RUN_FILES
from xling.formats.beads import read_beads
from xling.formats.registry import get_format, write_corpus
from xling.report import ALIGNED, TRANSLATED, read_manifest


@dataclass
class ExportResult:
    files: list[Path]
    written: int = 0
    low_score: int = 0
    boilerplate: int = 0
    flagged: int = 0
    pair: str = ""
    documents: int = 0
    by_flag: dict[str, int] = field(default_factory=dict)


def run_manifest(out_dir: Path) -> list[dict]:
    """The manifest rows of a run folder (every input, whatever happened to it)."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        raise UsageError(f"{out_dir} has no manifest.jsonl: is it the output folder of `xling translate`?")
    return read_manifest(manifest)


def run_pairs(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """Translated documents of a run, grouped by language pair (``pl-en`` → manifest rows)."""
    pairs: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("status") in (TRANSLATED, ALIGNED):
            beads = bead_file(row)
            pairs.setdefault(beads.split("/", 1)[0], []).append(row)
    return pairs


def bead_file(row: dict) -> str:
    """The bead JSONL a manifest row lists (``<pair>/<doc>.jsonl``)."""
    outputs = row.get("outputs")
    found = [o for o in outputs if isinstance(o, str) and o.endswith(".jsonl")] if isinstance(outputs, list) else []
    if not found or "/" not in found[0]:
        raise ReadError(f"the manifest row of {row.get('path')!r} lists no bead file; run `xling translate` again")
    return found[0]


def choose_pair(pairs: dict[str, list[dict]], pair: str | None) -> str:
    if pair is not None:
        if pair not in pairs:
            raise UnknownNameError("language pair", pair, list(pairs) or ["(none: nothing was translated)"])
        return pair
    if len(pairs) != 1:
        raise UsageError(f"the run has {len(pairs)} language pairs; choose one with --pair "
                         f"({', '.join(sorted(pairs)) or 'none'})")
    return next(iter(pairs))


def filtered(records: Iterable[Record], result: ExportResult, min_score: float | None,
             no_flagged: bool, no_boilerplate: bool = False) -> Iterator[Record]:
    for record in records:
        bead = record.bead
        if no_boilerplate and "boilerplate" in bead.flags:
            result.boilerplate += 1
            continue
        if min_score is not None and bead.score < min_score:
            result.low_score += 1
            continue
        if no_flagged and bead.flags:
            result.flagged += 1
            for flag in bead.flags:
                result.by_flag[flag] = result.by_flag.get(flag, 0) + 1
            continue
        result.written += 1
        yield record


def _refuse_run_files(out_dir: Path, base: Path | str, languages: Sequence[str], manifest: list[dict]) -> None:
    """An export never overwrites what the run wrote (its manifest, index or any document's outputs)."""
    if str(base) == "-":
        return
    base = Path(base)
    # moses writes BASE.<src> and BASE.<tgt>: check those names too
    candidates = {base.resolve(), *(base.parent.resolve() / f"{base.name}.{lang}" for lang in languages)}
    run_files = {(out_dir / name).resolve() for name in RUN_FILES}
    run_files |= {(out_dir / o).resolve() for row in manifest for o in row.get("outputs") or () if isinstance(o, str)}
    if clash := sorted(str(p) for p in candidates & run_files):
        raise UsageError(f"refusing to overwrite {clash[0]}: it is part of the run in {out_dir}; "
                         "choose another --output")


def export_run(out_dir: Path | str, fmt: str, output: Path | str | None = None, *, pair: str | None = None,
               min_score: float | None = None, no_flagged: bool = False, no_boilerplate: bool = False,
               columns: Sequence[str] = ()) -> ExportResult:
    """Write every bead of one language pair of a run in format ``fmt``; returns counts and files."""
    out_dir = Path(out_dir)
    spec = get_format(fmt)
    manifest = run_manifest(out_dir)
    pairs = run_pairs(manifest)
    pair = choose_pair(pairs, pair)
    rows = pairs[pair]
    source_lang, target_lang = pair.split("-", 1)
    signatures = sorted({r["signature"] for r in rows if r.get("signature")})
    info = CorpusInfo(source_lang, target_lang, " ; ".join(signatures))
    result = ExportResult(files=[], pair=pair, documents=len(rows))

    def records() -> Iterator[Record]:
        for row in sorted(rows, key=lambda r: r["path"]):
            yield from read_beads(out_dir / bead_file(row))

    stream = filtered(records(), result, min_score, no_flagged, no_boilerplate)
    base = output if output is not None else out_dir / f"corpus.{pair}{spec.suffix}"
    _refuse_run_files(out_dir, base, (source_lang, target_lang), manifest)
    result.files = write_corpus(stream, fmt, base, info, columns)
    return result
