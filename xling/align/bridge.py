"""Align an original with an existing translation, using machine translation as a bridge.

Bleualign's idea (Sennrich & Volk 2010) with a different similarity: translate
the source (the bridge), compare bridge and target in the target language, and
find the best monotone path of beads by dynamic programming. When the target
has been translated back into the source language too (the reverse bridge),
that comparison is made as well and the two are averaged, as Bleualign does.
Sentences are TF-IDF weighted character n-gram vectors, robust to the
inflection and word-order noise of MT and to tokenisation.

Real translators merge, split and reorder sentences, and how similar a true
pair looks depends on the text and the MT system (Dice ≈ .3 on a literary
text, ≈ .6 on news). So with a bridge a bead is scored relative to the
document's own similarities, never against an absolute constant; see
``xling.align.dp`` for the score and where its parts come from.

Without a bridge, the source itself is compared with the target: names,
numbers and symbols are all the two sides share, and the length term carries
more weight.

Long documents are aligned coarse to fine: blocks of sentences are aligned
first, and the sentence-level DP runs in a band around that path, so time and
memory grow linearly with the length.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from xling.align.dp import BEAD_TYPES, MAX_SIDE, Band, Scoring, Tables, bead_similarities, csr_row_dots, run
from xling.align.features import anchor_matrix, count_matrix, document_grams, tfidf, tidy_spacing
from xling.data import Bead

logger = logging.getLogger(__name__)

LOW_CONFIDENCE = "low_confidence"
UNALIGNED = "unaligned"


@dataclass(frozen=True)
class AlignParams:
    """The aligner's knobs. ``BRIDGED`` and ``UNBRIDGED`` hold the values chosen on the dev sets
    (scripts/eval_align.py: tuned on the real translations of textberg-dev, checked on the synth sets)."""

    relative: bool  # score beads relative to the document's own similarities (see xling.align.dp)
    null: float  # gain of a 1-0 or 0-1 bead
    penalty: Mapping[tuple[int, int], float]  # the bead types allowed (besides 1-0, 0-1) and their penalties
    threshold: float = 0.5  # relative: rescaled neighbour similarity above which a bead pays a margin
    neighbour_weight: float = 1.0  # relative: weight of that margin
    length_exponent: float = 1.5  # relative: power of the length factor log2(1 + short/long)
    length_weight: float = 0.0  # absolute: weight of the Gale-Church length log-probability, per sentence
    variance: float = 6.8  # absolute: Gale-Church's s² for character counts
    low_confidence: float = 0.15  # beads whose score (0–1, see align_sentences) is below this are flagged
    full_cells: int = 1_500_000  # a document pair smaller than this is aligned without a band
    block: int = 10  # coarse-to-fine: sentences per block at each coarser level
    margin: int = 3  # band half-width around the coarse path, in blocks
    coarse_dim: int = 256  # coarse levels use dense projections of this size

    def scoring(self, mu: float = 0.0, scale: float = 1.0) -> Scoring:
        penalty = np.array([0.0 if 0 in t else self.penalty.get(t, np.inf) for t in BEAD_TYPES])
        return Scoring(self.relative, self.null, penalty, mu, scale, self.threshold, self.neighbour_weight,
                       self.length_exponent, self.length_weight, self.variance)


# With a bridge, every bead shape real translators produce, scored relative to the document.
BRIDGED = AlignParams(relative=True, null=-0.15, penalty={t: 0.0 for t in BEAD_TYPES if 0 not in t},
                      low_confidence=0.25)
# Without one, only shared names, numbers and symbols are compared: too sparse for the
# relative score (most pairs share nothing), so each sentence earns its own cosine, length
# matters more, and null beads must be rarer, or every weakly anchored pair would become two nulls.
UNBRIDGED = AlignParams(relative=False, null=-0.2, length_weight=0.05, low_confidence=0.25,
                        penalty={(1, 1): 0.0, (2, 1): 0.05, (1, 2): 0.05, (2, 2): 0.3, (3, 1): 0.2, (1, 3): 0.2})


@dataclass(frozen=True)
class BridgeCheck:
    """Whether a bridge brings the source closer to the target than no translation at all.

    Document-level cosine of character 3-gram vectors (sublinear counts): the bridge against the
    target, and the untranslated source against the target. A real MT system's bridge resembles
    its target far more than the source does: on the 2 013 real opus-mt-pl-en outputs of
    ../shared/opus-mt-real cut into documents of five sentences, by .24 at the least (.57 median);
    on the Polish sets of align-dev .75–.91 against .19–.40; the weakest MT of textberg-dev (de→fr)
    .78 against .65. A wrong or broken model's output resembles it less (a tiny test model:
    .12–.26 against .24–.40), and aligning on it is worse than aligning on names and numbers, so
    it is dropped, and said.
    """

    bridge: float
    untranslated: float

    @property
    def helps(self) -> bool:
        return self.bridge > self.untranslated

    def why_not(self, target: str = "target", source: str = "source") -> str:
        return (f"it resembles the {target} less than the untranslated {source} does (cosine "
                f"{self.bridge:.2f} against {self.untranslated:.2f}): a wrong or broken model?")


def check_bridge(translated: Sequence[str], untranslated: Sequence[str], target: Sequence[str]) -> BridgeCheck:
    """``translated`` (a bridge of ``untranslated``) and ``untranslated`` against ``target``, each as one text."""
    bags = [document_grams(" ".join(tidy_spacing(t))) for t in (translated, untranslated, target)]

    def cosine(left: int, right: int) -> float:
        (li, lv), (ri, rv) = bags[left], bags[right]
        _, at_left, at_right = np.intersect1d(li, ri, assume_unique=True, return_indices=True)
        norm = float(np.sqrt(float(lv @ lv) * float(rv @ rv)))
        return float(lv[at_left] @ rv[at_right]) / norm if norm > 0 else 0.0

    return BridgeCheck(round(cosine(0, 2), 4), round(cosine(1, 2), 4))


def align_sentences(source: Sequence[str], target: Sequence[str], bridge: Sequence[str] | None = None,
                    params: AlignParams | None = None, *, reverse_bridge: Sequence[str] | None = None) -> list[Bead]:
    """Beads covering every source and target sentence exactly once, in order.

    Each bead's ``score`` reads from 0 to 1. With a bridge: its similarity on the document's own
    scale, 0 for as similar as the document's typical unrelated pair and 1 for as similar as its
    typical right pair, or more. Without one: the mean of the cosine of the names, numbers and
    symbols the two sides share and the Gale–Church agreement of their lengths (the share of right
    pairs whose lengths differ at least this much). Below ``params.low_confidence`` (0.25) a bead
    is flagged ``low_confidence``; null beads score 0.

    ``bridge``: one machine translation (into the target language) per source
    sentence; ``reverse_bridge``: one machine translation (into the source language)
    per target sentence. Either, both (best) or neither (lengths, names and numbers only).
    """
    if bridge is not None and len(bridge) != len(source):
        raise ValueError(f"{len(source)} source sentences but {len(bridge)} bridge translations")
    if reverse_bridge is not None and len(reverse_bridge) != len(target):
        raise ValueError(f"{len(target)} target sentences but {len(reverse_bridge)} reverse bridge translations")
    bridged = bridge is not None or reverse_bridge is not None
    params = params or (BRIDGED if bridged else UNBRIDGED)
    if bridged:
        components = []
        if bridge is not None:
            components.append(tfidf(count_matrix(tidy_spacing(bridge)), count_matrix(tidy_spacing(target))))
        if reverse_bridge is not None:
            components.append(tfidf(count_matrix(tidy_spacing(source)), count_matrix(tidy_spacing(reverse_bridge))))
    else:
        components = [tfidf(anchor_matrix(source), anchor_matrix(target))]
    left = bridge if bridge is not None else source
    left_len = np.array([len(t) for t in left], dtype=np.float64)
    right_len = np.array([len(t) for t in target], dtype=np.float64)
    if bridge is None and left_len.sum() > 0:
        left_len *= right_len.sum() / left_len.sum()  # expected target length per source character
    spans, tables, scoring = _align(components, left_len, right_len, params)
    similarity = bead_similarities(spans, tables, scoring)
    if params.relative:
        score = np.clip((similarity - scoring.mu) / (scoring.scale - scoring.mu), 0.0, 1.0)
    else:
        score = (similarity + _length_agreement(spans, tables, params.variance)) / 2
    return [_bead(span, source, target, round(float(s), 4), float(s) < params.low_confidence)
            for span, s in zip(spans, score, strict=True)]


def _length_agreement(spans, tables: Tables, variance: float) -> np.ndarray:
    """Gale–Church: how often a right pair's lengths differ at least this much, 2·(1 − Φ(|δ|)), per bead,
    with the δ the kernel scores lengths by (``xling.align.dp``, absolute gain)."""
    from scipy.special import erfc

    spans = np.array(spans, dtype=np.int64).reshape(-1, 4)
    left = tables.left_cum[spans[:, 1]] - tables.left_cum[spans[:, 0]]
    right = tables.right_cum[spans[:, 3]] - tables.right_cum[spans[:, 2]]
    delta = np.abs(right - left) / np.sqrt(variance * (left + right) / 2.0 + 1.0)
    return erfc(delta / np.sqrt(2.0))


def _align(components, left_len, right_len, params: AlignParams):
    n, m = components[0][0].shape[0], components[0][1].shape[0]
    if (n + 1) * (m + 1) <= params.full_cells or min(n, m) < 2 * params.block:
        band = Band.full(n, m)
    else:
        band = _coarse_band(components, left_len, right_len, params)
    tables = _tables(components, left_len, right_len, band)
    scoring = params.scoring(*_document_scale(tables, m)) if params.relative else params.scoring()
    return run(n, m, band, tables, scoring), tables, scoring


def _document_scale(tables: Tables, m: int, chunk: int = 4096) -> tuple[float, float]:
    """The document's median 1-1 similarity (mostly unrelated pairs) and the median of each
    sentence's best 1-1 similarity (mostly its counterpart), over the band."""
    k, n, gwidth = tables.prefix.shape[0], tables.prefix.shape[1], tables.prefix.shape[2] - 1
    if n == 0 or m == 0:
        return 0.0, 1.0
    values, row_best = [], np.zeros(n)
    column_best = np.zeros(m)
    for s0 in range(0, n, chunk):
        s1 = min(n, s0 + chunk)
        columns = tables.glo[s0:s1, None] + np.arange(gwidth)[None, :]
        valid = columns < tables.ghi[s0:s1, None]
        safe = np.minimum(columns, m - 1)
        dice = np.zeros((s1 - s0, gwidth))
        for c in range(k):
            dots = np.diff(tables.prefix[c, s0:s1], axis=1)
            left = tables.left_norm[c, 1, s0 + 1:s1 + 1, None]
            right = tables.right_norm[c, 1, safe + 1]
            both = left + right
            dice += np.where((left > 0) & (right > 0), 2.0 * dots / np.where(both > 0, both, 1.0), 0.0)
        dice /= k
        values.append(dice[valid])
        row_best[s0:s1] = np.where(valid, dice, -np.inf).max(axis=1)
        np.maximum.at(column_best, safe[valid], dice[valid])
    # one sentence a side: no unrelated pair to measure; after IDF unrelated sentences share next to nothing
    mu = float(np.median(np.concatenate(values))) if n * m > 1 else 0.0
    scale = float(np.median(np.concatenate([row_best, column_best])))
    return mu, max(scale, mu + 1e-6)


