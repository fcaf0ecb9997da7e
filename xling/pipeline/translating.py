"""Translate stage: the sentences of a group of documents (one model) in one call, answered by
the cache where it can, then flagged; with ``retry_flagged`` looping or cut outputs are
translated again and the better attempt kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from xling.data import Segment, Translation
from xling.detect import LanguageDetector
from xling.pipeline.prepare import ToTranslate
from xling.quality import REPETITION, RETRIED, Thresholds, flags_for, language_probe
from xling.translate.base import Translator
from xling.translate.batched import SPLIT, TRUNCATED
from xling.translate.cache import TranslationCache, translate_cached

KEPT = "kept_target_language"  # a sentence of a target-language paragraph, copied as it is
BOILERPLATE = "boilerplate"  # a sentence of a boilerplate paragraph (xling.boilerplate)
_LOOPING = frozenset({REPETITION, TRUNCATED})
# Sentences translated and flagged per step: what a step holds at once (token ids, batches, outputs,
# language probes) stays bounded for a 20 MB document; a window of ordinary articles is one step.
CALL_SENTENCES = 4096


@dataclass(frozen=True)
class Translated:
    """One document's translations, one per translatable segment, whether each went to the model
    (not: target-language text, marked boilerplate), and how many the cache answered."""

    translations: tuple[Translation, ...]
    sent: tuple[bool, ...]
    cached: int


class TranslateStep:
    def __init__(self, target: str, thresholds: Thresholds, detector: Callable[[], LanguageDetector],
                 cache: TranslationCache | None, retry_flagged: bool = False,
                 on_sentences: Callable[[int], None] | None = None, boilerplate: str = "mark") -> None:
        self.target, self.thresholds, self.detector = target, thresholds, detector
        self.cache, self.retry_flagged, self.on_sentences = cache, retry_flagged, on_sentences
        self.boilerplate = boilerplate

    def _sent(self, segment: Segment) -> bool:
        """Whether ``segment`` goes to the model: not target-language text, not marked boilerplate."""
        return segment.language != self.target and not (segment.boilerplate and self.boilerplate == "mark")

    def _unsent(self, segment: Segment) -> Translation:
        if segment.boilerplate and self.boilerplate == "mark":  # kept in the record as it is, not translated
            return Translation(segment.text, segment.text, "", 0.0, (BOILERPLATE,))
        return Translation(segment.text, segment.text, "", 0.0, (KEPT,))

    def _translate(self, translator: Translator, texts: list[str]) -> tuple[list[Translation], set[str] | None]:
        """Translations and the texts that were not in the cache (``None`` without a cache)."""
        if self.cache is not None:
            return translate_cached(translator, self.cache, texts, on_chunk=self.on_sentences)
        results = translator.translate(texts)
        if self.on_sentences:
            self.on_sentences(len(results))
        return results, None

    def translate_group(self, translator: Translator, group: Sequence[ToTranslate]) -> list[Translated]:
        """One ``Translated`` per document of ``group``, in order. Sentences of target-language
        paragraphs are kept as they are (flagged ``kept_target_language``)."""
        todo = [(i, s) for i, p in enumerate(group) for s in p.translatable if self._sent(s)]
        by_segment: dict[tuple[int, int], Translation] = {}
        fresh: set[str] | None = None if self.cache is None else set()
        for start in range(0, len(todo), CALL_SENTENCES):
            part = todo[start:start + CALL_SENTENCES]
            results, new = self._translate(translator, [s.text for _, s in part])
            results = self.flag(translator, [(group[i].doc.language, s) for i, s in part], results)
            by_segment.update(((i, s.index), r) for (i, s), r in zip(part, results, strict=True))
            if fresh is not None:
                fresh |= new
        outcome = []
        for i, prepared in enumerate(group):
            translations = [_marked(s, by_segment.get((i, s.index)) or self._unsent(s), prepared.cut)
                            for s in prepared.translatable]
            cached = 0 if fresh is None else sum(
                1 for s in prepared.translatable if (i, s.index) in by_segment and s.text not in fresh)
            sent = tuple((i, s.index) in by_segment for s in prepared.translatable)
            outcome.append(Translated(tuple(translations), sent, cached))
        return outcome

    def flag(self, translator: Translator, items: list[tuple[str, Segment]],
             results: list[Translation]) -> list[Translation]:
        """Add quality flags (``items``: source language and segment of each result)."""
        probes = list(dict.fromkeys(language_probe(r.text) for r in results))
        found = self.detector().detect_many(probes)
        detect = dict(zip(probes, (lang for lang, _ in found), strict=True)).__getitem__  # only these probes
        flagged = [replace(r, flags=tuple(dict.fromkeys(r.flags + flags_for(
            r.source, r.text, r.score, lang, self.target, detect, self.thresholds))))
            for (lang, _), r in zip(items, results, strict=True)]
        return self._retry(translator, items, flagged) if self.retry_flagged else flagged

    def _retry(self, translator: Translator, items: list[tuple[str, Segment]],
               flagged: list[Translation]) -> list[Translation]:
        """Translate looping or truncated outputs again with n-gram blocking and a wider beam; keep a
        second attempt that no longer loops, or that scores better."""
        looping = [i for i, r in enumerate(flagged) if _LOOPING & set(r.flags)]
        if not looping:
            return flagged
        retry = translator.with_settings(translator.settings.for_retry())
        again, _ = self._translate(retry, [flagged[i].source for i in looping])
        detect = lambda text: self.detector().detect(text)[0]  # noqa: E731
        for i, second in zip(looping, again, strict=True):
            extra = flags_for(second.source, second.text, second.score, items[i][0], self.target, detect,
                              self.thresholds)
            if not _LOOPING & set(second.flags + extra) or second.score > flagged[i].score:
                flagged[i] = replace(second, flags=tuple(dict.fromkeys(second.flags + extra + (RETRIED,))))
        return flagged


def _marked(segment: Segment, translation: Translation, cut: frozenset[int]) -> Translation:
    """``translation`` with the flags its segment calls for: ``boilerplate``, and ``split`` for a piece of a
    "sentence" over --max-sentence-chars."""
    extra = ((BOILERPLATE,) if segment.boilerplate else ()) + ((SPLIT,) if segment.index in cut else ())
    flags = tuple(dict.fromkeys(translation.flags + extra))
    return translation if flags == translation.flags else replace(translation, flags=flags)
