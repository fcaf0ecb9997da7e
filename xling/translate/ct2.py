"""The CTranslate2 backend: the same Marian model, converted once, decoded by CTranslate2.

Splitting, batching, the cache and the scores are the shared ones (``batched.py``);
only decoding differs. Text becomes Marian ids without transformers where that is
exact (``tokens.py``), so a run with a converted model never imports it. The
converted model lives in xling's model cache, keyed by the source model's id,
revision and the quantisation, so a rebuilt model is converted again and never
confused with the old one.

CTranslate2 runs several batches at once (``inter_threads``), one per replica,
which on a small CPU beats one batch on all cores; xling submits every batch
of a call asynchronously and collects the results in order.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from xling.errors import ModelUnavailableError, UsageError
from xling.models import ResolvedModel
from xling.notice import notice
from xling.translate.batched import BatchedTranslator, Decoded, Loaded, Runtime, end_ids
from xling.translate.options import check_options, require_ctranslate2
from xling.translate.tokens import load_tokens

logger = logging.getLogger(__name__)

META = "xling-convert.json"


def default_quantization(device: str) -> str:
    return "int8_float16" if device.startswith("cuda") else "int8"


def _quantization(quantization: str, device: str) -> str:
    check_options("ctranslate2", quantization)
    return default_quantization(device) if quantization == "auto" else quantization


def models_root() -> Path:
    from xling.notice import cache_root

    return cache_root() / "ct2"


def converted_path(model: ResolvedModel, quantization: str, root: Path | None = None) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", model.model_id)
    revision = re.sub(r"[^A-Za-z0-9._-]+", "-", model.revision)[:24]
    return (root or models_root()) / f"{slug}@{revision}-{quantization}"


def convert(model: ResolvedModel, quantization: str = "int8", root: Path | None = None,
            force: bool = False) -> Path:
    """Convert ``model`` with CTranslate2's Transformers converter into the model cache; offline.

    Written to a temporary folder and renamed into place, so an interrupted
    conversion never leaves a half model that later runs would trust.
    """
    ctranslate2 = require_ctranslate2()
    quantization = _quantization(quantization, "cpu")
    target = converted_path(model, quantization, root)
    if (target / META).is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    notice(logger, "converting %s to CTranslate2 (%s), once; kept in %s", model.model_id, quantization, target)
    started = time.perf_counter()
    try:
        converter = ctranslate2.converters.TransformersConverter(str(model.path), low_cpu_mem_usage=True)
        converter.convert(str(tmp / "model"), quantization=quantization, force=True)
        meta = {"model": model.model_id, "revision": model.revision, "source": str(model.path),
                "quantization": quantization, "ctranslate2": ctranslate2.__version__}
        (tmp / "model" / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        (tmp / "model").rename(target)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise ModelUnavailableError(model.model_id, f"conversion to CTranslate2 failed ({exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    notice(logger, "converted %s in %.1f s", model.model_id, time.perf_counter() - started)
    return target


def _device_name(device: str) -> str:
    """``auto`` → ``cuda`` when CTranslate2 sees a GPU, else ``cpu``; other values pass through
    (``options.check_device`` has made sure a GPU asked for is there)."""
    if device == "auto":
        return "cuda" if require_ctranslate2().get_cuda_device_count() > 0 else "cpu"
    return device


def check_runnable(model: ResolvedModel, runtime: Runtime, models_dir: Path | None = None) -> None:
    """Raise if CTranslate2 cannot run ``model`` here; convert it (once) if it can.

    What ``--backend auto`` asks before it chooses CTranslate2: the library imports, the
    device exists, the compute type is supported there, and the model converts.
    """
    ctranslate2 = require_ctranslate2()
    device = _device_name(runtime.device)
    quantization = _quantization(runtime.quantization, device)
    kind, _, index = device.partition(":")
    supported = ctranslate2.get_supported_compute_types(kind, int(index or 0))
    if quantization not in supported:
        raise UsageError(f"{quantization} is not supported on {device} (supported: {', '.join(sorted(supported))})")
    convert(model, quantization, models_dir)


def thread_layout(device: str, cpu_threads: int) -> tuple[int, int]:
    """(inter_threads, intra_threads): parallel batches, and threads per batch.

    On a few cores, one batch per core wins (measured: 2 × 1 beats 1 × 2 by ~45 % at beam 4).
    """
    if device.startswith("cuda"):
        return 1, 0
    inter = max(1, min(cpu_threads, 4))
    return inter, max(1, cpu_threads // inter)


class CT2Translator(BatchedTranslator):
    """Translate with the CTranslate2 conversion of a Marian checkpoint (converted on first use)."""

    backend = "ctranslate2"
    # 2 cores, beam 4, int8: 512 tokens ≈ 9.7 sentences/s, 1 024 ≈ 8.9, 2 048 ≈ 7.5, 4 096 ≈ 3.9
    default_batch_tokens: ClassVar[dict[str, int]] = {"cpu": 512, "cuda": 8192}

    def __init__(self, model: ResolvedModel, settings=None, runtime: Runtime | str = "auto", *,
                 models_dir: Path | None = None) -> None:
        runtime = Runtime(device=runtime) if isinstance(runtime, str) else runtime
        self.models_dir = models_dir
        self.device = _device_name(runtime.device)
        self.quantization = _quantization(runtime.quantization, self.device)
        super().__init__(model, settings, runtime)

    def _revision_suffix(self) -> str:
        return f"+ct2-{self.quantization}"

    def precision(self) -> str:
        return self.quantization

    def parallel_batches(self) -> int:
        return self._loaded().model.num_translators

    def _load(self) -> Loaded:
        ctranslate2 = require_ctranslate2()
        device = self.device
        if device.startswith("cuda") and device != "cuda":
            kind, index = "cuda", int(device.split(":", 1)[1])
        else:
            kind, index = device, 0
        path = convert(self._resolved, self.quantization, self.models_dir)
        inter, intra = thread_layout(kind, self.runtime.cpu_threads())
        model = ctranslate2.Translator(str(path), device=kind, device_index=index, compute_type=self.quantization,
                                       inter_threads=inter, intra_threads=intra)
        tokenizer = load_tokens(self._resolved.path)
        config = json.loads((self._resolved.path / "config.json").read_text(encoding="utf-8"))
        limit = min(tokenizer.max_length, config.get("max_position_embeddings", 512))
        return Loaded(device, tokenizer, model, limit, end_ids(config.get("eos_token_id")))

    def _decode(self, batches: list[list[list[int]]], lengths: list[tuple[int, int]]) -> Iterator[list[Decoded]]:
        """Batches go to CTranslate2 asynchronously, a few per replica ahead of the one being read:
        every replica stays busy, and memory does not grow with the number of batches (submitting
        all of a 20 MB document's batches at once held every one's pieces and results)."""
        m = self._loaded()
        tokenizer = m.tokenizer
        ahead = 4 * self.parallel_batches()
        pending: deque = deque()
        work = iter(zip(batches, lengths, strict=True))
        for ids, (shortest, longest) in itertools.islice(work, ahead):
            pending.append(self._submit(m, ids, shortest, longest))
        while pending:
            results = pending.popleft()
            decoded = []
            for item in results:
                result = item.result()
                tokens = result.hypotheses[0]
                decoded.append(Decoded(tokenizer.to_ids(tokens), result.scores[0], len(tokens)))
            for ids, (shortest, longest) in itertools.islice(work, 1):
                pending.append(self._submit(m, ids, shortest, longest))
            yield decoded

    def _submit(self, m: Loaded, ids: list[list[int]], shortest: int, longest: int) -> list:
        return m.model.translate_batch(
            [m.tokenizer.to_pieces(row) for row in ids], asynchronous=True, beam_size=self.settings.beams,
            no_repeat_ngram_size=self.settings.no_repeat_ngram_size,
            max_decoding_length=longest, min_decoding_length=shortest,
            max_input_length=0,  # inputs already fit: splitting happened before, never truncate here
            return_scores=True, return_end_token=True,
        )
