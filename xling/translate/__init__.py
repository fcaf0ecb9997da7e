"""Translate stage: the ``Translator`` interface, its backends, batching and the cache."""

from xling.translate.base import GenerationSettings, Translator

__all__ = ["GenerationSettings", "Translator"]
