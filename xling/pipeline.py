"""The main job: a folder of articles in, translations, beads, parallel files and a manifest out.

read → detect → segment → route → translate (cached) → align → write, one
document at a time except translation, which batches the sentences of a
window of documents per model. A failure in one document is recorded in the
manifest and the run goes on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from xling.align import beads_from_translations
from xling.data import CorpusInfo, Document, Record, Segment, Translation
from xling.detect import Detection, LanguageDetector
from xling.errors import ReadError, UsageError, XlingError, one_line
from xling.formats.atomic import LOCK_FILE, copy_file, lock_folder, remove_stray_temporaries, write_text
from xling.formats.beads import write_beads
from xling.formats.moses import write_moses
from xling.formats.tsv import write_tsv
from xling.io import DEFAULT_GLOBS, DEFAULT_MAX_FILE_MB, discover, linked_folders, read_document, relative_id
from xling.models import Registry, load_registry
from xling.naming import OutputNames, output_names
from xling.notice import notice
from xling.quality import REPETITION, RETRIED, Thresholds, flags_for, language_probe
from xling.report import (
    FAILED,
    PASSED,
    SKIPPED,
    TRANSLATED,
    FileReport,
    RunReport,
    manifest_row,
    read_manifest,
    write_manifest,
)
from xling.segment import Segmenter, cut_long_segments, paragraphs_spans, without_data_runs
from xling.signature import signature
from xling.translate.base import GenerationSettings, Translator
from xling.translate.batched import SPLIT, TRUNCATED, Runtime

logger = logging.getLogger(__name__)

STATE_FILE = ".xling-run.json"  # present while a run into this folder is unfinished
KEPT = "kept_target_language"
FIRST_WINDOWS_BYTES = 8 * 1024  # after the first document alone, windows grow from this to --window-kb


@dataclass(frozen=True)
class Options:
    """Everything that shapes a run besides the input and output folders."""

    globs: tuple[str, ...] = DEFAULT_GLOBS
    models: Mapping[str, str] = field(default_factory=dict)  # language → model id or directory
    registry: Path | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    device: str = "auto"
    backend: str = "auto"  # CTranslate2 where it runs, else transformers; or name one
    threads: int = 0  # CPU threads for translation; 0: every core
    quantization: str = "auto"  # transformers: none|int8; ctranslate2: int8 (CPU default), float16, ...
    cache: Path | None = None  # None: the user cache directory
    use_cache: bool = True
    offline: bool = False
    force: bool = False
    window_bytes: int = 64 * 1024  # input bytes gathered across documents before translating (and writing)
    view: bool = True  # write OUT/view/: an index and a side-by-side page per translated document
    thresholds: Thresholds = field(default_factory=Thresholds)
    retry_flagged: bool = False  # translate looping outputs again with n-gram blocking, keep the better
    max_sentence_chars: int = 50_000  # longer "sentences" are cut into pieces; longer runs without whitespace skipped
    max_file_mb: int = DEFAULT_MAX_FILE_MB  # bigger inputs are skipped, with a reason

    def runtime(self) -> Runtime:
        return Runtime(self.device, self.threads, self.quantization)


class Progress(Protocol):
    def start(self, documents: int) -> None: ...
    def sentences(self, count: int) -> None: ...
    def document(self, report: FileReport) -> None: ...


class _Quiet:
    def start(self, documents: int) -> None: ...
    def sentences(self, count: int) -> None: ...
    def document(self, report: FileReport) -> None: ...


TranslatorFactory = Callable[[str], Translator]


@dataclass
class _Prepared:
    """A document ready for translation."""

    doc: Document
    detection: Detection
    segments: list[Segment]
    model: str
    paragraphs: int
    translatable: list[Segment]  # every segment but the skipped ones
    skipped: list[dict]  # segments not translated (runs of data without whitespace), with a reason
    cut: frozenset[int] = frozenset()  # indices of the pieces of "sentences" over --max-sentence-chars


def translate_folder(input_dir: Path | str, output_dir: Path | str, options: Options | None = None, *,
                     translator_factory: TranslatorFactory | None = None,
                     progress: Progress | None = None) -> RunReport:
    """Translate every matching file under ``input_dir`` into ``output_dir``; see the README for the layout."""
    return _Run(Path(input_dir), Path(output_dir), options or Options(), translator_factory,
                progress or _Quiet()).run()


class _Run:
    def __init__(self, input_dir: Path, output_dir: Path, options: Options,
                 factory: TranslatorFactory | None, progress: Progress) -> None:
        self.input, self.output, self.options, self.progress = input_dir, output_dir, options, progress
        self.registry: Registry = load_registry(options.registry).with_overrides(options.models)
        self.thresholds = self.registry.thresholds(options.thresholds)  # the registry's calibrations filled in
        if factory is None:
            from xling.translate.backends import check_device, check_options

            check_options(options.backend, options.quantization)
            check_device(options.device, options.backend)
        self.factory = factory or self._marian
        self.translators: dict[str, Translator] = {}
        self.unavailable: dict[str, XlingError] = {}
        self.cache = None
        self._detector: LanguageDetector | None = None
        self.names = OutputNames({}, {})  # output names per document id, made at start (or sent to a worker)
        self._lock = None  # the output folder's lock, held from start to finish

    # -- set-up ---------------------------------------------------------------------------------
    def _check_folders(self) -> None:
        if not self.input.is_dir():
            raise UsageError(f"input folder {self.input} does not exist or is not a folder")
        source, target = self.input.resolve(), self.output.resolve()
        if target == source or target.is_relative_to(source):
            raise UsageError(f"output folder {self.output} is inside the input folder {self.input}; "
                             "choose a folder outside it")
        if self.output.exists() and not self.output.is_dir():
            raise UsageError(f"output {self.output} exists and is not a folder")
        if (self.output.is_dir() and any(p.name != LOCK_FILE for p in self.output.iterdir())
                and not self.options.force and not self._resumable()):
            raise UsageError(f"output folder {self.output} is not empty; pass --force to write into it")

    def _state(self) -> str:
        return json.dumps({"input": str(self.input.resolve()), "globs": list(self.options.globs)}, sort_keys=True)

    def _resumable(self) -> bool:
        state = self.output / STATE_FILE
        return state.is_file() and state.read_text(encoding="utf-8") == self._state()

    @property
    def detector(self) -> LanguageDetector:
        if self._detector is None:
            self._detector = LanguageDetector(self.registry.detection_languages)
        return self._detector

    def _marian(self, model: str) -> Translator:
        from xling.models import resolve
        from xling.translate.backends import create_translator

        o = self.options
        return create_translator(resolve(model, o.offline), o.settings, o.runtime(), o.backend)

    def translator(self, model: str) -> Translator:
        """The (cached) translator for ``model``, loaded once; a failure to load is remembered."""
        if model in self.unavailable:
            raise self.unavailable[model]
        if model not in self.translators:
            try:
                inner = self.factory(model)
            except XlingError as exc:
                self.unavailable[model] = exc
                raise
            if self.cache is not None:
                from xling.translate.cache import CachedTranslator

                inner = CachedTranslator(inner, self.cache, on_chunk=self.progress.sentences)
            self.translators[model] = inner
        return self.translators[model]

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> RunReport:
        started = time.perf_counter()
        paths = self.start()
        reports = self.link_reports()
        for window in path_windows(paths, self.options.window_bytes):
            prepared, skipped = self.prepare_window(window)
            reports.extend(skipped)
            reports.extend(self.translate_window(prepared))
        return self.finish(reports, started)

    def start(self) -> list[Path]:
        """Check the folders, mark the run unfinished, open the cache; the input files, in order."""
        self._check_folders()
        self.output.mkdir(parents=True, exist_ok=True)
        self._lock = lock_folder(self.output)
        if removed := remove_stray_temporaries(self.output):
            logger.info("removed %d temporary file(s) an interrupted run left behind", removed)
        write_text(self.output / STATE_FILE, self._state())
        self.open_cache()
        paths = discover(self.input, self.options.globs)
        self.names = output_names([relative_id(self.input, p) for p in paths])
        if self.options.force:
            self.remove_outputs_of_deleted_inputs(set(self.names.copy))
        self.progress.start(len(paths))
        return paths

    def remove_outputs_of_deleted_inputs(self, current: set[str]) -> None:
        """With --force into an earlier run's folder: the outputs its manifest lists for inputs that are
        gone are removed, so that the folder describes the input as it is now."""
        manifest = self.output / "manifest.jsonl"
        if not manifest.is_file():
            return
        try:
            rows = read_manifest(manifest)
        except (OSError, ValueError) as exc:
            notice(logger, "the earlier manifest %s is unreadable (%s); its outputs stay", manifest, exc)
            return
        gone = [row for row in rows if row.get("path") not in current]
        removed = 0
        for row in gone:
            for relative in row.get("outputs", ()):
                path = self.output / relative
                if path.resolve().is_relative_to(self.output.resolve()) and path.is_file():
                    path.unlink()
                    removed += 1
        if gone:
            notice(logger, "removed %d output file(s) of %d input(s) no longer in %s", removed, len(gone), self.input)

    def open_cache(self) -> None:
        if self.options.use_cache and self.cache is None:
            from xling.translate.cache import TranslationCache, default_cache_path

            self.cache = TranslationCache(self.options.cache or default_cache_path())

    def link_reports(self) -> list[FileReport]:
        return [FileReport(link, SKIPPED, reason="folder link not followed (links can loop back into the input)")
                for link in linked_folders(self.input)]

    def finish(self, reports: list[FileReport], started: float) -> RunReport:
        """Manifest and index from every report; the run is then complete (not resumable)."""
        write_manifest(reports, self.output / "manifest.jsonl")
        if self.options.view:
            self._write_index(reports)
        (self.output / STATE_FILE).unlink()
        if self.cache is not None:
            self.cache.close()
        if self._lock is not None:  # emptied, so that a finished folder does not depend on a PID
            self._lock.truncate(0)
            self._lock.close()
        return RunReport(tuple(sorted(reports, key=lambda r: r.path)), self.output, time.perf_counter() - started)

    def prepare_window(self, paths: Sequence[Path]) -> tuple[list[_Prepared], list[FileReport]]:
        """Read, detect and segment a window of files: what to translate, and reports for the rest."""
        reports: list[FileReport] = []
        prepared = list(self._prepare_all(paths, reports))
        return prepared, reports

    def _prepare_all(self, paths: Sequence[Path], reports: list[FileReport]) -> Iterator[_Prepared]:
        for path in paths:
            try:
                result = self._prepare(path)
            except Exception as exc:  # one broken document must not end the run
                result = FileReport(relative_id(self.input, path), FAILED, reason=one_line(exc))
                _log_failure(relative_id(self.input, path), exc)
            if isinstance(result, FileReport):
                reports.append(result)
                self.progress.document(result)
            else:
                yield result

    def _prepare(self, path: Path) -> _Prepared | FileReport:
        doc_id = relative_id(self.input, path)
        try:
            doc = read_document(self.input, path, self.options.max_file_mb * 2**20)
        except ReadError as exc:
            skip = ("empty file", "blank file", "not a regular file", "too large")
            status = SKIPPED if exc.reason in skip else FAILED
            return FileReport(doc_id, status, reason=str(exc))
        spans = paragraphs_spans(doc.text)
        limit = self.options.max_sentence_chars  # runs of data say nothing of the language: left out
        detection = self.detector.detect_document(without_data_runs(doc.text, limit),
                                                  [without_data_runs(doc.text[s:e], limit) for s, e in spans])
        doc = replace(doc, language=detection.language, confidence=detection.confidence)
        base = dict(encoding=doc.encoding, language=doc.language, confidence=doc.confidence,
                    paragraphs=len(spans), mixed=detection.other_languages())
        if doc.language is None:
            return FileReport(doc_id, SKIPPED, reason="language not detected", **base)
        if doc.language == self.registry.target:
            target = inside(self.output, f"{self.registry.target}/{self.names.copy[doc_id]}")
            copy_file(path, target)
            return FileReport(doc_id, PASSED, outputs=(_rel(self.output, target),), **base)
        model = self.registry.route(doc.language)
        if model is None:
            return FileReport(doc_id, SKIPPED, reason=f"no model for language {doc.language!r} "
                              "(the registry's fallback policy is 'skip')", **base)
        try:
            segments = segment_document(doc, spans, detection.paragraphs)
        except XlingError as exc:
            return FileReport(doc_id, FAILED, reason=f"segmentation failed: {exc}", **base)
        segments, cut, skipped = cut_long_segments(segments, self.options.max_sentence_chars)
        untranslatable = {entry["index"] for entry in skipped}
        translatable = [s for s in segments if s.index not in untranslatable]
        return _Prepared(doc, detection, segments, model, len(spans), translatable, skipped, frozenset(cut))

    def translate_window(self, window: list[_Prepared]) -> list[FileReport]:
        """Translate a window's documents (one group per model), align and write them: the per-batch
        step of both engines, so that they translate exactly the same groups of sentences."""
        reports = []
        for model in dict.fromkeys(p.model for p in window):
            group = [p for p in window if p.model == model]
            try:
                translator = self.translator(model)
                translated = self._translate_group(translator, group)
            except XlingError as exc:
                translated = {id(p): exc for p in group}
            except Exception as exc:  # e.g. out of memory on the device: these documents fail, the run goes on
                _log_failure(f"translation with {model}", exc)
                error = XlingError(f"translation failed: {one_line(exc)}")
                translated = {id(p): error for p in group}
            for prepared in group:
                outcome = translated[id(prepared)]
                if not prepared.translatable:
                    report = FileReport(prepared.doc.id, SKIPPED, reason=f"all {len(prepared.segments)} sentences "
                                        f"skipped: {prepared.skipped[0]['reason']}", skipped=tuple(prepared.skipped),
                                        **_doc_fields(prepared))
                elif isinstance(outcome, XlingError):
                    report = FileReport(prepared.doc.id, FAILED, reason=str(outcome), model=model,
                                        **_doc_fields(prepared))
                else:
                    try:
                        report = self._write(prepared, translator, *outcome)
                    except Exception as exc:  # a full disk, a name the file system refuses: this document only
                        _log_failure(prepared.doc.id, exc)
                        report = FileReport(prepared.doc.id, FAILED, reason=f"writing failed: {one_line(exc)}",
                                            model=model, **_doc_fields(prepared))
                reports.append(report)
                self.progress.document(report)
        return reports

    def _translate_group(self, translator: Translator, group: list[_Prepared]):
        target = self.registry.target
        todo = [(p, s) for p in group for s in p.translatable if s.language != target]
        results = translator.translate([s.text for _, s in todo])
        fresh = getattr(translator, "last_missing", None)
        results = self._flag(translator, [(p.doc.language, s) for p, s in todo], results)
        by_segment = {(id(p), s.index): r for (p, s), r in zip(todo, results, strict=True)}
        outcome = {}
        for prepared in group:
            translations = [by_segment.get((id(prepared), s.index)) or Translation(s.text, s.text, "", 0.0, (KEPT,))
                            for s in prepared.translatable]
            translations = [replace(t, flags=(*t.flags, SPLIT)) if s.index in prepared.cut and SPLIT not in t.flags
                            else t for s, t in zip(prepared.translatable, translations, strict=True)]
            cached = 0 if fresh is None else sum(
                1 for s in prepared.translatable if (id(prepared), s.index) in by_segment and s.text not in fresh)
            outcome[id(prepared)] = (translations, cached)
        return outcome

    def _flag(self, translator: Translator, items: list[tuple[str, Segment]],
              results: list[Translation]) -> list[Translation]:
        """Add quality flags; with ``retry_flagged``, translate looping or truncated outputs again and
        keep the better."""
        target = self.registry.target
        probes = list(dict.fromkeys(language_probe(r.text) for r in results))
        languages = dict(zip(probes, (lang for lang, _ in self.detector.detect_many(probes)), strict=True))
        detect = languages.__getitem__  # flags_for only asks about these probes
        flagged = [replace(r, flags=tuple(dict.fromkeys(r.flags + flags_for(
            r.source, r.text, r.score, lang, target, detect, self.thresholds))))
            for (lang, _), r in zip(items, results, strict=True)]
        if not self.options.retry_flagged or not hasattr(translator, "with_settings"):
            return flagged
        looping = [i for i, r in enumerate(flagged) if {REPETITION, TRUNCATED} & set(r.flags)]
        if not looping:
            return flagged
        retry = translator.with_settings(translator.settings.for_retry())
        again = retry.translate([flagged[i].source for i in looping])
        for i, second in zip(looping, again, strict=True):
            lang = items[i][0]
            extra = flags_for(second.source, second.text, second.score, lang, target,
                              lambda text: self.detector.detect(text)[0], self.thresholds)
            if not {REPETITION, TRUNCATED} & set(second.flags + extra) or second.score > flagged[i].score:
                flagged[i] = replace(second, flags=tuple(dict.fromkeys(second.flags + extra + (RETRIED,))))
        return flagged

    def _write(self, prepared: _Prepared, translator: Translator, translations: list[Translation],
               cached: int) -> FileReport:
        doc, lang, target = prepared.doc, prepared.doc.language, self.registry.target
        pair = f"{lang}-{target}"
        beads = beads_from_translations(prepared.translatable, translations)
        base = inside(self.output, f"{pair}/{self.names.stem[doc.id]}")
        files = {
            "source": base.with_name(f"{base.name}.{lang}"),
            "target": base.with_name(f"{base.name}.{target}"),
            "tsv": base.with_name(f"{base.name}.tsv"),
            "beads": base.with_name(f"{base.name}.jsonl"),
        }
        records = [Record(doc.id, i, bead) for i, bead in enumerate(beads)]
        write_moses(records, files["source"], files["target"])
        write_tsv(records, files["tsv"])
        write_beads(records, files["beads"])
        flags = Counter(flag for bead in beads for flag in bead.flags)
        kept = flags.pop(KEPT, 0)
        flags = dict(sorted(flags.items()))
        backend = backend_name(translator)
        sig = signature(backend=backend, model_id=translator.model_id, revision=translator.revision,
                        settings_key=translator.settings.key(), pair=pair)
        if self.options.view:
            from xling.view.html import render_document

            files["view"] = inside(self.output, f"view/{pair}/{self.names.stem[doc.id]}.html")
            write_text(files["view"], render_document(records, CorpusInfo(lang, target, sig), title=doc.id))
        scores = [b.score for b in beads if KEPT not in b.flags]
        return FileReport(
            doc.id, TRANSLATED, model=translator.model_id, revision=translator.revision, backend=backend,
            translated=len(prepared.translatable) - cached - kept, cached=cached, kept=kept, flags=flags,
            score=round(sum(scores) / len(scores), 4) if scores else None, skipped=tuple(prepared.skipped),
            outputs=tuple(_rel(self.output, f) for f in files.values()), signature=sig,
            **_doc_fields(prepared),
        )

    def _write_index(self, reports: list[FileReport]) -> None:
        from xling.view.html import render_index

        rows = []
        for report in sorted(reports, key=lambda r: r.path):
            row = manifest_row(report)
            page = next((o for o in report.outputs if o.startswith("view/")), None)
            row["link"] = quote(page.removeprefix("view/")) if page else None  # names may hold #, ?, %
            rows.append(row)
        write_text(self.output / "view" / "index.html", render_index(rows, f"xling: {self.input.name}"))


def segment_document(doc: Document, spans: Sequence[tuple[int, int]],
                     paragraph_langs: Sequence[str | None]) -> list[Segment]:
    """Sentences of every paragraph, each split by the rules of its paragraph's language."""
    segments: list[Segment] = []
    for index, ((start, end), lang) in enumerate(zip(spans, paragraph_langs, strict=True)):
        splitter = Segmenter(lang or doc.language)
        for s, e in splitter.sentences(doc.text, start, end):
            segments.append(Segment(doc.id, index, len(segments), s, e, doc.text[s:e],
                                    lang if lang != doc.language else None))
    return segments


def _log_failure(what: str, exc: BaseException) -> None:
    """One line by default; the traceback with -v."""
    logger.error("%s failed: %s", what, one_line(exc))
    logger.info("traceback of the failure in %s", what, exc_info=exc)


def backend_name(translator: Translator) -> str:
    """What decoded, e.g. ``ctranslate2/int8``; a translator of one's own is named by its ``backend``."""
    inner = getattr(translator, "inner", translator)
    describe = getattr(inner, "describe", None)
    return describe() if callable(describe) else getattr(inner, "backend", "custom")


def path_windows(paths: Sequence[Path], budget: int) -> list[list[Path]]:
    """Consecutive files of about ``budget`` bytes together (at least one per window).

    The first window is the first file alone and the next ones grow (8 KiB, doubling) up to
    ``budget``: the first document is written seconds after start, not after a whole
    window. Windows are cut by file size, known before anything is read, so every engine
    cuts them the same way; translation batches (and so the last bits of a score) depend on
    which sentences are translated together.
    """
    windows: list[list[Path]] = []
    current: list[Path] = []
    size, limit = 0, 0
    for path in paths:
        current.append(path)
        with contextlib.suppress(OSError):  # reading it will report the problem
            size += path.stat().st_size
        if size >= limit:
            windows.append(current)
            current, size = [], 0
            limit = min(budget, max(FIRST_WINDOWS_BYTES, 2 * limit))
    if current:
        windows.append(current)
    return windows


def _doc_fields(prepared: _Prepared) -> dict:
    doc = prepared.doc
    return dict(encoding=doc.encoding, language=doc.language, confidence=doc.confidence,
                paragraphs=prepared.paragraphs, sentences=len(prepared.segments),
                mixed=prepared.detection.other_languages())


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing any path that would leave ``root`` (``..``, absolute parts)."""
    path = root / relative
    if ".." in Path(relative).parts or Path(relative).is_absolute() or not path.resolve().is_relative_to(
            root.resolve()):
        raise UsageError(f"refusing output path {relative!r}: it would leave the output folder")
    return path
