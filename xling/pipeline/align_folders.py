"""Align a corpus: a folder of originals and a folder of their translations, in one process.

discover both → read → pair the documents (by name, a pairs file, or by content through the
bridge) → bridge every source sentence in one batched, cached call (or read it from ``--mt DIR``)
→ align each pair (``xling.align.bridge``) → write each pair's beads in every per-document
format and its view, then the manifest and the index: the layout of a translate run, so
``xling export`` and ``xling view`` work on it. Documents without a convincing counterpart are
reported in the manifest, never forced into a pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from xling.align.bridge import align_sentences, check_bridge
from xling.align.pairing import DocumentPair, convincing_pairs, pair_by_name, read_pairs_file, similarities
from xling.align.texts import read_mt, sentences
from xling.data import CorpusInfo, Document, Record
from xling.document import blocks_of, recurring_paragraphs
from xling.errors import ReadError, UsageError
from xling.io import DEFAULT_GLOBS, discover, relative_id
from xling.naming import output_names
from xling.pipeline.folder import OutputFolder, within
from xling.pipeline.write import write_records, write_run_files
from xling.readers import read
from xling.report import ALIGNED, FAILED, SKIPPED, FileReport, RunReport
from xling.translate.base import Translator

MATCHES = ("name", "content")
T = TypeVar("T")
TARGET_ROW = "target:"  # manifest rows of target documents without a counterpart: "target:<path>"


CHUNK_SENTENCES = 4096  # source sentences read, bridged and aligned together: memory bounded by this


@dataclass
class Side:
    """One folder: its documents' ids and paths, read one at a time when needed, and reports of those
    that could not be read."""

    root: Path
    language: str
    presegmented: bool = False
    paths: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, FileReport] = field(default_factory=dict)  # by id: a document read twice fails once

    def discover(self, globs: Sequence[str]) -> None:
        self.paths = {relative_id(self.root, path): path for path in discover(self.root, globs)}

    def read(self, doc_id: str) -> Document | None:
        """The document, or ``None`` with a report (unreadable, not text)."""
        try:
            return read(self.root, self.paths[doc_id])
        except ReadError as exc:
            self.failed[doc_id] = FileReport(doc_id, FAILED, reason=f"{self.paths[doc_id]}: {exc}")
            return None

    def sentences(self, doc: Document) -> list[str]:
        """Line i is sentence i (``presegmented``, as with a pair), else xling's segmenter's."""
        return sentences(doc.text, self.language, self.presegmented)

    def documents(self) -> Iterator[tuple[str, Document]]:
        for doc_id in self.paths:
            if (doc := self.read(doc_id)) is not None:
                yield doc_id, doc

    def articles(self) -> Iterator[str]:
        """Each readable document without its boilerplate (a site's appeal recurring across this folder,
        a page's navigation): what content matching compares; one document in memory at a time."""
        recurring = recurring_paragraphs(list(self.paths.values()))
        for _, doc in self.documents():
            yield "\n".join(doc.text[b.start:b.end] for b in blocks_of(doc, recurring) if not b.boilerplate)


@dataclass
class Bridge:
    """Each source document's bridge (one translation per sentence): read from ``--mt DIR`` (a file per
    document, named like it) or made by ``translator`` (cached: a document bridged for matching and
    again for alignment is translated once)."""

    translator: Translator | None = None
    mt_dir: Path | None = None

    @property
    def kind(self) -> str:
        return "mt-dir" if self.mt_dir is not None else (
            f"model:{self.translator.model_id}" if self.translator is not None else "none")

    def __bool__(self) -> bool:
        return self.translator is not None or self.mt_dir is not None

    def of(self, documents: Sequence[tuple[str, list[str]]]) -> list[list[str] | None]:
        """The bridges of ``documents`` (id, sentences), all of them in one translation call."""
        if self.mt_dir is not None:
            return [read_mt(self.mt_dir / d, len(s), "--mt", f"source {d}") for d, s in documents]
        if self.translator is None:
            return [None] * len(documents)
        flat = [s for _, sentences in documents for s in sentences]
        translated = iter(t.text for t in self.translator.translate(flat))
        return [[next(translated) for _ in sentences] for _, sentences in documents]


def _chunks(items: Iterable[T], size: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    chunk, total = [], 0
    for item in items:
        chunk.append(item)
        total += size(item)
        if total >= limit:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


def _content_pairs(source: Side, target: Side, bridge: Bridge) -> list[DocumentPair]:
    """Pairs by what the documents say: every source document's bridge against every target's article."""
    sources: list[str] = []

    def bridged() -> Iterator[str]:
        read = ((d, source.sentences(doc)) for d, doc in source.documents())
        for chunk in _chunks(read, lambda item: len(item[1]), CHUNK_SENTENCES):
            for (doc_id, _), bridged_sentences in zip(chunk, bridge.of(chunk), strict=True):
                sources.append(doc_id)
                yield " ".join(bridged_sentences or ())

    matrix = similarities(bridged(), target.articles())
    return convincing_pairs(matrix, sources, [d for d in target.paths if d not in target.failed])


def _listed_pairs(pairs_file: Path, source: Side, target: Side) -> list[DocumentPair]:
    """The pairs a ``--pairs`` file lists; a name that is not in its folder is a usage error (a typo
    would otherwise leave its document reported as without a counterpart)."""
    try:
        listed = read_pairs_file(pairs_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"--pairs {pairs_file}: {exc}") from exc
    missing = [f"{name} (source)" for name, _ in listed if name not in source.paths]
    missing += [f"{name} (target)" for _, name in listed if name not in target.paths]
    if missing:
        shown = ", ".join(missing[:3]) + (", …" if len(missing) > 3 else "")
        raise UsageError(f"--pairs {pairs_file}: {len(missing)} name(s) not among the files of the folders "
                         f"(paths relative to each folder): {shown}")
    return [DocumentPair(s, t, "pairs file") for s, t in listed]


def _pairs(source: Side, target: Side, match: str, bridge: Bridge) -> list[DocumentPair]:
    if match == "name":
        return pair_by_name(list(source.paths), list(target.paths), source.language, target.language)
    return _content_pairs(source, target, bridge)


def _check(source: Side, target: Side, globs: Sequence[str], match: str, listed: list[DocumentPair] | None,
           bridge: Bridge) -> None:
    """What can be refused before the output folder is touched."""
    for side, role in ((source, "source"), (target, "target")):
        if not side.paths:
            raise UsageError(f"no file in the {role} folder {side.root} matches {', '.join(globs)}; "
                             "choose the files with --glob")
    if match == "content" and listed is None and not bridge:
        raise UsageError("--match content compares each source document's translation with the targets: give "
                         "--mt DIR, or let xling translate the source (a model for the source language)")


def _same_files(pairs: list[DocumentPair], source: Side, target: Side) -> list[DocumentPair]:
    """Pairs of a file with itself (SRC and TGT the same folder, names without language tags)."""
    return [p for p in pairs if source.paths[p.source].resolve() == target.paths[p.target].resolve()]


def align_folders(source_dir: Path | str, target_dir: Path | str, output_dir: Path | str, *,
                  source_lang: str = "pl", target_lang: str = "en", match: str = "name",
                  pairs_file: Path | str | None = None, mt_dir: Path | str | None = None,
                  translator: Translator | None = None,
                  force: bool = False, view: bool = True, globs: Sequence[str] = DEFAULT_GLOBS,
                  presegmented: bool = False) -> RunReport:
    """Pair the documents of two folders and align each pair; see the module doc for the layout."""
    import time

    started = time.perf_counter()
    if match not in MATCHES:
        from xling.errors import UnknownNameError

        raise UnknownNameError("--match", match, list(MATCHES))
    source = Side(Path(source_dir), source_lang, presegmented)
    target = Side(Path(target_dir), target_lang, presegmented)
    mt_dir, pairs_file = (Path(p) if p is not None else None for p in (mt_dir, pairs_file))
    bridge = Bridge(translator, mt_dir)
    settings = {"target": str(target.root.resolve()) if target.root.is_dir() else str(target.root),
                "match": match, "pairs": str(pairs_file), "mt": str(mt_dir), "presegmented": presegmented,
                "bridge": bridge.kind}
    folder = OutputFolder(source.root, Path(output_dir), globs, force, settings)
    if not target.root.is_dir():
        raise UsageError(f"target folder {target.root} does not exist or is not a folder")
    if within(folder.path, target.root) or within(target.root, folder.path):
        raise UsageError(f"output folder {folder.path} and the target folder {target.root} overlap; choose another")
    source.discover(globs)
    target.discover(globs)
    listed = _listed_pairs(pairs_file, source, target) if pairs_file is not None else None
    _check(source, target, globs, match, listed, bridge)
    how = "a pairs file" if listed is not None else match
    with folder.opened():
        previous = folder.read_previous()
        pairs = listed if listed is not None else _pairs(source, target, match, bridge)
        itself = _same_files(pairs, source, target)
        pairs = [p for p in pairs if p not in itself]
        reports = _write_pairs(folder, source, target, pairs, bridge, view)
        reports += [FileReport(p.source, SKIPPED, reason=f"paired with itself ({target.root} is the source "
                               "folder): give each language its own folder or a language tag (a.pl.txt)",
                               language=source_lang) for p in itself]
        reports += [*source.failed.values(), *(FileReport(TARGET_ROW + r.path, r.status, reason=r.reason)
                                               for r in target.failed.values())]
        done = {r.path for r in reports}
        reports += [FileReport(d, SKIPPED, reason=f"no counterpart in {target.root} (matched by {how})",
                               language=source_lang) for d in source.paths if d not in done]
        reports += [FileReport(TARGET_ROW + d, SKIPPED, reason=f"no counterpart in {source.root}",
                               language=target_lang) for d in target.paths
                    if d not in {p.target for p in (*pairs, *itself)} and TARGET_ROW + d not in done]
        write_run_files(folder, reports, view, f"xling align: {source.root.name} ↔ {target.root.name}")
        folder.remove_stale(previous, {r.path: r.outputs for r in reports})
        folder.close()
    return RunReport(tuple(sorted(reports, key=lambda r: r.path)), folder.path, time.perf_counter() - started)


def _write_pairs(folder: OutputFolder, source: Side, target: Side, pairs: list[DocumentPair], bridge: Bridge,
                 view: bool) -> list[FileReport]:
    """Each pair read, bridged (a chunk of pairs per translation call), aligned and written, then dropped.

    A pair is written by a second thread while the next one is aligned (file creation and rendering
    cost about as much as aligning); at most one pair waits to be written, so memory stays flat."""
    from concurrent.futures import Future, ThreadPoolExecutor

    names = output_names([p.source for p in pairs])
    reports: list[FileReport] = []

    def read() -> Iterator[tuple[DocumentPair, list[str], list[str]]]:
        for pair in pairs:
            src, tgt = source.read(pair.source), target.read(pair.target)
            if src is not None and tgt is not None:
                yield pair, source.sentences(src), target.sentences(tgt)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xling-write") as writer:
        pending: Future[FileReport] | None = None
        for chunk in _chunks(read(), lambda item: len(item[1]), CHUNK_SENTENCES):
            bridges = bridge.of([(pair.source, src) for pair, src, _ in chunk])
            for (pair, src, tgt), bridged in zip(chunk, bridges, strict=True):
                aligned = _align_pair(source.language, target.language, pair, src, tgt, bridged, bridge.kind)
                if pending is not None:
                    reports.append(pending.result())
                pending = writer.submit(_write_pair, folder, names.stem[pair.source], aligned, view)
        if pending is not None:
            reports.append(pending.result())
    return reports


@dataclass(frozen=True)
class AlignedPair:
    pair: DocumentPair
    sentences: int
    records: list[Record]
    info: CorpusInfo
    note: str  # why the bridge was not used, when it was not


def _align_pair(source_lang: str, target_lang: str, pair: DocumentPair, src: list[str], tgt: list[str],
                bridged: list[str] | None, bridge_kind: str) -> AlignedPair:
    from xling._version import __version__

    note = ""
    if bridged is not None and not (check := check_bridge(bridged, src, tgt)).helps:
        bridged, bridge_kind, note = None, "none", f"; {bridge_kind} bridge not used: {check.why_not()}"
    beads = align_sentences(src, tgt, bridged)
    sig = (f"xling:{__version__}|align:dp-bridge|bridge:{bridge_kind}|pairs:{pair.how}"
           f"|pair:{source_lang}-{target_lang}")
    return AlignedPair(pair, len(src), [Record(pair.source, i, bead) for i, bead in enumerate(beads)],
                       CorpusInfo(source_lang, target_lang, sig), note)


def _write_pair(folder: OutputFolder, stem: str, aligned: AlignedPair, view: bool) -> FileReport:
    pair, info = aligned.pair, aligned.info
    files = write_records(folder, f"{info.source_lang}-{info.target_lang}", stem, aligned.records, info, view,
                          f"{pair.source} ↔ {pair.target}")
    scored = [r.bead.score for r in aligned.records if r.bead.source_ids and r.bead.target_ids]
    how = pair.how + (f", similarity {pair.score:.2f}" if pair.score is not None else "")
    return FileReport(
        pair.source, ALIGNED, reason=f"paired with {pair.target} ({how}){aligned.note}", language=info.source_lang,
        sentences=aligned.sentences, score=round(sum(scored) / len(scored), 4) if scored else None,
        outputs=tuple(folder.relative(f) for f in files), signature=info.signature, counterpart=pair.target)
