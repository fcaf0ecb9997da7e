"""Backend names, their quantisations and devices: checked in one place, before any work.

No backend is imported here, so every backend module (and the table that loads them)
can import these checks without an import circle.
"""

from __future__ import annotations

import re

from xling.errors import UnknownNameError, UsageError

# int8 for transformers: torch dynamic quantisation of nn.Linear, CPU only.
TRANSFORMERS_QUANTIZATIONS = ("none", "int8")
CT2_QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16",
                     "float32")
QUANTIZATIONS = {
    "transformers": TRANSFORMERS_QUANTIZATIONS,
    "ctranslate2": CT2_QUANTIZATIONS,
    "auto": tuple(dict.fromkeys(CT2_QUANTIZATIONS + TRANSFORMERS_QUANTIZATIONS)),
}
BACKENDS = tuple(QUANTIZATIONS)


def check_options(backend: str, quantization: str) -> None:
    """Fail early, before any document is read, on a backend or quantisation that cannot work."""
    if backend not in QUANTIZATIONS:
        raise UnknownNameError("backend", backend, list(BACKENDS))
    valid = QUANTIZATIONS[backend]
    if quantization != "auto" and quantization not in valid:
        raise UsageError(f"the {backend} backend takes --quantization {', '.join(valid)} (or auto), "
                         f"not {quantization!r}")


def require_ctranslate2():
    """The ``ctranslate2`` module, or a one-line error saying how to install it."""
    try:
        import ctranslate2
    except ImportError as exc:
        raise UsageError("the ctranslate2 backend needs CTranslate2: pip install ctranslate2") from exc
    return ctranslate2


def check_device(device: str, backend: str) -> None:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``, and a GPU asked for must be there: one line, before any work.

    Called once per run (or per ``load_translator``), not per model."""
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise UsageError(f"--device takes auto, cpu, cuda or cuda:N, not {device!r}")
    if not device.startswith("cuda"):
        return
    index = int(device.partition(":")[2] or 0)
    if backend == "transformers":
        import torch

        gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    else:
        gpus = require_ctranslate2().get_cuda_device_count()
    if index >= gpus:
        raise UsageError(f"--device {device}: {'no GPU is visible' if not gpus else f'only {gpus} GPU(s) visible'}; "
                         "use --device cpu or auto")
