"""Sentence vectors for alignment: hashed character n-grams, TF-IDF weighted, sparse.

Everything is vectorised with numpy (a polynomial rolling hash over the code
points of all sentences at once), so 10⁵ sentences take seconds, and the hash
is fixed, so results do not depend on PYTHONHASHSEED. Character n-grams are
robust to inflection ("Putina" ~ "Putin") and carry the names, numbers and
punctuation that survive translation unchanged.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

BUCKETS = 1 << 20
CHAR_NGRAMS = (2, 3, 4, 5)
_MULT = np.uint64(0x9E3779B97F4A7C15)
_SEP = 0  # code point between sentences; no n-gram may cross it


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All sentences, lower-cased and padded with spaces, as one code-point array, and each position's sentence."""
    joined = "\x00".join(f" {' '.join(t.lower().split())} " for t in texts)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.cumsum(points == _SEP) if len(points) else np.zeros(0, dtype=np.int64)
    return points, owner


def _char_ngrams(points: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if len(points) < n:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    width = len(points) - n + 1
    h = np.full(width, np.uint64(n), dtype=np.uint64)
    crosses = np.zeros(width, dtype=bool)
    for k in range(n):
        window = points[k:k + width]
        h = (h ^ window) * _MULT
        crosses |= window == _SEP
    keep = ~crosses
    return owner[:width][keep], h[keep]


def count_matrix(texts: Sequence[str], chunk: int = 5000):
    """Sentences × hashed features, raw counts (scipy CSR), built in chunks to bound peak memory."""
    from scipy import sparse

    parts = [_count_chunk(texts[start:start + chunk]) for start in range(0, len(texts), chunk)]
    if not parts:
        return sparse.csr_matrix((0, BUCKETS))
    return sparse.vstack(parts, format="csr") if len(parts) > 1 else parts[0]


def _count_chunk(texts: Sequence[str]):
    from scipy import sparse

    points, owner = _codepoints(texts)
    rows, cols = [], []
    for n in CHAR_NGRAMS:
        r, h = _char_ngrams(points, owner, n)
        rows.append(r.astype(np.int32))
        cols.append((h % np.uint64(BUCKETS)).astype(np.int32))
    row, col = np.concatenate(rows), np.concatenate(cols)
    data = np.ones(len(row), dtype=np.float32)
    return sparse.csr_matrix((data, (row, col)), shape=(len(texts), BUCKETS))


def document_grams(text: str, orders: Sequence[int] = (3,)) -> tuple[np.ndarray, np.ndarray]:
    """One text's hashed character n-grams, as sorted distinct codes and sublinear weights (1 + log count):
    a document vector without building a sparse matrix."""
    points, owner = _codepoints([text])
    codes = np.concatenate([_char_ngrams(points, owner, n)[1] for n in orders])
    distinct, counts = np.unique(codes, return_counts=True)
    return distinct, 1.0 + np.log(counts)


MIN_DF_CUT = 4  # a feature in at most this many sentences is always kept (a pair, and a neighbour or two)


def tfidf(*matrices, max_df: float = 0.2):
    """Weight count matrices by sub-linear TF and an IDF computed over all of them together.

    Features in more than ``max_df`` of all sentences are dropped: they weigh little
    (low IDF) but dominate the cost of every sparse product, since nearly every pair of
    sentences shares them. In a short text that share is a handful of sentences, and a
    sentence and its translation alone are two: features in up to ``MIN_DF_CUT`` are kept.
    """
    from scipy import sparse

    rows = sum(m.shape[0] for m in matrices)
    present, df = np.unique(np.concatenate([m.indices for m in matrices]), return_counts=True)
    keep = df <= max(max_df * rows, MIN_DF_CUT)
    present, df = present[keep], df[keep]
    # Columns renumbered to the features kept: sparse products then never touch 2^20-long index arrays.
    column = np.full(BUCKETS, -1, dtype=np.int64)
    column[present] = np.arange(len(present))
    idf = np.log((rows + 1) / (df + 1)) + 1.0
    out = []
    for m in matrices:
        m = m.tocsr()
        mapped = column[m.indices]
        kept = mapped >= 0
        owner = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[kept]
        values = (1.0 + np.log(m.data[kept])) * idf[mapped[kept]]
        out.append(sparse.csr_matrix((values, (owner, mapped[kept])), shape=(m.shape[0], max(len(present), 1))))
    return out


_DETACHED = re.compile(r"\s+([,.;:!?)\]»”])|([(\[«„“])\s+")


def tidy_spacing(texts: Sequence[str]) -> list[str]:
    """Remove the space tokenised corpora put before closing and after opening punctuation.

    Machine translation output is detokenised and a human translation may be
    tokenised (or the reverse); "word ." and "word." should give the same n-grams.
    """
    return [_DETACHED.sub(lambda match: match.group(1) or match.group(2), t) for t in texts]


_ANCHOR = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[%$€£§&@#]")


def anchor_tokens(text: str) -> list[str]:
    """What survives translation unchanged: numbers, names (capitalised, not sentence-initial), symbols.

    Names are cut to five letters so that inflected forms meet ("Putina", "Putinem" → "putin").
    """
    tokens = []
    for position, match in enumerate(_ANCHOR.finditer(text)):
        token = match.group()
        if token[0].isdigit():
            tokens.append(token.replace(",", "."))
        elif not token[0].isalpha():
            tokens.append(token)
        elif token[0].isupper() and position > 0 and len(token) > 1:
            tokens.append(token[:5].lower())
    return tokens


def anchor_matrix(texts: Sequence[str]):
    """Sentences × hashed anchor tokens (scipy CSR), for aligning without a bridge translation."""
    from scipy import sparse

    rows, cols = [], []
    for row, text in enumerate(texts):
        for token in anchor_tokens(text):
            rows.append(row)
            cols.append(zlib.crc32(token.encode("utf-8")) % BUCKETS)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), BUCKETS))
