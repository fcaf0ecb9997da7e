"""``xling translate`` end to end: the real Marian backend on the tiny model, and pipeline logic on a fake."""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS
from xling.cli import app
from xling.formats.beads import read_beads
from xling.formats.moses import read_moses
from xling.formats.tsv import read_tsv
from xling.pipeline import Options, translate_folder
from xling.report import read_manifest
from xling.segment import Segmenter, paragraphs_spans
from xling.translate.base import GenerationSettings, TranslatorBase

runner = CliRunner()
STEM = POLISH_SEED.removesuffix(".txt")


def polish_sentence_count() -> int:
    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    segmenter = Segmenter("pl")
    return sum(len(segmenter.sentences(text, s, e)) for s, e in paragraphs_spans(text))


def run_cli(*args: str):
    return runner.invoke(app, ["translate", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def seeds_run(tiny_model, tmp_path_factory):
    """One run of the CLI on seeds/ with the tiny model, and a second into another folder with the same cache."""
    base = tmp_path_factory.mktemp("run")
    cache = base / "cache.sqlite3"
    first = run_cli(str(SEEDS), "-o", str(base / "out1"), "--model", f"pl={tiny_model}", "--cache", str(cache))
    return base, cache, first


def test_seeds_end_to_end(seeds_run):
    base, _, result = seeds_run
    out = base / "out1"
    assert result.exit_code == 0, result.output
    manifest = {row["path"]: row for row in read_manifest(out / "manifest.jsonl")}
    assert len(manifest) == 5
    english = [p for p, row in manifest.items() if row["language"] == "en"]
    assert len(english) == 4 and all(manifest[p]["status"] == "passed" for p in english)
    for name in english:  # passed through byte for byte
        assert (out / "en" / name).read_bytes() == (SEEDS / name).read_bytes()
    polish = manifest[POLISH_SEED]
    assert (polish["status"], polish["language"], polish["model"]) == ("translated", "pl", "tiny-pl-en")
    assert polish["sentences"] == polish_sentence_count() == 13
    assert polish["signature"].startswith("xling:") and "model:tiny-pl-en@sha256:" in polish["signature"]

    pairs = read_moses(out / "pl-en" / f"{STEM}.pl", out / "pl-en" / f"{STEM}.en")
    assert len(pairs) == polish["sentences"]
    rows = read_tsv(out / "pl-en" / f"{STEM}.tsv")
    assert [(r["source"], r["target"]) for r in rows] == pairs
    source = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    beads = [record.bead for record in read_beads(out / "pl-en" / f"{STEM}.jsonl")]
    assert [b.source_ids for b in beads] == [(i,) for i in range(len(beads))]
    for bead in beads:
        (start, end), = bead.source_spans
        assert source[start:end] == bead.source_text  # offsets round-trip into the source file
        assert bead.target_text and bead.score < 0
    assert "Reżimy upamiętnią wspólną walkę z Ukraińcami" in [b.source_text for b in beads]
    # the summary table names every file
    for name in manifest:
        assert name[:12] in result.output


def test_rerun_hits_the_cache_and_is_byte_identical(seeds_run, tiny_model):
    base, cache, _ = seeds_run
    from xling.models import resolve
    from xling.translate.backends import create_translator

    made = []

    def counting_factory(model):  # the default backend, as the CLI run used
        made.append(create_translator(resolve(model)))
        return made[-1]

    options = Options(models={"pl": str(tiny_model)}, cache=cache)
    report = translate_folder(SEEDS, base / "out2", options, translator_factory=counting_factory)
    assert [m.sentences_generated for m in made] == [0]  # the model translated nothing
    polish = next(f for f in report.files if f.path == POLISH_SEED)
    assert (polish.cached, polish.translated) == (13, 0)
    compare = filecmp.dircmp(base / "out1", base / "out2")
    assert not compare.diff_files and not compare.left_only and not compare.right_only
    for sub in ("en", "pl-en"):
        left = sorted((base / "out1" / sub).iterdir())
        assert [p.read_bytes() for p in left] == [(base / "out2" / sub / p.name).read_bytes() for p in left]


def test_offline_missing_model_fails_that_document_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "out"
    result = run_cli(str(SEEDS), "-o", str(out), "--cache", str(tmp_path / "c.sqlite3"))
    assert result.exit_code == 1
    manifest = {row["path"]: row for row in read_manifest(out / "manifest.jsonl")}
    assert manifest[POLISH_SEED]["status"] == "failed"
    assert "Helsinki-NLP/opus-mt-pl-en" in manifest[POLISH_SEED]["reason"]
    assert "--model" in manifest[POLISH_SEED]["reason"]
    assert len(list((out / "en").iterdir())) == 4


def test_refuses_non_empty_output_and_output_inside_input(tmp_path, seeds):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run_cli(str(seeds), "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.output
    result = run_cli(str(seeds), "-o", str(seeds / "out"))
    assert result.exit_code == 2 and "inside the input folder" in result.output
    result = run_cli(str(tmp_path / "missing"), "-o", str(tmp_path / "o2"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_bad_files_are_reported_and_the_run_goes_on(tmp_path, seeds, fake_factory):
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00PK\x03\x04" * 20)
    (seeds / "sub").mkdir()
    (seeds / "sub" / "notes.md").write_text("# Notatki\n\nTo jest krótka notatka po polsku o wizycie w Pjongjangu.",
                                             encoding="utf-8")
    report = translate_folder(seeds, tmp_path / "out", Options(use_cache=False), translator_factory=fake_factory)
    status = {f.path: (f.status, f.reason) for f in report.files}
    assert status["empty.txt"] == ("skipped", "empty file")
    assert status["binary.txt"][0] == "failed" and "binary" in status["binary.txt"][1]
    assert status["sub/notes.md"][0] == "translated"
    assert (tmp_path / "out" / "pl-en" / "sub" / "notes.pl").is_file()
    assert report.failed


def test_english_paragraphs_inside_a_polish_document_are_kept(tmp_path, fake_factory):
    polish = ("Porozumienie w tej sprawie zawarto we wtorek, podczas drugiej w ciągu miesiąca wizyty "
              "byłego szefa rosyjskiego ministerstwa obrony w Korei Północnej.")
    english = ("Russian President Vladimir Putin on Wednesday said North Korea had hosted children of "
               "Russian soldiers killed in Ukraine at a summer camp.")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mixed.txt").write_text(f"{polish}\n\n{english}\n\n{polish}\n", encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False), translator_factory=fake_factory)
    (row,) = report.files
    assert (row.status, row.language, row.mixed, row.kept) == ("translated", "pl", {"en": 1}, 1)
    beads = [r.bead for r in read_beads(tmp_path / "out" / "pl-en" / "mixed.jsonl")]
    assert [b.target_text for b in beads] == [polish.upper(), english, polish.upper()]
    assert beads[1].flags == ("kept_target_language",)
    assert fake_factory.made["Helsinki-NLP/opus-mt-pl-en"].seen == [polish, polish]


def test_skip_policy_reports_the_language(tmp_path, fake_factory):
    registry = tmp_path / "r.toml"
    registry.write_text('fallback = "skip"\ndetect = ["pl"]\n[models]\nde = "x/y"\n', encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "pl.txt").write_text("Szojgu przyleciał do Korei Północnej na polecenie prezydenta Władimira Putina.",
                                   encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(registry=registry, use_cache=False),
                              translator_factory=fake_factory)
    (row,) = report.files
    assert row.status == "skipped" and "'pl'" in row.reason and "skip" in row.reason


def test_json_rows_stay_on_one_line(tmp_path, fake_factory):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Zdanie z separatorem\u2028linii i tabulatorem\ttutaj oraz jeszcze kilka słów, "
                                  "żeby język był pewny.", encoding="utf-8")
    translate_folder(folder, tmp_path / "out", Options(use_cache=False), translator_factory=fake_factory)
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in {".jsonl", ".tsv", ".pl", ".en"}:
            lines = path.read_text(encoding="utf-8").splitlines()
            assert len(lines) == len(path.read_text(encoding="utf-8").split("\n")) - 1, path
    row = json.loads((tmp_path / "out" / "pl-en" / "a.jsonl").read_text(encoding="utf-8"))
    assert "\u2028" in row["src"]  # the exact text survives in JSON


def test_output_paths_cannot_escape(tmp_path):
    from xling.errors import UsageError
    from xling.pipeline import inside

    assert inside(tmp_path, "pl-en/a") == tmp_path / "pl-en" / "a"
    for bad in ("../x", "pl-en/../../x", "/etc/passwd"):
        with pytest.raises(UsageError):
            inside(tmp_path, bad)


def test_output_stems_keep_suffix_on_collision():
    from xling.naming import output_names

    assert output_names(["a.txt", "a.md", "b.txt", "c"]).stem == {"a.txt": "a.txt", "a.md": "a.md", "b.txt": "b",
                                                                 "c": "c"}


def test_cli_help_version_and_detect(tmp_path):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("xling ")
    result = runner.invoke(app, ["translate", "--help"])
    assert result.exit_code == 0 and "--model" in result.output and "--offline" in result.output
    result = runner.invoke(app, ["detect", str(SEEDS), "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["language"] for r in rows] == ["en", "en", "en", "en", "pl"]
    result = runner.invoke(app, ["translate", str(SEEDS), "-o", str(tmp_path / "o"), "--model", "pl"])
    assert result.exit_code == 2 and "LANG=PATH_OR_ID" in result.output


def test_import_xling_is_cheap():
    import subprocess
    import sys

    code = ("import sys, xling, xling.cli; heavy = [m for m in "
            "('torch', 'transformers', 'lingua', 'ray', 'ctranslate2') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_translate_texts_keeps_every_sentence(tiny_model, tmp_path):
    from xling import translate_texts

    texts = ["Ala ma kota. Kot ma Alę.\nDrugi akapit.", "Jedno zdanie."]
    out = translate_texts(texts, "pl", str(tiny_model), cache=tmp_path / "c.sqlite3", device="cpu")
    assert [t.source for t in out] == texts
    assert out[0].text.count("\n") == 1  # paragraph structure kept
    assert all(t.text for t in out)


def test_python_api_returns_reports(tmp_path, fake_factory):
    report = translate_folder(Path(SEEDS), tmp_path / "out", Options(use_cache=False), translator_factory=fake_factory)
    assert (report.count("passed"), report.count("translated")) == (4, 1)
    assert report.sentences == 13


def test_an_unexpected_error_fails_only_those_documents(tmp_path, fake_factory):
    class Exploding(TranslatorBase):
        backend = "fake"
        model_id, revision = "boom", "1"
        settings = GenerationSettings()

        def translate(self, texts):
            raise RuntimeError("CUDA out of memory (simulated)")

    report = translate_folder(SEEDS, tmp_path / "out", Options(use_cache=False),
                              translator_factory=lambda model: Exploding())
    status = {f.path: (f.status, f.reason) for f in report.files}
    assert status[POLISH_SEED] == ("failed", "translation failed: RuntimeError: CUDA out of memory (simulated)")
    assert sum(1 for s, _ in status.values() if s == "passed") == 4
    assert (tmp_path / "out" / "manifest.jsonl").is_file()


@pytest.mark.parametrize("args, message", [
    (["--backend", "foo"], "unknown backend 'foo'"),
    (["--engine", "spark"], "unknown engine 'spark'"),
    (["--num-workers", "3"], "need --engine ray"),
    (["--backend", "transformers", "--quantization", "float16"], "transformers backend takes --quantization none"),
    (["--device", "cuda:7"], "--device cuda:7: no GPU is visible"),
    (["--device", "gpu"], "--device takes auto, cpu, cuda or cuda:N"),
    (["--low-score", "nan"], "--low-score must be a number"),
    (["--backend", "ctranslate2", "--quantization", "int3"], "ctranslate2 backend takes --quantization int8"),
])
def test_translate_option_errors_exit_2(tmp_path, args, message):
    from typer.testing import CliRunner

    from xling.cli import app

    result = CliRunner().invoke(app, ["translate", str(SEEDS), "-o", str(tmp_path / "out"), "-q", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def _polish_words(chars: int) -> str:
    words = re.findall(r"[^\W\d_]+", (SEEDS / POLISH_SEED).read_text(encoding="utf-8").lower())
    out, size = [], 0
    while size < chars:
        out.extend(words)
        size += sum(len(w) + 1 for w in words)
    return " ".join(out)[:chars].strip()


def test_an_unpunctuated_90k_text_is_translated_in_pieces(tmp_path, fake_backend):
    text = _polish_words(90_000)  # a transcript: no punctuation, no line breaks
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "speech.txt").write_text(text + "\n", encoding="utf-8")
    result = run_cli(str(folder), "-o", str(tmp_path / "out"), *fake_backend)
    assert result.exit_code == 0, result.output
    moses = (tmp_path / "out" / "pl-en" / "speech.pl").read_text(encoding="utf-8").splitlines()
    assert len(moses) >= 2
    assert "".join("".join(line.split()) for line in moses) == "".join(text.split())
    (row,) = read_manifest(tmp_path / "out" / "manifest.jsonl")
    assert row["status"] == "translated" and row["skipped"] == [] and row["flags"]["split"] == len(moses)


def test_a_run_of_data_is_skipped_the_rest_translated_and_the_exit_code_is_1(tmp_path, fake_backend):
    sentences = ["Porozumienie zawarto we wtorek podczas wizyty w Korei Północnej.",
                 "Minister spotkał się z przedstawicielami armii."]
    blob = "QUFB" * 15_000  # 60 000 characters without whitespace, as base64 is
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "doc.txt").write_text(f"{sentences[0]}\n\n{blob}\n\n{sentences[1]}\n", encoding="utf-8")
    result = run_cli(str(folder), "-o", str(tmp_path / "out"), *fake_backend)
    assert result.exit_code == 1
    assert "parts that were not translated: doc.txt" in result.output
    assert "1 with parts left untranslated" in result.output
    (row,) = read_manifest(tmp_path / "out" / "manifest.jsonl")
    assert row["status"] == "translated" and len(row["skipped"]) == 1
    assert row["skipped"][0]["end"] - row["skipped"][0]["start"] == len(blob)
    target = (tmp_path / "out" / "pl-en" / "doc.en").read_text(encoding="utf-8")
    assert all(s.upper() in target for s in sentences)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=30),
       st.integers(min_value=1, max_value=100_000))
def test_windows_start_with_one_document_and_cover_every_file_once(tmp_path_factory, sizes, budget):
    from xling.pipeline import path_windows

    folder = tmp_path_factory.mktemp("w")
    paths = []
    for i, size in enumerate(sizes):
        path = folder / f"{i:03d}.txt"
        path.write_bytes(b"x" * size)
        paths.append(path)
    windows = path_windows(paths, budget)
    assert [p for w in windows for p in w] == paths  # every file once, in order
    assert len(windows[0]) == 1  # the first document is written as soon as it is translated
    for window in windows[:-1]:  # a window closes as soon as it reaches the budget
        assert sum(p.stat().st_size for p in window[:-1]) < budget


class _FlawedFirstTime:
    """A translator whose first attempt loops on 'pętli' and 'powtórka' and runs into the length
    cap on 'urwane' and 'ucięte'; the retry mends 'pętli' and 'urwane' only, and scores lower."""

    backend = "fake"

    def __init__(self, settings: GenerationSettings | None = None, calls: list | None = None) -> None:
        self.model_id, self.revision = "fake", "1"
        self.settings = settings or GenerationSettings()
        self.calls = [] if calls is None else calls

    def with_settings(self, settings: GenerationSettings) -> _FlawedFirstTime:
        return _FlawedFirstTime(settings, self.calls)

    def describe(self) -> str:
        return self.backend

    def translate(self, texts):
        from xling.data import Translation
        from xling.translate.batched import TRUNCATED

        retry = bool(self.settings.no_repeat_ngram_size)
        self.calls.append((self.settings.beams, retry, list(texts)))
        out = []
        for text in texts:
            if ("pętli" in text and not retry) or "powtórka" in text:
                out.append(Translation(text, "it goes on and on and on and on and on", "fake", -0.2 if retry else -0.1))
            elif ("urwane" in text and not retry) or "ucięte" in text:
                out.append(Translation(text, text.upper()[:20], "fake", -0.2 if retry else -0.1, (TRUNCATED,)))
            else:
                out.append(Translation(text, text.upper(), "fake", -0.5))
        return out


def test_retry_flagged_translates_looping_and_truncated_outputs_again(tmp_path):
    sentences = ["Pierwsze zdanie mówi o pętli, która nie kończy się w tłumaczeniu maszynowym.",
                 "Drugie zdanie jest urwane w połowie przez limit długości wyjścia modelu.",
                 "Trzecie zdanie to powtórka, której nie naprawi nawet druga próba tłumaczenia.",
                 "Czwarte zdanie zostaje ucięte przez limit długości za pierwszym i drugim razem.",
                 "Piąte zdanie jest zwyczajne i przechodzi bez żadnych kłopotów ani poprawek."]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    translator = _FlawedFirstTime()
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False, retry_flagged=True),
                              translator_factory=lambda model: translator)
    assert report.files[0].status == "translated"
    first, retried = translator.calls
    assert first == (4, False, sentences)
    assert retried == (8, True, sentences[:4])  # twice the beam, n-gram blocking, only the flagged ones
    beads = [r.bead for r in read_beads(tmp_path / "out" / "pl-en" / "a.jsonl")]
    assert [b.source_text for b in beads] == sentences
    mended_loop, mended_cut, still_looping, still_cut, plain = beads
    assert mended_loop.target_text == sentences[0].upper() and "retried" in mended_loop.flags
    assert "repetition" not in mended_loop.flags
    assert mended_cut.target_text == sentences[1].upper() and "retried" in mended_cut.flags
    assert "truncated" not in mended_cut.flags
    # the second attempt still loops and scores lower: the first is kept, still flagged
    assert "repetition" in still_looping.flags and "retried" not in still_looping.flags
    assert "truncated" in still_cut.flags and "retried" not in still_cut.flags
    assert still_cut.target_text == sentences[3].upper()[:20]
    assert plain.target_text == sentences[4].upper() and not {"retried", "repetition"} & set(plain.flags)
