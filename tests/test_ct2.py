"""The CTranslate2 backend, run for real on the tiny model converted offline, against the transformers one."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import POLISH_SEED, SEEDS
from xling.models import resolve
from xling.notice import NOTICE
from xling.segment import Segmenter, paragraphs_spans
from xling.translate.backends import create_translator
from xling.translate.base import GenerationSettings, Translator
from xling.translate.batched import TRUNCATED, Runtime
from xling.translate.ct2 import META, convert, thread_layout


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    segmenter = Segmenter("pl")
    found = [text[s:e] for ps, pe in paragraphs_spans(text) for s, e in segmenter.sentences(text, ps, pe)]
    return [*found, "Ala ma kota.", "Tak.", "Szojgu przyleciał do Korei Północnej 17 czerwca 2024 r."]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ct2")


def pair(tiny_model, models_dir, beams: int, quantization: str = "float32"):
    resolved = resolve(str(tiny_model))
    settings = GenerationSettings(beams=beams)
    hf = create_translator(resolved, settings, Runtime("cpu"), "transformers")
    ct = create_translator(resolved, settings, Runtime("cpu", quantization=quantization), "ctranslate2",
                           models_dir=models_dir)
    return hf, ct


def test_greedy_output_is_token_for_token_the_transformers_output(tiny_model, models_dir, sentences):
    hf, ct = pair(tiny_model, models_dir, beams=1)
    assert isinstance(ct, Translator)
    hf_ids = [ids for ids in hf._loaded().tokenizer.encode(sentences) if len(ids) <= hf.max_input_tokens]
    assert len(hf_ids) >= 10
    lengths = [hf.output_lengths(len(ids)) for ids in hf_ids]
    # the same rows through each backend's decoder, one row per batch: compare the raw token ids
    for ids, length in zip(hf_ids, lengths, strict=True):
        (a,) = next(hf._decode([[ids]], [length]))
        (b,) = next(ct._decode([[ids]], [length]))
        pad = hf._loaded().model.config.pad_token_id
        assert [t for t in a.ids if t != pad] == b.ids
        assert a.tokens == b.tokens == len(b.ids)
        assert a.score == pytest.approx(b.score, abs=1e-3)
    # and through the whole shared path: batching, dedup, assembly
    out_hf, out_ct = hf.translate(sentences), ct.translate(sentences)
    assert [t.text for t in out_hf] == [t.text for t in out_ct]
    assert [t.score for t in out_hf] == pytest.approx([t.score for t in out_ct], abs=2e-3)
    assert ct.sentences_generated == hf.sentences_generated >= len(set(sentences))  # + pieces of split ones


def test_beam_search_agrees_too(tiny_model, models_dir, sentences):
    hf, ct = pair(tiny_model, models_dir, beams=4)
    out_hf, out_ct = hf.translate(sentences), ct.translate(sentences)
    assert [t.text for t in out_hf] == [t.text for t in out_ct]
    assert [t.score for t in out_hf] == pytest.approx([t.score for t in out_ct], abs=2e-3)


def test_long_input_is_split_by_the_shared_code(tiny_model, models_dir):
    _, ct = pair(tiny_model, models_dir, beams=1)
    sentence = ", ".join(f"słowo{i % 97} inne{i % 13}" for i in range(700)) + "."
    assert ct.count_tokens(sentence) > 4 * ct.max_input_tokens
    (result,) = ct.translate([sentence])
    assert "split" in result.flags
    assert ct.sentences_generated >= ct.count_tokens(sentence) // ct.max_input_tokens


def test_quantisation_is_part_of_the_revision(tiny_model, models_dir):
    resolved = resolve(str(tiny_model))
    revisions = {
        create_translator(resolved, None, Runtime("cpu", quantization=q), backend, models_dir=models_dir).revision
        for backend, q in [("transformers", "none"), ("transformers", "int8"), ("ctranslate2", "int8"),
                           ("ctranslate2", "float32")]
    }
    assert len(revisions) == 4  # four cache namespaces: no backend reuses another's translations
    assert all(r.startswith(resolved.revision) for r in revisions)


def test_int8_translates_every_sentence(tiny_model, models_dir, sentences):
    _, ct = pair(tiny_model, models_dir, beams=2, quantization="int8")
    out = ct.translate(sentences)
    assert [t.source for t in out] == sentences
    assert all(t.text and -50 < t.score < 0 for t in out)


def test_convert_once_atomically_and_records_where_from(tiny_model, tmp_path):
    resolved = resolve(str(tiny_model))
    path = convert(resolved, "int8", tmp_path)
    meta = json.loads((path / META).read_text())
    assert meta["revision"] == resolved.revision and meta["quantization"] == "int8"
    stamp = (path / "model.bin").stat().st_mtime_ns
    assert convert(resolved, "int8", tmp_path) == path
    assert (path / "model.bin").stat().st_mtime_ns == stamp  # not converted again
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary folder left behind


def test_models_convert_cli_and_bad_quantisation(tiny_model, tmp_path):
    from typer.testing import CliRunner

    from xling.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["models", "convert", str(tiny_model), "--quantization", "float32",
                                 "--models-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / result.stdout.strip().rsplit("/", 1)[-1] / "model.bin").is_file()
    bad = runner.invoke(app, ["models", "convert", str(tiny_model), "--quantization", "int3",
                              "--models-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "int3" in bad.output


def test_pipeline_runs_on_ctranslate2(tiny_model, tmp_path, seeds, monkeypatch):
    from xling.pipeline import Options, translate_folder

    monkeypatch.setenv("XLING_CACHE_DIR", str(tmp_path / "cache"))  # converted models go to xling's cache
    options = Options(models={"pl": str(tiny_model)}, backend="ctranslate2", device="cpu", use_cache=False,
                      view=False, settings=GenerationSettings(beams=1))
    report = translate_folder(seeds, tmp_path / "out", options)
    (polish,) = [f for f in report.files if f.path == POLISH_SEED]
    assert polish.status == "translated" and polish.sentences > 10
    assert "backend:ctranslate2/int8" in polish.signature and polish.backend == "ctranslate2/int8"
    assert any((tmp_path / "cache" / "ct2").iterdir())


def _run_cli(folder, out, model, *extra):
    from typer.testing import CliRunner

    from xling.cli import app

    return CliRunner().invoke(app, ["translate", str(folder), "-o", str(out), "-m", f"pl={model}", "--offline",
                                    "--no-cache", "--no-view", "--beams", "2", *extra])


def _outputs(out):
    return {p.name: p.read_bytes() for p in sorted((out / "pl-en").iterdir())}


def test_the_default_backend_is_ctranslate2_int8_converted_once_with_a_notice(tiny_model, tmp_path, seeds,
                                                                              monkeypatch, caplog):
    monkeypatch.setenv("XLING_CACHE_DIR", str(tmp_path / "cache"))
    caplog.set_level(NOTICE)
    first = _run_cli(seeds, tmp_path / "auto", tiny_model)
    assert first.exit_code == 0, first.output
    notices = [r.getMessage() for r in caplog.records if r.levelno == NOTICE]
    assert len(notices) == 2 and notices[0].startswith("converting")
    assert re.fullmatch(r"converted \S+ in \d+\.\d s", notices[1])
    caplog.clear()
    rows = [json.loads(line) for line in (tmp_path / "auto" / "manifest.jsonl").read_text().splitlines()]
    (polish,) = [r for r in rows if r["path"] == POLISH_SEED]
    assert polish["backend"] == "ctranslate2/int8" and "backend:ctranslate2/int8" in polish["signature"]
    # the second run finds the conversion and says nothing; naming the backend writes the same bytes
    again = _run_cli(seeds, tmp_path / "named", tiny_model, "--backend", "ctranslate2")
    assert again.exit_code == 0 and not [r for r in caplog.records if r.levelno >= NOTICE]
    assert _outputs(tmp_path / "auto") == _outputs(tmp_path / "named")


def test_a_converted_model_translates_without_importing_transformers_or_torch(tiny_model, tmp_path, seeds,
                                                                              monkeypatch):
    """The default path's start-up: transformers alone takes ~0.9 s to import, torch more."""
    monkeypatch.setenv("XLING_CACHE_DIR", str(tmp_path / "cache"))
    convert(resolve(str(tiny_model)), "int8")
    code = ("import atexit, runpy, sys\n"
            "atexit.register(lambda: print('imported:', [m for m in ('transformers', 'torch') if m in sys.modules]))\n"
            f"sys.argv = ['xling', 'translate', {str(seeds)!r}, '-o', {str(tmp_path / 'out')!r}, "
            f"'-m', 'pl={tiny_model}', '--offline', '--no-cache', '-q']\n"
            "runpy.run_module('xling', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("imported: []")
    rows = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert {r["backend"] for r in rows if r["status"] == "translated"} == {"ctranslate2/int8"}


def test_auto_falls_back_to_transformers_with_one_line(tiny_model, tmp_path, seeds, monkeypatch, caplog):
    from xling.errors import ModelUnavailableError

    def broken(model, *args, **kwargs):
        raise ModelUnavailableError(model.model_id, "conversion to CTranslate2 failed (unsupported layer)")

    monkeypatch.setattr("xling.translate.ct2.convert", broken)
    caplog.set_level(NOTICE)
    result = _run_cli(seeds, tmp_path / "out", tiny_model)
    assert result.exit_code == 0, result.output
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= NOTICE]
    assert "cannot run" in line and "unsupported layer" in line and line.endswith("using the transformers backend")
    assert "\n" not in line and "Traceback" not in result.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert {r["backend"] for r in rows if r["status"] == "translated"} == {"transformers/float32"}


