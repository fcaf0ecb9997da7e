"""The main job as a short loop over stages: discover → prepare (read, detect, route, segment)
→ translate (+ flag, retry) → write, window by window; then the manifest and the index.

``Run`` holds the stages of one run; the local loop (``translate_folder``) and the Ray
engine (``xling.ray_engine``) compose the same ones.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xling.boilerplate import MODES
from xling.document import recurring_paragraphs
from xling.errors import UnknownNameError, UsageError
from xling.io import discover, leaves, linked_folders, relative_id
from xling.models import load_registry
from xling.naming import OutputNames, output_names
from xling.pipeline.folder import OutputFolder
from xling.pipeline.options import Options, Progress, QuietProgress, TranslatorFactory
from xling.pipeline.prepare import Prepared, Preparer
from xling.pipeline.translating import TranslateStep
from xling.pipeline.translators import TranslatorPool, marian_factory
from xling.pipeline.window import WindowStep, path_windows
from xling.pipeline.write import DocumentWriter, write_run_files
from xling.report import SKIPPED, FileReport, RunReport


@dataclass
class Run:
    """The stages of one run over ``input_dir`` into ``output_dir``, built by ``Run.build``."""

    input: Path
    options: Options
    folder: OutputFolder
    preparer: Preparer
    step: WindowStep
    names: OutputNames = field(default_factory=lambda: OutputNames({}, {}))
    previous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # outputs an earlier run recorded
    started: float = field(default_factory=time.perf_counter)
    unmatched: list[str] = field(default_factory=list)  # files of the input folder no --glob pattern matched

    @classmethod
    def build(cls, input_dir: Path, output_dir: Path, options: Options, factory: TranslatorFactory | None = None,
              progress: Progress | None = None) -> Run:
        """Check the options (one-line errors before anything is read) and wire the stages."""
        progress = progress or QuietProgress()
        if not options.globs or any(not g.strip() for g in options.globs):
            raise UsageError("--glob takes a file-name pattern such as '*.txt', not an empty one")
        if options.boilerplate not in MODES:
            raise UnknownNameError("--boilerplate mode", options.boilerplate, list(MODES))
        registry = load_registry(options.registry).with_overrides(options.models)
        if factory is None:
            from xling.translate.options import check_device, check_options

            check_options(options.backend, options.quantization)
            check_device(options.device, options.backend)
        folder = OutputFolder(input_dir, output_dir, options.globs, options.force)
        root = input_dir.parent if input_dir.is_file() else input_dir
        preparer = Preparer(root, registry, options.max_file_mb * 2**20, options.max_sentence_chars,
                            options.boilerplate)
        names = OutputNames({}, {})  # made at start, or sent to a worker window by window
        translate = TranslateStep(registry.target, registry.thresholds(options.thresholds), lambda: preparer.detector,
                                  None, options.retry_flagged, progress.sentences, options.boilerplate)
        step = WindowStep(TranslatorPool(factory or marian_factory(options)), translate,
                          DocumentWriter(folder, registry.target, names, options.view), progress.document)
        return cls(input_dir, options, folder, preparer, step, names)

    @property
    def root(self) -> Path:
        """What document ids are relative to: the input folder, or the folder of a single input file."""
        return self.input.parent if self.input.is_file() else self.input

    def open_cache(self) -> None:
        if self.options.use_cache and self.step.translate.cache is None:
            from xling.translate.cache import TranslationCache, default_cache_path

            self.step.translate.cache = TranslationCache(self.options.cache or default_cache_path())

    def start(self) -> tuple[list[Path], list[FileReport]]:
        """Open the folder, the cache; the input files in order, and reports of links not followed."""
        self.started = time.perf_counter()
        self.folder.check()
        if self.input.is_file():  # one file, named by the user: read whatever its name
            paths, links = [self.input], []
        else:
            paths, links = discover(self.input, self.options.globs, self.unmatched), linked_folders(self.input)
        if not paths and not links:
            raise UsageError(f"no file in {self.input} matches {', '.join(self.options.globs)}; "
                             "choose the files with --glob")
        self.folder.open()
        self.open_cache()
        follow = self.options.follow_links or self.input.is_file()  # a file named by the user is read
        leaving = set() if follow else {p for p in paths if leaves(self.root, p)}
        paths = [p for p in paths if p not in leaving]
        ids = [relative_id(self.root, p) for p in paths]
        self.names.update(output_names(ids).subset(ids))
        self.preparer.recurring = recurring_paragraphs(paths, self.preparer.max_file_bytes)
        self.previous = self.folder.read_previous()
        reports = [FileReport(link, SKIPPED, reason="folder link not followed (links can loop back into the input)")
                   for link in links]
        reports += [FileReport(relative_id(self.root, p), SKIPPED, reason="link to a file outside the input "
                               "folder, not followed (--follow-links reads it)") for p in sorted(leaving)]
        return paths, reports

    def prepare(self, paths: list[Path]) -> list[Prepared]:
        return [self.preparer.prepare(path) for path in paths]

    @contextlib.contextmanager
    def running(self) -> Iterator[tuple[list[Path], list[FileReport]]]:
        """``start``, then the folder's one flush however the run ends, even if ``start`` itself fails
        after opening the folder (an unusable cache)."""
        try:
            yield self.start()
        finally:
            self.folder.release()

    def finish(self, reports: list[FileReport]) -> RunReport:
        """Manifest and index from every report; the run is then complete (not resumable)."""
        write_run_files(self.folder, reports, self.options.view, f"xling: {self.input.name}")
        self.folder.remove_stale(self.previous, {r.path: r.outputs for r in reports})
        self.folder.close()
        if self.step.translate.cache is not None:
            self.step.translate.cache.close()
        return RunReport(tuple(sorted(reports, key=lambda r: r.path)), self.folder.path,
                         time.perf_counter() - self.started, tuple(self.unmatched))


def translate_folder(input_dir: Path | str, output_dir: Path | str, options: Options | None = None, *,
                     translator_factory: TranslatorFactory | None = None,
                     progress: Progress | None = None) -> RunReport:
    """Translate every matching file under ``input_dir`` into ``output_dir``; see the README for the layout."""
    options = options or Options()
    progress = progress or QuietProgress()
    run = Run.build(Path(input_dir), Path(output_dir), options, translator_factory, progress)
    with run.running() as (paths, reports):
        progress.start(len(paths))
        for window in path_windows(paths, options.window_bytes):
            reports += run.step.run(run.prepare(window))
        return run.finish(reports)
