"""The interface every translation backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

from xling.data import Translation


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """Decoding settings. Part of the cache key: change one and nothing cached is reused."""

    beams: int = 4
    batch_tokens: int = 0  # padded source tokens per batch; 0: the backend's default for the device
    max_length_ratio: float = 2.0  # output cap: ratio × input tokens + 10, at most the model limit
    no_repeat_ngram_size: int = 0  # 0: off; the retry of looping outputs uses 3
    # Benchmarks only: every output of a batch is exactly ratio × its longest input, end token
    # ignored, so that systems compared on random weights do the same amount of work.
    fixed_length_ratio: float = 0.0

    def key(self) -> str:
        """The settings that change the output (batch size does not)."""
        key = f"beams={self.beams},ratio={self.max_length_ratio}"
        key += f",norepeat={self.no_repeat_ngram_size}" if self.no_repeat_ngram_size else ""
        return key + (f",fixed={self.fixed_length_ratio}" if self.fixed_length_ratio else "")

    def for_retry(self) -> GenerationSettings:
        """Decoding for a second attempt at a looping output: n-gram blocking and a wider beam."""
        from dataclasses import replace

        return replace(self, beams=max(4, 2 * self.beams), no_repeat_ngram_size=3)

    def as_dict(self) -> dict:
        return asdict(self)


@runtime_checkable
class Translator(Protocol):
    """Translates sentences, one ``Translation`` per input, in input order.

    Everything the pipeline asks of a translator is here: a wrapper (such as the
    cache) implements all of it by delegating, so none of it is reached through
    an ``inner`` attribute.
    """

    model_id: str
    revision: str  # what identifies the weights and anything that changes the output (a quantisation)
    settings: GenerationSettings

    def translate(self, texts: Sequence[str]) -> list[Translation]: ...

    def with_settings(self, settings: GenerationSettings) -> Translator:
        """The same model (loaded once) decoding with other settings: the retry of flagged outputs."""
        ...

    def describe(self) -> str:
        """What decodes, e.g. ``ctranslate2/int8``: for the manifest and the signature."""
        ...


class TranslatorBase:
    """Defaults for a translator of one's own: ``describe`` names its ``backend``, ``with_settings``
    is a shallow copy with other settings. Subclass it and write ``translate``."""

    backend = "custom"
    settings: GenerationSettings

    def describe(self) -> str:
        return self.backend

    def with_settings(self, settings: GenerationSettings):
        import copy

        other = copy.copy(self)
        other.settings = settings
        return other


def missing_members(translator: object) -> list[str]:
    """The ``Translator`` members ``translator`` lacks (a factory of one's own is checked with it)."""
    names = ("model_id", "revision", "settings", "translate", "with_settings", "describe")
    return [name for name in names if not hasattr(translator, name)]
