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

from xling.align.dp import BEAD_TYPES, Band, Scorer, run
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
    margin: int = 6  # band half-width around the coarse path, in blocks

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
    spans, similarity = _align(a, b, left_len, right_len, params, params.length_weight)
    return [_bead(span, source, target, similarity, params) for span in spans]


def _align(a, b, left_len, right_len, params: AlignParams, weight: float):
    n, m = a.shape[0], b.shape[0]
    if (n + 1) * (m + 1) <= params.full_cells or min(n, m) < 2 * params.block:
        band = Band.full(n, m)
    else:
        band = _coarse_band(a, b, left_len, right_len, params, weight)
    similarity = _Similarity(a, b, left_len, right_len, band, params, weight)
    return run(n, m, band, Scorer(similarity.gain, params.penalty, params.null)), similarity


def _coarse_band(a, b, left_len, right_len, params: AlignParams, weight: float) -> Band:
    """Align blocks of ``params.block`` sentences, then widen that path into a sentence-level band."""
    k = params.block
    n, m = a.shape[0], b.shape[0]
    sa, sb = _block_sum(a, k), _block_sum(b, k)
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


def _sliding(values: np.ndarray, radius: int, op) -> np.ndarray:
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    f = minimum_filter1d if op is np.minimum else maximum_filter1d
    return f(values, size=2 * radius + 1, mode="nearest")


def _block_sum(matrix, k: int):
    from scipy import sparse

    rows = matrix.shape[0]
    blocks = (rows + k - 1) // k
    indicator = sparse.csr_matrix((np.ones(rows), (np.arange(rows) // k, np.arange(rows))), shape=(blocks, rows))
    return (indicator @ matrix).tocsr()


def _side_norms(matrix, size: int) -> list[np.ndarray]:
    """``norms[c][p]``: squared norm of the sum of rows p-c..p-1 (prefix coordinates), for c = 1..3."""
    own = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    near = [np.asarray(matrix[:-d].multiply(matrix[d:]).sum(axis=1)).ravel() if size > d else np.zeros(0)
            for d in (1, 2)]
    norms = [np.zeros(size + 1) for _ in range(4)]
    for p in range(1, size + 1):
        norms[1][p] = own[p - 1]
    for p in range(2, size + 1):
        norms[2][p] = own[p - 2] + own[p - 1] + 2 * near[0][p - 2]
    for p in range(3, size + 1):
        norms[3][p] = own[p - 3] + own[p - 2] + own[p - 1] + 2 * (near[0][p - 3] + near[0][p - 2] + near[1][p - 3])
    return norms


class _Similarity:
    """Cosine and bead gains from band-limited dot products; exact for summed (merged) sides."""

    def __init__(self, a, b, left_len, right_len, band: Band, params: AlignParams, weight: float) -> None:
        n, m = a.shape[0], b.shape[0]
        self.params, self.weight = params, weight
        # For each source sentence s, the dot products with the targets its beads can reach, as prefix sums.
        self.glo = np.maximum(band.lo[1:] - 3, 0)
        ghi = band.hi[np.minimum(np.arange(n) + 3, n)]
        self.gwidth = int((ghi - self.glo).max()) + 1 if n else 1
        self.prefix = np.zeros((n, self.gwidth + 1), dtype=np.float64)
        bt = b.T.tocsc()
        for s0 in range(0, n, 256):
            s1 = min(n, s0 + 256)
            t0, t1 = int(self.glo[s0:s1].min()), int(ghi[s0:s1].max())
            block = (a[s0:s1] @ bt[:, t0:t1]).toarray()
            for s in range(s0, s1):
                row = block[s - s0, self.glo[s] - t0:ghi[s] - t0]
                self.prefix[s, 1:len(row) + 1] = np.cumsum(row)
                self.prefix[s, len(row) + 1:] = self.prefix[s, len(row)]
        self.left_norm, self.right_norm = _side_norms(a, n), _side_norms(b, m)
        self.left_cum = np.concatenate([[0.0], np.cumsum(left_len)])
        self.right_cum = np.concatenate([[0.0], np.cumsum(right_len)])

    def cosine(self, i: int, js: np.ndarray, x: int, y: int) -> np.ndarray:
        """Cosine between source sentences i-x..i-1 (summed) and target sentences j-y..j-1, for each j in js."""
        dot = sum(self._dot(s, js - y, js) for s in range(i - x, i))
        norm = np.sqrt(self.left_norm[x][i] * self.right_norm[y][js])
        return np.divide(dot, norm, out=np.zeros(len(js)), where=norm > 0)

    def _dot(self, s: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Sum of dot products of source sentence s with targets lo..hi-1 (arrays of prefix columns)."""
        hi_k = np.clip(hi - self.glo[s], 0, self.gwidth)
        lo_k = np.clip(lo - self.glo[s], 0, self.gwidth)
        return self.prefix[s, hi_k] - self.prefix[s, lo_k]

    def gain(self, i: int, js: np.ndarray, x: int, y: int) -> np.ndarray:
        """What a bead earns: each of its sentences earns its own cosine with the other side, plus length.

        A true merge's parts each resemble the other side; a sentence with no counterpart swept into
        a merge earns almost nothing, so the DP leaves it as a null bead instead.
        """
        from scipy.special import log_ndtr

        ls = self.left_cum[i] - self.left_cum[i - x]
        lt = self.right_cum[js] - self.right_cum[js - y]
        delta = (lt - ls) / np.sqrt(self.params.variance * (ls + lt) / 2 + 1.0)
        length = (x + y) * self.weight * (np.log(2.0) + log_ndtr(-np.abs(delta)))
        if x == 1 and y == 1:
            return 2 * self.cosine(i, js, 1, 1) + length
        right = np.sqrt(self.right_norm[y][js])
        total = np.zeros(len(js))
        for s in range(i - x, i):  # each source sentence against the whole target side
            norm = np.sqrt(self.left_norm[1][s + 1]) * right
            total += np.divide(self._dot(s, js - y, js), norm, out=np.zeros(len(js)), where=norm > 0)
        left = np.sqrt(self.left_norm[x][i])
        for t in range(y):  # each target sentence against the whole source side
            col = js - y + t
            dot = sum(self._dot(s, col, col + 1) for s in range(i - x, i))
            norm = left * np.sqrt(self.right_norm[1][col + 1])
            total += np.divide(dot, norm, out=np.zeros(len(js)), where=norm > 0)
        return total + length


def _bead(span: tuple[int, int, int, int], source, target, similarity: _Similarity, params: AlignParams) -> Bead:
    i0, i1, j0, j1 = span
    src_ids, tgt_ids = tuple(range(i0, i1)), tuple(range(j0, j1))
    src_text, tgt_text = " ".join(source[i0:i1]), " ".join(target[j0:j1])
    if not src_ids or not tgt_ids:
        return Bead(src_ids, tgt_ids, src_text, tgt_text, score=0.0, flags=(UNALIGNED,))
    score = round(float(similarity.cosine(i1, np.array([j1]), i1 - i0, j1 - j0)[0]), 4)
    flags = (LOW_CONFIDENCE,) if score < params.low_confidence else ()
    return Bead(src_ids, tgt_ids, src_text, tgt_text, score=score, flags=flags)


assert {t for t in BEAD_TYPES if 0 not in t} == set(BRIDGED.penalty)
