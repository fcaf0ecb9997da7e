"""Boilerplate in plain text: marked with a reason, kept in the record, translated only if asked."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS, FakeTranslator
from xling.boilerplate import BYLINE, INTERFACE, RECURRING, mark, recurring_keys
from xling.cli import app
from xling.detect import LanguageDetector
from xling.document import read_detected, recurring_paragraphs
from xling.formats.beads import read_beads
from xling.models import load_registry

runner = CliRunner()
APPEAL = ("My, dziennikarze The Moscow Times, nie damy się uciszyć. Ale aby kontynuować naszą pracę, "
          "potrzebujemy Waszej pomocy.")

# Read off the seed files by hand: every paragraph that is not the article, with its reason.
EXPECTED = {
    "001_1bcd209fe8c7598f.txt": [
        ("A Message from The Moscow Times:", RECURRING), ("Dear readers,", RECURRING),
        ("We are facing unprecedented challenges.", RECURRING), ("These actions are direct attempts", RECURRING),
        ("We, the journalists of The Moscow Times", RECURRING), ("Your support, no matter how small", RECURRING),
        ("By supporting The Moscow Times", RECURRING), ("Remind me later.", RECURRING)],
    "002_cc08e9e4cd46d46e.txt": [
        ("A Message from The Moscow Times:", RECURRING), ("Dear readers,", RECURRING),
        ("We are facing unprecedented challenges.", RECURRING), ("These actions are direct attempts", RECURRING),
        ("We, the journalists of The Moscow Times", RECURRING), ("Your support, no matter how small", RECURRING),
        ("By supporting The Moscow Times", RECURRING), ("Once", INTERFACE), ("Monthly", INTERFACE),
        ("Annual", INTERFACE), ("Continue", INTERFACE), ("paiment methods", INTERFACE),
        ("Not ready to support today?", INTERFACE), ("Remind me later.", RECURRING), ("Read more", INTERFACE)],
    "003_71976fd2a7416a8b.txt": [
        ("by Elsa Court and The Kyiv Independent news desk", BYLINE),
        ("Authors: Elsa Court, The Kyiv Independent news desk", BYLINE), ("3:41 AM", BYLINE),
        ("12:27 PM \u00a0(Updated:\u00a0)", BYLINE)],
    "000_9dade273bd72a989.txt": [],
    POLISH_SEED: [],
}


def test_the_seeds_boilerplate_is_marked_and_no_article_paragraph_is():
    paths = sorted(SEEDS.glob("*.txt"))
    recurring = recurring_paragraphs(paths)
    detector = LanguageDetector(load_registry().detection_languages)
    for path in paths:
        detected = read_detected(SEEDS, path, detector, recurring=recurring)
        marked = [(detected.doc.text[b.start:b.end], b.boilerplate) for b in detected.blocks if b.boilerplate]
        expected = EXPECTED[path.name]
        assert len(marked) == len(expected), path.name
        for (text, reason), (start, want) in zip(marked, expected, strict=True):
            assert text.startswith(start) and reason == want, (path.name, text)


@pytest.mark.parametrize("paragraphs, reasons", [
    (["Once", "Monthly"], ["", ""]),  # two short lines: could be a heading and a dateline
    (["Once", "Monthly", "Annual"], [INTERFACE] * 3),
    (["The missile hit the hospital at 3:41 AM, officials in Kyiv said on Monday.", "12:27 PM"], ["", BYLINE]),
    (["By the end of May the talks had stalled, and both delegations went home without a deal."], [""]),
    (["By Elsa Court", "The talks stalled in May, and both delegations went home without a deal."], [BYLINE, ""]),
    (["July 9, 2024", "Updated: 14:05"], [BYLINE, BYLINE]),
])
def test_mark_on_the_edges_of_each_rule(paragraphs, reasons):
    assert mark(paragraphs) == reasons


def test_a_paragraph_recurs_only_across_documents_not_within_one():
    assert recurring_keys([["Same.", "Same."], ["Other."]]) == frozenset()
    assert recurring_keys([["Same  words."], ["same words."]]) == {"same words."}


@pytest.fixture
def appeal_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    other = ("Prezydent Rosji odwiedził w środę Koreę Północną i podpisał umowę o strategicznym partnerstwie.\n\n"
             "Obserwatorzy na Zachodzie wyrazili zaniepokojenie współpracą wojskową obu krajów i dostawami broni.\n")
    for name, article in (("a.txt", (SEEDS / POLISH_SEED).read_text(encoding="utf-8")), ("b.txt", other)):
        (folder / name).write_text(article.rstrip("\n") + "\n\n" + APPEAL + "\n", encoding="utf-8")
    return folder


def _run(folder, out, mode):
    fake = FakeTranslator()
    from xling.pipeline import Options, translate_folder

    report = translate_folder(folder, out, Options(use_cache=False, boilerplate=mode),
                              translator_factory=lambda m: fake)
    return report, fake


def test_mark_keeps_boilerplate_in_the_record_untranslated_and_out_of_the_parallel_text(appeal_folder, tmp_path):
    out = tmp_path / "out"
    report, fake = _run(appeal_folder, out, "mark")
    assert APPEAL not in fake.seen
    beads = [r.bead for r in read_beads(out / "pl-en" / "a.jsonl")]
    marked = [b for b in beads if "boilerplate" in b.flags]
    assert [b.source_text for b in marked] == [APPEAL.split(". ")[0] + ".", APPEAL.split(". ")[1]]
    assert all(b.target_text == b.source_text for b in marked)  # kept as it is
    moses = (out / "pl-en" / "a.pl").read_text(encoding="utf-8").splitlines()
    assert len(moses) == len(beads) - len(marked) and not any("Moscow Times" in line for line in moses)
    assert report.files[0].boilerplate == {"recurring": 1}
    view = (out / "view" / "pl-en" / "a.html").read_text(encoding="utf-8")
    assert view.count('<details class="para boilerplate">') == 1
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["boilerplate"] == {"recurring": 1}
    assert report.files[0].translated == len(beads) - len(marked)  # the model saw every other sentence
    result = runner.invoke(app, ["export", str(out), "--format", "moses", "-o", str(tmp_path / "c"),
                                 "--no-boilerplate"])
    assert result.exit_code == 0 and "and 4 boilerplate" in result.output
    assert not any("Moscow Times" in line for line in (tmp_path / "c.pl").read_text(encoding="utf-8").splitlines())


def test_translate_translates_boilerplate_and_drop_leaves_it_out(appeal_folder, tmp_path):
    report, fake = _run(appeal_folder, tmp_path / "t", "translate")
    assert APPEAL.split(". ")[1] in fake.seen
    beads = [r.bead for r in read_beads(tmp_path / "t" / "pl-en" / "a.jsonl")]
    assert [b.target_text for b in beads if "boilerplate" in b.flags] == [s.upper() for s in (
        APPEAL.split(". ")[0] + ".", APPEAL.split(". ")[1])]
    report, fake = _run(appeal_folder, tmp_path / "d", "drop")
    beads = [r.bead for r in read_beads(tmp_path / "d" / "pl-en" / "a.jsonl")]
    assert not any("Moscow Times" in b.source_text for b in beads) and APPEAL not in fake.seen
    assert report.files[0].boilerplate == {"recurring": 1}


def test_an_unknown_boilerplate_mode_is_a_usage_error(tmp_path):
    shutil.copy(SEEDS / POLISH_SEED, tmp_path)
    result = runner.invoke(app, ["translate", str(tmp_path), "-o", str(tmp_path.parent / "o"), "--boilerplate", "hide"])
    assert result.exit_code == 2 and "unknown --boilerplate mode 'hide'" in result.output


ARTICLE = ["Prezydent Rosji odwiedził w środę Koreę Północną i podpisał umowę o partnerstwie.",
           "Obserwatorzy na Zachodzie wyrazili zaniepokojenie współpracą wojskową obu krajów.",
           "Według agencji Reutera była to pierwsza taka wymiana wojskowa od wielu lat między państwami."]
APPEAL_LINES = ["Drodzy czytelnicy, potrzebujemy Waszego wsparcia, aby pisać dalej o tym, co ważne.",
                "Wesprzyj nas już dziś: każda złotówka pomaga naszej redakcji pozostać niezależną."]


@pytest.mark.parametrize("paragraphs, recurring, reasons", [
    (ARTICLE + APPEAL_LINES, APPEAL_LINES, [""] * 3 + [RECURRING] * 2),  # the appeal under every article
    (APPEAL_LINES[:1] + ARTICLE, APPEAL_LINES[:1], [RECURRING] + [""] * 3),  # or above it
    (ARTICLE[:1] + APPEAL_LINES[:1] + ARTICLE[1:], APPEAL_LINES[:1], [""] * 4),  # a shared quote inside: article
    (ARTICLE, ARTICLE, [""] * 3),  # the same article twice in a corpus: article text, all of it
])
def test_recurring_paragraphs_are_boilerplate_at_the_edges_only(paragraphs, recurring, reasons):
    from xling.boilerplate import key

    assert mark(paragraphs, frozenset(key(p) for p in recurring)) == reasons
