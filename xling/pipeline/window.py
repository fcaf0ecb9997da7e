"""The per-window step of both engines: prepared documents in, written documents' reports out.

A window's documents are grouped by model; each group is translated in one call (so the
same sentences are batched together whichever engine runs it), then every document is
written. A failure fails the documents it touches, never the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xling.errors import XlingError, one_line
from xling.pipeline.prepare import PassThrough, Prepared, ToTranslate, log_failure
from xling.pipeline.translating import Translated, TranslateStep
from xling.pipeline.translators import TranslatorPool
from xling.pipeline.write import DocumentWriter
from xling.report import FAILED, SKIPPED, FileReport

# After the first document alone, windows grow from this to --window-kb.
FIRST_WINDOWS_BYTES = 8 * 1024


@dataclass
class WindowStep:
    """Translate, flag, write: the stages after preparation, composed."""

    translators: TranslatorPool
    translate: TranslateStep
    writer: DocumentWriter
    on_report: Callable[[FileReport], None] = lambda report: None

    def run(self, window: Sequence[Prepared]) -> list[FileReport]:
        """One report per item of ``window`` (reports made while preparing pass through unchanged)."""
        reports = [self._done(item) for item in window if isinstance(item, FileReport)]
        reports += [self._done(self._copy(item)) for item in window if isinstance(item, PassThrough)]
        todo = [item for item in window if isinstance(item, ToTranslate)]
        for model in dict.fromkeys(p.model for p in todo):
            reports += self._translate_group(model, [p for p in todo if p.model == model])
        return reports

    def _done(self, report: FileReport) -> FileReport:
        self.on_report(report)
        return report

    def _copy(self, item: PassThrough) -> FileReport:
        try:
            return self.writer.copy(item)
        except Exception as exc:  # a full disk, a name the file system refuses: this document only
            log_failure(item.detected.doc.id, exc)
            return FileReport(item.detected.doc.id, FAILED, reason=f"writing failed: {one_line(exc)}")

    def _translate_group(self, model: str, group: list[ToTranslate]) -> list[FileReport]:
        translator = None
        try:
            translator = self.translators.get(model)
            outcomes: list[Translated | XlingError] = list(self.translate.translate_group(translator, group))
        except XlingError as exc:
            outcomes = [exc] * len(group)
        except Exception as exc:  # e.g. out of memory on the device: these documents fail, the run goes on
            log_failure(f"translation with {model}", exc)
            outcomes = [XlingError(f"translation failed: {one_line(exc)}")] * len(group)
        return [self._done(self._report(p, translator, outcome)) for p, outcome in zip(group, outcomes, strict=True)]

    def _report(self, prepared: ToTranslate, translator, outcome: Translated | XlingError) -> FileReport:
        doc_id = prepared.doc.id
        if not prepared.translatable:
            return FileReport(doc_id, SKIPPED, reason=f"all {len(prepared.segments)} sentences skipped: "
                              f"{prepared.skipped[0]['reason']}", skipped=prepared.skipped, **prepared.fields())
        if isinstance(outcome, XlingError):  # a page's article text is still written: it was found
            try:
                outputs = tuple(self.writer.folder.relative(p) for p in self.writer.extracted(prepared.doc))
            except OSError:
                outputs = ()
            return FileReport(doc_id, FAILED, reason=str(outcome), model=prepared.model, outputs=outputs,
                              **prepared.fields())
        try:
            return self.writer.write(prepared, translator, outcome)
        except Exception as exc:  # a full disk, a name the file system refuses: this document only
            log_failure(doc_id, exc)
            return FileReport(doc_id, FAILED, reason=f"writing failed: {one_line(exc)}", model=prepared.model,
                              **prepared.fields())


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
