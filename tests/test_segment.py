"""Paragraph and sentence segmentation: golden cases from the seeds, and offset invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import POLISH_SEED, SEEDS
from xling.errors import SegmentationError
from xling.segment import Segmenter, locate, paragraphs_spans


def sentences(text: str, lang: str) -> list[str]:
    return [text[s:e] for s, e in Segmenter(lang).sentences(text)]


@pytest.mark.parametrize("text, expected", [
    # abbreviations the stock Moses list lacks (ok., tys.) and ones it has (gen., ul., m.in., r.)
    ("Spotkanie odbyło się ok. 200 m od ul. Marszałkowskiej. Potem wyszli.",
     ["Spotkanie odbyło się ok. 200 m od ul. Marszałkowskiej.", "Potem wyszli."]),
    ("Zginęło 3 tys. osób, m.in. cywile. Gen. Walerij Gierasimow przyjechał.",
     ["Zginęło 3 tys. osób, m.in. cywile.", "Gen. Walerij Gierasimow przyjechał."]),
    ("Wydarzenie 17 czerwca 2024 r. o godz. 12.30 przy ul. Długiej. Prof. Nowak mówił tzw. językiem.",
     ["Wydarzenie 17 czerwca 2024 r. o godz. 12.30 przy ul. Długiej.", "Prof. Nowak mówił tzw. językiem."]),
    ("Koszt wyniósł 5 mln zł. Ppłk. Kowalski to potwierdził.",
     ["Koszt wyniósł 5 mln zł.", "Ppłk. Kowalski to potwierdził."]),
    # „…” quotes and a dash
    ("„To jest koniec” – powiedział. Następnie wyszedł.", ["„To jest koniec” – powiedział.", "Następnie wyszedł."]),
])
def test_polish_golden(text, expected):
    assert sentences(text, "pl") == expected


def test_polish_seed_paragraphs_and_sentences():
    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    paragraphs = Segmenter("pl").segment(text)
    heads = [text[p.start:p.end] for p in paragraphs]
    # single newlines separate paragraphs; the headings are paragraphs of their own
    assert "Reżimy upamiętnią wspólną walkę z Ukraińcami" in heads
    assert "Sojusz Kima i Putina pogłębia się od roku" in heads
    assert len(paragraphs) == 7
    counts = [len(p.sentences) for p in paragraphs]
    assert counts == [2, 1, 2, 2, 1, 3, 2]
    # "Stosowane muzeum – poświęcone tej współpracy ..." stays one sentence despite the dashes
    second = paragraphs[2].sentences[1]
    assert text[second[0]:second[1]].startswith("Stosowane muzeum – poświęcone")
    assert text[second[0]:second[1]].endswith("stolicy Korea Północnej.")


@pytest.mark.parametrize("text, expected", [
    ("The U.S. President Joe Biden is against it. He said so.",
     ["The U.S. President Joe Biden is against it.", "He said so."]),
    ("It happened at 1:44 p.m. on Tuesday. Nobody was hurt.",
     ["It happened at 1:44 p.m. on Tuesday.", "Nobody was hurt."]),
    ('“We highly value this genuine act of care and friendship,” he added. Putin said that.',
     ['“We highly value this genuine act of care and friendship,” he added.', "Putin said that."]),
    ('documents "that will allow the first French instructors to visit training centers soon." French President',
     ['documents "that will allow the first French instructors to visit training centers soon."', "French President"]),
    ("Dr. Ehud Ur said it. Mr. Smith agreed.", ["Dr. Ehud Ur said it.", "Mr. Smith agreed."]),
])
def test_english_golden(text, expected):
    assert sentences(text, "en") == expected


def test_english_seed_time_line_is_its_own_paragraph():
    text = (SEEDS / "003_71976fd2a7416a8b.txt").read_text(encoding="utf-8")
    heads = [text[s:e] for s, e in paragraphs_spans(text)]
    assert "12:27 PM \xa0(Updated:\xa0)" in heads  # no-break spaces, as in the file
    assert "3:41 AM" in heads


def test_hard_wrapped_block_is_one_paragraph():
    wrapped = ("This paragraph was wrapped by an editor at a fixed\n"
               "width of about fifty characters so that each line\n"
               "is nearly as long as the others until the end.\n\nNext paragraph.")
    spans = paragraphs_spans(wrapped)
    assert len(spans) == 2
    assert wrapped[spans[0][0]:spans[0][1]].endswith("until the end.")


def test_locate_rejects_text_that_is_not_there():
    with pytest.raises(SegmentationError):
        locate("Ala ma kota.", ["Ala ma psa."])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\t„”Ż\u00a0\u200b")) | st.characters(), max_size=300),
       st.sampled_from(["pl", "en", "xx"]))
def test_offsets_round_trip_and_cover_all_text(text, lang):
    segmenter = Segmenter(lang)
    covered = []
    last = 0
    for paragraph in segmenter.segment(text):
        assert paragraph.start >= last
        last = paragraph.end
        for start, end in paragraph.sentences:
            assert paragraph.start <= start < end <= paragraph.end
            piece = text[start:end]
            assert piece == piece.strip() and piece
            covered.append(piece)
    # every non-whitespace character of the input is in exactly one sentence, in order
    assert "".join("".join(c.split()) for c in covered) == "".join(text.split())


def _blocks_by_one_pattern(text: str) -> list[tuple[int, int]]:
    """Paragraph spans as the first version found them: one pattern over each block (the reference)."""
    import re

    from xling.segment import _LINE, _hard_wrapped, _trim

    spans = []
    for block in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        lines = [(m.start() + block.start(), m.end() + block.start()) for m in _LINE.finditer(block.group())]
        for start, end in [(block.start(), block.end())] if _hard_wrapped(text, lines) else lines:
            start, end = _trim(text, start, end)
            if start < end:
                spans.append((start, end))
    return spans


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(["Ala ma kota.", " ", "\t", "\n", "\n\n", " \n", "\r", "x" * 70, "."]),
                max_size=30).map("".join))
def test_paragraph_spans_equal_the_one_pattern_reference(text):
    assert paragraphs_spans(text) == _blocks_by_one_pattern(text)
