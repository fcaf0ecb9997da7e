"""Quality flags for machine translations, one check per known failure of the field.

- ``repetition``: the output loops (a word or phrase repeated again and again, or a short
  string stuttering), a known MarianMT failure;
- ``untranslated``: the output is still the source: equal to it, or its ordinary words (names,
  numbers and capitalised words left out, since names stay as they are in a good translation)
  are mostly the source's own words or are detected as another language than the target;
- ``omission``: the output has far fewer words than the source for this language pair (a
  sentence that ends early, a clause dropped), judged against the pair's own distribution,
  calibrated on real model output and stored with the registry entry (``[quality.<lang>]``);
- ``length_ratio``: output absurdly shorter or longer than the source (a factor 2.5 off the
  pair's usual character ratio), for pairs without a calibration too;
- ``empty``: nothing came back for a non-blank source;
- ``low_score``: the model's mean log-probability per token is below a threshold. Not
  calibrated on real scores yet (the published outputs carry none); set it per registry entry.

``split`` (input over the model's limit, translated in pieces) and ``truncated`` (the output
reached the length cap, 2 × input tokens + 10, before the model ended it: a loop, or a
translation the cap cut off) are set by the backend.
The thresholds are deliberately loose: a flag should mean "look at this", not noise.
Measured false-alarm rates on real opus-mt-pl-en output: README, "Quality flags".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

REPETITION, UNTRANSLATED, OMISSION, LENGTH_RATIO, EMPTY, LOW_SCORE, RETRIED = (
    "repetition", "untranslated", "omission", "length_ratio", "empty", "low_score", "retried")

# Mean token log-probability below which a translation is flagged. opus-mt's confident output
# sits well above -1 per token; below -2.0 the model is mostly guessing. Not calibrated on
# real-model output here (the hub is out of reach); override with Thresholds(low_score=...).
LOW_SCORE_DEFAULT = -2.0
# Typical target/source character ratios into English; 1.0 where nothing better is known.
TYPICAL_RATIO = {"pl": 0.95, "de": 0.9, "fr": 0.9, "es": 0.92, "it": 0.92, "ru": 1.0, "uk": 1.0, "cs": 1.05,
                 "fi": 1.0, "zh": 3.0, "ja": 2.5, "ko": 2.2}

_STUTTER = re.compile(r"(.{1,12}?)\1{5,}", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TOKEN = re.compile(r"\w+")
# Share of the output's ordinary words found verbatim in the source above which it is a copy.
COPIED_SHARE = 0.5
# Words a source needs before its output is judged for omissions: shorter ones vary too much.
OMISSION_MIN_WORDS = 5


@dataclass(frozen=True)
class OmissionModel:
    """The word-count ratio of a language pair's good translations.

    ``z = (log(out / src) - median) / sqrt(1 + 6 / src)`` for a source of ``src``
    words and an output of ``out`` words: the spread of the log ratio shrinks with length,
    as Gale & Church's length model has it. ``threshold`` is a low percentile of ``z`` on real
    output of the pair's model (scripts/calibrate_quality.py); below it, ``omission``.
    """

    median: float
    threshold: float

    @staticmethod
    def z(source_words: int, output_words: int, median: float) -> float:
        return (math.log(max(output_words, 0.5) / source_words) - median) / math.sqrt(1 + 6 / source_words)


@dataclass(frozen=True)
class Thresholds:
    low_score: float | None = None  # one threshold for every language; None: per language, else LOW_SCORE_DEFAULT
    ratio_factor: float = 2.5  # flag outside [typical / f, typical × f]
    min_chars: int = 20  # sources shorter than this are not judged on length or language
    omission: Mapping[str, OmissionModel] = field(default_factory=dict)  # per source language
    low_score_for: Mapping[str, float] = field(default_factory=dict)  # per source language (registry entries)

    def low_score_of(self, source_lang: str) -> float:
        if self.low_score is not None:
            return self.low_score
        return self.low_score_for.get(source_lang, LOW_SCORE_DEFAULT)


def words(text: str) -> list[str]:
    """Runs of letters or digits: what the omission model counts (numbers are content too)."""
    return _TOKEN.findall(text)


def ordinary_words(text: str) -> list[str]:
    """The words of ``text`` that are neither names nor numbers: those not capitalised.

    A good translation keeps a source's names ("Grzegorz Bal"), so they say nothing about
    whether it was translated; its ordinary words do.
    """
    return [w for w in _WORD.findall(text) if not w[0].isupper()]


def language_probe(text: str) -> str:
    """What the language detector should judge an output by: its ordinary words."""
    return " ".join(ordinary_words(text))


def _still_the_source(source: str, target: str, target_lang: str, detect, min_chars: int) -> bool:
    if target.strip() == source.strip():
        return True
    words = ordinary_words(target)
    if len(words) >= 3:
        source_words = {w.lower() for w in _WORD.findall(source)}
        if sum(w.lower() in source_words for w in words) / len(words) > COPIED_SHARE:
            return True
    probe = language_probe(target)  # what callers detect in bulk: the same string
    if detect is not None and len(_LETTER.findall(probe)) >= min_chars:
        found = detect(probe)
        return found is not None and found != target_lang
    return False


def repeats(text: str) -> bool:
    """A word n-gram (n ≤ 4) repeated four times in a row, or a short string six times in a row."""
    if _STUTTER.search(text):
        return True
    words = text.lower().split()
    for n in range(1, 5):
        for phase in range(n):
            run = 1
            for k in range(phase + n, len(words) - n + 1, n):
                run = run + 1 if words[k:k + n] == words[k - n:k] else 1
                if run >= 4:
                    return True
    return False


def flags_for(source: str, target: str, score: float, source_lang: str, target_lang: str,
              detect: Callable[[str], str | None] | None = None,
              thresholds: Thresholds | None = None) -> tuple[str, ...]:
    """The quality flags of one translation (not including ``split``).

    ``detect`` names the language of a text; it is asked about ``language_probe(target)``
    only, so a caller may detect those in bulk beforehand.
    """
    t = thresholds or Thresholds()
    if not source.strip():
        return ()
    if not target.strip():
        return (EMPTY,)
    flags = []
    if repeats(target):
        flags.append(REPETITION)
    judged = len(_LETTER.findall(source)) >= t.min_chars
    if judged and source_lang != target_lang and _still_the_source(source, target, target_lang, detect, t.min_chars):
        flags.append(UNTRANSLATED)
    model = t.omission.get(source_lang)
    source_words = len(words(source))
    if (model is not None and source_words >= OMISSION_MIN_WORDS
            and OmissionModel.z(source_words, len(words(target)), model.median) < model.threshold):
        flags.append(OMISSION)
    if judged:
        typical = TYPICAL_RATIO.get(source_lang, 1.0)
        ratio = len(target) / len(source)
        if abs(math.log(ratio / typical)) > math.log(t.ratio_factor):
            flags.append(LENGTH_RATIO)
    if score < t.low_score_of(source_lang):
        flags.append(LOW_SCORE)
    return tuple(flags)