def _coarse_band(components, left_len, right_len, params: AlignParams) -> Band:
    """Align blocks of ``params.block`` sentences, then widen that path into a sentence-level band.

    The coarse levels only need the path's shape, so they work on dense projections of the
    vectors (signed feature hashing to ``coarse_dim`` dimensions): sums of ten sparse rows
    would be nearly dense and make every sparse product slow.
    """
    k = params.block
    n, m = components[0][0].shape[0], components[0][1].shape[0]
    blocks = [tuple(_block_sum(_dense(side, params.coarse_dim), k) for side in pair) for pair in components]
    la, lb = np.add.reduceat(left_len, np.arange(0, n, k)), np.add.reduceat(right_len, np.arange(0, m, k))
    coarse, _, _ = _align(blocks, la, lb, params)
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
    """``norms[c, p]``: squared norm of the sum of rows p-c..p-1 (prefix coordinates), for c = 1..MAX_SIDE."""
    size = matrix.shape[0]
    if isinstance(matrix, np.ndarray):
        own = np.einsum("ij,ij->i", matrix, matrix)
        near = [np.einsum("ij,ij->i", matrix[:-d], matrix[d:]) for d in range(1, MAX_SIDE)]
    else:
        owner = np.repeat(np.arange(size), np.diff(matrix.indptr))
        own = np.bincount(owner, weights=matrix.data ** 2, minlength=size)
        near = [_row_dots(matrix, d) for d in range(1, MAX_SIDE)]
    own_cum = np.concatenate([[0.0], np.cumsum(own)])
    # near_cum[d][r]: sum of dot(row q, row q + d) for q < r
    near_cum = [None] + [np.concatenate([[0.0], np.cumsum(v), np.zeros(d)]) for d, v in enumerate(near, 1)]
    norms = np.zeros((MAX_SIDE + 1, size + 1))
    for c in range(1, min(MAX_SIDE, size) + 1):
        p = np.arange(c, size + 1)
        total = own_cum[p] - own_cum[p - c]
        for d in range(1, c):  # pairs (q, q + d) with p - c <= q and q + d <= p - 1
            total += 2.0 * (near_cum[d][p - d] - near_cum[d][p - c])
        norms[c, c:] = total
    return norms


