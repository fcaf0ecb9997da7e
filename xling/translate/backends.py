"""Pick a backend by name. Both implement ``Translator`` over the same shared machinery."""

from __future__ import annotations

from pathlib import Path

from xling.errors import UnknownNameError
from xling.models import ResolvedModel
from xling.translate.base import GenerationSettings
from xling.translate.batched import BatchedTranslator, Runtime

BACKENDS = ("transformers", "ctranslate2")


def check_options(backend: str, quantization: str) -> None:
    """Fail early, before any document is read, on a backend or quantisation that cannot work."""
    from xling.errors import UsageError
    from xling.translate import ct2, marian

    if backend not in BACKENDS:
        raise UnknownNameError("backend", backend, list(BACKENDS))
    valid = marian.QUANTIZATIONS if backend == "transformers" else ct2.QUANTIZATIONS
    if quantization != "auto" and quantization not in valid:
        raise UsageError(f"the {backend} backend takes --quantization {', '.join(valid)} (or auto), "
                         f"not {quantization!r}")


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
