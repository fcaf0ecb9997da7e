"""Split an input that is longer than the model's limit into pieces that fit.

Pieces are cut at clause punctuation where possible, else at whitespace, else
between characters, and ``"".join(pieces) == text`` always holds: nothing is
dropped. The model never sees a truncated input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CLAUSE = re.compile(r"[,;:)\]–—]\s+|\s+[–—-]\s+")
_SPACE = re.compile(r"\s+")


def split_to_fit(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Pieces of ``text`` of at most ``limit`` tokens each, cut near the middle at the best boundary."""
    if count_tokens(text) <= limit or len(text) < 2:
        return [text]
    cut = _best_cut(text)
    return split_to_fit(text[:cut], count_tokens, limit) + split_to_fit(text[cut:], count_tokens, limit)


def _best_cut(text: str) -> int:
    """The boundary nearest the middle: clause punctuation, else whitespace, else the middle itself."""
    middle = len(text) // 2
    for pattern in (_CLAUSE, _SPACE):
        cuts = [m.end() for m in pattern.finditer(text) if 0 < m.end() < len(text)]
        # Accept a clause cut only if it leaves both halves at least a quarter of the text.
        good = [c for c in cuts if len(text) // 4 <= c <= 3 * len(text) // 4] if pattern is _CLAUSE else cuts
        if good:
            return min(good, key=lambda c: abs(c - middle))
    return middle
