"""One batching function for every path: sort by length, fill a token budget, restore order.

Sorting first means each batch holds sentences of similar length, so padding
(wasted work) stays small; the caller puts results back by the returned indices.
"""

from __future__ import annotations

from collections.abc import Sequence


def token_budget_batches(lengths: Sequence[int], budget: int, max_batch: int = 256) -> list[list[int]]:
    """Group indices of ``lengths`` into batches whose padded size (rows × longest) fits ``budget``.

    Longest first, so the first batch shows the peak memory at once. A sentence
    longer than the budget on its own still gets a batch of one.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i])
        if current and (width * (len(current) + 1) > budget or len(current) >= max_batch):
            batches.append(current)
            current, width = [], lengths[i]
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
