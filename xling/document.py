"""One path from a file to a detected, segmented document, for every command.

``xling detect``, ``xling translate``, ``xling align`` and the Python API all read
through here, so one file gets one language, one set of paragraphs and one set of
sentences whichever of them reads it:

    read_detected(root, path, detector)  → DetectedDocument  (read, decode, detect)
    segment(detected)                     → [Segment]          (sentences by paragraph language)
    text_sentences(text, language)        → [[str]]            (a text whose language is known)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from xling.data import Document, Segment
from xling.detect import Detection, LanguageDetector
from xling.io import read_document
from xling.segment import Segmenter, paragraphs_spans, without_data_runs

# Runs of more characters than this without whitespace are data (base64, minified code), not text:
# left out of language detection, and not translated (``--max-sentence-chars``).
DATA_RUN_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class DetectedDocument:
    """A document with its language (on ``doc``), its paragraphs and each paragraph's language."""

    doc: Document
    detection: Detection
    paragraphs: tuple[tuple[int, int], ...]  # (start, end) of every paragraph in ``doc.text``

    @property
    def language(self) -> str | None:
        return self.doc.language


def detect_document(doc: Document, detector: LanguageDetector, data_run_chars: int = DATA_RUN_CHARS
                    ) -> DetectedDocument:
    """The language of ``doc`` and of each paragraph; runs of data say nothing of the language,
    so they are blanked first (a megabyte of base64 would outweigh the sentences around it)."""
    spans = paragraphs_spans(doc.text)
    detection = detector.detect_document(without_data_runs(doc.text, data_run_chars),
                                         [without_data_runs(doc.text[s:e], data_run_chars) for s, e in spans])
    doc = replace(doc, language=detection.language, confidence=detection.confidence)
    return DetectedDocument(doc, detection, tuple(spans))


def read_detected(root: Path, path: Path, detector: LanguageDetector, max_bytes: int | None = None,
                  data_run_chars: int = DATA_RUN_CHARS) -> DetectedDocument:
    """Read, decode and detect one file. Raises ``ReadError`` with a reason for the manifest."""
    return detect_document(read_document(root, path, max_bytes), detector, data_run_chars)


def segment_paragraphs(doc: Document, spans: Sequence[tuple[int, int]],
                       paragraph_langs: Sequence[str | None]) -> list[Segment]:
    """Sentences of every paragraph, each split by the rules of its paragraph's language
    (``None``: the document's)."""
    segments: list[Segment] = []
    for index, ((start, end), lang) in enumerate(zip(spans, paragraph_langs, strict=True)):
        splitter = Segmenter(lang or doc.language)
        for s, e in splitter.sentences(doc.text, start, end):
            segments.append(Segment(doc.id, index, len(segments), s, e, doc.text[s:e],
                                    lang if lang != doc.language else None))
    return segments


def segment(detected: DetectedDocument) -> list[Segment]:
    """The sentences of a detected document, with exact offsets into its text."""
    return segment_paragraphs(detected.doc, detected.paragraphs, detected.detection.paragraphs)


def text_sentences(text: str, language: str, doc_id: str = "") -> list[list[str]]:
    """The sentences of ``text`` in ``language``, grouped by paragraph: the same paragraphs and
    sentence rules as a document of that language read from a file."""
    doc = Document(doc_id, text, "", language)
    spans = paragraphs_spans(text)
    grouped: list[list[str]] = [[] for _ in spans]
    for s in segment_paragraphs(doc, spans, [None] * len(spans)):
        grouped[s.paragraph].append(s.text)
    return grouped
