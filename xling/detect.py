"""Detect stage: the language of a document and of each of its paragraphs (lingua, offline).

The detector is restricted to the languages xling can route plus English:
fewer candidates is faster, smaller in memory and more accurate. Paragraphs
too short to judge ("12:27 PM", a name) inherit the document's language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# A paragraph needs this many letters before its own language is trusted.
MIN_LETTERS = 40
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Detection:
    """Document language with confidence, and one language per paragraph (inherited where unsure)."""

    language: str | None
    confidence: float
    paragraphs: tuple[str | None, ...] = ()

    @property
    def mixed(self) -> bool:
        return any(lang != self.language for lang in self.paragraphs)

    def other_languages(self) -> dict[str, int]:
        """Paragraphs per language other than the document's, sorted by language code."""
        counts = Counter(lang for lang in self.paragraphs if lang is not None and lang != self.language)
        return dict(sorted(counts.items()))


class LanguageDetector:
    """Wraps a lingua detector built for a fixed set of ISO 639-1 codes."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages) | {"en"}))
        self._detector = _build(self.languages)

    def detect(self, text: str) -> tuple[str | None, float]:
        """(language, confidence) of ``text``; ``(None, 0.0)`` when lingua cannot decide."""
        return _top(self._detector.compute_language_confidence_values(text))

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """``detect`` for many texts in one call, spread over every core."""
        return [_top(values) for values in self._detector.compute_language_confidence_values_in_parallel(list(texts))]

    def detect_paragraph(self, text: str, inherited: str | None) -> str | None:
        """Language of one paragraph; short or ambiguous ones inherit ``inherited``."""
        return self._paragraph_languages([text], inherited)[0]

    def detect_document(self, text: str, paragraphs: Sequence[str]) -> Detection:
        language, confidence = self.detect(text)
        return Detection(language, confidence, tuple(self._paragraph_languages(paragraphs, language)))

    def _paragraph_languages(self, paragraphs: Sequence[str], inherited: str | None) -> list[str | None]:
        """One call for all paragraphs long enough to judge: lingua spreads them over every core."""
        judged = [i for i, p in enumerate(paragraphs) if len(_LETTER.findall(p)) >= MIN_LETTERS]
        langs = [inherited] * len(paragraphs)
        found = self._detector.detect_languages_in_parallel_of([paragraphs[i] for i in judged])
        for i, language in zip(judged, found, strict=True):
            if language is not None:
                langs[i] = _code(language)
        return langs


def _code(language) -> str:
    return language.iso_code_639_1.name.lower()


def _top(values) -> tuple[str | None, float]:
    """The most likely language of lingua's confidence values, or ``(None, 0.0)``."""
    if not values or values[0].value <= 0.0:
        return None, 0.0
    return _code(values[0].language), float(values[0].value)


@lru_cache(maxsize=4)
def _build(languages: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for code in languages:
        try:
            known.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue  # a registry language lingua does not know; it can still be routed by hand
    # The relative distance makes lingua answer None for spans such as "Kim Dzong Un"
    # instead of guessing; such paragraphs inherit the document language.
    return LanguageDetectorBuilder.from_languages(*known).with_minimum_relative_distance(0.1).build()
