"""Shared fixtures. Nothing here downloads: the Marian model is built locally, once per session."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import settings

from xling.data import Translation
from xling.translate.base import GenerationSettings

# No test here is about timing: Hypothesis' 200 ms deadline only makes a loaded 2-core machine flaky.
settings.register_profile("xling", deadline=None)
settings.load_profile("xling")

ROOT = Path(__file__).resolve().parent.parent
# The shared data sets beside the checkout (read in place); XLING_SHARED names them from elsewhere
# (scripts/mutate.sh runs the tests in a copy of the project, one folder deeper).
SHARED = Path(os.environ.get("XLING_SHARED") or ROOT.parent / "shared")
SEEDS = ROOT / "seeds"
POLISH_SEED = "004_18b42087b80df9f9.txt"

# xling's own cache (converted models, the default translation cache) goes to a folder of this
# session, never the user's; child processes the tests start inherit it.
os.environ["XLING_CACHE_DIR"] = tempfile.mkdtemp(prefix="xling-test-cache-")


def load_script(name: str):
    """A module of scripts/ (benchmarks, evaluations, the tiny-model builder), imported by path."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in it look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny MarianMT (copy-trained, 128 positions) saved with save_pretrained, as a user's model dir would be."""
    out = tmp_path_factory.mktemp("models") / "tiny-pl-en"
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return load_script("make_tiny_marian").build(out, texts, max_positions=128)


@pytest.fixture
def seeds(tmp_path) -> Path:
    """A private copy of the seeds folder (tests may add files to it)."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


class FakeTranslator:
    """Deterministic stand-in for pipeline-logic tests: upper-cases its input and counts calls."""

    backend = "fake"

    def __init__(self, model_id: str = "fake") -> None:
        self.model_id = model_id
        self.revision = "1"
        self.settings = GenerationSettings()
        self.seen: list[str] = []

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        self.seen.extend(texts)
        return [Translation(t, t.upper(), self.model_id, -0.5) for t in texts]

    def with_settings(self, settings: GenerationSettings) -> FakeTranslator:
        other = FakeTranslator(self.model_id)
        other.settings, other.seen = settings, self.seen
        return other

    def describe(self) -> str:
        return self.backend


@pytest.fixture
def fake_factory():
    made: dict[str, FakeTranslator] = {}

    def factory(model: str) -> FakeTranslator:
        made[model] = made.get(model) or FakeTranslator(model)
        return made[model]

    factory.made = made
    return factory


@pytest.fixture
def fake_backend(monkeypatch, tiny_model):
    """CLI arguments whose model loading is answered by FakeTranslator (pipeline logic only)."""
    made = FakeTranslator("tiny")
    monkeypatch.setattr("xling.translate.backends.create_translator", lambda *args, **kwargs: made)
    return ["--model", f"pl={tiny_model}", "--no-cache"]
