"""Quality flags for machine translations, one check per known failure of the field.

- ``repetition``: the output loops (a word or phrase repeated again and again, or a short
  string stuttering), a known MarianMT failure;
- ``untranslated``: the output is not in the target language, or equals a non-English input;
- ``length_ratio``: output much shorter or longer than the source, for the pair's usual ratio;
- ``empty``: nothing came back for a non-blank source;
- ``low_score``: the model's mean log-probability per token is below ``LOW_SCORE``.

``split`` (input over the model's limit, translated in pieces) is set by the backend.
The thresholds are deliberately loose: a flag should mean "look at this", not noise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

REPETITION, UNTRANSLATED, LENGTH_RATIO, EMPTY, LOW_SCORE, RETRIED = (
    "repetition", "untranslated", "length_ratio", "empty", "low_score", "retried")

# Mean token log-probability below which a translation is flagged. opus-mt's confident output
# sits well above -1 per token; below -2.0 the model is mostly guessing. Not calibrated on
# real-model output here (the hub is out of reach); override with Thresholds(low_score=...).
LOW_SCORE_DEFAULT = -2.0
# Typical target/source character ratios into English; 1.0 where nothing better is known.
TYPICAL_RATIO = {"pl": 0.95, "de": 0.9, "fr": 0.9, "es": 0.92, "it": 0.92, "ru": 1.0, "uk": 1.0, "cs": 1.05,
                 "fi": 1.0, "zh": 3.0, "ja": 2.5, "ko": 2.2}

_STUTTER = re.compile(r"(.{1,12}?)\1{5,}", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Thresholds:
    low_score: float = LOW_SCORE_DEFAULT
    ratio_factor: float = 2.5  # flag outside [typical / f, typical × f]
    min_chars: int = 20  # sources shorter than this are not judged on length or language


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
    """The quality flags of one translation (not including ``split``)."""
    t = thresholds or Thresholds()
    if not source.strip():
        return ()
    if not target.strip():
        return (EMPTY,)
    flags = []
    if repeats(target):
        flags.append(REPETITION)
    judged = len(_LETTER.findall(source)) >= t.min_chars
    if judged and source_lang != target_lang:
        if target.strip() == source.strip():
            flags.append(UNTRANSLATED)
        elif detect is not None and len(_LETTER.findall(target)) >= t.min_chars:
            found = detect(target)
            if found is not None and found != target_lang:
                flags.append(UNTRANSLATED)
    if judged:
        typical = TYPICAL_RATIO.get(source_lang, 1.0)
        ratio = len(target) / len(source)
        if abs(math.log(ratio / typical)) > math.log(t.ratio_factor):
            flags.append(LENGTH_RATIO)
    if score < t.low_score:
        flags.append(LOW_SCORE)
    return tuple(flags)
