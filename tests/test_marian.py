"""The transformers backend, run for real on a tiny locally built MarianMT model."""

from __future__ import annotations

import math

import pytest

from xling.models import resolve
from xling.translate.base import GenerationSettings, Translator
from xling.translate.cache import CachedTranslator, TranslationCache
from xling.translate.marian import MarianTranslator

SENTENCES = [
    "Porozumienie w tej sprawie zawarto we wtorek 17 czerwca.",
    "Reżimy upamiętnią wspólną walkę z Ukraińcami",
    "Sojusz Kima i Putina pogłębia się od roku",
    "Szojgu przyleciał do Korei Północnej.",
]


@pytest.fixture(scope="module")
def greedy(tiny_model) -> MarianTranslator:
    return MarianTranslator(resolve(str(tiny_model)), GenerationSettings(beams=1), runtime="cpu")


def test_is_a_translator_and_loads_lazily(tiny_model):
    translator = MarianTranslator(resolve(str(tiny_model)), runtime="cpu")
    assert isinstance(translator, Translator)
    assert not translator.loaded  # nothing loaded until the first sentence
    assert translator.translate([]) == []
    assert not translator.loaded


def test_one_output_per_input_in_order_with_scores(greedy):
    out = greedy.translate(SENTENCES)
    assert [t.source for t in out] == SENTENCES
    assert all(t.text for t in out)
    assert len({t.text for t in out}) == len(SENTENCES)  # the outputs depend on the input
    assert all(-50 < t.score < 0 and math.isfinite(t.score) for t in out)
    # the copy-trained tiny model reproduces the start of its input
    assert out[0].text.startswith("Porozum")


def test_batching_does_not_change_results(greedy):
    together = greedy.translate(SENTENCES)
    alone = [greedy.translate([s])[0] for s in SENTENCES]
    assert [t.text for t in together] == [t.text for t in alone]
    assert [t.score for t in together] == pytest.approx([t.score for t in alone], abs=1e-3)


def test_duplicates_are_translated_once(tiny_model):
    translator = MarianTranslator(resolve(str(tiny_model)), GenerationSettings(beams=2), runtime="cpu")
    out = translator.translate([SENTENCES[0], SENTENCES[1], SENTENCES[0]])
    assert translator.sentences_generated == 2
    assert out[0] == out[2]


def test_scores_equal_the_models_own_beam_and_greedy_scores(tiny_model):
    """xling records scores with small logits processors; they must equal what transformers reports
    when it keeps every step's full distribution (output_scores)."""
    import torch

    for beams in (1, 4):
        translator = MarianTranslator(resolve(str(tiny_model)), GenerationSettings(beams=beams), runtime="cpu")
        out = translator.translate(SENTENCES)
        m = translator._loaded()
        inputs = m.tokenizer.library(SENTENCES, return_tensors="pt", padding=True)
        longest = max(len(ids) for ids in m.tokenizer.encode(SENTENCES))
        with torch.inference_mode():
            ref = m.model.generate(**inputs, num_beams=beams, do_sample=False, return_dict_in_generate=True,
                                   output_scores=True, max_new_tokens=translator.output_lengths(longest)[1])
            steps = m.model.compute_transition_scores(ref.sequences, ref.scores,
                                                      ref.beam_indices if beams > 1 else None,
                                                      normalize_logits=beams == 1)
        mask = ref.sequences[:, 1:] != m.model.config.pad_token_id
        expected = (torch.where(mask, steps, 0.0).sum(1) / mask.sum(1)).tolist()
        assert [t.text for t in out] == m.tokenizer.decode(ref.sequences.tolist())
        assert [t.score for t in out] == pytest.approx(expected, abs=2e-4)
        assert all(-50 < t.score < 0 for t in out)


def test_long_input_is_split_not_truncated(greedy):
    # ~3000 tokens against a 128-position model
    words = [f"słowo{i % 97}" for i in range(900)]
    sentence = ", ".join(" ".join(words[i:i + 9]) for i in range(0, len(words), 9)) + "."
    assert greedy.count_tokens(sentence) > 2500
    before = greedy.sentences_generated
    (result,) = greedy.translate([sentence])
    pieces = greedy.sentences_generated - before
    assert "split" in result.flags
    assert pieces >= greedy.count_tokens(sentence) // greedy.max_input_tokens
    # every piece produced output: the translation is far longer than one piece could be
    assert len(result.text.split()) > 4 * pieces // 2


def test_cached_translator_never_translates_twice(tiny_model, tmp_path):
    inner = MarianTranslator(resolve(str(tiny_model)), GenerationSettings(beams=1), runtime="cpu")
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    cached = CachedTranslator(inner, cache)
    first = cached.translate(SENTENCES)
    assert inner.sentences_generated == len(SENTENCES)
    again = CachedTranslator(inner, TranslationCache(tmp_path / "cache.sqlite3")).translate(SENTENCES + SENTENCES)
    assert inner.sentences_generated == len(SENTENCES)
    assert again == first + first


def test_cpu_batches_hold_about_as_many_hypotheses_at_any_beam(greedy):
    beam1 = greedy.with_settings(GenerationSettings(beams=1))
    beam4 = greedy.with_settings(GenerationSettings(beams=4))
    assert beam1.batch_tokens() == 1024 and beam4.batch_tokens() == 256
    assert greedy.with_settings(GenerationSettings(beams=4, batch_tokens=700)).batch_tokens() == 700
