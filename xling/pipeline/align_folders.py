"""Align a corpus: a folder of originals and a folder of their translations, in one process.

discover both → read → pair the documents (by name, a pairs file, or by content through the
bridge) → bridge every source sentence in one batched, cached call (or read it from ``--mt DIR``)
→ align each pair (``xling.align.bridge``) → write each pair's beads in every per-document
format and its view, then the manifest and the index: the layout of a translate run, so
``xling export`` and ``xling view`` work on it. Documents without a convincing counterpart are
reported in the manifest, never forced into a pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xling.align.bridge import align_sentences
from xling.align.pairing import DocumentPair, pair_by_content, pair_by_name, read_pairs_file
from xling.boilerplate import mark, recurring_keys
from xling.data import CorpusInfo, Document, Record
from xling.document import text_sentences
from xling.errors import ReadError, UsageError
from xling.io import DEFAULT_GLOBS, discover, relative_id
from xling.naming import output_names
from xling.pipeline.folder import OutputFolder, within
from xling.pipeline.write import write_records, write_run_files
from xling.readers import read
from xling.report import ALIGNED, FAILED, SKIPPED, FileReport, RunReport
from xling.segment import paragraphs_spans
from xling.translate.base import Translator

MATCHES = ("name", "content")
TARGET_ROW = "target:"  # manifest rows of target documents without a counterpart: "target:<path>"


@dataclass
class Side:
    """One folder's documents: id → Document, its sentences, and reports of what could not be read."""

    root: Path
    language: str
    documents: dict[str, Document] = field(default_factory=dict)
    sentences: dict[str, list[str]] = field(default_factory=dict)
    failed: list[FileReport] = field(default_factory=list)

    def load(self, globs: Sequence[str], presegmented: bool = False) -> None:
        for path in discover(self.root, globs):
            doc_id = relative_id(self.root, path)
            try:
                self.documents[doc_id] = read(self.root, path)
            except ReadError as exc:
                self.failed.append(FileReport(doc_id, FAILED, reason=f"{path}: {exc}"))
        for doc_id, doc in self.documents.items():
            if presegmented:  # line i is sentence i, as with a pair
                lines = doc.text.split("\n")
                self.sentences[doc_id] = lines[:-1] if lines and lines[-1] == "" else lines
            else:
                self.sentences[doc_id] = [s for p in text_sentences(doc.text, self.language) for s in p]

    def article(self) -> dict[str, str]:
        """Each document without the paragraphs that recur across this folder (a site's appeal): what
        content matching compares."""
        paragraphs = {d: [doc.text[s:e] for s, e in paragraphs_spans(doc.text)] for d, doc in self.documents.items()}
        recurring = recurring_keys(paragraphs.values())
        return {d: "\n".join(p for p, r in zip(ps, mark(ps, recurring), strict=True) if not r)
                for d, ps in paragraphs.items()}


def _bridges(source: Side, translator: Translator | None, mt_dir: Path | None) -> dict[str, list[str]] | None:
    """One translation per source sentence, per document: from ``mt_dir`` (a file per document, named like
    it, a line per sentence) or from ``translator``, all documents in one batched call."""
    if mt_dir is not None:
        from xling.align.texts import read_mt

        return {d: read_mt(mt_dir / d, len(s), "--mt", f"source {d}") for d, s in source.sentences.items()}
    if translator is None:
        return None
    flat = [s for sentences in source.sentences.values() for s in sentences]
    translated = iter(t.text for t in translator.translate(flat))
    return {d: [next(translated) for _ in sentences] for d, sentences in source.sentences.items()}


