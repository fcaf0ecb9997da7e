"""What every Marian backend shares: tokenise once, split what is too long, batch by length, score.

A backend only says how to load a model (``_load``) and how to decode token-id
batches (``_decode``); everything that decides *what* is translated lives here,
so the transformers and CTranslate2 backends cannot drift apart:

- one sentence per input row: opus-mt drops sentences from multi-sentence input;
- inputs longer than the model limit are split (``split.py``), never truncated;
- rows are length-sorted into token-budget batches, so padding is small;
- each distinct input is translated once per call (the cache makes it once ever);
- the score is the mean log-probability of the output tokens, end token included,
  taken from the decoding itself, not from a second pass.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from xling.data import Translation
from xling.models import ResolvedModel
from xling.split import split_to_fit
from xling.translate.base import GenerationSettings
from xling.translate.batching import balanced_batches
from xling.translate.heap import tune_malloc
from xling.translate.tokens import Tokens

logger = logging.getLogger(__name__)

SPLIT = "split"  # the input was over the model's limit and was translated in pieces
TRUNCATED = "truncated"  # the output reached the length cap before the model ended it


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(output: str, source: str) -> str:
    """Decode HTML entities the model wrote on its own (``R &amp; D`` → ``R & D``).

    opus-mt models learnt them from web-crawled training data; they are noise in every
    corpus format. An entity that stands in the source too (a text about HTML) is kept.
    """
    if "&" not in output:
        return output
    return _ENTITY.sub(lambda m: m.group() if m.group() in source else html.unescape(m.group()), output)


@dataclass(frozen=True, slots=True)
class Runtime:
    """Where and how a model runs. Not part of the cache key unless it changes the output
    (quantisation does: backends fold it into their ``revision``)."""

    device: str = "auto"  # auto, cpu, cuda, cuda:N
    threads: int = 0  # CPU threads; 0: every core this process may use
    quantization: str = "auto"  # backend-specific; "auto" picks the backend's default for the device

    def cpu_threads(self) -> int:
        if self.threads:
            return self.threads
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1


@dataclass(frozen=True)
class Loaded:
    """What the first translation loads: the tokenizer, the backend's model, the input limit."""

    device: str
    tokenizer: Tokens
    model: Any
    max_input_tokens: int
    end_ids: frozenset[int] = frozenset()  # the end token(s); an output without one stopped at the cap


def end_ids(value: int | list[int] | None) -> frozenset[int]:
    """A config's ``eos_token_id`` (one id, a list of them, or none) as a set."""
    if value is None:
        return frozenset()
    return frozenset([value] if isinstance(value, int) else value)


@dataclass(frozen=True, slots=True)
class Decoded:
    """One output row: token ids (the end token included where the model produced it: a row
    without it stopped at the length cap; other special tokens are skipped when decoding), the
    mean log-probability per output token, and the number of output tokens."""

    ids: list[int]
    score: float
    tokens: int


@dataclass(slots=True)
class _Unit:
    """A piece of input the model can take whole: a sentence, or part of an over-long one."""

    text: str
    ids: list[int]
    output: str = ""
    score: float = 0.0
    tokens: int = 0
    ended: bool = True  # the model ended the output (not the length cap)


