"""Banded dynamic programming over sentence beads (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1), compiled.

The DP maximises the sum of bead gains along a monotone path from (0, 0) to
(n, m) in prefix coordinates, over each row's band only. It is compiled with
numba: a row-by-row DP is sequential by nature, and a Python or numpy loop
over 10⁵ rows costs minutes where the compiled kernel takes seconds. Memory is
one back-pointer byte per band cell plus four rolling rows of scores.

A bead's gain comes from the 1-1 dot products between source (or bridge)
vectors and target vectors in the band, kept as prefix sums per source
sentence; that is exact for cosines of summed vectors, since a merged side's
vector is the sum of its sentences' vectors. Each sentence of a bead earns its
own cosine with the other side: a true merge's parts all resemble the other
side, while a sentence with no counterpart swept into a merge earns nearly
nothing, so the DP leaves it as a null bead. A Gale-Church term scores lengths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

NEG = -1e18
# (source sentences, target sentences) per bead type; the index is the back-pointer code.
BEAD_TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3))
_TYPES = np.array(BEAD_TYPES, dtype=np.int64)


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
class Tables:
    """What the kernel reads: band-limited dot-product prefix sums, side norms and cumulative lengths."""

    prefix: np.ndarray  # (n, gwidth + 1): prefix[s, k] = sum of dots of source s with targets glo[s]..glo[s]+k-1
    glo: np.ndarray  # (n,)
    left_norm: np.ndarray  # (4, n + 1): squared norm of the sum of source rows p-c..p-1, c = 0..3
    right_norm: np.ndarray  # (4, m + 1)
    left_cum: np.ndarray  # (n + 1,) cumulative (expected) lengths in characters
    right_cum: np.ndarray  # (m + 1,)


@njit(cache=True)
def _dot(prefix, glo, s, lo, hi):
    width = prefix.shape[1] - 1
    hk = min(max(hi - glo[s], 0), width)
    lk = min(max(lo - glo[s], 0), width)
    return prefix[s, hk] - prefix[s, lk]


@njit(cache=True)
def _cosine(prefix, glo, left_norm, right_norm, i, j, x, y):
    dot = 0.0
    for s in range(i - x, i):
        dot += _dot(prefix, glo, s, j - y, j)
    norm = math.sqrt(left_norm[x, i] * right_norm[y, j])
    return dot / norm if norm > 0.0 else 0.0


@njit(cache=True)
def _log_two_tail(z):
    """log P(|N(0,1)| > z), stable for large z."""
    if z < 8.0:
        return math.log(math.erfc(z / math.sqrt(2.0)))
    return -0.5 * z * z - math.log(z) - 0.5 * math.log(math.pi / 2.0)


@njit(cache=True)
def _gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y, weight, variance):
    ls = left_cum[i] - left_cum[i - x]
    lt = right_cum[j] - right_cum[j - y]
    delta = abs(lt - ls) / math.sqrt(variance * (ls + lt) / 2.0 + 1.0)
    length = (x + y) * weight * _log_two_tail(delta)
    if x == 1 and y == 1:
        return 2.0 * _cosine(prefix, glo, left_norm, right_norm, i, j, 1, 1) + length
    total = 0.0
    right = math.sqrt(right_norm[y, j])
    for s in range(i - x, i):  # each source sentence against the whole target side
        norm = math.sqrt(left_norm[1, s + 1]) * right
        if norm > 0.0:
            total += _dot(prefix, glo, s, j - y, j) / norm
    left = math.sqrt(left_norm[x, i])
    for t in range(j - y, j):  # each target sentence against the whole source side
        dot = 0.0
        for s in range(i - x, i):
            dot += _dot(prefix, glo, s, t, t + 1)
        norm = left * math.sqrt(right_norm[1, t + 1])
        if norm > 0.0:
            total += dot / norm
    return total + length


@njit(cache=True)
def _fill(n, lo, hi, width, types, penalty, null, weight, variance,
          prefix, glo, left_norm, right_norm, left_cum, right_cum):
    back = np.full((n + 1, width), -1, dtype=np.int8)
    rows = np.full((4, width), NEG)  # rolling scores of rows i, i-1, i-2, i-3
    for i in range(n + 1):
        current = rows[i % 4]
        current[:] = NEG
        for jj in range(hi[i] - lo[i] + 1):
            j = lo[i] + jj
            best = 0.0 if (i == 0 and j == 0) else NEG
            code = -1
            for t in range(types.shape[0]):
                x, y = types[t, 0], types[t, 1]
                if x == 0:  # 0-1: the previous column of this row
                    if jj == 0 or current[jj - 1] <= NEG / 2:
                        continue
                    candidate = current[jj - 1] + null
                else:
                    r = i - x
                    if r < 0 or j - y < 0:
                        continue
                    k = j - y - lo[r]
                    if k < 0 or k > hi[r] - lo[r]:
                        continue
                    previous = rows[r % 4, k]
                    if previous <= NEG / 2:
                        continue
                    if y == 0:
                        candidate = previous + null
                    else:
                        candidate = previous + _gain(prefix, glo, left_norm, right_norm, left_cum, right_cum,
                                                     i, j, x, y, weight, variance) - penalty[t]
                if candidate > best:
                    best = candidate
                    code = t
            current[jj] = best
            back[i, jj] = code
    return back


@njit(cache=True)
def csr_row_dots(indptr, indices, data, d):
    """Dot product of each CSR row r with row r + d, by merging their sorted index lists."""
    rows = len(indptr) - 1 - d
    out = np.zeros(max(rows, 0))
    for r in range(rows):
        p, p_end = indptr[r], indptr[r + 1]
        q, q_end = indptr[r + d], indptr[r + d + 1]
        total = 0.0
        while p < p_end and q < q_end:
            if indices[p] == indices[q]:
                total += data[p] * data[q]
                p += 1
                q += 1
            elif indices[p] < indices[q]:
                p += 1
            else:
                q += 1
        out[r] = total
    return out


@njit(cache=True)
def bead_cosines(spans, prefix, glo, left_norm, right_norm):
    """Cosine of each bead ``(i0, i1, j0, j1)``; 0 for null beads."""
    out = np.zeros(spans.shape[0])
    for b in range(spans.shape[0]):
        i0, i1, j0, j1 = spans[b, 0], spans[b, 1], spans[b, 2], spans[b, 3]
        if i1 > i0 and j1 > j0:
            out[b] = _cosine(prefix, glo, left_norm, right_norm, i1, j1, i1 - i0, j1 - j0)
    return out


def run(n: int, m: int, band: Band, tables: Tables, penalty: dict[tuple[int, int], float], null: float,
        weight: float, variance: float) -> list[tuple[int, int, int, int]]:
    """The best path as beads ``(i0, i1, j0, j1)``: source sentences i0..i1-1 ↔ target j0..j1-1."""
    pens = np.array([penalty.get(t, 0.0) for t in BEAD_TYPES])
    back = _fill(n, band.lo, band.hi, band.width, _TYPES, pens, null, weight, variance,
                 tables.prefix, tables.glo, tables.left_norm, tables.right_norm, tables.left_cum, tables.right_cum)
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
