"""Read, detect, route and segment one input file: the stages before translation.

Every file ends as one of three things: ``ToTranslate`` (a document in a language with a
model, its sentences ready), ``PassThrough`` (already in the target language: copied as
it is) or a ``FileReport`` (skipped or failed, with the reason).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from xling.data import Document, Segment
from xling.detect import Detection, LanguageDetector
from xling.document import DetectedDocument, read_detected, segment
from xling.errors import ReadError, XlingError, one_line
from xling.io import relative_id
from xling.models import Registry
from xling.report import FAILED, SKIPPED, FileReport
from xling.segment import cut_long_segments

logger = logging.getLogger(__name__)

_SKIPPED_READS = ("empty file", "blank file", "not a regular file", "too large")


@dataclass(frozen=True)
class ToTranslate:
    """A document ready for translation."""

    detected: DetectedDocument
    segments: tuple[Segment, ...]
    model: str
    translatable: tuple[Segment, ...]  # every segment with a bead: all but the skipped (and dropped boilerplate)
    skipped: tuple[dict, ...]  # segments not translated (runs of data without whitespace), with a reason
    cut: frozenset[int] = frozenset()  # indices of the pieces of "sentences" over --max-sentence-chars
    source: Path | None = None  # the input file (a translated page is written from it)

    @property
    def doc(self) -> Document:
        return self.detected.doc

    @property
    def detection(self) -> Detection:
        return self.detected.detection

    def fields(self) -> dict:
        """What every report of this document says about it, whatever happened next."""
        return dict(document_fields(self.detected), sentences=len(self.segments))


@dataclass(frozen=True)
class PassThrough:
    """A document already in the target language: its file is copied byte for byte."""

    detected: DetectedDocument
    source: Path


Prepared = ToTranslate | PassThrough | FileReport


def document_fields(detected: DetectedDocument) -> dict:
    doc = detected.doc
    return dict(encoding=doc.encoding, language=doc.language, confidence=doc.confidence,
                paragraphs=len(detected.blocks), mixed=detected.detection.other_languages(),
                boilerplate=detected.boilerplate(), unread=doc.unread)


class Preparer:
    """Turns input files into ``Prepared`` items; one language detector, loaded on first use."""

    def __init__(self, input_dir: Path, registry: Registry, max_file_bytes: int, max_sentence_chars: int,
                 boilerplate: str = "mark") -> None:
        self.input, self.registry = input_dir, registry
        self.max_file_bytes, self.max_sentence_chars = max_file_bytes, max_sentence_chars
        self.boilerplate = boilerplate  # mark, translate or drop (xling.boilerplate.MODES)
        self.recurring: frozenset[str] = frozenset()  # paragraphs that recur across the run's documents
        self._detector: LanguageDetector | None = None

    @property
    def detector(self) -> LanguageDetector:
        if self._detector is None:
            self._detector = LanguageDetector(self.registry.detection_languages)
        return self._detector

    def prepare(self, path: Path) -> Prepared:
        """Never raises: one broken document must not end the run."""
        doc_id = relative_id(self.input, path)
        try:
            return self._prepare(doc_id, path)
        except Exception as exc:
            log_failure(doc_id, exc)
            return FileReport(doc_id, FAILED, reason=one_line(exc))

    def _prepare(self, doc_id: str, path: Path) -> Prepared:
        try:
            detected = read_detected(self.input, path, self.detector, self.max_file_bytes, self.max_sentence_chars,
                                     self.recurring)
        except ReadError as exc:
            return FileReport(doc_id, SKIPPED if exc.reason in _SKIPPED_READS else FAILED, reason=str(exc))
        language = detected.language
        if language is None:
            return self._undetected(doc_id, path, detected)
        if language == self.registry.target:
            return PassThrough(detected, path)
        model = self.registry.route(language)
        if model is None:
            return FileReport(doc_id, SKIPPED, reason=f"no model for language {language!r} "
                              "(the registry's fallback policy is 'skip')", **document_fields(detected))
        try:
            segments = segment(detected)
        except XlingError as exc:
            return FileReport(doc_id, FAILED, reason=f"segmentation failed: {exc}", **document_fields(detected))
        segments, cut, skipped = cut_long_segments(segments, self.max_sentence_chars)
        untranslatable = {entry["index"] for entry in skipped}
        if self.boilerplate == "drop":  # counted in the manifest, in no output
            untranslatable |= {s.index for s in segments if s.boilerplate}
        translatable = tuple(s for s in segments if s.index not in untranslatable)
        return ToTranslate(detected, tuple(segments), model, translatable, tuple(skipped), frozenset(cut), path)

    def _undetected(self, doc_id: str, path: Path, detected: DetectedDocument) -> Prepared:
        """No language: numbers and signs without letters need no translation and are copied as they are;
        letters in no language lingua can tell ("ok") are a failure the exit code reports, never a silent
        skip. Only a file without letters or digits (emoji, punctuation) is skipped."""
        text = detected.doc.text
        letters = sum(c.isalpha() for c in text)
        if letters:
            return FileReport(doc_id, FAILED, reason=f"language not detected: {letters} letter(s) are too few or "
                              "too mixed to tell the language; nothing was translated", **document_fields(detected))
        if any(c.isdigit() for c in text):
            return PassThrough(detected, path)
        return FileReport(doc_id, SKIPPED, reason="no letters or digits: nothing to translate",
                          **document_fields(detected))


def log_failure(what: str, exc: BaseException) -> None:
    """One line by default; the traceback with -v."""
    logger.error("%s failed: %s", what, one_line(exc))
    logger.info("traceback of the failure in %s", what, exc_info=exc)
