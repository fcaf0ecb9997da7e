"""Pick a backend by name: one table from name to loader; the checks live in ``options``.

``auto`` (the default) is CTranslate2 wherever it can run (int8 on CPU, int8_float16 on
CUDA): on 2 cores it translates several times faster than transformers in a fraction
of the memory. It falls back to transformers, with a one-line notice, when CTranslate2
cannot run the model; ``--backend transformers`` gives the exact reference output.

A new backend is a ``BatchedTranslator`` subclass in its own module, a loader entry in
``LOADERS`` and its quantisations in ``options.QUANTIZATIONS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from xling.errors import UnknownNameError, XlingError
from xling.models import ResolvedModel
from xling.notice import notice
from xling.translate.base import GenerationSettings
from xling.translate.batched import BatchedTranslator, Runtime
from xling.translate.options import BACKENDS, check_device, check_options

logger = logging.getLogger(__name__)

__all__ = ["BACKENDS", "LOADERS", "check_device", "check_options", "create_translator"]

Loader = Callable[[ResolvedModel, GenerationSettings | None, Runtime, Path | None], BatchedTranslator]


def _transformers(model: ResolvedModel, settings: GenerationSettings | None, runtime: Runtime,
                  models_dir: Path | None) -> BatchedTranslator:
    from xling.translate.marian import MarianTranslator

    return MarianTranslator(model, settings, runtime)


def _ctranslate2(model: ResolvedModel, settings: GenerationSettings | None, runtime: Runtime,
                 models_dir: Path | None) -> BatchedTranslator:
    from xling.translate.ct2 import CT2Translator

    return CT2Translator(model, settings, runtime, models_dir=models_dir)


LOADERS: dict[str, Loader] = {"transformers": _transformers, "ctranslate2": _ctranslate2}


def create_translator(model: ResolvedModel, settings: GenerationSettings | None = None,
                      runtime: Runtime | None = None, backend: str = "auto",
                      models_dir: Path | None = None) -> BatchedTranslator:
    """A translator of ``model`` on ``backend``. The device is the caller's to check (once per run:
    ``options.check_device``); loading the weights waits for the first translation."""
    runtime = runtime or Runtime()
    check_options(backend, runtime.quantization)
    if backend == "auto":
        backend = _choose(model, runtime, models_dir)
        if backend == "transformers" and runtime.quantization != "none":
            runtime = replace(runtime, quantization="auto")
    if backend not in LOADERS:
        raise UnknownNameError("backend", backend, list(BACKENDS))
    return LOADERS[backend](model, settings, runtime, models_dir)


def _choose(model: ResolvedModel, runtime: Runtime, models_dir: Path | None) -> str:
    """``ctranslate2`` if it can run ``model`` (converting it once), else ``transformers``, said once."""
    if runtime.quantization == "none":  # only transformers computes unquantised float32 on CPU
        return "transformers"
    from xling.translate import ct2

    try:
        ct2.check_runnable(model, runtime, models_dir)
    except XlingError as exc:
        notice(logger, "CTranslate2 cannot run %s (%s); using the transformers backend", model.model_id, exc)
        return "transformers"
    return "ctranslate2"
