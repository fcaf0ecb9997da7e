"""Token-budget batching and long-input splitting: invariants over arbitrary input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xling.split import split_to_fit
from xling.translate.batching import balanced_batches, batch_cost, makespan, token_budget_batches


@given(st.lists(st.integers(1, 300), max_size=200), st.integers(16, 2000), st.integers(1, 64))
def test_batches_cover_every_index_once_and_fit_the_budget(lengths, budget, max_batch):
    batches = token_budget_batches(lengths, budget, max_batch)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert 1 <= len(batch) <= max_batch
        padded = len(batch) * max(lengths[i] for i in batch)
        assert padded <= budget or len(batch) == 1


def test_batches_are_length_sorted():
    lengths = [5, 50, 7, 49, 6, 48]
    batches = token_budget_batches(lengths, budget=100)
    # by hand, longest first: 50+49 fill 2×50 = 100; 48 then 7 make 2×48 = 96; 6 and 5 make 2×6.
    assert batches == [[1, 3], [5, 2], [4, 0]]


def cap(longest: int) -> int:
    return 2 * longest + 10  # xling's output cap for a batch


@given(st.lists(st.integers(1, 300), max_size=120), st.integers(16, 2000), st.integers(1, 4), st.integers(1, 8))
def test_balanced_batches_cover_every_index_once_and_never_finish_later(lengths, budget, workers, beams):
    batches = balanced_batches(lengths, budget, workers, cap, beams)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) * max(lengths[i] for i in batch) <= budget or len(batch) == 1
    if lengths:  # never a worse estimated finish than the full budget's batches
        def span(plan):
            return makespan([batch_cost(lengths, b, cap, beams) for b in plan], workers)

        assert span(batches) <= span(token_budget_batches(lengths, budget))


def test_one_small_document_is_spread_over_every_worker():
    lengths = [39, 57, 10, 38, 39, 32, 54, 10, 28, 57, 28, 25, 33]  # the Polish seed, tokenised
    assert len(token_budget_batches(lengths, 512)) == 2
    plan = balanced_batches(lengths, 512, 2, cap, beams=4)
    costs = [batch_cost(lengths, b, cap, 4) for b in plan]
    assert makespan(costs, 2) < 0.8 * makespan([batch_cost(lengths, b, cap, 4)
                                                for b in token_budget_batches(lengths, 512)], 2)
    # one worker: the plain token-budget batches, untouched
    assert balanced_batches(lengths, 512, 1, cap, beams=4) == token_budget_batches(lengths, 512)


def test_a_big_call_keeps_the_full_budget():
    lengths = [40 + i % 30 for i in range(400)]
    assert balanced_batches(lengths, 512, 2, cap, beams=4) == token_budget_batches(lengths, 512)


def test_makespan_hands_each_batch_to_the_first_free_worker():
    assert makespan([5, 3, 3, 2], 2) == 7  # 5 | 3+3, then 2 goes to the worker free at 5
    assert makespan([4, 4], 1) == 8


def words(text: str) -> int:
    return len(text.split()) + 1  # like a tokenizer: pieces plus an end-of-sentence token


@given(st.text(alphabet=st.sampled_from(list("ab ,;—-\n")), max_size=400), st.integers(2, 30))
def test_split_keeps_every_character_and_fits(text, limit):
    pieces = split_to_fit(text, words, limit)
    assert "".join(pieces) == text
    for piece in pieces:
        # a piece over the limit is only possible when it cannot be cut at all
        assert words(piece) <= limit or len(piece) < 2


def test_split_prefers_clause_punctuation():
    text = "one two three four five six, seven eight nine ten eleven twelve"
    pieces = split_to_fit(text, words, 8)
    assert pieces[0] == "one two three four five six, "
