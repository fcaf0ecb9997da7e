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
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from xling.data import Paragraph, Segment
from xling.errors import SegmentationError

SEGMENTER_NAME = "sentence-splitter+xling-prefixes"

_LINE = re.compile(r"[^\n]+")


def paragraphs_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph, trimmed of surrounding whitespace; blank ones dropped."""
    spans = []
    for block_start, block_end in _blocks(text):
        lines = [(m.start(), m.end()) for m in _LINE.finditer(text, block_start, block_end)]
        pieces = [(block_start, block_end)] if _hard_wrapped(text, lines) else lines
        for start, end in pieces:
            start, end = _trim(text, start, end)
            if start < end:
                spans.append((start, end))
    return spans


# A newline that ends a block: the next line is blank.
_BLOCK_END = re.compile(r"\n(?=[ \t]*\n)")


def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of text between newlines that end a block (what a blank line separates). Found from the
    separators, not by one pattern over each block, whose repetition cost memory in proportion to
    the block (a 4 MB text with no blank line took 450 MB)."""
    blocks, start = [], 0
    for match in _BLOCK_END.finditer(text):
        if match.start() > start:
            blocks.append((start, match.start()))
        start = match.end()
    if start < len(text):
        blocks.append((start, len(text)))
    return blocks


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


def _data_runs(limit: int) -> re.Pattern:
    """Runs of over ``limit`` characters without whitespace: data (base64, minified code), not text."""
    return re.compile(rf"\S{{{limit + 1},}}")


def without_data_runs(text: str, limit: int) -> str:
    """``text`` with its data runs blanked: what language detection should look at, since a
    megabyte of base64 would otherwise outweigh the sentences around it."""
    return _data_runs(limit).sub(" ", text)


def cut_long_segments(segments: Sequence[Segment], limit: int) -> tuple[list[Segment], set[int], list[dict]]:
    """Segments none of which is longer than ``limit`` characters, re-indexed, with nothing lost.

    A "sentence" over the limit that has words (a transcript with no punctuation) is cut
    into pieces at clause punctuation or whitespace, as the translators cut over-long
    inputs; a run of over ``limit`` characters with no whitespace at all (base64, minified
    data) becomes a segment of its own that is not translated. Returns the segments, the
    indices of the pieces that were cut, and one ``skipped`` entry per untranslatable run.
    """
    from xling.split import split_to_fit

    out: list[Segment] = []
    cut: set[int] = set()
    skipped: list[dict] = []

    def add(segment: Segment, start: int, end: int) -> Segment:
        piece = replace(segment, index=len(out), start=segment.start + start, end=segment.start + end,
                        text=segment.text[start:end])
        out.append(piece)
        return piece

    def add_text(segment: Segment, start: int, end: int) -> None:
        offset = start
        for part in split_to_fit(segment.text[start:end], len, limit):
            stripped = part.strip()
            if stripped:
                lead = offset + len(part) - len(part.lstrip())
                cut.add(add(segment, lead, lead + len(stripped)).index)
            offset += len(part)

    for segment in segments:
        if segment.end - segment.start <= limit:
            out.append(replace(segment, index=len(out)))
            continue
        position = 0
        for run in _data_runs(limit).finditer(segment.text):
            add_text(segment, position, run.start())
            piece = add(segment, run.start(), run.end())
            skipped.append({"index": piece.index, "start": piece.start, "end": piece.end,
                            "reason": f"{run.end() - run.start()} characters without whitespace (data, not "
                                      f"text) exceed --max-sentence-chars {limit}"})
            position = run.end()
        add_text(segment, position, len(segment.text))
    return out, cut, skipped
