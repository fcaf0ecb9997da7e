"""Aligning folders: documents paired by name or by content, each pair aligned, a run's layout out."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS
from xling.align.pairing import name_key, pair_by_content, pair_by_name
from xling.cli import app
from xling.formats.bead_ids import read_bead_ids
from xling.formats.beads import read_beads

runner = CliRunner()
NEWS = ROOT.parent / "shared" / "align-dev" / "synth-plen-newstest2020"
needs_news = pytest.mark.skipif(not (NEWS / "mt" / "opus-mt-pl-en").is_dir(),
                                reason="../shared/align-dev (real opus-mt bridges) is not beside the checkout")


@pytest.mark.parametrize("doc, language, key", [
    ("a.pl.txt", "pl", "a"), ("a.en.txt", "en", "a"), ("a_pl.md", "pl", "a"), ("pl-a.txt", "pl", "a"),
    ("pl/a.txt", "pl", "a"), ("news/2024/A.PL.txt", "pl", "news/2024/a"), ("plan.txt", "pl", "plan"),
])
def test_name_keys_drop_the_language_tag(doc, language, key):
    assert name_key(doc, language) == key


def test_pairing_by_name_is_one_to_one():
    pairs = pair_by_name(["a.pl.txt", "b.pl.txt", "c.pl.txt", "c_pl.txt"], ["a.en.txt", "b_en.md", "c.en.txt"],
                         "pl", "en")
    assert [(p.source, p.target) for p in pairs] == [("a.pl.txt", "a.en.txt"), ("b.pl.txt", "b_en.md")]


def test_related_news_is_not_paired_as_a_translation():
    """The demo corpus: four English articles on one story. Judged as each other's translations
    (the first two's text standing in for a bridge), no pair is convincing."""
    from xling.boilerplate import mark, recurring_keys
    from xling.segment import paragraphs_spans

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    paragraphs = {n: [t[s:e] for s, e in paragraphs_spans(t)] for n, t in texts.items()}
    recurring = recurring_keys(paragraphs.values())
    article = {n: "\n".join(p for p, r in zip(ps, mark(ps, recurring), strict=True) if not r)
               for n, ps in paragraphs.items()}
    names = sorted(article)
    for split in range(1, len(names)):
        assert pair_by_content(names[:split], article, {n: article[n] for n in names[split:]}) == []


def _news(count: int) -> tuple[list[str], dict[str, str], dict[str, str]]:
    docs = sorted(p.stem for p in (NEWS / "src").glob("*.txt"))[:count]
    return (docs, {d: (NEWS / "mt" / "opus-mt-pl-en" / f"{d}.txt").read_text(encoding="utf-8") for d in docs},
            {d: (NEWS / "tgt" / f"{d}.txt").read_text(encoding="utf-8") for d in docs})


@needs_news
def test_content_pairs_every_real_news_document_right_under_shuffled_names():
    docs, bridges, targets = _news(26)
    names = [f"story-{i:02d}" for i in random.Random(7).sample(range(len(docs)), len(docs))]
    renamed = dict(zip(names, (targets[d] for d in docs), strict=True))
    truth = dict(zip(docs, names, strict=True))
    pairs = pair_by_content(docs, bridges, renamed)
    assert sorted((p.source, p.target) for p in pairs) == sorted(truth.items())


@needs_news
def test_a_folder_pair_is_aligned_in_one_run_with_the_layout_of_a_translate_run(tmp_path):
    docs, _, _ = _news(4)
    src, tgt, mt = tmp_path / "pl", tmp_path / "en", tmp_path / "mt"
    for folder in (src, tgt, mt):
        folder.mkdir()
    for i, doc in enumerate(docs):
        shutil.copy(NEWS / "src" / f"{doc}.txt", src / f"{doc}.pl.txt")
        shutil.copy(NEWS / "mt" / "opus-mt-pl-en" / f"{doc}.txt", mt / f"{doc}.pl.txt")
        if i < 3:  # the last original has no translation in the folder
            shutil.copy(NEWS / "tgt" / f"{doc}.txt", tgt / f"{doc}.en.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["align", str(src), str(tgt), "-o", str(out), "--mt", str(mt), "--presegmented"])
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in map(json.loads, (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())}
    assert [rows[f"{d}.pl.txt"]["status"] for d in docs] == ["aligned"] * 3 + ["skipped"]
    assert rows[f"{docs[0]}.pl.txt"]["counterpart"] == f"{docs[0]}.en.txt"
    for doc in docs[:3]:  # the beads are the gold's, mostly (the aligner's own quality: test_align_dev)
        got = [(b.source_ids, b.target_ids) for b in (r.bead for r in read_beads(out / "pl-en" / f"{doc}.pl.jsonl"))]
        gold = read_bead_ids(NEWS / "gold" / f"{doc}.align")
        assert len(set(got) & set(gold)) >= 0.8 * len(gold)
    assert (out / "view" / "index.html").is_file()
    exported = runner.invoke(app, ["export", str(out), "-f", "tsv", "-o", str(tmp_path / "corpus.tsv")])
    assert exported.exit_code == 0, exported.output
    lines = (tmp_path / "corpus.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == sum(len(list(read_beads(out / "pl-en" / f"{d}.pl.jsonl"))) for d in docs[:3])


def test_folders_need_an_output_folder_and_a_folder_of_translations(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    result = runner.invoke(app, ["align", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 2 and "give -o OUT" in result.output
    (tmp_path / "mt.txt").write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["align", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "o"),
                                 "--mt", str(tmp_path / "mt.txt")])
    assert result.exit_code == 2 and "folder of translations" in result.output


def test_unknown_match_is_a_usage_error(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text("Zdanie.\n", encoding="utf-8")
    result = runner.invoke(app, ["align", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "o"),
                                 "--match", "size", "--no-model"])
    assert result.exit_code == 2 and "unknown --match 'size'" in result.output
    assert Path(tmp_path / "o").exists() is False
