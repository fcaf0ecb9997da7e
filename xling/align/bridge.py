"""Align an original with an existing translation, using machine translation as a bridge.

Bleualign's idea with a different similarity: translate the source (the
bridge), compare bridge and target in the target language, and find the best
monotone path of beads by dynamic programming. Similarity is the cosine of
TF-IDF weighted character n-gram vectors, robust to the inflection and word
order noise of MT; a Gale-Church length term and per-type penalties complete
the bead score, and null beads (omissions, insertions) have a fixed score.

Without a bridge, the source itself is compared with the target: character
n-grams then match the names, numbers and punctuation that both sides share,
and the length term carries more weight.

Long documents are aligned coarse to fine: blocks of sentences are aligned
first, and the sentence-level DP runs in a band around that path, so time and
memory grow linearly with the length.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from xling.align.dp import Band, Tables, bead_cosines, csr_row_dots, run
from xling.align.features import anchor_matrix, count_matrix, tfidf
from xling.data import Bead

logger = logging.getLogger(__name__)

LOW_CONFIDENCE = "low_confidence"
UNALIGNED = "unaligned"


@dataclass(frozen=True)
class AlignParams:
    """The aligner's knobs. ``BRIDGED`` and ``UNBRIDGED`` hold the values chosen on the dev sets
    (grid search on synth-plen-flores, checked on synth-plen-newstest2020; scripts/eval_align.py)."""

    null: float  # score of a 1-0 or 0-1 bead
    merge: float  # penalty of a 2-1 or 1-2 bead
    merge22: float  # penalty of a 2-2 bead
    merge3: float  # penalty of a 3-1 or 1-3 bead
    length_weight: float  # weight of the Gale-Church length log-probability, per sentence
    variance: float = 6.8  # Gale-Church's s² for character counts
    low_confidence: float = 0.15  # beads whose cosine is below this are flagged
    full_cells: int = 1_500_000  # a document pair smaller than this is aligned without a band
    block: int = 10  # coarse-to-fine: sentences per block at each coarser level
    margin: int = 3  # band half-width around the coarse path, in blocks
    coarse_dim: int = 256  # coarse levels use dense projections of this size

    @property
    def penalty(self) -> dict[tuple[int, int], float]:
        return {(1, 1): 0.0, (2, 1): self.merge, (1, 2): self.merge, (2, 2): self.merge22,
                (3, 1): self.merge3, (1, 3): self.merge3}


# With a bridge, cosines of true pairs are high (≈ .57 on the dev sets) and the length term is a tie-breaker.
BRIDGED = AlignParams(null=0.05, merge=0.15, merge22=0.3, merge3=0.2, length_weight=0.02)
# Without one, only shared names, numbers and symbols are compared; length matters more and
# null beads must be rarer, or every weakly anchored pair would become two nulls.
UNBRIDGED = AlignParams(null=-0.2, merge=0.05, merge22=0.3, merge3=0.2, length_weight=0.05, low_confidence=0.05)


def align_sentences(source: Sequence[str], target: Sequence[str], bridge: Sequence[str] | None = None,
                    params: AlignParams | None = None) -> list[Bead]:
    """Beads covering every source and target sentence exactly once, in order.

    ``bridge``: one machine translation (into the target language) per source
    sentence, or ``None`` to align on lengths and shared names and numbers.
    """
    params = params or (BRIDGED if bridge is not None else UNBRIDGED)
    if bridge is not None and len(bridge) != len(source):
        raise ValueError(f"{len(source)} source sentences but {len(bridge)} bridge translations")
    left = bridge if bridge is not None else source
    if bridge is not None:
        a, b = tfidf(count_matrix(left), count_matrix(target))
    else:
        a, b = tfidf(anchor_matrix(left), anchor_matrix(target))
    left_len = np.array([len(t) for t in left], dtype=np.float64)
    right_len = np.array([len(t) for t in target], dtype=np.float64)
    if bridge is None and left_len.sum() > 0:
        left_len *= right_len.sum() / left_len.sum()  # expected target length per source character
    spans, tables = _align(a, b, left_len, right_len, params, params.length_weight)
    cosines = bead_cosines(np.array(spans, dtype=np.int64).reshape(-1, 4), tables.prefix, tables.glo,
                           tables.left_norm, tables.right_norm)
    return [_bead(span, source, target, round(float(c), 4), params) for span, c in zip(spans, cosines, strict=True)]


def _align(a, b, left_len, right_len, params: AlignParams, weight: float):
    n, m = a.shape[0], b.shape[0]
    if (n + 1) * (m + 1) <= params.full_cells or min(n, m) < 2 * params.block:
        band = Band.full(n, m)
    else:
        band = _coarse_band(a, b, left_len, right_len, params, weight)
    tables = _tables(a, b, left_len, right_len, band)
    return run(n, m, band, tables, params.penalty, params.null, weight, params.variance), tables


def _coarse_band(a, b, left_len, right_len, params: AlignParams, weight: float) -> Band:
    """Align blocks of ``params.block`` sentences, then widen that path into a sentence-level band.

    The coarse levels only need the path's shape, so they work on dense projections of the
    vectors (signed feature hashing to ``coarse_dim`` dimensions): sums of ten sparse rows
    would be nearly dense and make every sparse product slow.
    """
    k = params.block
    n, m = a.shape[0], b.shape[0]
    sa, sb = _block_sum(_dense(a, params.coarse_dim), k), _block_sum(_dense(b, params.coarse_dim), k)
    la, lb = np.add.reduceat(left_len, np.arange(0, n, k)), np.add.reduceat(right_len, np.arange(0, m, k))
    coarse, _ = _align(sa, sb, la, lb, params, weight)
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for i0, i1, j0, j1 in coarse:
        rows = slice(min(i0 * k, n), min(i1 * k, n) + 1)
        lo[rows] = np.minimum(lo[rows], min(j0 * k, m))
        hi[rows] = np.maximum(hi[rows], min(j1 * k, m))
    pad = params.margin * k
    lo = np.maximum(np.minimum.accumulate(lo[::-1])[::-1] - pad, 0)
    hi = np.minimum(np.maximum.accumulate(hi) + pad, m)
    # widen along rows too: a row may use any column its neighbours within ``pad`` rows use
    lo = _sliding(lo, pad, np.minimum)
    hi = _sliding(hi, pad, np.maximum)
    lo[0], hi[n] = 0, m
    return Band(lo, np.maximum(hi, lo))


def _dense(matrix, dim: int) -> np.ndarray:
    """Signed feature hashing of sparse rows into ``dim`` dense columns (dot products are kept in expectation)."""
    if isinstance(matrix, np.ndarray):
        return matrix
    rows = matrix.shape[0]
    owner = np.repeat(np.arange(rows), np.diff(matrix.indptr))
    column = matrix.indices % dim
    sign = 1.0 - 2.0 * ((matrix.indices // dim) & 1)
    flat = np.bincount(owner * dim + column, weights=sign * matrix.data, minlength=rows * dim)
    return flat.reshape(rows, dim)


def _sliding(values: np.ndarray, radius: int, op) -> np.ndarray:
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    f = minimum_filter1d if op is np.minimum else maximum_filter1d
    return f(values, size=2 * radius + 1, mode="nearest")


def _block_sum(matrix: np.ndarray, k: int) -> np.ndarray:
    return np.add.reduceat(matrix, np.arange(0, matrix.shape[0], k), axis=0)


def _row_dots(matrix, d: int) -> np.ndarray:
    """Dot product of each row with the row ``d`` below it (sparse rows, sorted indices)."""
    if matrix.shape[0] <= d:
        return np.zeros(0)
    matrix.sort_indices()
    return csr_row_dots(matrix.indptr, matrix.indices, matrix.data, d)


def _side_norms(matrix) -> np.ndarray:
    """``norms[c, p]``: squared norm of the sum of rows p-c..p-1 (prefix coordinates), for c = 1..3."""
    size = matrix.shape[0]
    if isinstance(matrix, np.ndarray):
        own = np.einsum("ij,ij->i", matrix, matrix)
        near = [np.einsum("ij,ij->i", matrix[:-d], matrix[d:]) for d in (1, 2)]
    else:
        owner = np.repeat(np.arange(size), np.diff(matrix.indptr))
        own = np.bincount(owner, weights=matrix.data ** 2, minlength=size)
        near = [_row_dots(matrix, d) for d in (1, 2)]
    norms = np.zeros((4, size + 1))
    norms[1, 1:] = own
    if size >= 2:
        norms[2, 2:] = own[:-1] + own[1:] + 2 * near[0]
    if size >= 3:
        norms[3, 3:] = own[:-2] + own[1:-1] + own[2:] + 2 * (near[0][:-1] + near[0][1:] + near[1])
    return norms


def _tables(a, b, left_len, right_len, band: Band) -> Tables:
    """Band-limited dot products (as prefix sums per source sentence), side norms, cumulative lengths."""
    n = a.shape[0]
    glo = np.maximum(band.lo[1:] - 3, 0)
    ghi = band.hi[np.minimum(np.arange(n) + 3, n)]
    gwidth = int((ghi - glo).max()) + 1 if n else 1
    prefix = np.zeros((n, gwidth + 1), dtype=np.float64)
    dense = isinstance(a, np.ndarray)
    bt = b.T if dense else b.T.tocsc()
    for s0 in range(0, n, 256):
        s1 = min(n, s0 + 256)
        t0, t1 = int(glo[s0:s1].min()), int(ghi[s0:s1].max())
        block = a[s0:s1] @ bt[:, t0:t1] if dense else (a[s0:s1] @ bt[:, t0:t1]).toarray()
        for s in range(s0, s1):
            row = block[s - s0, glo[s] - t0:ghi[s] - t0]
            np.cumsum(row, out=prefix[s, 1:len(row) + 1])
            prefix[s, len(row) + 1:] = prefix[s, len(row)]
    return Tables(prefix, glo, _side_norms(a), _side_norms(b),
                  np.concatenate([[0.0], np.cumsum(left_len)]), np.concatenate([[0.0], np.cumsum(right_len)]))


def _bead(span: tuple[int, int, int, int], source, target, score: float, params: AlignParams) -> Bead:
    i0, i1, j0, j1 = span
    src_ids, tgt_ids = tuple(range(i0, i1)), tuple(range(j0, j1))
    src_text, tgt_text = " ".join(source[i0:i1]), " ".join(target[j0:j1])
    if not src_ids or not tgt_ids:
        return Bead(src_ids, tgt_ids, src_text, tgt_text, score=0.0, flags=(UNALIGNED,))
    flags = (LOW_CONFIDENCE,) if score < params.low_confidence else ()
    return Bead(src_ids, tgt_ids, src_text, tgt_text, score=score, flags=flags)

