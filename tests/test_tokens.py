"""SentencePieceTokens must give MarianTokenizer's ids and texts, on real text and on arbitrary text.

The tokenizer under test has a Polish source model and an English target model in one
vocabulary, as opus-mt-pl-en has: ids of target pieces the source model does not know
must decode as MarianTokenizer decodes them.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import POLISH_SEED, SEEDS, SHARED, load_script
from xling.translate.tokens import LibraryTokens, SentencePieceTokens, load_tokens, plain_checkpoint

REAL = SHARED / "opus-mt-real"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    polish = [(SEEDS / POLISH_SEED).read_text(encoding="utf-8")]
    english = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) if p.name != POLISH_SEED]
    out = tmp_path_factory.mktemp("tokens") / "pl-en"
    load_script("make_tiny_marian").write_tokenizer(out, polish, english, vocab_size=400)
    return out


@pytest.fixture(scope="module")
def both(folder):
    return SentencePieceTokens(folder), LibraryTokens.load(folder)


def real_lines() -> list[str]:
    if not REAL.is_dir():
        pytest.skip("../shared/opus-mt-real is absent")
    return [line for name in ("newstest2020.pl", "flores-devtest.pl", "newstest2020.ref.en", "newstest2020.opus-mt.en")
            for line in (REAL / name).read_text(encoding="utf-8").splitlines()]


def test_the_two_vocabularies_differ(folder):
    assert (folder / "source.spm").read_bytes() != (folder / "target.spm").read_bytes()
    assert plain_checkpoint(folder)
    assert isinstance(load_tokens(folder), SentencePieceTokens)
    assert isinstance(load_tokens(folder, library=True), LibraryTokens)


def test_real_sentences_encode_and_decode_alike(both):
    ours, library = both
    lines = real_lines()
    assert len(lines) > 4000
    ids = ours.encode(lines)
    assert ids == library.encode(lines)
    assert ours.decode(ids) == library.decode(ids)
    assert sum(ours.unk_id in row for row in ids) > 10  # the small vocabulary leaves pieces unknown


# pieces of text: any character, and the strings the tokenizers treat specially
TEXT = st.lists(st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(["</s>", "<unk>", "<pad>", ">>en<<", ">>", "<<", "▁", " ", "  ", "\t", "\n", "ą", "Ż", "😀",
                     "\u200b", "\u00a0", "&amp;", "e\u0301", "Ala ma kota", "przyleciał"]),
), max_size=20).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=4))
def test_any_text_encodes_to_the_same_ids(both, texts):
    ours, library = both
    assert ours.encode(texts) == library.encode(texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_ids_decode_to_the_same_text(both, data):
    ours, library = both
    size = len(ours.vocabulary)
    rows = data.draw(st.lists(st.lists(st.integers(0, size - 1), max_size=30), min_size=1, max_size=3))
    assert ours.decode(rows) == library.decode(rows)
    assert ours.to_pieces(rows[0]) == library.to_pieces(rows[0])
    assert ours.to_ids(ours.to_pieces(rows[0])) == library.to_ids(library.to_pieces(rows[0])) == rows[0]


@pytest.mark.parametrize("change", [
    {"separate_vocabs": True},
    {"clean_up_tokenization_spaces": True},
    {"additional_special_tokens": [">>pl<<"]},
    {"eos_token": "<eos>"},
    {"tokenizer_class": "SomethingElse"},
])
def test_other_checkpoints_go_to_the_library(folder, tmp_path, change):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    path = copy / "tokenizer_config.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **change}), encoding="utf-8")
    assert not plain_checkpoint(copy)
    (copy / "source.spm").unlink()
    assert not plain_checkpoint(copy)


def test_a_vocabulary_without_the_end_token_goes_to_the_library(folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    vocabulary = json.loads((copy / "vocab.json").read_text(encoding="utf-8"))
    del vocabulary["</s>"]
    (copy / "vocab.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    assert plain_checkpoint(copy)  # the files look plain; reading them is what fails
    assert isinstance(load_tokens(copy), LibraryTokens)
