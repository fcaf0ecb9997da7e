"""Pick a backend by name. Both implement ``Translator`` over the same shared machinery."""

from __future__ import annotations

from pathlib import Path

from xling.errors import UnknownNameError
from xling.models import ResolvedModel
from xling.translate.base import GenerationSettings
from xling.translate.batched import BatchedTranslator, Runtime

BACKENDS = ("transformers", "ctranslate2")


def create_translator(model: ResolvedModel, settings: GenerationSettings | None = None,
                      runtime: Runtime | None = None, backend: str = "transformers",
                      models_dir: Path | None = None) -> BatchedTranslator:
    runtime = runtime or Runtime()
    if backend == "transformers":
        from xling.translate.marian import MarianTranslator

        return MarianTranslator(model, settings, runtime)
    if backend == "ctranslate2":
        from xling.translate.ct2 import CT2Translator

        return CT2Translator(model, settings, runtime, models_dir=models_dir)
    raise UnknownNameError("backend", backend, list(BACKENDS))
