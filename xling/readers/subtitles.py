"""Subtitles (``.srt`` with srt, ``.vtt`` with webvtt-py): cues grouped into sentences, translated whole,
spread back over the same cues with the same timings.

A sentence often runs over two or three cues; translated cue by cue, each piece would be a
fragment the model guesses at. So consecutive cues are one block until a cue ends a sentence
(``.``, ``!``, ``?``, ``…``, a closing quote after them); the block is segmented and translated
like a paragraph, and its translation is cut back into as many pieces as it had cues, each in
proportion to the length of the cue's original text, at word boundaries. A block's ``place`` is
``cues 3-5`` (1-based, as SRT numbers them). Italics and other cue formatting are not sent to the
model and not carried into the translation.
"""

from __future__ import annotations

import io
import re

from xling.data import Block, Document

SUFFIXES = (".srt", ".vtt")
_SENTENCE_END = re.compile(r"[.!?…][\"'”»)\]]*$")


def _parse(text: str, kind: str):
    """(the parsed file, its cues): srt's list of subtitles, or webvtt-py's ``WebVTT`` and its captions."""
    if kind == ".srt":
        import srt

        cues = list(srt.parse(text))
        return cues, cues
    import webvtt

    parsed = webvtt.from_buffer(io.StringIO(text))
    return parsed, parsed.captions


# Formatting inside SRT cues: HTML-like tags (<i>, <b>, <u>, <font color=…>) and ASS override codes
# ({\an8}, {\i1}). They are not words: sent to the model they come back mangled, and a tag closing a
# cue hides the "?" before it from the sentence-end test. webvtt-py's text has them out already.
_SRT_MARKUP = re.compile(r"</?(?:i|b|u|s|font)\b[^>]*>|\{\\[^}]*\}", re.IGNORECASE)


def _text(cue, kind: str) -> str:
    """A cue's text on one line, without its formatting (which a translated cue does not keep)."""
    text = _SRT_MARKUP.sub("", cue.content) if kind == ".srt" else cue.text
    return " ".join(text.split())


def read_subtitles(text: str, doc_id: str, encoding: str, kind: str) -> Document:
    """The cues as blocks of whole sentences (``kind``: ``.srt`` or ``.vtt``)."""
    cues = [_text(cue, kind) for cue in _parse(text, kind)[1]]
    pieces, blocks, position, first = [], [], 0, 0
    for number, cue in enumerate(cues):
        if number == len(cues) - 1 or _SENTENCE_END.search(cue):
            group = " ".join(c for c in cues[first:number + 1] if c)
            if group:
                blocks.append(Block(position, position + len(group), "cue", f"cues {first + 1}-{number + 1}"))
                pieces.append(group)
                position += len(group) + 2
            first = number + 1
    return Document(doc_id, "\n\n".join(pieces), encoding, blocks=tuple(blocks), format=kind.lstrip("."))


def spread(translation: str, lengths: list[int]) -> list[str]:
    """``translation`` cut at word boundaries into ``len(lengths)`` pieces, each about as long, relative to
    the whole, as the original cue was (a word goes to the cue its middle falls in); every cue gets a
    word while there are enough, and ``" ".join`` of the pieces gives the translation back."""
    words, n = translation.split(), len(lengths)
    total = sum(lengths) or 1
    width = sum(len(w) for w in words) + len(words) - 1
    limits, cumulative = [], 0
    for length in lengths:
        cumulative += length
        limits.append(width * cumulative / total)
    cuts, position, cue = [0] * n, 0.0, 0  # cuts[k]: words before the end of cue k
    for i, word in enumerate(words):
        middle = position + len(word) / 2
        while cue < n - 1 and middle > limits[cue]:
            cue += 1
        cuts[cue] = i + 1
        position += len(word) + 1
    for k in range(n):  # monotone, and one word a cue while there are words enough
        low = cuts[k - 1] + 1 if k else 1
        high = len(words) - (n - 1 - k)
        cuts[k] = len(words) if k == n - 1 else min(max(cuts[k], low), high) if high >= low else max(
            cuts[k], cuts[k - 1] if k else 0)
    starts = [0, *cuts[:-1]]
    return [" ".join(words[start:end]) for start, end in zip(starts, cuts, strict=True)]


def translated_subtitles(text: str, kind: str, document: Document, translations: dict[int, str]) -> str:
    """The subtitles with each translated block's text spread over its cues; timings, numbers and cue
    settings as they were; cues of untranslated blocks unchanged."""
    parsed, cues = _parse(text, kind)
    for index, translation in translations.items():
        first, last = (int(n) for n in document.blocks[index].place.removeprefix("cues ").split("-"))
        group = cues[first - 1:last]
        for cue, piece in zip(group, spread(translation, [len(_text(c, kind)) for c in group]), strict=True):
            if kind == ".srt":
                cue.content = piece
            else:
                cue.text = piece
    if kind == ".srt":
        import srt

        return srt.compose(cues, reindex=False)
    return parsed.content
