"""Pick a backend by name. Both implement ``Translator`` over the same shared machinery.

``auto`` (the default) is CTranslate2 wherever it can run (int8 on CPU, int8_float16 on
CUDA): on 2 cores it translates several times faster than transformers in a fraction
of the memory. It falls back to transformers, with a one-line notice, when CTranslate2
cannot run the model; ``--backend transformers`` gives the exact reference output.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from xling.errors import UnknownNameError, XlingError
from xling.models import ResolvedModel
from xling.notice import notice
from xling.translate.base import GenerationSettings
from xling.translate.batched import BatchedTranslator, Runtime

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "transformers", "ctranslate2")


def check_options(backend: str, quantization: str) -> None:
    """Fail early, before any document is read, on a backend or quantisation that cannot work."""
    from xling.errors import UsageError
    from xling.translate import ct2, marian

    if backend not in BACKENDS:
        raise UnknownNameError("backend", backend, list(BACKENDS))
    valid = {"transformers": marian.QUANTIZATIONS, "ctranslate2": ct2.QUANTIZATIONS,
             "auto": tuple(dict.fromkeys(ct2.QUANTIZATIONS + marian.QUANTIZATIONS))}[backend]
    if quantization != "auto" and quantization not in valid:
        raise UsageError(f"the {backend} backend takes --quantization {', '.join(valid)} (or auto), "
                         f"not {quantization!r}")


def create_translator(model: ResolvedModel, settings: GenerationSettings | None = None,
                      runtime: Runtime | None = None, backend: str = "auto",
                      models_dir: Path | None = None) -> BatchedTranslator:
    runtime = runtime or Runtime()
    check_device(runtime.device, backend)
    if backend == "auto":
        backend = _choose(model, runtime, models_dir)
        if backend == "transformers" and runtime.quantization != "none":
            runtime = replace(runtime, quantization="auto")
    if backend == "transformers":
        from xling.translate.marian import MarianTranslator

        return MarianTranslator(model, settings, runtime)
    if backend == "ctranslate2":
        from xling.translate.ct2 import CT2Translator

        return CT2Translator(model, settings, runtime, models_dir=models_dir)
    raise UnknownNameError("backend", backend, list(BACKENDS))


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


def check_device(device: str, backend: str) -> None:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``, and a GPU asked for must be there: one line, before any work."""
    import re

    from xling.errors import UsageError

    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise UsageError(f"--device takes auto, cpu, cuda or cuda:N, not {device!r}")
    if not device.startswith("cuda"):
        return
    index = int(device.partition(":")[2] or 0)
    if backend == "transformers":
        import torch

        gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    else:
        from xling.translate.ct2 import _require_ctranslate2

        gpus = _require_ctranslate2().get_cuda_device_count()
    if index >= gpus:
        raise UsageError(f"--device {device}: {'no GPU is visible' if not gpus else f'only {gpus} GPU(s) visible'}; "
                         "use --device cpu or auto")