def test_quantization_none_makes_auto_pick_transformers(tiny_model):
    translator = create_translator(resolve(str(tiny_model)), runtime=Runtime("cpu", quantization="none"))
    assert translator.describe() == "transformers/float32"


def test_thread_layout_uses_every_core_once():
    assert thread_layout("cpu", 2) == (2, 1)
    assert thread_layout("cpu", 16) == (4, 4)
    assert thread_layout("cpu", 1) == (1, 1)
    assert thread_layout("cuda", 16)[0] == 1


def test_a_small_call_is_spread_over_both_replicas(tiny_model, models_dir, sentences):
    def batches_of(translator):
        seen = []
        decode = translator._decode

        def counting(batches, lengths):
            seen.extend(len(b) for b in batches)
            return decode(batches, lengths)

        translator._decode = counting
        return translator.translate(sentences), seen

    settings = GenerationSettings(batch_tokens=8192)  # room for every sentence in one batch
    two = create_translator(resolve(str(tiny_model)), settings, Runtime("cpu", threads=2), "ctranslate2",
                            models_dir=models_dir)
    one = create_translator(resolve(str(tiny_model)), settings, Runtime("cpu", threads=1), "ctranslate2",
                            models_dir=models_dir)
    assert two.parallel_batches() == 2 and one.parallel_batches() == 1
    spread, spread_batches = batches_of(two)
    whole, whole_batches = batches_of(one)
    assert len(whole_batches) == 1 < len(spread_batches)  # one batch would leave a replica idle
    assert sum(spread_batches) == sum(whole_batches) >= len(set(sentences))  # rows: long ones are split
    assert [t.text for t in spread] == [t.text for t in whole]  # batching never changes a translation


