"""Banded dynamic programming over sentence beads (1-0, 0-1 and every x-y up to 4-1, 1-4, 3-2, 2-3), compiled.

The DP maximises the sum of bead gains along a monotone path from (0, 0) to
(n, m) in prefix coordinates, over each row's band only. A row-by-row DP is
sequential by nature, and a Python or numpy loop over 10⁵ rows costs minutes
where compiled code takes seconds: the kernel is C (``_kernel.c``, built when
xling is installed) or, where no C compiler was found, the same functions
compiled by numba (``dp_numba.py``; about a second of start-up per process).
Memory is one back-pointer byte per band cell plus five rolling rows of scores.

Similarities come from 1-1 dot products between sentence vectors in the band,
kept as prefix sums per source sentence, for one or more *components* (the
forward bridge against the target, the source against a reverse bridge). A
merged side's vector is the sum of its sentences' vectors, so the similarity
of any bead is exact and O(bead size).

Two ways to score a bead:

- ``relative`` (with a bridge): the Dice similarity of the two sides'
  vectors, averaged over components, is rescaled per document so that the
  median of all sentence pairs maps to 0 and the median of each sentence's
  best match maps to 1 (vecalign's observation that similarities are only
  comparable relative to a sentence's non-matches; Thompson & Koehn 2019).
  A bead loses what its sides share with the next and previous sentences
  beyond ``threshold`` (a margin in the sense of Artetxe & Schwenk 2019: a
  pair whose neighbours fit as well is not a confident pair, and a bead that
  leaves a matching sentence outside it is the wrong size), and its gain is
  weighted by Bertalign's length factor log2(1 + short/long) (Liu & Zhu 2022).
  A null bead costs a constant on that same document-relative scale.
- ``absolute`` (no bridge, names and numbers only): each sentence of a bead
  earns its own cosine with the other side, plus a Gale-Church length term
  and per-type penalties; null beads have a fixed score.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from types import ModuleType

import numpy as np

NEG = -1e18
MAX_SIDE = 4
# (source sentences, target sentences) per bead type; the index is the back-pointer code.
BEAD_TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3), (3, 2), (2, 3), (4, 1), (1, 4))
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

    prefix: np.ndarray  # (K, n, gwidth + 1): prefix[k, s, c] = sum of dots of source s with targets glo[s]..glo[s]+c-1
    glo: np.ndarray  # (n,) first target column kept for each source row
    ghi: np.ndarray  # (n,) one past the last
    left_norm: np.ndarray  # (K, MAX_SIDE + 1, n + 1): squared norm of the sum of source rows p-c..p-1
    right_norm: np.ndarray  # (K, MAX_SIDE + 1, m + 1)
    left_cum: np.ndarray  # (n + 1,) cumulative (expected) lengths in characters
    right_cum: np.ndarray  # (m + 1,)


@dataclass(frozen=True)
class Scoring:
    """How the kernel turns similarities into gains (see the module docstring); one flat record for numba."""

    relative: bool
    null: float  # gain of a 1-0 or 0-1 bead
    penalty: np.ndarray  # per BEAD_TYPES entry; +inf disables a type
    mu: float = 0.0  # relative: a document's typical similarity of unrelated sentences
    scale: float = 1.0  # relative: its typical similarity of a sentence with its best match
    threshold: float = 0.5  # relative: neighbour similarity (rescaled) that starts to cost
    neighbour_weight: float = 1.0
    length_exponent: float = 1.5
    length_weight: float = 0.0  # absolute: weight of the Gale-Church log-probability, per sentence
    variance: float = 6.8  # absolute: Gale-Church's s² for character counts


def kernel() -> str:
    """Which kernel aligns: ``"c"`` where ``_kernel.c`` was built, else ``"numba"``. ``XLING_KERNEL=numba``
    chooses numba's (to compare the two)."""
    return "c" if _compiled() is not None else "numba"


def _kernel() -> ModuleType:
    """The C module or, failing it, dp_numba: both have ``fill``, ``gain``, ``similarities`` and
    ``csr_row_dots`` with the same arguments."""
    compiled = _compiled()
    if compiled is not None:
        return compiled
    from xling.align import dp_numba

    return dp_numba


def _compiled() -> ModuleType | None:
    """The built C kernel, unless ``XLING_KERNEL=numba`` (read at every call, so a test can switch)."""
    return None if os.environ.get("XLING_KERNEL", "").lower() == "numba" else _built()


@functools.cache
def _built() -> ModuleType | None:
    try:
        from xling.align import _kernel
    except ImportError:
        return None
    return _kernel


def _args(tables: Tables) -> tuple:
    """The tables as the kernel takes them: C-contiguous float64 and int64 arrays, with their shapes."""
    f64 = [np.ascontiguousarray(a, dtype=np.float64) for a in
           (tables.prefix, tables.left_norm, tables.right_norm, tables.left_cum, tables.right_cum)]
    prefix, left_norm, right_norm, left_cum, right_cum = f64
    return (prefix, *prefix.shape, np.ascontiguousarray(tables.glo, dtype=np.int64), left_norm, left_norm.shape[2],
            right_norm, right_norm.shape[2], left_cum, right_cum)


def _scoring(s: Scoring) -> tuple:
    return (bool(s.relative), float(s.null), float(s.mu), float(s.scale), float(s.threshold),
            float(s.neighbour_weight), float(s.length_exponent), float(s.length_weight), float(s.variance))


def _floats(out) -> np.ndarray:
    """A kernel's float64 result (bytes from C, an array from numba) as a writable array."""
    return np.frombuffer(out, dtype=np.float64).copy()


def csr_row_dots(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, d: int) -> np.ndarray:
    """Dot product of each CSR row r with row r + d (sorted index lists)."""
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    return _floats(_kernel().csr_row_dots(indptr, np.ascontiguousarray(indices, dtype=np.int64),
                                          np.ascontiguousarray(data, dtype=np.float64), len(indptr) - 1,
                                          int(indptr[-1]), d))


def bead_similarities(spans: list[tuple[int, int, int, int]], tables: Tables, scoring: Scoring) -> np.ndarray:
    """Each bead's similarity (Dice averaged over components when relative, else cosine); 0 for null beads."""
    array = np.array(spans, dtype=np.int64).reshape(-1, 4)
    return _floats(_kernel().similarities(array, bool(scoring.relative), _args(tables)))


def bead_gain(tables: Tables, scoring: Scoring, i: int, j: int, x: int, y: int) -> float:
    """The gain the DP gives bead (i-x..i, j-y..j), as a plain call (for checks and diagnostics)."""
    if x == 0 or y == 0:
        return scoring.null
    gain = _kernel().gain(i, j, x, y, _scoring(scoring), _args(tables))
    return float(gain - scoring.penalty[BEAD_TYPES.index((x, y))])


def run(n: int, m: int, band: Band, tables: Tables, scoring: Scoring) -> list[tuple[int, int, int, int]]:
    """The best path as beads ``(i0, i1, j0, j1)``: source sentences i0..i1-1 ↔ target j0..j1-1."""
    lo, hi = np.ascontiguousarray(band.lo, dtype=np.int64), np.ascontiguousarray(band.hi, dtype=np.int64)
    out = _kernel().fill(n, band.width, lo, hi, _TYPES, np.ascontiguousarray(scoring.penalty, dtype=np.float64),
                         _scoring(scoring), _args(tables))
    return _trace(n, m, band, np.frombuffer(out, dtype=np.int8).reshape(n + 1, band.width))


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
