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
    batch_tokens: int = 4096  # padded source tokens per batch
    max_length_ratio: float = 2.0  # output cap: ratio × input tokens + 10, at most the model limit

    def key(self) -> str:
        """The settings that change the output (batch size does not)."""
        return f"beams={self.beams},ratio={self.max_length_ratio}"

    def as_dict(self) -> dict:
        return asdict(self)


@runtime_checkable
class Translator(Protocol):
    """Translates sentences, one ``Translation`` per input, in input order."""

    model_id: str
    revision: str
    settings: GenerationSettings

    def translate(self, texts: Sequence[str]) -> list[Translation]: ...
