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

from xling.boilerplate import mark, recurring_keys
from xling.data import Block, Document, Segment
from xling.detect import Detection, LanguageDetector
from xling.errors import ReadError
from xling.io import read_document
from xling.readers import format_of, read
from xling.segment import Segmenter, paragraphs_spans, without_data_runs

# A document's language is judged on at most this many characters: all of any ordinary document,
# and evenly spaced stretches of a long one (judging 20 MB at once took lingua gigabytes of memory).
DETECT_CHARS = 200_000
_STRETCHES = 16

# Runs of more characters than this without whitespace are data (base64, minified code), not text:
# left out of language detection, and not translated (``--max-sentence-chars``).
DATA_RUN_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class DetectedDocument:
    """A document with its language (on ``doc``), its paragraphs and each paragraph's language."""

    doc: Document
    detection: Detection
    blocks: tuple[Block, ...]  # every paragraph of ``doc.text``, with its boilerplate mark

    @property
    def language(self) -> str | None:
        return self.doc.language

    @property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        return tuple((b.start, b.end) for b in self.blocks)

    def boilerplate(self) -> dict[str, int]:
        """Boilerplate paragraphs per reason."""
        counts: dict[str, int] = {}
        for block in self.blocks:
            if block.boilerplate:
                counts[block.boilerplate] = counts.get(block.boilerplate, 0) + 1
        return dict(sorted(counts.items()))


def blocks_of(doc: Document, recurring: frozenset[str] = frozenset()) -> tuple[Block, ...]:
    """The blocks a reader found, or the paragraphs of plain text with their boilerplate marks
    (``recurring``: keys of paragraphs that stand in several documents of the run)."""
    if doc.blocks:
        return doc.blocks
    spans = paragraphs_spans(doc.text)
    reasons = mark([doc.text[s:e] for s, e in spans], recurring)
    return tuple(Block(s, e, boilerplate=r) for (s, e), r in zip(spans, reasons, strict=True))


def detect_document(doc: Document, detector: LanguageDetector, data_run_chars: int = DATA_RUN_CHARS,
                    recurring: frozenset[str] = frozenset()) -> DetectedDocument:
    """The language of ``doc`` and of each paragraph; runs of data say nothing of the language,
    so they are blanked first (a megabyte of base64 would outweigh the sentences around it)."""
    blocks = blocks_of(doc, recurring)
    spans = [(b.start, b.end) for b in blocks]
    detection = detector.detect_document(without_data_runs(_sample(doc.text), data_run_chars),
                                         [without_data_runs(doc.text[s:e], data_run_chars) for s, e in spans])
    doc = replace(doc, language=detection.language, confidence=detection.confidence)
    return DetectedDocument(doc, detection, blocks)


def _sample(text: str) -> str:
    """``text`` if it is short enough to judge whole; else evenly spaced stretches of it, cut at spaces."""
    if len(text) <= DETECT_CHARS:
        return text
    size, step = DETECT_CHARS // _STRETCHES, len(text) // _STRETCHES
    stretches = []
    for k in range(_STRETCHES):
        start = text.find(" ", k * step) + 1
        stretches.append(text[start:start + size].rsplit(" ", 1)[0])
    return "\n".join(stretches)


def read_detected(root: Path, path: Path, detector: LanguageDetector, max_bytes: int | None = None,
                  data_run_chars: int = DATA_RUN_CHARS, recurring: frozenset[str] = frozenset()) -> DetectedDocument:
    """Read, decode and detect one file. Raises ``ReadError`` with a reason for the manifest."""
    return detect_document(read(root, path, max_bytes), detector, data_run_chars, recurring)


def recurring_paragraphs(paths: Sequence[Path], max_bytes: int | None = None) -> frozenset[str]:
    """Keys of the paragraphs that stand in two or more of the files ``paths`` (a site's donation
    appeal under every article): boilerplate of the run, found before any document is judged."""

    def paragraphs(path: Path) -> list[str]:
        try:
            text = read_document(path.parent, path, max_bytes).text
        except ReadError:
            return []
        return [text[s:e] for s, e in paragraphs_spans(text)]

    return recurring_keys(paragraphs(p) for p in paths if format_of(p) == "text")  # pages: the extractors


def segment_paragraphs(doc: Document, blocks: Sequence[Block], paragraph_langs: Sequence[str | None]
                       ) -> list[Segment]:
    """Sentences of every paragraph, each split by the rules of its paragraph's language
    (``None``: the document's)."""
    segments: list[Segment] = []
    for index, (block, lang) in enumerate(zip(blocks, paragraph_langs, strict=True)):
        splitter = Segmenter(lang or doc.language)
        for s, e in splitter.sentences(doc.text, block.start, block.end):
            segments.append(Segment(doc.id, index, len(segments), s, e, doc.text[s:e],
                                    lang if lang != doc.language else None, block.boilerplate))
    return segments


def segment(detected: DetectedDocument) -> list[Segment]:
    """The sentences of a detected document, with exact offsets into its text."""
    return segment_paragraphs(detected.doc, detected.blocks, detected.detection.paragraphs)


def text_sentences(text: str, language: str, doc_id: str = "") -> list[list[str]]:
    """The sentences of ``text`` in ``language``, grouped by paragraph: the same paragraphs and
    sentence rules as a document of that language read from a file."""
    doc = Document(doc_id, text, "", language)
    blocks = [Block(s, e) for s, e in paragraphs_spans(text)]
    grouped: list[list[str]] = [[] for _ in blocks]
    for s in segment_paragraphs(doc, blocks, [None] * len(blocks)):
        grouped[s.paragraph].append(s.text)
    return grouped
