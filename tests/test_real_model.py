"""Checks against the real Helsinki-NLP/opus-mt-pl-en, run only where it is already in the local cache.

The test machines have no access to the Hugging Face hub, so these are skipped
there; on a machine with the model (`hf download Helsinki-NLP/opus-mt-pl-en`)
they run with HF_HUB_OFFLINE=1 and download nothing.
"""

from __future__ import annotations

import pytest

from conftest import POLISH_SEED, SEEDS
from xling.errors import ModelUnavailableError
from xling.models import resolve
from xling.segment import Segmenter

MODEL = "Helsinki-NLP/opus-mt-pl-en"


@pytest.fixture(scope="module")
def real_model():
    try:
        return resolve(MODEL, offline=True)
    except ModelUnavailableError:
        pytest.skip(f"{MODEL} is not in the local Hugging Face cache (no hub access here); "
                    f"run `hf download {MODEL}` on a connected machine to enable this test")


@pytest.mark.real_model
def test_first_polish_sentence_mentions_the_date(real_model):
    from xling.translate.marian import MarianTranslator

    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    start, end = Segmenter("pl").sentences(text)[0]
    (result,) = MarianTranslator(real_model, runtime="cpu").translate([text[start:end]])
    assert "17 June" in result.text or "June 17" in result.text, result.text
    assert result.score > -1.5