def _tables(components, left_len, right_len, band: Band) -> Tables:
    """Band-limited dot products (as prefix sums per source sentence), side norms, cumulative lengths.

    Source row s is compared with every target a bead ending at a row up to s + MAX_SIDE
    can reach, and one beyond (the neighbour the relative score looks at).
    """
    n, m = components[0][0].shape[0], components[0][1].shape[0]
    glo = np.maximum(band.lo[:-1] - MAX_SIDE - 1, 0) if n else np.zeros(0, dtype=np.int64)
    ghi = np.minimum(band.hi[np.minimum(np.arange(n) + MAX_SIDE + 1, n)] + 1, m)
    gwidth = int((ghi - glo).max()) + 1 if n else 1
    prefix = np.zeros((len(components), n, gwidth + 1), dtype=np.float64)
    for c, (a, b) in enumerate(components):
        dense = isinstance(a, np.ndarray)
        bt = b.T if dense else b.T.tocsc()
        for s0 in range(0, n, 256):
            s1 = min(n, s0 + 256)
            t0, t1 = int(glo[s0:s1].min()), int(ghi[s0:s1].max())
            block = a[s0:s1] @ bt[:, t0:t1] if dense else (a[s0:s1] @ bt[:, t0:t1]).toarray()
            for s in range(s0, s1):
                row = block[s - s0, glo[s] - t0:ghi[s] - t0]
                np.cumsum(row, out=prefix[c, s, 1:len(row) + 1])
                prefix[c, s, len(row) + 1:] = prefix[c, s, len(row)]
    return Tables(prefix, glo, ghi, np.stack([_side_norms(a) for a, _ in components]),
                  np.stack([_side_norms(b) for _, b in components]),
                  np.concatenate([[0.0], np.cumsum(left_len)]), np.concatenate([[0.0], np.cumsum(right_len)]))


def _bead(span: tuple[int, int, int, int], source, target, score: float, unsure: bool) -> Bead:
    i0, i1, j0, j1 = span
    src_ids, tgt_ids = tuple(range(i0, i1)), tuple(range(j0, j1))
    src_text, tgt_text = " ".join(source[i0:i1]), " ".join(target[j0:j1])
    if not src_ids or not tgt_ids:
        return Bead(src_ids, tgt_ids, src_text, tgt_text, score=0.0, flags=(UNALIGNED,))
    return Bead(src_ids, tgt_ids, src_text, tgt_text, score=score, flags=(LOW_CONFIDENCE,) if unsure else ())
