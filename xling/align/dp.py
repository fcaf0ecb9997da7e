"""Banded dynamic programming over sentence beads (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1).

The DP maximises the sum of bead scores along a monotone path from (0, 0) to
(n, m) in prefix coordinates. Rows are filled with numpy, one row at a time,
over the row's band only; the 0-1 move (a target sentence with no source),
which chains along a row, is folded in with a running maximum. Memory is
rows × band width.

The score of a bead is computed from the 1-1 dot products between source
(or bridge) vectors and target vectors in the band, which is exact for cosine
similarity of summed vectors: a merged side's vector is the sum of its
sentences' vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NEG = -1e18
# (source sentences, target sentences) per bead type; the order is the back-pointer code.
BEAD_TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3))


@dataclass(frozen=True)
class Band:
    """For each prefix row i (0..n): the allowed prefix columns lo[i]..hi[i], inclusive, non-decreasing."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def full(n: int, m: int) -> Band:
        return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @property
    def width(self) -> int:
        return int((self.hi - self.lo).max()) + 1


@dataclass(frozen=True)
class Scorer:
    """Bead scores for one document pair: ``similarity(i, js, a, b)`` and the constant for null beads."""

    similarity: Callable[[int, np.ndarray, int, int], np.ndarray]
    penalty: dict[tuple[int, int], float]
    null: float


def run(n: int, m: int, band: Band, scorer: Scorer) -> list[tuple[int, int, int, int]]:
    """The best path as beads ``(i0, i1, j0, j1)``: source sentences i0..i1-1 ↔ target j0..j1-1."""
    width = band.width
    score = np.full((n + 1, width), NEG)
    back = np.full((n + 1, width), -1, dtype=np.int8)
    for i in range(n + 1):
        lo, hi = int(band.lo[i]), int(band.hi[i])
        js = np.arange(lo, hi + 1)
        best = np.full(len(js), NEG)
        code = np.full(len(js), -1, dtype=np.int8)
        if i == 0 and lo == 0:
            best[0] = 0.0
        for t, (a, b) in enumerate(BEAD_TYPES):
            if a == 0 or i - a < 0:
                continue
            prev = i - a
            k = js - b - band.lo[prev]
            ok = (k >= 0) & (k <= band.hi[prev] - band.lo[prev]) & (js - b >= 0)
            if not ok.any():
                continue
            cand = np.full(len(js), NEG)
            base = score[prev, k[ok]]
            gain = scorer.null if b == 0 else scorer.similarity(i, js[ok], a, b) - scorer.penalty[(a, b)]
            cand[ok] = base + gain
            better = cand > best
            best[better] = cand[better]
            code[better] = t
        # 0-1 moves: best[j] = max(best[j], best[j-1] + null), a running maximum along the row.
        steps = np.arange(len(js)) * scorer.null
        chained = np.maximum.accumulate(best - steps) + steps
        insert = chained > best + 1e-12
        best[insert] = chained[insert]
        code[insert] = BEAD_TYPES.index((0, 1))
        score[i, :len(js)] = best
        back[i, :len(js)] = code
    return _trace(n, m, band, back)


def _trace(n: int, m: int, band: Band, back: np.ndarray) -> list[tuple[int, int, int, int]]:
    if not band.lo[n] <= m <= band.hi[n]:
        raise ValueError("the band does not reach the end of both documents")
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        code = int(back[i, j - band.lo[i]])
        if code < 0:
            raise ValueError(f"no path reaches ({i}, {j}) inside the band")
        a, b = BEAD_TYPES[code]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads
