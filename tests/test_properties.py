"""Properties small deliberate bugs would break, each stated on its own (expected values by hand)."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import POLISH_SEED, SEEDS, FakeTranslator
from xling.formats.atomic import atomic_open, is_temporary
from xling.formats.fast_align import fold
from xling.formats.lines import one_line
from xling.formats.tmx import xml_safe
from xling.quality import COPIED_SHARE, UNTRANSLATED, flags_for
from xling.segment import Segmenter, paragraphs_spans
from xling.translate.cache import TranslationCache, namespace, translate_cached

WORDS = st.sampled_from(["Putin", "odwiedził", "Pjongjang", "w", "środę", "a", "umowa", "r.", "np.", "godz.", "12.30",
                         "Kim", "wojsko", "—", "„cytat”", "ok.", "3", "tys."])


@st.composite
def hard_wrapped(draw) -> str:
    """A paragraph wrapped at about 60 columns, as e-mail and old text files are."""
    words = draw(st.lists(WORDS, min_size=40, max_size=120))
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 60 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line]) + "."


@given(hard_wrapped())
def test_offsets_round_trip_on_hard_wrapped_text(text):
    spans = paragraphs_spans(text)
    assert len(spans) == 1  # one wrapped paragraph, not a paragraph a line
    start, end = spans[0]
    sentences = Segmenter("pl").sentences(text, start, end)
    # every character but whitespace is in exactly one sentence, in order, at its own offsets
    assert "".join(text[s:e] for s, e in sentences).replace("\n", "").replace(" ", "") == \
        text.replace("\n", "").replace(" ", "")
    for s, e in sentences:
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "  " not in text[s:e].replace("\n", " ")  # a line break is a space, not nothing


def _fake(model="m", revision="1", beams=4):
    from dataclasses import replace

    fake = FakeTranslator(model)
    fake.revision = revision
    fake.settings = replace(fake.settings, beams=beams)
    return fake


def test_model_revision_quantisation_and_settings_each_make_their_own_namespace():
    spaces = {namespace(_fake()), namespace(_fake(model="other")), namespace(_fake(revision="2")),
              namespace(_fake(revision="1+qint8")), namespace(_fake(beams=1))}
    assert len(spaces) == 5


def test_a_changed_model_misses_the_cache(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    first = _fake(revision="abc")
    translate_cached(first, cache, ["Zdanie pierwsze."])
    changed = _fake(revision="abd")  # the same name, other weights
    _, fresh = translate_cached(changed, cache, ["Zdanie pierwsze."])
    assert fresh == {"Zdanie pierwsze."} and changed.seen == ["Zdanie pierwsze."]
    _, fresh = translate_cached(_fake(revision="abc"), cache, ["Zdanie pierwsze."])
    assert fresh == set()


SOURCE = "alfa bravo charlie delta echo foxtrot golf hotel india juliett"


@pytest.mark.parametrize("target, flagged", [
    # ordinary (lower-case) words of the output that are the source's own: 5 of 10 is not "mostly"
    ("alfa bravo charlie delta echo one two three four five", False),
    # 6 of 10 is
    ("alfa bravo charlie delta echo foxtrot two three four five", True),
])
def test_untranslated_just_either_side_of_the_copied_share(target, flagged):
    assert COPIED_SHARE == 0.5
    flags = flags_for(SOURCE, target, -0.5, "pl", "en", detect=lambda text: "en")
    assert (UNTRANSLATED in flags) == flagged


def test_untranslated_is_not_judged_from_english_to_english_nor_on_an_undecided_detector():
    assert UNTRANSLATED not in flags_for(SOURCE, SOURCE, -0.5, "en", "en", detect=lambda text: "pl")
    other = "one two three four five six seven eight nine ten eleven twelve"
    assert UNTRANSLATED not in flags_for(SOURCE, other, -0.5, "pl", "en", detect=lambda text: None)
    assert UNTRANSLATED in flags_for(SOURCE, other, -0.5, "pl", "en", detect=lambda text: "pl")


def test_a_failed_write_leaves_the_old_bytes_and_no_temporary(tmp_path):
    target = tmp_path / "a.en"
    target.write_bytes(b"old content\n")
    with pytest.raises(RuntimeError), atomic_open(target) as out:
        out.write("half of the new")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.en"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_written_file_has_the_mode_any_new_file_gets_and_its_folder_is_made(tmp_path, umask):
    target = tmp_path / "made" / "here" / "a.en"
    old = os.umask(umask)
    try:
        with atomic_open(target) as out:
            out.write("one\n")
            (temporary,) = [p.name for p in target.parent.iterdir()]
        reference = tmp_path / "by-open"
        reference.write_text("")  # how the system makes a new file under this umask
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "one\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask == stat.S_IMODE(reference.stat().st_mode)
    # while open, the file is one of xling's temporaries (what a resumed run cleans up), beside the target
    assert is_temporary(temporary) and temporary.startswith(".xling~a.en.")
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.en"]


def test_a_temporary_name_already_taken_is_passed_over_and_all_taken_is_one_error(tmp_path, monkeypatch):
    from xling.formats import atomic

    draws = iter([b"\x00" * 8, b"\x01" * 8])  # "aaaaaaaa" (taken below), then "bbbbbbbb"
    monkeypatch.setattr(atomic.os, "urandom", lambda size: next(draws))
    taken = tmp_path / ".xling~a.en.aaaaaaaa.tmp"
    taken.write_text("another writer's", encoding="utf-8")
    with atomic_open(tmp_path / "a.en") as out:
        out.write("mine\n")
        assert (tmp_path / ".xling~a.en.bbbbbbbb.tmp").exists()
    assert (tmp_path / "a.en").read_text(encoding="utf-8") == "mine\n"
    assert taken.read_text(encoding="utf-8") == "another writer's"

    (tmp_path / ".xling~b.en.aaaaaaaa.tmp").write_text("", encoding="utf-8")
    monkeypatch.setattr(atomic.os, "urandom", lambda size: b"\x00" * 8)  # every draw the taken name
    tries = atomic.TEMPORARY_NAMES_TRIED
    with pytest.raises(FileExistsError, match=f"no free temporary name beside .*b.en after {tries} tries"):
        atomic_open(tmp_path / "b.en").__enter__()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".xling~a.en.aaaaaaaa.tmp", ".xling~b.en.aaaaaaaa.tmp", "a.en"]


def test_a_folder_another_writer_makes_at_the_same_moment_is_written_into(tmp_path, monkeypatch):
    """Two writers into a new folder: the other one makes it between this one's look and its mkdir."""
    from xling.formats import atomic

    folder = tmp_path / "new"
    looked = []

    def exists(self):
        if self == folder and not looked:
            looked.append(self)
            folder.mkdir()  # the other writer, just now
            return False
        return self.is_dir() or self.is_file()

    monkeypatch.setattr(atomic.Path, "exists", exists)
    atomic.write_text(folder / "a.en", "one\n")
    assert (folder / "a.en").read_text(encoding="utf-8") == "one\n" and looked == [folder]


def test_resume_is_refused_for_another_input_and_after_a_finished_run(tmp_path):
    from xling.pipeline import Options, translate_folder
    from xling.pipeline.folder import STATE_FILE, OutputFolder

    one, other = tmp_path / "one", tmp_path / "other"
    for folder in (one, other):
        folder.mkdir()
        shutil.copy(SEEDS / POLISH_SEED, folder)
    out = tmp_path / "out"
    unfinished = OutputFolder(one, out, ("*.txt",), force=False)
    unfinished.open()  # a run that was killed: its marker stays
    assert OutputFolder(one, out, ("*.txt",), False).resumable()
    assert not OutputFolder(other, out, ("*.txt",), False).resumable()  # another input
    assert not OutputFolder(one, out, ("*.md",), False).resumable()  # other files
    unfinished.close()
    assert not (out / STATE_FILE).exists()
    translate_folder(one, tmp_path / "done", Options(use_cache=False), translator_factory=lambda m: FakeTranslator())
    assert not (tmp_path / "done" / STATE_FILE).exists()
    with pytest.raises(Exception, match="not empty"):  # finished: a second run needs --force
        translate_folder(one, tmp_path / "done", Options(use_cache=False),
                         translator_factory=lambda m: FakeTranslator())


@pytest.mark.parametrize("text, expected", [
    ("a\tb", "a b"), ("a\nb\r\nc", "a b  c"), ("x\u2028y\u2029z\u0085w", "x y z w"), ("a\x0bb\x0cc", "a b c"),
    ("\x1c\x1d\x1e", "   "), ("no break", "no break"), ("ąę\u00a0ł", "ąę\u00a0ł"),
])
def test_one_line_by_hand(text, expected):
    assert one_line(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("a ||| b", "a | | | b"), ("||||", "| | ||"), ("a || b", "a || b"), ("x\ty ||| z", "x y | | | z"),
])
def test_fold_by_hand(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("a\x01b", "a\ufffdb"), ("\x00", "\ufffd"), ("tab\tok\n", "tab\tok\n"), ("\ufffe", "\ufffd"), ("łódź", "łódź"),
])
def test_xml_safe_by_hand(text, expected):
    assert xml_safe(text) == expected


def test_an_export_reads_back_as_the_beads(tmp_path):
    from typer.testing import CliRunner

    from xling.cli import app
    from xling.formats.beads import read_beads
    from xling.formats.moses import read_moses
    from xling.formats.tsv import read_tsv
    from xling.pipeline import Options, translate_folder

    out = tmp_path / "out"
    translate_folder(SEEDS, out, Options(use_cache=False), translator_factory=lambda m: FakeTranslator())
    beads = [r.bead for r in read_beads(out / "pl-en" / POLISH_SEED.replace(".txt", ".jsonl"))]
    runner = CliRunner()
    assert runner.invoke(app, ["export", str(out), "-f", "moses", "-o", str(tmp_path / "c")]).exit_code == 0
    assert runner.invoke(app, ["export", str(out), "-f", "tsv", "-o", str(tmp_path / "c.tsv"),
                               "--columns", "src_ids,score"]).exit_code == 0
    pairs = [(one_line(b.source_text), one_line(b.target_text)) for b in beads]
    assert read_moses(tmp_path / "c.pl", tmp_path / "c.en") == pairs
    rows = read_tsv(tmp_path / "c.tsv")
    assert [(r["source"], r["target"]) for r in rows] == pairs
    assert [r["src_ids"] for r in rows] == [",".join(map(str, b.source_ids)) for b in beads]
    assert [float(r["score"]) for r in rows] == [round(b.score, 4) for b in beads]


def test_fast_align_writes_one_line_per_bead_reads_back_and_says_which_line_is_bad(tmp_path):
    from xling.data import Bead, Record
    from xling.formats.fast_align import read_fast_align, write_fast_align

    beads = [Bead((0,), (0,), "Ala ma kota.", "Ala has a cat."), Bead((1,), (), "Sam |||.", ""),
             Bead((), (1,), "", "Alone.")]
    path = tmp_path / "corpus.fa"
    assert write_fast_align([Record("d", i, b) for i, b in enumerate(beads)], path) == 3
    assert path.read_text(encoding="utf-8") == "Ala ma kota. ||| Ala has a cat.\nSam | | |. ||| \n ||| Alone.\n"
    assert read_fast_align(path) == [("Ala ma kota.", "Ala has a cat."), ("Sam | | |.", ""), ("", "Alone.")]
    path.write_text("a ||| b ||| c\nno separator\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus\.fa:2: no '\|\|\|' separator"):
        read_fast_align(path)
    path.write_text("a ||| b ||| c\n", encoding="utf-8")
    assert read_fast_align(path) == [("a", "b ||| c")]  # the first separator splits, as fast_align reads it


def test_names_made_distinct_keep_their_folder():
    from xling.naming import output_names

    names = output_names(["sub/deep/A.txt", "sub/deep/a.txt"])  # one name on a case-insensitive disk
    stems = sorted(names.stem.values())
    assert [s.rpartition("~")[0] for s in stems] == ["sub/deep/A.txt", "sub/deep/a.txt"]
    assert len({s.casefold() for s in stems}) == 2


def test_paragraphs_are_numbered_in_order_from_zero():
    text = "Pierwszy akapit.\n\nDrugi akapit. Ma dwa zdania.\n\n\nTrzeci."
    paragraphs = Segmenter("pl").segment(text)
    assert [p.index for p in paragraphs] == [0, 1, 2]
    assert [text[p.start:p.end] for p in paragraphs] == ["Pierwszy akapit.", "Drugi akapit. Ma dwa zdania.",
                                                         "Trzeci."]


@pytest.mark.parametrize("source_words, output_words, median, expected", [
    (10, 10, 0.0, 0.0),  # log(10/10) = 0
    (10, 5, 0.0, -0.548),  # log(0.5) / sqrt(1 + 6/10) = -0.6931 / 1.2649
    (6, 12, 0.5, 0.137),  # (log 2 - 0.5) / sqrt(2) = 0.1931 / 1.4142
    (4, 0, 0.0, -1.315),  # no word out counts as half a word: log(0.5/4) / sqrt(2.5) = -2.0794 / 1.5811
])
def test_the_omission_z_score_by_hand(source_words, output_words, median, expected):
    from xling.quality import OmissionModel

    assert OmissionModel.z(source_words, output_words, median) == pytest.approx(expected, abs=1e-3)


def test_a_run_flushes_its_outputs_once_and_a_failed_run_too(seeds, tmp_path, fake_factory, monkeypatch):
    """Outputs are renamed into place without an fsync each and made durable by one sync: at the end
    of a run, or when it stops on an error (then it stays resumable). Only the unfinished-run marker,
    written before any output, is fsynced alone; writes after the run fsync again."""
    import os

    from xling.errors import XlingError
    from xling.formats.atomic import write_text
    from xling.pipeline import Options, translate_folder

    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.__setitem__("fsync", calls["fsync"] + 1), real_fsync(fd)))
    monkeypatch.setattr(os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    options = Options(use_cache=False, view=False)
    translate_folder(seeds, tmp_path / "out", options, translator_factory=fake_factory)
    assert calls == {"fsync": 1, "sync": 1}
    assert len(list((tmp_path / "out" / "pl-en").iterdir())) >= 4
    write_text(tmp_path / "after.txt", "x")
    assert calls == {"fsync": 2, "sync": 1}

    def broken(model: str):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        translate_folder(seeds, tmp_path / "stopped", options, translator_factory=broken)
    assert calls == {"fsync": 3, "sync": 2}
    assert (tmp_path / "stopped" / ".xling-run.json").is_file()
    write_text(tmp_path / "after.txt", "y")
    assert calls == {"fsync": 4, "sync": 2}

    # a run that fails in its start, after opening its folder (a cache it cannot use), flushes too,
    # and leaves no deferral behind: a later write into that folder fsyncs on its own
    (tmp_path / "a-folder.sqlite3").mkdir()
    unusable = Options(use_cache=True, cache=tmp_path / "a-folder.sqlite3", view=False)
    with pytest.raises(XlingError):
        translate_folder(seeds, tmp_path / "no-cache", unusable, translator_factory=fake_factory)
    assert (tmp_path / "no-cache" / ".xling-run.json").is_file()
    assert calls == {"fsync": 5, "sync": 3}
    write_text(tmp_path / "no-cache" / "after.txt", "z")
    assert calls == {"fsync": 6, "sync": 3}


# --- repetition, copies, lengths, omissions and scores at their limits (values by hand) -----------

@pytest.mark.parametrize("text, expected", [
    ("a a a a", True),  # one word four times, at the very end
    ("x y a a a", False),  # three times after other words
    ("a b a b a b a b", True),  # a bigram four times
    ("a b a b a b c", False),  # three times
    ("one two three four one two three four one two three four one two three four", True),  # a 4-gram
    ("one two three four five " * 4, False),  # a 5-gram: longer than what is looked for
    ("hahahahahaha", True),  # a short string six times, no spaces
    ("hahahahaha", False),  # five times
    ("The the THE the", True),  # case aside
])
def test_repetition_limits(text, expected):
    from xling.quality import repeats

    assert repeats(text) is expected


SV = "aaaaaaaaaa bbbbbbbbbb"  # 21 characters, 20 letters: just long enough to be judged (min_chars 20)


def test_copied_words_and_language_are_judged_from_their_limits():
    from xling.quality import Thresholds

    source = "Premier spotkał się w poniedziałek z delegacją."
    loose = Thresholds(ratio_factor=100.0)  # lengths not judged here
    # three ordinary words, all the source's: a copy (a share of 1 > 0.5); two are too few to say
    assert flags_for(source, "spotkał się z", -0.1, "pl", "en", None, loose) == (UNTRANSLATED,)
    assert flags_for(source, "spotkał się", -0.1, "pl", "en", None, loose) == ()
    always_polish = lambda text: "pl"  # noqa: E731
    twenty = "Abcde fghij klmno pqrst uvwxy"  # the probe is its ordinary words: 4 × 5 = 20 letters
    nineteen = "Abcde fghij klmno pqrs uvwxy"
    assert flags_for(source, twenty, -0.1, "pl", "en", always_polish, loose) == (UNTRANSLATED,)
    assert flags_for(source, nineteen, -0.1, "pl", "en", always_polish, loose) == ()


def test_length_ratio_limits():
    from xling.quality import LENGTH_RATIO, Thresholds

    double = "One two three four five six seven eight n"
    assert len(SV) == 21 and len(double) + 1 == 42
    factor_two = Thresholds(ratio_factor=2.0)
    # an unknown language's typical ratio is 1: exactly twice as long is still inside [1/2, 2]
    assert flags_for(SV, double + "x", -0.1, "sv", "en", None, factor_two) == ()
    assert flags_for(SV, double + "xy", -0.1, "sv", "en", None, factor_two) == (LENGTH_RATIO,)
    same = "Quite another line 21"
    assert len(same) == 21
    assert flags_for(SV, same, -0.1, "sv", "en", None, Thresholds(ratio_factor=1.5)) == ()
    # Polish into English is typically 0.95 as long: 38 characters for 40 is exactly typical
    polish = "Rozmowy trwały trzy godziny w stolicy."
    english = "Talks took three hours, in the capit"
    assert (len(polish), len(english)) == (38, 36)  # 36 / 38 = 0.947: log(0.947 / 0.95) ≈ -0.003
    assert flags_for(polish, english, -0.1, "pl", "en", None, Thresholds(ratio_factor=1.04)) == ()
    shorter = "Talks took three hours, in the cap"  # 34 / 38 = 0.895: log(0.895 / 0.95) ≈ -0.06 < -log 1.04
    assert flags_for(polish, shorter, -0.1, "pl", "en", None, Thresholds(ratio_factor=1.04)) == (LENGTH_RATIO,)
    # not judged below 20 letters
    assert flags_for("aaaaaaaaaa bbbbbbbbb", double * 3, -0.1, "sv", "en", None, factor_two) == ()


def test_omission_and_score_limits():
    from xling.quality import LOW_SCORE, OMISSION, OmissionModel, Thresholds

    polish = Thresholds(omission={"pl": OmissionModel(0.1671, -0.3431)})
    five = "Ala ma kota i psa"  # five words, 13 letters: judged for omissions only
    # z = (log(1/5) - 0.1671) / sqrt(1 + 6/5) = -1.198, below -0.3431
    assert flags_for(five, "Ala", -0.1, "pl", "en", None, polish) == (OMISSION,)
    assert flags_for("Ala ma kota i", "Ala", -0.1, "pl", "en", None, polish) == ()  # four words: not judged
    at_zero = Thresholds(omission={"pl": OmissionModel(0.0, 0.0)})
    assert flags_for(five, "Ann has a cat too", -0.1, "pl", "en", None, at_zero) == ()  # z = 0: not below 0
    at_minus_one = Thresholds(low_score=-1.0)
    assert flags_for(five, "Ann has a cat too", -1.0, "pl", "en", None, at_minus_one) == ()
    assert flags_for(five, "Ann has a cat too", -1.01, "pl", "en", None, at_minus_one) == (LOW_SCORE,)


def test_data_runs_are_blanked_to_one_space():
    from xling.segment import without_data_runs

    assert without_data_runs("abc " + "x" * 11 + " def", 10) == "abc   def"
    assert without_data_runs("abc " + "x" * 10 + " def", 10) == "abc " + "x" * 10 + " def"


LONG = "To jest zwykły akapit artykułu, który ma znacznie więcej niż pięć słów w sobie."


def _paragraph(n: int) -> str:
    return LONG.replace("zwykły", f"zwykły nr {n}")


def test_recurring_paragraphs_count_only_in_the_runs_at_the_edges():
    from xling.boilerplate import BYLINE, RECURRING, key, mark

    appeal, newsletter = "Wesprzyj nas: każda wpłata pomaga nam pisać dalej o tym, co ważne.", \
        "Zapisz się do newslettera, a co tydzień dostaniesz od nas najważniejsze teksty."
    recurring = frozenset({key(appeal), key(newsletter)})
    authors = "Authors: Anna Nowak, Jan Kowalski and Piotr Wiśniewski"  # a byline of seven words
    # the byline between two recurring paragraphs keeps the top run going
    assert mark([appeal, authors, newsletter, _paragraph(1), _paragraph(2)], recurring) == \
        [RECURRING, BYLINE, RECURRING, "", ""]
    # a recurring paragraph after article text is a quote, not furniture
    assert mark([appeal, _paragraph(1), newsletter, _paragraph(2), _paragraph(3)], recurring) == \
        [RECURRING, "", "", "", ""]
    assert mark([_paragraph(1), _paragraph(2), appeal, _paragraph(3), newsletter], recurring) == \
        ["", "", "", "", RECURRING]


def test_bylines_at_their_limits():
    from xling.boilerplate import BYLINE, mark

    def is_byline(text: str) -> bool:
        return mark([text]) == [BYLINE]

    long_by = "By Anna Nowak " + " ".join(["słowo"] * 22)  # 25 words: the most a byline has
    assert is_byline(long_by) and not is_byline(long_by + " jeszcze")
    assert is_byline("Updated May 12, 2024 at")  # three words; only "at" is not a date word
    assert not is_byline("Updated on May 12, 2024 at")  # four words
    assert not is_byline("May 12 in Warsaw")  # "in Warsaw": two words that are not a date


def test_a_short_paragraph_at_an_edge_next_to_boilerplate_is_interface():
    from xling.boilerplate import BYLINE, INTERFACE, mark

    article = [_paragraph(1), _paragraph(2)]
    assert mark(["Menu", "By Anna Nowak", *article]) == [INTERFACE, BYLINE, "", ""]
    assert mark([*article, "By Anna Nowak", "Share"]) == ["", "", BYLINE, INTERFACE]
    assert mark(["Menu", *article]) == ["", "", ""]  # next to article text: a heading, perhaps


def test_long_segments_cut_and_renumbered_with_the_data_run_reported():
    """limit 10: "ab cd " + 12 × "x" + " ef" (offset 100) → "ab cd" (cut), the data run (skipped),
    "ef" (cut); the next segment, exactly 10 characters, is kept whole and numbered after them."""
    from xling.data import Segment
    from xling.segment import cut_long_segments

    first = "ab cd " + "x" * 12 + " ef"
    segments = [Segment("d", 0, 0, 100, 100 + len(first), first), Segment("d", 1, 1, 130, 140, "abcdefghij")]
    out, cut, skipped = cut_long_segments(segments, 10)
    assert [(s.index, s.paragraph, s.start, s.end, s.text) for s in out] == [
        (0, 0, 100, 105, "ab cd"), (1, 0, 106, 118, "x" * 12), (2, 0, 119, 121, "ef"), (3, 1, 130, 140, "abcdefghij")]
    assert cut == {0, 2}
    assert skipped == [{"index": 1, "start": 106, "end": 118, "reason": "12 characters without whitespace (data, "
                        "not text) exceed --max-sentence-chars 10"}]


def test_a_segmenter_without_a_language_segments_as_english():
    text = "Mr. Smith went home. He slept."
    assert [text[s:e] for s, e in Segmenter(None).sentences(text)] == ["Mr. Smith went home.", "He slept."]


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def test_safe_names_by_hand():
    from xling.naming import safe_part

    assert safe_part("XXX") == "XXX" and safe_part("a.b.txt") == "a.b.txt"
    assert safe_part("...") == "unnamed~" + _sha("...")
    assert safe_part("...", "x/...") == "unnamed~" + _sha("x/...")  # the hash of the whole path given
    assert safe_part("a\x01b") == "a_b~" + _sha("a\x01b")  # control characters
    assert safe_part("..a\x01") == "a_~" + _sha("..a\x01")  # dots at the ends go, not spaces
    assert safe_part("e" * 180) == "e" * 180  # 180 bytes: the most a part may take
    long_polish = "a" + "ż" * 90  # 181 bytes: cut to 90 bytes, and not inside a character
    assert safe_part(long_polish) == "a" + "ż" * 44 + "~" + _sha(long_polish)


def test_output_names_by_hand():
    from xling.naming import output_names

    names = output_names(["a.b.txt", "README", ".profile", "d/..."])
    assert names.stem == {"a.b.txt": "a.b", "README": "README", ".profile": ".profile",
                          "d/...": "d/unnamed~" + _sha("d/...")}
    assert names.copy["d/..."] == "d/unnamed~" + _sha("d/...")
    # a file and, on a case-insensitive disk, a folder of the same name: the file's copy is renamed
    clash = output_names(["X", "x/y.txt", "a/B", "a/b/c.txt"])
    assert clash.copy == {"X": "X~" + _sha("X"), "x/y.txt": "x/y.txt", "a/B": "a/B~" + _sha("a/B"),
                          "a/b/c.txt": "a/b/c.txt"}


@pytest.mark.parametrize("widths, one_paragraph", [
    ((100, 100, 50), True),  # a width of 100 is still a wrapped text's
    ((101, 101, 50), False),  # wider: lines that are paragraphs
    ((100, 60, 10), True),  # every line but the last at least 60 % of the width
    ((100, 30, 100), False),  # a short line inside: separate lines
    ((100, 100, 30, 100), False),
])
def test_hard_wrapped_blocks_by_their_line_widths(widths, one_paragraph):
    text = "\n".join(("abcd " * 30)[:n - 1] + "." for n in widths)
    assert [len(line) for line in text.split("\n")] == list(widths)
    spans = paragraphs_spans(text)
    assert len(spans) == (1 if one_paragraph else len(widths))


def test_a_line_break_inside_a_sentence_does_not_end_it():
    text = "First line of a\nsentence that continues. Second one."
    assert [text[s:e] for s, e in Segmenter("en").sentences(text)] == [
        "First line of a\nsentence that continues.", "Second one."]


def test_locate_maps_pieces_by_their_letters_and_says_where_it_fails():
    from xling.errors import SegmentationError
    from xling.segment import locate

    assert locate("Ab.  Cd.\nEf.", ["Ab.", "   ", "Cd. Ef."]) == [(0, 3), (5, 12)]
    long_piece = "Zdanie " * 8  # 56 characters; messages quote the first 40
    with pytest.raises(SegmentationError) as past:
        locate("Ab. ", ["Ab.", long_piece])
    assert str(past.value) == f"sentence {long_piece[:40]!r} runs past the end of its paragraph"
    with pytest.raises(SegmentationError) as wrong:
        locate("Ab. Xy", ["Ab.", long_piece])
    assert str(wrong.value) == f"sentence {long_piece[:40]!r} does not match the text at offset 4"


def test_json_lines_keep_letters_and_escape_line_separators():
    from xling.formats.lines import json_line

    assert json_line({"pl": "zażółć", "x": "a\u2028b"}) == '{"pl": "zażółć", "x": "a\\u2028b"}'


# --- the output folder's bookkeeping, by hand ---------------------------------------------------

def test_output_paths_never_leave_the_folder(tmp_path):
    from xling.errors import UsageError
    from xling.pipeline.folder import inside

    assert inside(tmp_path, "pl-en/a.pl") == tmp_path / "pl-en" / "a.pl"
    for relative in ("../x", "a/../b", str(tmp_path / "a")):  # up and back in, or absolute though inside
        with pytest.raises(UsageError) as refused:
            inside(tmp_path, relative)
        assert str(refused.value) == f"refusing output path {relative!r}: it would leave the output folder"


def test_the_unfinished_run_marker_by_hand(tmp_path):
    import json

    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    folder = OutputFolder(tmp_path / "in", tmp_path / "a" / "b" / "out", ["*.txt"], False, {"match": "name"})
    assert folder.state() == json.dumps({"globs": ["*.txt"], "input": str((tmp_path / "in").resolve()),
                                         "match": "name"})  # keys sorted: the same text for the same run
    folder.open()  # its parents made too
    assert folder.resumable() and (folder.path / ".xling-run.json").read_text(encoding="utf-8") == folder.state()
    folder.close()
    assert not folder.resumable() and (folder.path / ".xling-lock").read_text(encoding="ascii") == ""


def test_what_a_reopened_folder_cleans_and_says(tmp_path, caplog):
    import logging

    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    (out / "pl-en").mkdir(parents=True)
    for name in (".xling~a.pl.abcd1234.tmp", ".xling~b.en.efgh5678.tmp"):
        (out / "pl-en" / name).write_text("half", encoding="utf-8")
    folder = OutputFolder(tmp_path / "in", out, ["*.txt"], True)
    with caplog.at_level(logging.INFO, logger="xling.pipeline.folder"):
        folder.open()
    assert "removed 2 temporary file(s) an interrupted run left behind" in caplog.messages
    folder.close()


def test_removable_outputs_by_hand(tmp_path):
    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    for name in ("pl-en/a.pl", "a/b/manifest.jsonl", "manifest.jsonl"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("x", encoding="utf-8")
    folder = OutputFolder(tmp_path / "in", out, ["*.txt"], True)
    assert folder.removable("pl-en/a.pl") == out / "pl-en" / "a.pl"
    for refused in ("pl-en/../pl-en/a.pl", str(out / "pl-en" / "a.pl"), "a/b/manifest.jsonl", "manifest.jsonl",
                    "pl-en/missing.pl", "", "pl-en"):
        assert folder.removable(refused) is None, refused


def test_stale_outputs_removed_counted_and_said(tmp_path, caplog):
    import logging

    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    (out / "pl-en").mkdir(parents=True)
    for name in ("gone.pl", "gone.en", "kept.pl", "renamed.pl"):
        (out / "pl-en" / name).write_text("x", encoding="utf-8")
    folder = OutputFolder(tmp_path / "in", out, ["*.txt"], True)
    previous = {"gone.txt": ("pl-en/gone.pl", "pl-en/gone.en"), "kept.txt": ("pl-en/kept.pl", "pl-en/renamed.pl")}
    with caplog.at_level(logging.INFO, logger="xling.pipeline.folder"):
        folder.remove_stale(previous, {"kept.txt": ("pl-en/kept.pl",)})
    assert sorted(p.name for p in (out / "pl-en").iterdir()) == ["kept.pl"]
    assert caplog.messages == [f"removed 3 output file(s) of 1 input(s) no longer in {tmp_path / 'in'}"]
    caplog.clear()
    (out / "pl-en" / "old.pl").write_text("x", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="xling.pipeline.folder"):
        folder.remove_stale({"kept.txt": ("pl-en/kept.pl", "pl-en/old.pl")}, {"kept.txt": ("pl-en/kept.pl",)})
    assert caplog.messages == ["removed 1 output file(s) an earlier run wrote that this run does not"]


def test_an_earlier_manifest_read_back_or_said_unreadable(tmp_path, caplog):
    import logging

    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    folder = OutputFolder(tmp_path / "in", out, ["*.txt"], True)
    (out / "manifest.jsonl").write_text('{"path": "a.txt", "outputs": ["pl-en/a.pl", 3]}\n{"path": "b.txt"}\n',
                                        encoding="utf-8")
    assert folder.read_previous() == {"a.txt": ("pl-en/a.pl",), "b.txt": ()}
    (out / "manifest.jsonl").write_text("{broken\n", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="xling.pipeline.folder"):
        assert folder.read_previous() == {}
    assert len(caplog.messages) == 1
    assert caplog.messages[0].startswith(f"the earlier manifest {out / 'manifest.jsonl'} is unreadable (")
    assert caplog.messages[0].endswith("); its outputs stay")


def test_an_open_run_folder_defers_only_its_own_files(tmp_path, monkeypatch):
    """A folder left open (a run that raised in a caller's process) must not take the fsync from
    writes anywhere else."""
    import os

    from xling.formats.atomic import write_text
    from xling.pipeline.folder import OutputFolder

    (tmp_path / "in").mkdir()
    folder = OutputFolder(tmp_path / "in", tmp_path / "out", ["*.txt"], False)
    folder.open()
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    write_text(tmp_path / "out" / "pl-en" / "a.pl", "x")
    write_text(tmp_path / "out-elsewhere" / "b.txt", "y")  # a sibling whose name starts the same
    write_text(tmp_path / "c.txt", "z")
    assert len(synced) == 2
    folder.release()
    write_text(tmp_path / "out" / "pl-en" / "a.pl", "x2")
    assert len(synced) == 3
