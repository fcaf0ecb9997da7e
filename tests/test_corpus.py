"""Aligning folders: documents paired by name or by content, each pair aligned, a run's layout out."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SEEDS, SHARED
from xling.align.pairing import (
    MARGIN,
    MIN_SIMILARITY,
    convincing_pairs,
    name_key,
    pair_by_content,
    pair_by_name,
    read_pairs_file,
    similarities,
)
from xling.cli import app
from xling.errors import UsageError
from xling.formats.bead_ids import read_bead_ids
from xling.formats.beads import read_beads

runner = CliRunner()
NEWS = SHARED / "align-dev" / "synth-plen-newstest2020"
needs_news = pytest.mark.skipif(not (NEWS / "mt" / "opus-mt-pl-en").is_dir(),
                                reason="../shared/align-dev (real opus-mt bridges) is not beside the checkout")


@pytest.mark.parametrize("doc, language, key", [
    ("a.pl.txt", "pl", "a"), ("a.en.txt", "en", "a"), ("a_pl.md", "pl", "a"), ("pl-a.txt", "pl", "a"),
    ("pl/a.txt", "pl", "a"), ("news/2024/A.PL.txt", "pl", "news/2024/a"), ("plan.txt", "pl", "plan"),
    ("news/pl/a.txt", "pl", "news/a"), ("news/en/a.en.txt", "en", "news/a"), ("README", "pl", "readme"),
    (".profile", "pl", ".profile"), ("a.tar.gz", "pl", "a.tar"),
])
def test_name_keys_drop_the_language_tag(doc, language, key):
    assert name_key(doc, language) == key


def test_pairing_by_name_is_one_to_one():
    pairs = pair_by_name(["a.pl.txt", "b.pl.txt", "c.pl.txt", "c_pl.txt"], ["a.en.txt", "b_en.md", "c.en.txt"],
                         "pl", "en")
    assert [(p.source, p.target) for p in pairs] == [("a.pl.txt", "a.en.txt"), ("b.pl.txt", "b_en.md")]
    assert {(p.how, p.score) for p in pairs} == {("name", None)}


def test_a_pairs_file_is_tab_separated_with_comments_and_blank_lines():
    text = "# originals and translations\n\nmy story.txt\tthe story.txt\n   # indented comment\nb.txt\tc.txt\n"
    assert read_pairs_file(text) == [("my story.txt", "the story.txt"), ("b.txt", "c.txt")]
    for bad, line in (("a.txt\tb.txt\nonly-one-name.txt\n", 2), ("\n\na.txt b.txt\n", 3),
                      ("a.txt\tb.txt\tc.txt\n", 1), ("a.txt\t \n", 1)):
        with pytest.raises(ValueError, match=f"^line {line}: expected source<TAB>target, got "):
            read_pairs_file(bad)


def test_convincing_means_at_least_the_floor_and_the_margin_over_row_and_column():
    """Hand-made similarities, decided from the rule itself (>= MIN_SIMILARITY and >= MARGIN x the
    runner-up of the row and of the column), at its boundaries."""
    floor, margin = MIN_SIMILARITY, MARGIN
    rows, columns = ["s0", "s1", "s2"], ["t0", "t1", "t2"]
    assert margin == 1.5  # so that 0.75 is exactly the margin over 0.5 in binary floating point
    matrix = np.array([[floor, 0.0, 0.0],                    # exactly the floor: kept
                       [0.0, 0.75, 0.5],                     # exactly the margin over its row: kept
                       [0.0, 0.0, floor - 1e-9]])            # just under the floor: not kept
    pairs = convincing_pairs(matrix, rows, columns)
    assert [(p.source, p.target, p.how, p.score) for p in pairs] == [
        ("s0", "t0", "content", round(floor, 4)), ("s1", "t1", "content", 0.75)]
    matrix = np.array([[0.61234567, 0.0], [0.61234567 / margin + 1e-6, 0.0]])  # the column's runner-up is too close
    assert convincing_pairs(matrix, ["a", "b"], ["x", "y"]) == []
    assert convincing_pairs(np.array([[0.61234567]]), ["a"], ["x"])[0].score == 0.6123


def test_content_similarity_is_a_cosine_of_tf_idf_weighted_words_and_letter_grams():
    """Worked by hand from the documented weighting (sublinear counts 1 + ln c, IDF ln((1 + N)/(1 + df)) + 1
    over all four documents, rows scaled to length 1): the features of "Ala ma kota" are its three words
    and the 4-letter grams of "ala ma kota" (8 of them)."""
    import math

    bridges = ["Ala ma kota", "ALA MA KOTA ala"]
    targets = ["Ala ma kota", "zupełnie inny tekst"]
    matrix = similarities(iter(bridges), iter(targets))
    assert matrix.shape == (2, 2)
    assert matrix[0, 0] == pytest.approx(1.0)  # the same text
    assert matrix[0, 1] == 0.0 and matrix[1, 1] == 0.0  # nothing shared
    # "ALA MA KOTA ala": the features of "Ala ma kota" (in any case), the word "ala" twice, and the
    # grams the last word adds: "ota ", "ta a", "a al", " ala" (once each).
    n, df_shared, df_own = 4, 3, 1
    idf_shared, idf_own = math.log((1 + n) / (1 + df_shared)) + 1, math.log((1 + n) / (1 + df_own)) + 1
    first = {"w:ala": 1, "w:ma": 1, "w:kota": 1, **{f"c:{'ala ma kota'[i:i + 4]}": 1 for i in range(8)}}
    second = dict(first, **{"w:ala": 2, "c:ota ": 1, "c:ta a": 1, "c:a al": 1, "c: ala": 1})

    def weights(features):
        return {f: (1 + math.log(c)) * (idf_shared if f in first else idf_own) for f, c in features.items()}

    a, b = weights(first), weights(second)
    cosine = sum(a[f] * b[f] for f in a) / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    assert matrix[1, 0] == pytest.approx(cosine, rel=1e-12) and 0.5 < cosine < 1.0


def test_content_pairing_of_nothing_is_nothing():
    assert pair_by_content([], {}, {"x": "Ala ma kota"}) == []
    assert pair_by_content(["a"], {"a": "Ala ma kota"}, {}) == []
    [pair] = pair_by_content(["a"], {"a": "The prime minister met the president."},
                             {"x": "The prime minister met the president."})
    assert (pair.source, pair.target, pair.how, pair.score) == ("a", "x", "content", 1.0)


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


def _two_folders(tmp_path: Path, source: dict[str, str], target: dict[str, str]) -> tuple[Path, Path]:
    for name, files in (("pl", source), ("en", target)):
        (tmp_path / name).mkdir(exist_ok=True)
        for file, text in files.items():
            (tmp_path / name / file).write_text(text, encoding="utf-8")
    return tmp_path / "pl", tmp_path / "en"


POLISH = "Premier spotkał się z prezydentem.\nRozmawiali o gospodarce.\n"
ENGLISH = "The prime minister met the president.\nThey talked about the economy.\n"


@pytest.mark.parametrize("case", ["empty source", "empty target", "pairs file typo", "content without bridge"])
def test_what_cannot_work_is_refused_before_the_output_folder_is_touched(tmp_path, case):
    """A refused run leaves no output folder behind (a lock and a run marker would make the corrected
    command need --force)."""
    source, target = _two_folders(tmp_path, {} if case == "empty source" else {"a.txt": POLISH},
                                  {} if case == "empty target" else {"a.txt": ENGLISH})
    extra = ["--no-model"]
    if case == "pairs file typo":
        (tmp_path / "pairs.tsv").write_text("a.txt\tA.txt\n", encoding="utf-8")
        extra += ["--pairs", str(tmp_path / "pairs.tsv")]
    if case == "content without bridge":
        extra += ["--match", "content"]
    result = runner.invoke(app, ["align", str(source), str(target), "-o", str(tmp_path / "out"), *extra])
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert {"empty source": f"no file in the source folder {source}", "empty target": "no file in the target folder",
            "pairs file typo": "1 name(s) not among the files of the folders (paths relative to each folder): "
                               "A.txt (target)",
            "content without bridge": "--match content compares"}[case] in said
    assert not (tmp_path / "out").exists()


def test_one_folder_on_both_sides_pairs_by_language_tag_never_a_file_with_itself(tmp_path):
    folder = tmp_path / "both"
    folder.mkdir()
    for name, text in (("a.pl.txt", POLISH), ("a.en.txt", ENGLISH), ("b.txt", POLISH)):
        (folder / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["align", str(folder), str(folder), "-o", str(tmp_path / "out"), "--no-model"])
    assert result.exit_code == 0, result.output
    rows = {json.loads(line)["path"]: json.loads(line)
            for line in (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()}
    assert rows["a.pl.txt"]["status"] == "aligned" and rows["a.pl.txt"]["counterpart"] == "a.en.txt"
    assert rows["b.txt"]["status"] == "skipped" and "paired with itself" in rows["b.txt"]["reason"]
    assert "target:b.txt" not in rows  # one row for the one file
    assert sum(1 for r in rows.values() if r["status"] == "aligned") == 1


def _corpus(tmp_path: Path, count: int, useless: set[int] = frozenset()) -> tuple[Path, Path, Path, list[str]]:
    """SRC, TGT and MT folders of ``count`` real news documents; the bridges of ``useless`` are a
    broken model's (the same word over and over)."""
    docs, _, _ = _news(count)
    src, tgt, mt = tmp_path / "pl", tmp_path / "en", tmp_path / "mt"
    for folder in (src, tgt, mt):
        folder.mkdir()
    for i, doc in enumerate(docs):
        shutil.copy(NEWS / "src" / f"{doc}.txt", src / f"{doc}.txt")
        shutil.copy(NEWS / "tgt" / f"{doc}.txt", tgt / f"{doc}.txt")
        bridge = (NEWS / "mt" / "opus-mt-pl-en" / f"{doc}.txt").read_text(encoding="utf-8")
        if i in useless:
            bridge = "".join("zzyzx qwv\n" for _ in bridge.splitlines())
        (mt / f"{doc}.txt").write_text(bridge, encoding="utf-8")
    return src, tgt, mt, docs


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_news
def test_a_useless_bridge_is_not_used_and_the_run_says_so(tmp_path):
    """A broken model's bridge resembles the target less than the Polish source does: that pair is
    aligned as without a bridge (the same beads as --no-model), and its manifest row says why."""
    src, tgt, mt, docs = _corpus(tmp_path, 3, useless={1})
    out = tmp_path / "out"
    result = runner.invoke(app, ["align", str(src), str(tgt), "-o", str(out), "--mt", str(mt), "--presegmented"])
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in map(json.loads, (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())}
    assert "bridge not used" in rows[f"{docs[1]}.txt"]["reason"]
    assert "bridge:none" in rows[f"{docs[1]}.txt"]["signature"]
    assert all("not used" not in rows[f"{d}.txt"]["reason"] for d in (docs[0], docs[2]))
    plain = tmp_path / "plain"
    result = runner.invoke(app, ["align", str(src), str(tgt), "-o", str(plain), "--no-model", "--presegmented"])
    assert result.exit_code == 0, result.output
    for name in (f"pl-en/{docs[1]}.pl", f"pl-en/{docs[1]}.en"):
        assert (out / name).read_bytes() == (plain / name).read_bytes()
    assert (out / f"pl-en/{docs[0]}.en").read_bytes() != b""