def test_malloc_tuning_leaves_a_users_setting_alone(monkeypatch):
    from xling.translate.heap import tune_malloc

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc settings: Linux only")
    assert tune_malloc() is True
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert tune_malloc() is False


@pytest.mark.parametrize("beams", [1, 4])
def test_outputs_stopped_by_the_length_cap_are_flagged_truncated(tiny_model, models_dir, sentences, beams):
    """An output without the end token ran into the cap: it is exactly the cap long and its
    translation says ``truncated``; one the model ended is not flagged. Both backends agree."""
    flags = {}
    for paired in pair(tiny_model, models_dir, beams):
        translator = paired.with_settings(GenerationSettings(beams=beams, max_length_ratio=0.25))  # cap: input/4 + 10
        fits = list(dict.fromkeys(s for s, ids in zip(sentences, translator._loaded().tokenizer.encode(sentences),
                                                        strict=True) if len(ids) <= translator.max_input_tokens))
        rows, decode = [], translator._decode

        def recording(batches, lengths, decode=decode, rows=rows):
            for (_, cap), decoded in zip(lengths, decode(batches, lengths), strict=True):
                rows.extend((cap, d) for d in decoded)
                yield decoded

        translator._decode = recording
        out = translator.translate(fits)
        ends = translator._loaded().end_ids
        assert ends and len(rows) == len(fits)
        stopped = [(cap, d) for cap, d in rows if ends.isdisjoint(d.ids)]
        assert 0 < len(stopped) < len(rows)  # both kinds occur
        assert all(d.tokens == cap for cap, d in stopped)
        assert all(d.tokens <= cap for cap, d in rows)
        assert sum(TRUNCATED in t.flags for t in out) == len(stopped)
        flags[translator.backend] = [TRUNCATED in t.flags for t in out]
    if beams == 1:  # greedy search is token for token the same in both
        assert flags["transformers"] == flags["ctranslate2"]


def test_end_ids_take_one_id_a_list_or_none():
    from xling.translate.batched import end_ids

    assert end_ids(0) == {0} and end_ids([2, 7]) == {2, 7} and end_ids(None) == frozenset()
