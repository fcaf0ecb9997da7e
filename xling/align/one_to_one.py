"""Beads for xling's own translations: sentence i of the source ↔ sentence i of the translation.

Translating sentence by sentence makes the alignment 1:1 by construction; the
bead still carries ids, offsets, score and flags so that every output format
(and the N:M aligner for human translations) shares one shape.
"""

from __future__ import annotations

from collections.abc import Sequence

from xling.data import Bead, Segment, Translation

EMPTY = "empty"


def beads_from_translations(segments: Sequence[Segment], translations: Sequence[Translation]) -> list[Bead]:
    """One bead per source segment, in order. Raises if the two lists differ in length."""
    if len(segments) != len(translations):
        raise ValueError(f"{len(segments)} segments but {len(translations)} translations")
    beads = []
    for seg, tr in zip(segments, translations, strict=True):
        flags = tr.flags + ((EMPTY,) if not tr.text.strip() and EMPTY not in tr.flags else ())
        beads.append(Bead(
            source_ids=(seg.index,), target_ids=(seg.index,), source_text=seg.text, target_text=tr.text,
            source_spans=((seg.start, seg.end),), score=tr.score, flags=flags, paragraph=seg.paragraph,
        ))
    return beads
