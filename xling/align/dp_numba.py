"""The DP kernel of dp.py compiled by numba: used where the C kernel (``_kernel.c``) was not built.

The functions mirror ``_kernel.c`` one for one, and the four at the end take the same arguments as
its entry points (``fill``, ``gain``, ``similarities``, ``csr_row_dots``), so dp.py calls either
module the same way; tests check that both give the same back-pointers and bits. numba costs about
a second per process to import and to load its cached kernels, so it is imported only when this
module is.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# dp.py's constants (as in _kernel.c; this module does not import dp.py, which imports it): scores below
# NEG / 2 are unreachable; _ROWS rolling score rows i, i-1, ..., i - MAX_SIDE. A test checks they agree.
NEG = -1e18
_ROWS = 5


@njit(cache=True)
def _dot(prefix, glo, k, s, lo, hi):
    width = prefix.shape[2] - 1
    hk = min(max(hi - glo[s], 0), width)
    lk = min(max(lo - glo[s], 0), width)
    return prefix[k, s, hk] - prefix[k, s, lk]


@njit(cache=True)
def _block_dot(prefix, glo, k, i0, i1, j0, j1):
    total = 0.0
    for s in range(i0, i1):
        total += _dot(prefix, glo, k, s, j0, j1)
    return total


@njit(cache=True)
def _cosine(prefix, glo, left_norm, right_norm, i, j, x, y):
    """Cosine of source rows i-x..i-1 with target rows j-y..j-1, first component."""
    norm = math.sqrt(left_norm[0, x, i] * right_norm[0, y, j])
    return _block_dot(prefix, glo, 0, i - x, i, j - y, j) / norm if norm > 0.0 else 0.0


@njit(cache=True)
def _dice(prefix, glo, left_norm, right_norm, i, j, x, y):
    """Dice similarity 2ab / (|a|² + |b|²) of the two sides' summed vectors, averaged over components.

    Unlike the cosine, Dice drops when one side grows by an unrelated sentence (its norm
    enters the denominator additively), which is what keeps merges honest.
    """
    total = 0.0
    for k in range(prefix.shape[0]):
        both = left_norm[k, x, i] + right_norm[k, y, j]
        if left_norm[k, x, i] > 0.0 and right_norm[k, y, j] > 0.0:
            total += 2.0 * _block_dot(prefix, glo, k, i - x, i, j - y, j) / both
    return total / prefix.shape[0]


@njit(cache=True)
def _log_two_tail(z):
    """log P(|N(0,1)| > z), stable for large z."""
    if z < 8.0:
        return math.log(math.erfc(z / math.sqrt(2.0)))
    return -0.5 * z * z - math.log(z) - 0.5 * math.log(math.pi / 2.0)


@njit(cache=True)
def _absolute_gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y, weight, variance):
    ls = left_cum[i] - left_cum[i - x]
    lt = right_cum[j] - right_cum[j - y]
    delta = abs(lt - ls) / math.sqrt(variance * (ls + lt) / 2.0 + 1.0)
    length = (x + y) * weight * _log_two_tail(delta)
    if x == 1 and y == 1:
        return 2.0 * _cosine(prefix, glo, left_norm, right_norm, i, j, 1, 1) + length
    total = 0.0
    right = math.sqrt(right_norm[0, y, j])
    for s in range(i - x, i):  # each source sentence against the whole target side
        norm = math.sqrt(left_norm[0, 1, s + 1]) * right
        if norm > 0.0:
            total += _dot(prefix, glo, 0, s, j - y, j) / norm
    left = math.sqrt(left_norm[0, x, i])
    for t in range(j - y, j):  # each target sentence against the whole source side
        dot = 0.0
        for s in range(i - x, i):
            dot += _dot(prefix, glo, 0, s, t, t + 1)
        norm = left * math.sqrt(right_norm[0, 1, t + 1])
        if norm > 0.0:
            total += dot / norm
    return total + length


@njit(cache=True)
def _length_factor(left_cum, right_cum, i, j, x, y, exponent):
    ls = left_cum[i] - left_cum[i - x]
    lt = right_cum[j] - right_cum[j - y]
    longer = max(ls, lt)
    ratio = min(ls, lt) / longer if longer > 0.0 else 1.0
    return math.log2(1.0 + ratio) ** exponent


@njit(cache=True)
def _neighbour_excess(prefix, glo, left_norm, right_norm, i, j, x, y, mu, spread, threshold):
    """How much better than ``threshold`` the sentences just outside the bead fit it (rescaled)."""
    n, m = left_norm.shape[2] - 1, right_norm.shape[2] - 1
    excess = 0.0
    if j - y > 0:
        excess += max(0.0, (_dice(prefix, glo, left_norm, right_norm, i, j - y, x, 1) - mu) / spread - threshold)
    if j < m:
        excess += max(0.0, (_dice(prefix, glo, left_norm, right_norm, i, j + 1, x, 1) - mu) / spread - threshold)
    if i - x > 0:
        excess += max(0.0, (_dice(prefix, glo, left_norm, right_norm, i - x, j, 1, y) - mu) / spread - threshold)
    if i < n:
        excess += max(0.0, (_dice(prefix, glo, left_norm, right_norm, i + 1, j, 1, y) - mu) / spread - threshold)
    return excess


@njit(cache=True)
def _rescaled_dice(prefix, glo, left_norm, right_norm, i, j, x, y, mu, scale):
    """A bead's similarity on the document's scale: 0 for unrelated pairs, 1 for a typical true pair."""
    return (_dice(prefix, glo, left_norm, right_norm, i, j, x, y) - mu) / (scale - mu)


@njit(cache=True)
def _relative_gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y,
                   mu, scale, threshold, neighbour_weight, length_exponent):
    own = _rescaled_dice(prefix, glo, left_norm, right_norm, i, j, x, y, mu, scale)
    excess = _neighbour_excess(prefix, glo, left_norm, right_norm, i, j, x, y, mu, scale - mu, threshold)
    return (own - neighbour_weight * excess) * _length_factor(left_cum, right_cum, i, j, x, y, length_exponent)


@njit(cache=True)
def _gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y, relative, mu, scale, threshold,
          neighbour_weight, length_exponent, length_weight, variance):
    if relative:
        return _relative_gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y,
                              mu, scale, threshold, neighbour_weight, length_exponent)
    return _absolute_gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y,
                          length_weight, variance)


@njit(cache=True)
def _fill(n, lo, hi, width, types, penalty, null, relative, mu, scale, threshold, neighbour_weight,
          length_exponent, length_weight, variance, prefix, glo, left_norm, right_norm, left_cum, right_cum):
    back = np.full((n + 1, width), -1, dtype=np.int8)
    rows = np.full((_ROWS, width), NEG)  # rolling scores of rows i, i-1, ..., i-MAX_SIDE
    for i in range(n + 1):
        current = rows[i % _ROWS]
        current[:] = NEG
        for jj in range(hi[i] - lo[i] + 1):
            j = lo[i] + jj
            best = 0.0 if (i == 0 and j == 0) else NEG
            code = -1
            for t in range(types.shape[0]):
                if penalty[t] == np.inf:
                    continue
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
                    previous = rows[r % _ROWS, k]
                    if previous <= NEG / 2:
                        continue
                    if y == 0:
                        candidate = previous + null
                    elif relative:
                        # the neighbour margin only lowers the gain: skip it when even the bead's own
                        # similarity cannot beat the best candidate so far (exact pruning)
                        factor = _length_factor(left_cum, right_cum, i, j, x, y, length_exponent)
                        own = _rescaled_dice(prefix, glo, left_norm, right_norm, i, j, x, y, mu, scale)
                        candidate = previous - penalty[t] + own * factor
                        if candidate <= best:
                            continue
                        candidate -= factor * neighbour_weight * _neighbour_excess(
                            prefix, glo, left_norm, right_norm, i, j, x, y, mu, scale - mu, threshold)
                    else:
                        candidate = previous - penalty[t] + _absolute_gain(
                            prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y,
                            length_weight, variance)
                if candidate > best:
                    best = candidate
                    code = t
            current[jj] = best
            back[i, jj] = code
    return back


@njit(cache=True)
def _csr_row_dots(indptr, indices, data, d):
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
def _similarities(spans, relative, prefix, glo, left_norm, right_norm):
    out = np.zeros(spans.shape[0])
    for b in range(spans.shape[0]):
        i0, i1, j0, j1 = spans[b, 0], spans[b, 1], spans[b, 2], spans[b, 3]
        if i1 > i0 and j1 > j0:
            if relative:
                out[b] = _dice(prefix, glo, left_norm, right_norm, i1, j1, i1 - i0, j1 - j0)
            else:
                out[b] = _cosine(prefix, glo, left_norm, right_norm, i1, j1, i1 - i0, j1 - j0)
    return out


# --- the entry points, with _kernel.c's arguments (see dp._args and dp._scoring) ---------------------

def fill(n, width, lo, hi, types, penalty, scoring, tables):
    relative, null, mu, scale, threshold, neighbour_weight, length_exponent, length_weight, variance = scoring
    prefix, _, _, _, glo, left_norm, _, right_norm, _, left_cum, right_cum = tables
    return _fill(n, lo, hi, width, types, penalty, null, relative, mu, scale, threshold, neighbour_weight,
                 length_exponent, length_weight, variance, prefix, glo, left_norm, right_norm, left_cum, right_cum)


def gain(i, j, x, y, scoring, tables):
    relative, _, mu, scale, threshold, neighbour_weight, length_exponent, length_weight, variance = scoring
    prefix, _, _, _, glo, left_norm, _, right_norm, _, left_cum, right_cum = tables
    return _gain(prefix, glo, left_norm, right_norm, left_cum, right_cum, i, j, x, y, relative, mu, scale,
                 threshold, neighbour_weight, length_exponent, length_weight, variance)


def similarities(spans, relative, tables):
    prefix, _, _, _, glo, left_norm, _, right_norm, _, _, _ = tables
    return _similarities(spans, relative, prefix, glo, left_norm, right_norm)


def csr_row_dots(indptr, indices, data, rows, nonzeros, d):
    return _csr_row_dots(indptr, indices, data, d)
