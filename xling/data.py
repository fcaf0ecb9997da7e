"""The data that flows between xling's stages: plain, immutable dataclasses.

Offsets are the contract: for every ``Segment`` of a ``Document``,
``document.text[segment.start:segment.end] == segment.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded input file. ``text`` has newlines normalised to ``\\n``; offsets index into it."""

    id: str  # path relative to the input root, with forward slashes
    text: str
    encoding: str
    language: str | None = None
    confidence: float = 0.0
    blocks: tuple[Block, ...] = ()  # paragraph-level units a structured reader found (plain text: none)
    format: str = "text"  # which reader read it: text, html
    unread: tuple[str, ...] = ()  # parts with text the reader does not read (a Word file's headers, …)


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence of a document, with its exact character span."""

    doc_id: str
    paragraph: int
    index: int  # sentence index within the document, 0-based
    start: int
    end: int
    text: str
    language: str | None = None  # the paragraph's language where it differs from the document's
    boilerplate: str = ""  # why the paragraph is boilerplate ("" for article text); see xling.boilerplate


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph-level unit of a document: where it is in ``Document.text``, what it is, and
    whether it is boilerplate (with the reason)."""

    start: int
    end: int
    kind: str = "paragraph"  # title, heading, paragraph, item, cell, caption, quote, cue
    place: str = ""  # where it came from in the source file (an element path, a line, a cue)
    boilerplate: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of text (a line, or a blank-line block when the text is hard-wrapped)."""

    index: int
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]  # (start, end) spans into the document text


@dataclass(frozen=True, slots=True)
class Translation:
    """The translation of one source string.

    ``score`` is the mean log-probability per output token (0 is certain, more
    negative is less sure); ``flags`` name anything a reader should know
    (``split``: the input exceeded the model limit and was translated in pieces).
    """

    source: str
    text: str
    model: str
    score: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bead:
    """An aligned unit: source sentence ids ↔ target sentence ids (0..n each side)."""

    source_ids: tuple[int, ...]
    target_ids: tuple[int, ...]
    source_text: str
    target_text: str
    source_spans: tuple[tuple[int, int], ...] = ()
    score: float = 0.0
    flags: tuple[str, ...] = field(default=())
    paragraph: int | None = None  # source paragraph of the first source sentence, for views


@dataclass(frozen=True, slots=True)
class Record:
    """One bead of one document: the unit every corpus format writes and reads."""

    doc: str
    index: int
    bead: Bead


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What a corpus file says about itself: language pair and provenance."""

    source_lang: str
    target_lang: str
    signature: str = ""