def pick_device(device: str = "auto") -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``; other values pass through
    (``options.check_device`` has made sure a GPU asked for is there)."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class BatchedTranslator:
    """A ``Translator`` over a Marian model; subclasses provide ``_load`` and ``_decode``."""

    backend = "abstract"
    # Padded source tokens per batch when the settings leave it open. On CPU, small batches win:
    # a batch decodes until its longest output, and big ones stream more logits and caches
    # through memory. Backends set their own measured values.
    default_batch_tokens: ClassVar[dict[str, int]] = {"cpu": 1024, "cuda": 8192}

    def __init__(self, model: ResolvedModel, settings: GenerationSettings | None = None,
                 runtime: Runtime | str = "auto") -> None:
        self.runtime = Runtime(device=runtime) if isinstance(runtime, str) else runtime
        self.model_id = model.model_id
        self.revision = model.revision + self._revision_suffix()
        self.settings = settings or GenerationSettings()
        self._resolved = model
        self._slot: list[Loaded] = []  # filled on first use; shared with with_settings() copies
        self.sentences_generated = 0  # rows sent to the model: tests count model work with it
        self.tokens_generated = 0  # output tokens, end tokens included: benchmarks count work with it

    def _revision_suffix(self) -> str:
        """What the backend changes about the output (a quantisation), so the cache keeps them apart."""
        return ""

    def precision(self) -> str:
        """The number format the weights compute in: float32, float16, int8, ..."""
        raise NotImplementedError

    def describe(self) -> str:
        """Backend and precision actually used, e.g. ``ctranslate2/int8``: for the manifest and signature."""
        return f"{self.backend}/{self.precision()}"

    def _load(self) -> Loaded:
        raise NotImplementedError

    def _decode(self, batches: list[list[list[int]]], lengths: list[tuple[int, int]]) -> Iterator[list[Decoded]]:
        """Decode token-id batches, yielding one list of ``Decoded`` per batch, in order.

        ``lengths`` holds (min_new_tokens, max_new_tokens) per batch.
        """
        raise NotImplementedError

    def with_settings(self, settings: GenerationSettings) -> BatchedTranslator:
        """The same model (loaded once) decoding with other settings."""
        import copy

        other = copy.copy(self)  # shallow: the loaded-model slot list is shared, not reloaded
        other.settings = settings
        return other

    @property
    def loaded(self) -> bool:
        return bool(self._slot)

    @property
    def max_input_tokens(self) -> int:
        return self._loaded().max_input_tokens

    def _loaded(self) -> Loaded:
        """Load tokenizer and weights on first use: a run answered by the cache never pays for it."""
        if not self._slot:
            loaded = self._load()
            if loaded.device == "cpu":  # both backends churn big per-step buffers: see heap.py
                tune_malloc()
            self._slot.append(loaded)
        return self._slot[0]

    def count_tokens(self, text: str) -> int:
        return len(self._loaded().tokenizer.encode([text])[0])

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        if not texts:
            return []
        unique = list(dict.fromkeys(texts))
        units = dict(zip(unique, self._units(unique), strict=True))
        self._run([u for group in units.values() for u in group])
        return [self._assemble(text, units[text]) for text in texts]

    def _units(self, texts: list[str]) -> list[list[_Unit]]:
        """Tokenise all inputs in one call; split the ones over the model limit."""
        tokenizer, limit = self._loaded().tokenizer, self.max_input_tokens
        all_ids = tokenizer.encode(texts)
        units = []
        for text, ids in zip(texts, all_ids, strict=True):
            if len(ids) <= limit:
                units.append([_Unit(text, ids)])
                continue
            pieces = split_to_fit(text, self.count_tokens, limit)
            logger.info("input of %d tokens split into %d pieces", len(ids), len(pieces))
            units.append([_Unit(p, ids) for p, ids in zip(pieces, tokenizer.encode(pieces), strict=True)])
        return units

    def batch_tokens(self) -> int:
        device = "cuda" if self._loaded().device.startswith("cuda") else "cpu"
        return self.settings.batch_tokens or self.default_batch_tokens[device]

    def parallel_batches(self) -> int:
        """How many batches the backend decodes at the same time (CTranslate2: one per replica).

        Small calls are then cut into smaller batches, so that no replica idles
        (``batching.balanced_batches``)."""
        return 1

    def output_lengths(self, longest: int) -> tuple[int, int]:
        """(min, max) new tokens for a batch whose longest input has ``longest`` tokens."""
        limit = self.max_input_tokens - 1
        fixed = self.settings.fixed_length_ratio
        if fixed:
            n = max(1, min(limit, round(fixed * longest)))
            return n, n
        return 0, min(limit, int(self.settings.max_length_ratio * longest) + 10)

    def _run(self, units: list[_Unit]) -> None:
        todo = [u for u in units if u.text.strip()]
        if not todo:
            return
        plan = balanced_batches([len(u.ids) for u in todo], self.batch_tokens(), self.parallel_batches(),
                                lambda longest: self.output_lengths(longest)[1], self.settings.beams)
        batches = [[todo[i] for i in batch] for batch in plan]
        lengths = [self.output_lengths(max(len(u.ids) for u in batch)) for batch in batches]
        loaded = self._loaded()
        tokenizer, ends = loaded.tokenizer, loaded.end_ids
        decoded_batches = self._decode([[u.ids for u in batch] for batch in batches], lengths)
        for batch, decoded in zip(batches, decoded_batches, strict=True):
            texts = tokenizer.decode([d.ids for d in decoded])
            for unit, text, d in zip(batch, texts, decoded, strict=True):
                unit.output, unit.score, unit.tokens = decode_entities(text.strip(), unit.text), d.score, d.tokens
                unit.ended = not ends or not ends.isdisjoint(d.ids)
            self.sentences_generated += len(batch)
            self.tokens_generated += sum(d.tokens for d in decoded)

    def _assemble(self, text: str, units: list[_Unit]) -> Translation:
        tokens = sum(u.tokens for u in units)
        score = sum(u.score * u.tokens for u in units) / tokens if tokens else 0.0
        output = " ".join(u.output for u in units if u.output)
        flags = ((SPLIT,) if len(units) > 1 else ()) + (() if all(u.ended for u in units) else (TRUNCATED,))
        return Translation(source=text, text=output, model=self.model_id, score=round(score, 4), flags=flags)
