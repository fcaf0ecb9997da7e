"""The ``transformers`` backend: MarianTokenizer + MarianMTModel.generate(), batched and scored.

Why it looks the way it does:
- one sentence per input row: opus-mt drops sentences from multi-sentence input;
- inputs longer than the model limit are split (``split.py``), never truncated;
- rows are length-sorted into token-budget batches, so padding is small;
- the score comes from the same ``generate`` call (``compute_transition_scores``), not a second pass;
- each distinct input is translated once per call (the cache makes it once ever).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xling.data import Translation
from xling.models import ResolvedModel
from xling.translate.base import GenerationSettings
from xling.translate.batching import token_budget_batches
from xling.translate.split import split_to_fit

logger = logging.getLogger(__name__)

SPLIT = "split"


@dataclass(frozen=True)
class _Loaded:
    """What the first translation loads: tokenizer, weights, and the limits read from them."""

    device: str
    tokenizer: Any
    model: Any
    pad_id: int
    max_input_tokens: int


@dataclass(slots=True)
class _Unit:
    """A piece of input the model can take whole: a sentence, or part of an over-long one."""

    text: str
    ids: list[int]
    output: str = ""
    score: float = 0.0
    tokens: int = 0


def pick_device(device: str = "auto") -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``; other values pass through."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class MarianTranslator:
    """Translate with a Marian checkpoint in a local directory (see ``xling.models.resolve``)."""

    backend = "transformers"

    def __init__(self, model: ResolvedModel, settings: GenerationSettings | None = None,
                 device: str = "auto") -> None:
        self.model_id = model.model_id
        self.revision = model.revision
        self.settings = settings or GenerationSettings()
        self._resolved = model
        self._device = device
        self._slot: list[_Loaded] = []  # filled on first use; shared with with_settings() copies
        self.sentences_generated = 0  # rows sent to generate(): tests count model work with it

    def with_settings(self, settings: GenerationSettings) -> MarianTranslator:
        """The same model (loaded once) decoding with other settings."""
        other = MarianTranslator(self._resolved, settings, self._device)
        other._slot = self._slot
        return other

    @property
    def loaded(self) -> bool:
        return bool(self._slot)

    @property
    def max_input_tokens(self) -> int:
        return self._loaded().max_input_tokens

    def _loaded(self) -> _Loaded:
        """Load tokenizer and weights on first use: a run answered by the cache never pays for it."""
        if not self._slot:
            self._slot.append(_load(self._resolved, self._device))
        return self._slot[0]

    def count_tokens(self, text: str) -> int:
        return len(self._loaded().tokenizer(text, verbose=False)["input_ids"])

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
        all_ids = tokenizer(list(texts), verbose=False)["input_ids"]
        units = []
        for text, ids in zip(texts, all_ids, strict=True):
            if len(ids) <= limit:
                units.append([_Unit(text, ids)])
                continue
            pieces = split_to_fit(text, self.count_tokens, limit)
            logger.info("input of %d tokens split into %d pieces", len(ids), len(pieces))
            units.append([_Unit(p, tokenizer(p, verbose=False)["input_ids"]) for p in pieces])
        return units

    def _run(self, units: list[_Unit]) -> None:
        todo = [u for u in units if u.text.strip()]
        for batch in token_budget_batches([len(u.ids) for u in todo], self.settings.batch_tokens):
            self._generate([todo[i] for i in batch])

    def _generate(self, batch: list[_Unit]) -> None:
        import torch

        m = self._loaded()
        longest = max(len(u.ids) for u in batch)
        cap = min(m.max_input_tokens - 1, int(self.settings.max_length_ratio * longest) + 10)
        inputs = m.tokenizer.pad({"input_ids": [u.ids for u in batch]}, return_tensors="pt").to(m.device)
        beams = self.settings.beams
        with torch.inference_mode():
            extra = {"no_repeat_ngram_size": self.settings.no_repeat_ngram_size} \
                if self.settings.no_repeat_ngram_size else {}
            out = m.model.generate(
                **inputs, num_beams=beams, do_sample=False, max_new_tokens=cap,
                output_scores=True, return_dict_in_generate=True, **extra,
            )
            steps = m.model.compute_transition_scores(
                out.sequences, out.scores, out.beam_indices if beams > 1 else None, normalize_logits=beams == 1,
            )
        generated = out.sequences[:, 1:]
        mask = generated != m.pad_id
        # masked positions (after EOS) may hold -inf: select, never multiply by zero
        sums = torch.where(mask, steps.float(), 0.0).sum(dim=1).tolist()
        counts = mask.sum(dim=1).tolist()
        outputs = m.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
        for unit, text, total, count in zip(batch, outputs, sums, counts, strict=True):
            unit.output, unit.tokens = text.strip(), int(count)
            unit.score = total / count if count else 0.0
        self.sentences_generated += len(batch)

    def _assemble(self, text: str, units: list[_Unit]) -> Translation:
        tokens = sum(u.tokens for u in units)
        score = sum(u.score * u.tokens for u in units) / tokens if tokens else 0.0
        output = " ".join(u.output for u in units if u.output)
        flags = (SPLIT,) if len(units) > 1 else ()
        return Translation(source=text, text=output, model=self.model_id, score=round(score, 4), flags=flags)


def _load(resolved: ResolvedModel, device: str) -> _Loaded:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    device = pick_device(device)
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    path = resolved.path
    # local_files_only: the directory was resolved already; never trust remote code;
    # safetensors weights are preferred when the model has them (no pickle).
    tokenizer = MarianTokenizer.from_pretrained(path, local_files_only=True)
    model = MarianMTModel.from_pretrained(path, local_files_only=True, dtype=dtype,
                                          use_safetensors=any(path.glob("*.safetensors")) or None)
    model.to(device).eval()
    # xling sets every length per call; the checkpoint's max_length would only clash with it.
    model.generation_config.max_length = None
    config = model.config
    return _Loaded(device, tokenizer, model, config.pad_token_id,
                   min(tokenizer.model_max_length, config.max_position_embeddings))
