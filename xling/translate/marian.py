"""The ``transformers`` backend: MarianTokenizer + MarianMTModel.generate().

What it adds to the shared machinery (``batched.py``): half precision on GPU,
optional dynamic int8 quantisation of the Linear layers on CPU, one
``generate`` call per batch under ``torch.inference_mode``, and scores recorded
during that same call by two small logits processors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from xling.errors import UsageError
from xling.models import ResolvedModel
from xling.translate.batched import BatchedTranslator, Decoded, Loaded, Runtime, end_ids, pick_device
from xling.translate.options import check_options

logger = logging.getLogger(__name__)



def quantization_for(runtime: Runtime) -> str:
    check_options("transformers", runtime.quantization)
    return "none" if runtime.quantization == "auto" else runtime.quantization


class MarianTranslator(BatchedTranslator):
    """Translate with a Marian checkpoint in a local directory (see ``xling.models.resolve``)."""

    backend = "transformers"
    def batch_tokens(self) -> int:
        """On CPU, the base budget (1 024) divided by the beam width: a batch holds about as many
        hypotheses at any beam. 28 news sentences, 2 cores, beam 4, full-size opus-mt, malloc tuned
        (heap.py): 256 tokens 52-58 s and 1.7 GB peak, 384 48 s / 2.4 GB, 512 42 s / 2.9 GB, 1 024
        47 s / 5.5 GB; at beam 1, 256 tokens halved the throughput of 1 024 (3.7 against 7.4 sentences/s)."""
        if self.settings.batch_tokens or self._loaded().device.startswith("cuda"):
            return super().batch_tokens()
        return max(128, self.default_batch_tokens["cpu"] // max(1, self.settings.beams))

    def _revision_suffix(self) -> str:
        return "+qint8" if quantization_for(self.runtime) == "int8" else ""

    def precision(self) -> str:
        if quantization_for(self.runtime) == "int8":
            return "int8"
        device = self._slot[0].device if self._slot else pick_device(self.runtime.device)
        return "float16" if device.startswith("cuda") else "float32"

    def _load(self) -> Loaded:
        return _load(self._resolved, self.runtime)

    def _decode(self, batches: list[list[list[int]]], lengths: list[tuple[int, int]]) -> Iterator[list[Decoded]]:
        import torch

        m = self._loaded()
        beams, block = self.settings.beams, self.settings.no_repeat_ngram_size
        extra = {"no_repeat_ngram_size": block} if block else {}
        pad_id = m.model.config.pad_token_id
        for ids, (shortest, longest) in zip(batches, lengths, strict=True):
            inputs = _padded(ids, pad_id, m.device)
            # Scores come from recording logits processors, not output_scores, which would keep
            # rows × beams × vocabulary floats for every step (gigabytes for a batch of news).
            recorder = _GreedyLogProbs() if beams == 1 else _BeamLogProbs(beams)
            with torch.inference_mode():
                out = m.model.generate(
                    **inputs, num_beams=beams, do_sample=False, max_new_tokens=longest,
                    min_new_tokens=shortest or None, return_dict_in_generate=True, output_scores=False,
                    logits_processor=[recorder], **extra,
                )
                generated = out.sequences[:, 1:]
                mask = generated != pad_id
                counts = mask.sum(dim=1)
                steps = recorder.finish(out.sequences).to(mask.device)
                # masked positions (after the end token) may hold -inf: select, never multiply by zero
                means = torch.where(mask, steps, 0.0).sum(dim=1) / counts.clamp(min=1)
            yield [Decoded(row, float(mean), int(count))
                   for row, mean, count in zip(generated.tolist(), means.tolist(), counts.tolist(), strict=True)]


class _GreedyLogProbs:
    """A logits processor that records the log-probability of each token greedy search picks.

    It runs last, on the processed scores (as ``compute_transition_scores(normalize_logits=True)``
    would), and keeps only the previous step's distribution: the pick is known one step later.
    """

    def __init__(self) -> None:
        self.previous = None
        self.steps: list = []

    def __call__(self, input_ids, scores):
        import torch

        if self.previous is not None:
            self.steps.append(self.previous.gather(1, input_ids[:, -1:]).squeeze(1))
        self.previous = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def finish(self, sequences):
        """Per output token (``sequences`` without the start token), its log-probability."""
        import torch

        if self.previous is not None:
            self.steps.append(self.previous.gather(1, sequences[:, -1:]).squeeze(1))
        return torch.stack(self.steps, dim=1)


class _BeamLogProbs:
    """A logits processor that lets beam search report per-token log-probabilities cheaply.

    Beam search hands processors the log-probabilities of every running hypothesis. A token
    it keeps is always among the top ``2 × beams`` of its hypothesis' row, so that is all
    this keeps per step, keyed by the input row and the hypothesis' prefix; ``finish`` walks
    each output's prefixes. (``output_scores`` would keep the whole vocabulary for every row
    and step.)
    """

    def __init__(self, beams: int) -> None:
        self.beams = beams
        self.k = 2 * beams + 2
        self.steps: list[dict[tuple[int, bytes], tuple]] = []

    def __call__(self, input_ids, scores):
        values, indices = scores.topk(min(self.k, scores.shape[-1]), dim=-1)
        rows = input_ids.cpu().numpy()
        values, indices = values.float().cpu().numpy(), indices.cpu().numpy()
        self.steps.append({(r // self.beams, row.tobytes()): (v, i)
                           for r, (row, v, i) in enumerate(zip(rows, values, indices, strict=True))})
        return scores

    def finish(self, sequences):
        import torch

        seqs = sequences.cpu().numpy()
        out = torch.zeros((seqs.shape[0], seqs.shape[1] - 1), dtype=torch.float32)
        for b, row in enumerate(seqs):
            for t in range(min(len(self.steps), len(row) - 1)):
                found = self.steps[t].get((b, row[:t + 1].tobytes()))
                if found is None:  # past the end token: padding, masked by the caller
                    break
                values, indices = found
                hit = (indices == row[t + 1]).nonzero()[0]
                if not len(hit):  # padding right after an end token
                    break
                out[b, t] = float(values[hit[0]])
        return out


def _padded(rows: list[list[int]], pad_id: int, device: str) -> dict:
    """``generate`` inputs: rows padded on the right, as MarianTokenizer pads them."""
    import torch

    width = max(map(len, rows))
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, :len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, :len(row)] = 1
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device)}


def _load(resolved: ResolvedModel, runtime: Runtime) -> Loaded:
    import torch
    from transformers import MarianMTModel

    from xling.translate.tokens import LibraryTokens

    device = pick_device(runtime.device)
    quantize = quantization_for(runtime) == "int8"
    if quantize and device != "cpu":
        raise UsageError("--quantization int8 (dynamic quantisation) runs on CPU only; on GPU xling uses float16")
    if device == "cpu":
        torch.set_num_threads(runtime.cpu_threads())
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    path = resolved.path
    # local_files_only: the directory was resolved already; never trust remote code;
    # safetensors weights are preferred when the model has them (no pickle).
    tokenizer = LibraryTokens.load(path)
    model = MarianMTModel.from_pretrained(path, local_files_only=True, dtype=dtype,
                                          use_safetensors=any(path.glob("*.safetensors")) or None)
    model.to(device).eval()
    _generation_defaults(model)
    if quantize:
        import warnings

        from torch.ao.quantization import quantize_dynamic

        with warnings.catch_warnings():  # torch deprecates quantized tensors in favour of torchao; still works
            warnings.simplefilter("ignore", UserWarning)
            model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    config = model.config
    return Loaded(device, tokenizer, model, min(tokenizer.max_length, config.max_position_embeddings),
                  end_ids(model.generation_config.eos_token_id))  # what generate() stops on


def _generation_defaults(model) -> None:
    """Settings xling owns, whatever the checkpoint's generation config says.

    - lengths are set per call; the checkpoint's ``max_length`` would only clash with them;
    - no forced end token at the cap: it would overwrite the last real token (and CTranslate2
      has no such thing, so the backends would differ exactly where an output is cut);
    - beam search stops once ``beams`` hypotheses are finished, as Marian and CTranslate2 do;
    - ``<pad>`` is never generated: a -inf output bias costs nothing per step, where the
      checkpoint's ``bad_words_ids`` runs a processor over the whole vocabulary at every step.
    """
    import torch

    config = model.generation_config
    config.max_length = None
    config.forced_eos_token_id = None
    config.early_stopping = True
    pad_id = model.config.pad_token_id
    bias = getattr(model, "final_logits_bias", None)
    if bias is not None and pad_id is not None and pad_id < bias.shape[-1]:
        with torch.no_grad():
            bias[..., pad_id] = float("-inf")
        config.bad_words_ids = None
