"""The Ray engine writes byte for byte what the local engine writes, on a local Ray with two CPUs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import POLISH_SEED, SEEDS
from xling.pipeline import Options, translate_folder
from xling.translate.base import GenerationSettings

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'xling[ray]'")

sys.path.insert(0, str(SEEDS.parent / "scripts"))
from bench_ray import make_corpus  # noqa: E402 (the benchmark's corpus generator, shared)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield
    ray.shutdown()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_ray_engine_output_is_byte_identical_to_local(local_ray, tiny_model, tmp_path):
    from xling.ray_engine import translate_folder_ray

    corpus = make_corpus(tmp_path / "in", documents=150)
    # a bad file and an empty one travel through the Ray steps too
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    (corpus / "empty.txt").write_text("")

    def options(cache: str) -> Options:
        return Options(models={"pl": str(tiny_model)}, device="cpu", cache=tmp_path / cache, offline=True,
                       settings=GenerationSettings(beams=1), window_bytes=16 * 1024)

    local = translate_folder(corpus, tmp_path / "local", options("local.sqlite3"))
    distributed = translate_folder_ray(corpus, tmp_path / "ray", options("ray.sqlite3"), num_workers=2)

    expected, got = files(tmp_path / "local"), files(tmp_path / "ray")
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
    assert [(f.path, f.status) for f in distributed.files] == [(f.path, f.status) for f in local.files]
    statuses = {f.status for f in local.files}
    assert {"translated", "passed", "failed", "skipped"} <= statuses
    translated = [f for f in local.files if f.status == "translated"]
    assert len(translated) == 1 + 150 // 5 and sum(f.sentences for f in translated) > 350  # every fifth is Polish
    assert any(f.path == POLISH_SEED for f in translated)


@pytest.mark.slow
def test_rerun_on_ray_is_answered_by_the_cache(local_ray, tiny_model, tmp_path):
    from xling.ray_engine import translate_folder_ray

    corpus = make_corpus(tmp_path / "in", documents=12)
    options = Options(models={"pl": str(tiny_model)}, device="cpu", cache=tmp_path / "c.sqlite3", offline=True,
                      settings=GenerationSettings(beams=1), window_bytes=8 * 1024)
    first = translate_folder_ray(corpus, tmp_path / "a", options, num_workers=2)
    again = translate_folder_ray(corpus, tmp_path / "b", options, num_workers=2)
    assert sum(f.translated for f in first.files) > 0
    assert sum(f.translated for f in again.files) == 0
    # headings repeat across the generated documents, so the first run already answers some from the cache
    assert sum(f.cached for f in again.files) == sum(f.translated + f.cached for f in first.files)
    assert files(tmp_path / "a") == files(tmp_path / "b")
