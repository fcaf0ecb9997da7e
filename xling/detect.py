"""Detect stage: the language of a document and of each of its paragraphs (lingua, offline).

The detector is restricted to the languages xling can route plus English:
fewer candidates is faster, smaller in memory and more accurate. Paragraphs
too short to judge ("12:27 PM", a name) inherit the document's language.

Two stages, because lingua's full models for ~40 languages take ~6 s and ~600 MB
to load, more than the rest of a small run: every text is first judged by
lingua's trigram models of every candidate (low-accuracy mode: ~70 MB, loaded
at once), which lingua finds as accurate as the full models above ~120
characters. A shorter text is judged again by the full models of its three
likeliest candidates that the trigram models give more than 5 %, and English;
lingua loads each language's full models once, on first use, and shares them
between detectors. On the 6 036 lines of opus-mt-real (Polish inputs, English
outputs and references) the cascade makes 83 wrong calls where the full models of
every candidate make 94, on textberg's 1 022 German and French lines 95 against
100; a small run loads a few languages' full models, not forty
(``scripts/eval_detect.py``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# A paragraph needs this many letters before its own language is trusted.
MIN_LETTERS = 40
# Texts at least this long are judged by the trigram models alone; shorter ones by the full models
# of the SHORTLIST likeliest candidates (and English).
LONG_TEXT = 120
SHORTLIST = 3
_POOL_PID: int | None = None  # the process whose lingua thread pool the parallel calls use
# ...among those the trigram models give more than this probability: a candidate they all but
# rule out would only cost its full models' load (~0.3 s each) to be ruled out again.
SHORTLIST_FLOOR = 0.05
# For paragraphs, closer calls than this between the two likeliest languages are no answer (then
# the paragraph inherits the document's language), like lingua's minimum relative distance.
MIN_DISTANCE = 0.1
# Texts judged per parallel call: memory stays flat in the length of a document (a 20 MB transcript's
# 120 000 paragraphs in one call peaked at 2.2 GB), and a chunk still keeps every core busy.
CHUNK = 256
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

    def __init__(self, languages: Iterable[str], shortlist_floor: float = SHORTLIST_FLOOR) -> None:
        self.languages = tuple(sorted(set(languages) | {"en"}))
        self.shortlist_floor = shortlist_floor
        self._broad = _build(self.languages, low_accuracy=True)
        # Languages whose full models this detector has asked for (each ~0.3 s to load once).
        self.full_models: set[str] = set()

    def detect(self, text: str) -> tuple[str | None, float]:
        """(language, confidence) of ``text``; ``(None, 0.0)`` when lingua cannot decide."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str], min_distance: float = 0.0) -> list[tuple[str | None, float]]:
        """``detect`` for many texts in one call, spread over every core. A text whose two likeliest
        languages are closer than ``min_distance`` in confidence gets ``(None, 0.0)``."""
        texts = list(texts)
        results = []
        for start in range(0, len(texts), CHUNK):  # lingua's parallel call holds a chunk's work at once
            chunk = texts[start:start + CHUNK]
            found = self._confidences(chunk)
            results += [_top(values, min_distance) if len(text) >= LONG_TEXT
                        else self._precise(text, values, min_distance)
                        for text, values in zip(chunk, found, strict=True)]
        return results

    def _confidences(self, texts: list[str]):
        """lingua's confidence values, in parallel on its thread pool, except in a process forked from
        one that started the pool: the fork has none of its threads and would wait for them forever
        (a worker of multiprocessing's or a test runner's fork); there one text at a time."""
        global _POOL_PID
        if _POOL_PID is not None and os.getpid() != _POOL_PID:
            return [self._broad.compute_language_confidence_values(text) for text in texts]
        _POOL_PID = os.getpid()
        return self._broad.compute_language_confidence_values_in_parallel(texts)

    def _precise(self, text: str, values, min_distance: float) -> tuple[str | None, float]:
        """The full models' verdict among the trigram models' likeliest candidates and English."""
        shortlist = {_code(v.language) for v in values[:SHORTLIST] if v.value > self.shortlist_floor}
        shortlist.add("en")
        if len(shortlist) == 1:
            return _top(values, min_distance)
        self.full_models |= shortlist
        return _top(_build(tuple(sorted(shortlist))).compute_language_confidence_values(text), min_distance)

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
        found = self.detect_many([paragraphs[i] for i in judged], MIN_DISTANCE)
        for i, (language, _) in zip(judged, found, strict=True):
            if language is not None:
                langs[i] = language
        return langs


def _code(language) -> str:
    return language.iso_code_639_1.name.lower()


def _top(values, min_distance: float = 0.0) -> tuple[str | None, float]:
    """The most likely language of lingua's confidence values, or ``(None, 0.0)`` when there is
    none or the runner-up is within ``min_distance`` of it (spans such as "Kim Dzong Un")."""
    if not values or values[0].value <= 0.0:
        return None, 0.0
    if min_distance and len(values) > 1 and values[0].value - values[1].value < min_distance:
        return None, 0.0
    return _code(values[0].language), float(values[0].value)


@lru_cache(maxsize=64)
def _build(languages: tuple[str, ...], low_accuracy: bool = False):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for code in languages:
        try:
            known.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue  # a registry language lingua does not know; it can still be routed by hand
    builder = LanguageDetectorBuilder.from_languages(*known)
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()
