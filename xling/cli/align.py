"""``xling align SRC TGT``: sentence pairs from an original and an existing translation of it."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from xling.cli._common import exit_codes, setup_logging, stderr


class AlignFormat(str, Enum):
    beads = "beads"
    tsv = "tsv"
    moses = "moses"
    jsonl = "jsonl"
    tmx = "tmx"


def command(
    source: Annotated[Path, typer.Argument(help="The original, or a folder of originals.", show_default=False)],
    target: Annotated[Path, typer.Argument(help="Its translation, or a folder of translations.", show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", help="Output file ('-': stdout; for moses, a prefix: "
                                        "PREFIX.<src> and PREFIX.<tgt>).")] = "-",
    fmt: Annotated[AlignFormat, typer.Option("--format", "-f", help="beads: '\\[src ids]:\\[tgt ids]' per line "
                                             "(0-based); or a corpus format.")] = AlignFormat.beads,
    source_lang: Annotated[str, typer.Option("--src-lang", help="Language of SRC.")] = "pl",
    target_lang: Annotated[str, typer.Option("--tgt-lang", help="Language of TGT (other than en needs --mt).")]
    = "en",
    mt: Annotated[Path | None, typer.Option("--mt", help="Bridge: one machine translation per source sentence, "
                                            "in the target language.")] = None,
    mt_rev: Annotated[Path | None, typer.Option("--mt-rev", help="Reverse bridge: one machine translation per "
                                                "target sentence, in the source language. Used with the forward "
                                                "bridge when there is one; more robust to a weak MT system.")] = None,
    presegmented: Annotated[bool, typer.Option(help="One sentence per line in SRC, TGT (and --mt, --mt-rev).")]
    = False,
    no_model: Annotated[bool, typer.Option("--no-model", help="Do not translate the source for a bridge.")] = False,
    model: Annotated[str | None, typer.Option(help="Bridge model instead of the registry's: a directory or hub id, "
                                                   "or LANG=PATH_OR_ID as in translate. It must load (exit 2 if "
                                                   "not); the registry's model, when missing, only warns.")] = None,
    match: Annotated[str, typer.Option(help="Folders: pair documents by name (a.pl.txt ↔ a.en.txt, pl/a.txt ↔ "
                                            "en/a.txt) or by content (each original's translation against every "
                                            "target; unconvincing pairs are reported, not made).")] = "name",
    pairs: Annotated[Path | None, typer.Option(help="Folders: a file of source<TAB>target paths, one pair per "
                                                    "line, instead of --match.")] = None,
    force: Annotated[bool, typer.Option(help="Folders: write into a non-empty output folder (the same command "
                                             "after a killed run resumes it without).")] = False,
    view: Annotated[bool, typer.Option(help="Folders: write OUT/view/, side-by-side HTML pages and an index.")]
    = True,
    drop_unaligned: Annotated[bool, typer.Option(help="Leave out sentences without a counterpart (1-0 and 0-1 "
                                                      "beads) in line formats (moses, tsv).")] = False,
    offline: Annotated[bool, typer.Option(help="Never touch the network.")] = False,
    cache: Annotated[Path | None, typer.Option(help="Translation cache file.")] = None,
) -> None:
    """Align an original with an existing translation (or a folder of each), using machine translation
    as a bridge.

    The source is translated (or --mt is read), the bridge is compared with the target by character
    n-grams (and, with --mt-rev, the source with the target's reverse translation), and the best
    monotone sequence of beads (1-1, 1-0, 0-1, merges up to 1-4, 4-1, 2-3, 3-2) is found by dynamic
    programming. Without a bridge, lengths and shared names and numbers are used, and a warning
    says so. Two folders: documents are paired (--match, --pairs), each pair aligned, and OUT gets
    the layout of a translate run (manifest, per-pair files, views).
    """
    setup_logging(0, False)
    if source.is_dir() and target.is_dir():
        return _folders(source, target, output, source_lang, target_lang, match, pairs, mt, no_model, model,
                        offline, cache, force, presegmented, view)
    return _pair(source, target, output, fmt.value, source_lang, target_lang, mt, mt_rev, presegmented, no_model,
                 model, offline, cache, drop_unaligned)


def _pair(source: Path, target: Path, output: str, fmt: str, source_lang: str, target_lang: str, mt: Path | None,
          mt_rev: Path | None, presegmented: bool, no_model: bool, model: str | None, offline: bool,
          cache: Path | None, drop_unaligned: bool) -> None:
    """``xling align SRC TGT``: one original and its translation."""
    from xling.align.texts import align_texts, read_mt, sentences

    with exit_codes():
        src_doc, tgt_doc = _read(source, "SRC"), _read(target, "TGT")
        model = _bridge_model(model, source_lang)
        bridge = reverse = None
        if mt is not None:
            bridge = read_mt(mt, len(sentences(src_doc.text, source_lang, presegmented)))
        if mt_rev is not None:
            reverse = read_mt(mt_rev, len(sentences(tgt_doc.text, target_lang, presegmented)), "--mt-rev", "target")
        translator, note = None, ""
        if bridge is None:
            translator, note = _load_bridge(source_lang, target_lang, model, no_model, offline, cache)
        result = align_texts(src_doc.text, tgt_doc.text, source_lang=source_lang, target_lang=target_lang,
                             presegmented=presegmented, mt=bridge, mt_rev=reverse, translator=translator, note=note)
        _write(result, fmt, output, source.name, source_lang, target_lang, drop_unaligned)
    paired = sum(1 for b in result.beads if b.source_ids and b.target_ids)
    stderr.print(f"{len(result.source)} source and {len(result.target)} target sentences → {paired} "
                 f"pair{'' if paired == 1 else 's'}, "
                 f"{len(result.beads) - paired} unaligned; bridge: {result.bridge}"
                 + (f" ({result.note})" if result.note else ""), soft_wrap=True)


def _folders(source: Path, target: Path, output: str, source_lang: str, target_lang: str, match: str,
             pairs: Path | None, mt: Path | None, no_model: bool, model: str | None, offline: bool,
             cache: Path | None, force: bool, presegmented: bool, view: bool = True) -> None:
    """``xling align SRC_DIR TGT_DIR -o OUT``: a corpus in one process, in a translate run's layout."""
    from xling.cli._common import EXIT_FAILED
    from xling.errors import UsageError
    from xling.pipeline.align_folders import align_folders

    with exit_codes():
        if output == "-":
            raise UsageError("aligning folders writes a run folder: give -o OUT")
        if mt is not None and not mt.is_dir():
            raise UsageError(f"--mt {mt}: with folders, give a folder of translations named like the originals")
        translator, note = None, "no bridge asked for"
        if mt is None:
            translator, note = _load_bridge(source_lang, target_lang, _bridge_model(model, source_lang), no_model,
                                            offline, cache)
        if translator is None and mt is None:
            stderr.print(f"aligning without a bridge: {note}", soft_wrap=True)
        report = align_folders(source, target, Path(output), source_lang=source_lang, target_lang=target_lang,
                               match=match, pairs_file=pairs, mt_dir=mt, translator=translator, force=force,
                               presegmented=presegmented, view=view)
    aligned = report.count("aligned")
    stderr.print(f"{aligned} pair(s) aligned, {len(report.files) - aligned} document(s) without a counterpart or "
                 f"unreadable → {report.output_dir}/manifest.jsonl", soft_wrap=True)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def _load_bridge(source_lang: str, target_lang: str, model: str | None, no_model: bool, offline: bool,
                 cache: Path | None):
    """The bridge translator and, when there is none, why (``api.load_bridge``: a model named with
    ``--model`` must load)."""
    from xling.api import load_bridge
    from xling.errors import UsageError, XlingError

    if no_model:
        if model is not None:
            raise UsageError("--model and --no-model contradict each other: give one")
        return None, "no bridge asked for"
    try:
        return load_bridge(source_lang, target_lang, model, offline=offline, cache=cache)
    except XlingError as exc:
        raise UsageError(f"--model {model}: {exc}") from exc


def _read(path: Path, role: str):
    """A text to align, or a one-line error that names it."""
    from xling.errors import ReadError, UsageError
    from xling.io import read_document

    if not path.is_file():
        raise UsageError(f"{role} {path} is {'a folder' if path.is_dir() else 'not there'}: give a text file")
    try:
        return read_document(path.parent, path)
    except ReadError as exc:
        raise UsageError(f"{role} {path}: {exc}") from exc


def _bridge_model(model: str | None, source_lang: str) -> str | None:
    """``--model`` as a path or id, or as ``LANG=PATH_OR_ID`` (the translate syntax) for the source language."""
    if model is None or "=" not in model:
        return model
    from xling.errors import UsageError
    from xling.models import parse_overrides

    (lang, spec), = parse_overrides([model]).items()
    if lang != source_lang:
        raise UsageError(f"--model {model}: the bridge translates {source_lang} (--src-lang), not {lang}")
    return spec


def _write(result, fmt: str, output: str, doc: str, source_lang: str, target_lang: str,
           drop_unaligned: bool = False) -> None:
    from xling._version import __version__
    from xling.data import CorpusInfo, Record
    from xling.formats.registry import write_corpus

    records = [Record(doc, i, bead) for i, bead in enumerate(result.beads)
               if not (drop_unaligned and fmt in ("moses", "tsv")) or (bead.source_ids and bead.target_ids)]
    info = CorpusInfo(source_lang, target_lang, f"xling:{__version__}|align:dp-bridge|bridge:{result.bridge}")
    write_corpus(records, fmt, output, info, columns=("src_ids", "tgt_ids", "score") if fmt == "tsv" else ())
