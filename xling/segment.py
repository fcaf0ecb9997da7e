"""Segment stage: paragraphs and sentences, each with exact character offsets.

Paragraphs: blank lines always separate them. A single newline separates them
too (a heading line is its own paragraph) unless the block looks hard-wrapped,
i.e. every line but the last fills most of a fixed width.

Sentences: ``sentence-splitter`` (the Moses splitter's rules) with xling's own
extra non-breaking prefixes per language. It returns strings, not offsets, and
it only changes whitespace, so each sentence is located back in the text by
walking its non-whitespace characters.
"""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from xling.data import Paragraph
from xling.errors import SegmentationError

SEGMENTER_NAME = "sentence-splitter+xling-prefixes"

_LINE = re.compile(r"[^\n]+")


def paragraphs_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph, trimmed of surrounding whitespace; blank ones dropped."""
    spans = []
    for block in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        lines = [(m.start() + block.start(), m.end() + block.start()) for m in _LINE.finditer(block.group())]
        pieces = [(block.start(), block.end())] if _hard_wrapped(text, lines) else lines
        for start, end in pieces:
            start, end = _trim(text, start, end)
            if start < end:
                spans.append((start, end))
    return spans


def _hard_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    """A block of ≥ 3 lines, each but the last at least 60 % of a width of at most 100 characters."""
    if len(lines) < 3:
        return False
    lengths = [len(text[s:e].rstrip()) for s, e in lines]
    width = max(lengths)
    return width <= 100 and all(n >= 0.6 * width for n in lengths[:-1])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Segmenter:
    """Split a document into paragraphs of sentences for one language."""

    def __init__(self, language: str | None) -> None:
        self.language = language or "en"
        self._splitter = _splitter(self.language)

    def sentences(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Sentence spans of ``text[start:end]``, as offsets into ``text``."""
        end = len(text) if end is None else end
        chunk = text[start:end].replace("\n", " ")  # same length: offsets stay valid
        pieces = self._splitter.split(chunk)
        return [(s + start, e + start) for s, e in locate(chunk, pieces)]

    def segment(self, text: str) -> list[Paragraph]:
        return [
            Paragraph(index=i, start=s, end=e, sentences=tuple(self.sentences(text, s, e)))
            for i, (s, e) in enumerate(paragraphs_spans(text))
        ]


def locate(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Map sentence strings back onto ``text`` by their non-whitespace characters."""
    spans = []
    pos, n = 0, len(text)
    for piece in pieces:
        core = "".join(piece.split())
        if not core:
            continue
        while pos < n and text[pos].isspace():
            pos += 1
        start, k = pos, 0
        while k < len(core):
            if pos >= n:
                raise SegmentationError(f"sentence {piece[:40]!r} runs past the end of its paragraph")
            if text[pos].isspace():
                pos += 1
                continue
            if text[pos] != core[k]:
                raise SegmentationError(f"sentence {piece[:40]!r} does not match the text at offset {pos}")
            pos += 1
            k += 1
        spans.append((start, pos))
    return spans


@lru_cache(maxsize=32)
def _splitter(language: str):
    """A SentenceSplitter whose prefix list is the packaged one plus xling's additions."""
    from sentence_splitter import SentenceSplitter

    packaged = resources.files("sentence_splitter") / "non_breaking_prefixes" / f"{language}.txt"
    ours = resources.files("xling") / "resources" / "nonbreaking" / f"{language}.txt"
    parts = [p.read_text(encoding="utf-8") for p in (packaged, ours) if p.is_file()]
    code = language if re.fullmatch(r"[a-z]{2}", language) else "xx"
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp, "prefixes.txt")
        merged.write_text("\n".join(parts) + "\n", encoding="utf-8")
        return SentenceSplitter(language=code, non_breaking_prefix_file=str(merged))
