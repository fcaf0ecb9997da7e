"""Subtitles in and out: cues grouped into sentences, translated whole, spread back with the same timings."""

from __future__ import annotations

import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FakeTranslator
from xling.formats.beads import read_beads
from xling.pipeline import Options, translate_folder
from xling.readers.subtitles import read_subtitles, spread

# A sentence over three cues, then one over one cue, then one over two (line breaks inside cues).
SRT = """1
00:00:01,000 --> 00:00:02,500
Minister obrony Rosji przyleciał

2
00:00:02,600 --> 00:00:04,000
we wtorek do Pjongjangu,
na polecenie prezydenta,

3
00:00:04,100 --> 00:00:06,000
by kontynuować rozmowy.

4
00:00:06,500 --> 00:00:08,000
Obie strony uzgodniły budowę pomników.

5
00:00:08,100 --> 00:00:09,000
Udział żołnierzy potwierdzono

6
00:00:09,100 --> 00:00:11,000
dopiero pod koniec kwietnia.
"""
VTT = "WEBVTT\n\n" + "\n".join(
    block.replace(",", ".", 2) if "-->" in block else block for block in SRT.split("\n")) \
    .replace("00:00:01.000 --> 00:00:02.500", "00:00:01.000 --> 00:00:02.500 align:start")
SENTENCES = ["Minister obrony Rosji przyleciał we wtorek do Pjongjangu, na polecenie prezydenta, by kontynuować "
             "rozmowy.", "Obie strony uzgodniły budowę pomników.",
             "Udział żołnierzy potwierdzono dopiero pod koniec kwietnia."]


def test_cues_are_grouped_into_whole_sentences():
    document = read_subtitles(SRT, "a.srt", "utf-8", ".srt")
    assert [document.text[b.start:b.end] for b in document.blocks] == SENTENCES
    assert [b.place for b in document.blocks] == ["cues 1-3", "cues 4-4", "cues 5-6"]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.text(st.characters(categories=["L", "N", "P"]), min_size=1, max_size=12), max_size=30),
       st.lists(st.integers(1, 80), min_size=1, max_size=6))
def test_spread_keeps_every_word_once_in_order_and_one_piece_per_cue(words, lengths):
    translation = " ".join(words)
    pieces = spread(translation, lengths)
    assert len(pieces) == len(lengths)
    assert " ".join(p for p in pieces if p).split() == translation.split()
    if len(translation.split()) >= len(lengths):
        assert all(pieces)


def _run(tmp_path, name, text):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    fake = FakeTranslator()
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False), translator_factory=lambda m: fake)
    return report, fake


def test_an_srt_file_comes_back_with_the_same_cues_and_timings(tmp_path):
    report, fake = _run(tmp_path, "film.srt", SRT)
    assert report.files[0].status == "translated" and fake.seen == SENTENCES  # whole sentences, not cues
    original = list(srt.parse(SRT))
    translated = list(srt.parse((tmp_path / "out" / "pl-en" / "film.en.srt").read_text(encoding="utf-8")))
    assert [(c.index, c.start, c.end) for c in translated] == [(c.index, c.start, c.end) for c in original]
    assert " ".join(c.content for c in translated[:3]) == SENTENCES[0].upper()
    assert all(c.content for c in translated)
    beads = [r.bead for r in read_beads(tmp_path / "out" / "pl-en" / "film.jsonl")]
    assert [b.source_text for b in beads] == SENTENCES


def test_a_vtt_file_keeps_its_timings_and_cue_settings(tmp_path):
    _run(tmp_path, "film.vtt", VTT)
    out = (tmp_path / "out" / "pl-en" / "film.en.vtt").read_text(encoding="utf-8")
    original, translated = list(webvtt.from_string(VTT)), list(webvtt.from_string(out))
    assert [(c.start, c.end) for c in translated] == [(c.start, c.end) for c in original]
    assert "align:start" in out and translated[3].text == SENTENCES[1].upper()


def test_a_malformed_subtitle_file_fails_with_one_short_line(tmp_path):
    """srt's error quotes the whole block it could not parse (here a cue of 40 lines); the manifest's
    reason stays one short line."""
    folder = tmp_path / "in"
    folder.mkdir()
    broken = SRT.replace("00:00:04,100 --> 00:00:06,000\n", "00:00:04,100 --> nonsense\n" + "tekst napisu\n" * 40)
    (folder / "broken.srt").write_text(broken, encoding="utf-8")
    (folder / "ok.srt").write_text(SRT, encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False),
                              translator_factory=lambda m: FakeTranslator())
    status = {f.path: (f.status, f.reason) for f in report.files}
    assert status["ok.srt"][0] == "translated"
    assert status["broken.srt"][0] == "failed"
    reason = status["broken.srt"][1]
    assert reason.startswith("unreadable: not a valid srt file (SRTParseError")
    assert "\n" not in reason and len(reason) < 250


def test_cue_formatting_is_not_text():
    """Italics, font colours and ASS positioning codes are not words: not sent to the model, and a tag
    after a "?" does not hide the end of the sentence (the first cue is a block of its own)."""
    formatted = ("1\n00:00:01,000 --> 00:00:02,000\n<i>Gdzie jesteś?</i>\n\n"
                 "2\n00:00:02,500 --> 00:00:04,000\n{\\an8}- Tutaj.\n- <font color=\"#ffff00\">Naprawdę</font>?"
                 " Jeśli a < b, to b > a.\n")
    document = read_subtitles(formatted, "a.srt", "utf-8", ".srt")
    assert [document.text[b.start:b.end] for b in document.blocks] == [
        "Gdzie jesteś?", "- Tutaj. - Naprawdę? Jeśli a < b, to b > a."]
    assert [b.place for b in document.blocks] == ["cues 1-1", "cues 2-2"]