def _pairs(source: Side, target: Side, match: str, pairs_file: Path | None,
           bridges: dict[str, list[str]] | None) -> list[DocumentPair]:
    if pairs_file is not None:
        try:
            listed = read_pairs_file(pairs_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise UsageError(f"--pairs {pairs_file}: {exc}") from exc
        return [DocumentPair(s, t, "pairs file") for s, t in listed if s in source.documents and t in target.documents]
    if match == "name":
        return pair_by_name(list(source.documents), list(target.documents), source.language, target.language)
    if bridges is None:
        raise UsageError("--match content compares each source document's translation with the targets: give "
                         "--mt DIR, or let xling translate the source (a model for the source language)")
    article = target.article()
    return pair_by_content(list(source.documents), {d: " ".join(b) for d, b in bridges.items()}, article)


def align_folders(source_dir: Path | str, target_dir: Path | str, output_dir: Path | str, *,
                  source_lang: str = "pl", target_lang: str = "en", match: str = "name",
                  pairs_file: Path | None = None, mt_dir: Path | None = None, translator: Translator | None = None,
                  force: bool = False, view: bool = True, globs: Sequence[str] = DEFAULT_GLOBS,
                  presegmented: bool = False) -> RunReport:
    """Pair the documents of two folders and align each pair; see the module doc for the layout."""
    import time

    started = time.perf_counter()
    if match not in MATCHES:
        from xling.errors import UnknownNameError

        raise UnknownNameError("--match", match, list(MATCHES))
    source, target = Side(Path(source_dir), source_lang), Side(Path(target_dir), target_lang)
    folder = OutputFolder(source.root, Path(output_dir), globs, force)
    if not target.root.is_dir():
        raise UsageError(f"target folder {target.root} does not exist or is not a folder")
    if within(folder.path, target.root) or within(target.root, folder.path):
        raise UsageError(f"output folder {folder.path} and the target folder {target.root} overlap; choose another")
    folder.open()
    previous = folder.read_previous()
    source.load(globs, presegmented)
    target.load(globs, presegmented)
    bridges = _bridges(source, translator, mt_dir)
    pairs = _pairs(source, target, match, pairs_file, bridges)
    reports = [*source.failed, *(FileReport(TARGET_ROW + r.path, r.status, reason=r.reason) for r in target.failed)]
    kind = "mt-dir" if mt_dir is not None else f"model:{translator.model_id}" if translator is not None else "none"
    reports += _write_pairs(folder, source, target, pairs, bridges, view, kind)
    paired_sources, paired_targets = {p.source for p in pairs}, {p.target for p in pairs}
    reports += [FileReport(d, SKIPPED, reason=f"no counterpart in {target.root} (matched by {match})",
                           language=source_lang) for d in source.documents if d not in paired_sources]
    reports += [FileReport(TARGET_ROW + d, SKIPPED, reason=f"no counterpart in {source.root}", language=target_lang)
                for d in target.documents if d not in paired_targets]
    write_run_files(folder, reports, view, f"xling align: {source.root.name} ↔ {target.root.name}")
    folder.remove_stale(previous, {r.path: r.outputs for r in reports})
    folder.close()
    return RunReport(tuple(sorted(reports, key=lambda r: r.path)), folder.path, time.perf_counter() - started)


def _write_pairs(folder: OutputFolder, source: Side, target: Side, pairs: list[DocumentPair],
                 bridges: dict[str, list[str]] | None, view: bool, bridge_kind: str) -> list[FileReport]:
    from xling._version import __version__

    pair_name = f"{source.language}-{target.language}"
    names = output_names([p.source for p in pairs])
    reports = []
    for pair in pairs:
        src, tgt = source.sentences[pair.source], target.sentences[pair.target]
        beads = align_sentences(src, tgt, None if bridges is None else bridges[pair.source])
        records = [Record(pair.source, i, bead) for i, bead in enumerate(beads)]
        sig = f"xling:{__version__}|align:dp-bridge|bridge:{bridge_kind}|pairs:{pair.how}|pair:{pair_name}"
        info = CorpusInfo(source.language, target.language, sig)
        files = write_records(folder, pair_name, names.stem[pair.source], records, info, view,
                              f"{pair.source} ↔ {pair.target}")
        scored = [b.score for b in beads if b.source_ids and b.target_ids]
        how = pair.how + (f", similarity {pair.score:.2f}" if pair.score is not None else "")
        reports.append(FileReport(
            pair.source, ALIGNED, reason=f"paired with {pair.target} ({how})", language=source.language,
            sentences=len(src), score=round(sum(scored) / len(scored), 4) if scored else None,
            outputs=tuple(folder.relative(f) for f in files), signature=sig, counterpart=pair.target))
    return reports