@needs_news
def test_a_useless_bridge_for_one_pair_is_dropped_with_a_warning(tmp_path):
    src, tgt, mt, docs = _corpus(tmp_path, 1, useless={0})
    args = ["align", str(src / f"{docs[0]}.txt"), str(tgt / f"{docs[0]}.txt"), "--presegmented", "-f", "beads"]
    used = runner.invoke(app, [*args, "--mt", str(mt / f"{docs[0]}.txt")])
    plain = runner.invoke(app, [*args, "--no-model"])
    assert used.exit_code == plain.exit_code == 0, used.output
    assert "not used" in used.stderr and "cosine" in used.stderr
    assert used.stdout == plain.stdout


@needs_news
def test_a_killed_corpus_run_resumes_without_force_and_ends_as_an_uninterrupted_one(tmp_path, monkeypatch):
    import xling.pipeline.align_folders as corpus

    src, tgt, mt, _ = _corpus(tmp_path, 5)
    whole = tmp_path / "whole"
    corpus.align_folders(src, tgt, whole, mt_dir=mt, presegmented=True)
    calls = {"n": 0}
    real = corpus.align_sentences

    def dies_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    out = tmp_path / "out"
    monkeypatch.setattr(corpus, "align_sentences", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        corpus.align_folders(src, tgt, out, mt_dir=mt, presegmented=True)
    monkeypatch.setattr(corpus, "align_sentences", real)
    other = tmp_path / "other-en"
    shutil.copytree(tgt, other)
    with pytest.raises(UsageError, match="not empty"):  # another target folder is another run
        corpus.align_folders(src, other, out, mt_dir=mt, presegmented=True)
    corpus.align_folders(src, tgt, out, mt_dir=mt, presegmented=True)  # no force needed
    assert _tree(out) == _tree(whole)


def test_unreadable_documents_are_reported_once_when_matching_by_content(tmp_path):
    src, tgt, mt = tmp_path / "pl", tmp_path / "en", tmp_path / "mt"
    for folder in (src, tgt, mt):
        folder.mkdir()
    (src / "a.txt").write_text("Ala ma kota.\n", encoding="utf-8")
    (mt / "a.txt").write_text("Ala has a cat.\n", encoding="utf-8")
    (src / "b.txt").write_bytes(b"\x00\x01\x02binary\xff\x00" * 50)
    (tgt / "x.txt").write_text("Ala has a cat.\n", encoding="utf-8")
    (tgt / "y.txt").write_bytes(b"\x00\xff\x00\x01" * 80)
    from xling.pipeline.align_folders import align_folders

    report = align_folders(src, tgt, tmp_path / "out", mt_dir=mt, match="content", presegmented=True)
    by_path = {r.path: r for r in report.files}
    assert sorted(by_path) == ["a.txt", "b.txt", "target:y.txt"]
    assert by_path["a.txt"].status == "aligned" and by_path["a.txt"].counterpart == "x.txt"
    assert by_path["b.txt"].status == by_path["target:y.txt"].status == "failed"


@needs_news
def test_a_corpus_run_flushes_its_files_once_not_one_by_one(tmp_path, monkeypatch):
    """Each file is still replaced atomically, but made durable by one sync at the end of the run
    (an fsync per small file cost more than aligning it); only the unfinished-run marker, written
    before any output, is fsynced on its own. After the run, writes fsync again."""
    import os

    from xling.formats.atomic import write_text
    from xling.pipeline.align_folders import align_folders

    src, tgt, mt, _ = _corpus(tmp_path, 4)
    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.__setitem__("fsync", calls["fsync"] + 1), real_fsync(fd)))
    monkeypatch.setattr(os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    align_folders(src, tgt, tmp_path / "out", mt_dir=mt, presegmented=True)
    assert calls == {"fsync": 1, "sync": 1}
    assert len(list((tmp_path / "out" / "pl-en").iterdir())) == 4 * 4  # bead JSONL, two Moses sides, TSV
    write_text(tmp_path / "after.txt", "x")
    assert calls == {"fsync": 2, "sync": 1}


OPUS_REAL = SHARED / "opus-mt-real"


@pytest.mark.skipif(not OPUS_REAL.is_dir(), reason="../shared/opus-mt-real is not beside the checkout")
def test_every_real_opus_mt_bridge_helps_and_a_shuffled_one_does_not():
    """2 013 real opus-mt-pl-en outputs cut into documents of five sentences: each resembles its human
    reference more than the Polish does. The next document's output, a bridge of the wrong text,
    resembles the reference less than the right one does (the check is meant for broken output, not
    for a wrong document: English shares its common words with any English, so such a bridge still
    passes it, 395 times of 400 here)."""
    from xling.align.bridge import check_bridge

    for name in ("newstest2020", "flores-devtest"):
        pl, mt, ref = ((OPUS_REAL / f"{name}.{kind}").read_text(encoding="utf-8").splitlines()
                       for kind in ("pl", "opus-mt.en", "ref.en"))
        starts = range(0, len(pl) - 5, 5)
        checks = [check_bridge(mt[i:i + 5], pl[i:i + 5], ref[i:i + 5]) for i in starts]
        assert all(c.helps for c in checks), name
        wrong = [check_bridge(mt[i + 5:i + 10], pl[i:i + 5], ref[i:i + 5]) for i in starts[:-1]]
        assert all(w.bridge < c.bridge for w, c in zip(wrong, checks, strict=False))


@needs_news
def test_the_python_api_takes_every_path_as_a_string_too(tmp_path):
    """``align_folders`` is called from Python with plain strings as often as with Paths; both give
    the same run (the --mt folder and a pairs file were read only as Paths)."""
    from xling.pipeline.align_folders import align_folders

    src, tgt, mt, docs = _corpus(tmp_path, 2)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{d}.txt\t{d}.txt\n" for d in docs), encoding="utf-8")
    as_text = align_folders(str(src), str(tgt), str(tmp_path / "a"), mt_dir=str(mt), pairs_file=str(pairs),
                            presegmented=True, view=False)
    as_paths = align_folders(src, tgt, tmp_path / "b", mt_dir=mt, pairs_file=pairs, presegmented=True, view=False)
    assert [(r.path, r.status, r.counterpart) for r in as_text.files] == [
        (f"{d}.txt", "aligned", f"{d}.txt") for d in docs] == [
        (r.path, r.status, r.counterpart) for r in as_paths.files]
    assert _tree(tmp_path / "a").keys() == _tree(tmp_path / "b").keys()
    assert {k: v for k, v in _tree(tmp_path / "a").items() if k.endswith(".tsv")} == {
        k: v for k, v in _tree(tmp_path / "b").items() if k.endswith(".tsv")}
    assert "bridge:mt-dir" in (tmp_path / "a" / "manifest.jsonl").read_text(encoding="utf-8")


def test_an_empty_document_has_similarity_zero_not_nan():
    matrix = similarities(iter(["Ala ma kota", ""]), iter(["", "Ala ma kota"]))
    assert matrix.tolist() == [[0.0, pytest.approx(1.0)], [0.0, 0.0]]
