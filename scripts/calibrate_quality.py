"""Calibrate xling's quality flags on real model output, and measure their false alarms.

    python scripts/calibrate_quality.py [--data ../shared/opus-mt-real] [--lang pl] [--percentile 0.75]

Reads pairs of model inputs and the model's outputs (``<set>.<lang>`` and
``<set>.opus-mt.en``, as in ../shared/opus-mt-real, read in place), fits the
omission model of the language pair (the median word-count log ratio, and the
given low percentile of the length-normalised ratio; see
``xling.quality.OmissionModel``), prints it as a registry ``[quality.<lang>]``
table, and then the rate at which every flag fires on these outputs. They are
good translations overall, so each rate is an upper bound on false alarms.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter
from pathlib import Path

from xling.quality import OMISSION_MIN_WORDS, OmissionModel, Thresholds, flags_for, language_probe, words

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "opus-mt-real"


def load_pairs(data: Path, lang: str) -> list[tuple[str, str]]:
    """(model input, model output) for every set in ``data`` with both files, in file order."""
    pairs = []
    for source in sorted(data.glob(f"*.{lang}")):
        output = source.with_name(source.name.removesuffix(f".{lang}") + ".opus-mt.en")
        if output.is_file():
            pairs.extend(zip(source.read_text(encoding="utf-8").splitlines(),
                             output.read_text(encoding="utf-8").splitlines(), strict=True))
    return pairs


def fit_omission(pairs: list[tuple[str, str]], percentile: float) -> OmissionModel:
    counts = [(len(words(s)), len(words(o))) for s, o in pairs]
    counts = [(s, o) for s, o in counts if s >= OMISSION_MIN_WORDS]
    median = statistics.median(math.log(max(o, 0.5) / s) for s, o in counts)
    z = sorted(OmissionModel.z(s, o, median) for s, o in counts)
    threshold = z[min(len(z) - 1, int(len(z) * percentile / 100))]
    return OmissionModel(round(median, 4), round(threshold, 4))


def flag_counts(pairs: list[tuple[str, str]], lang: str, thresholds: Thresholds, target: str = "en") -> Counter:
    """How many outputs carry each flag, with xling's own detector (score 0: ``low_score`` is not judged here)."""
    from xling.detect import LanguageDetector

    detector = LanguageDetector([lang])
    probes = list(dict.fromkeys(language_probe(o) for _, o in pairs))
    found = dict(zip(probes, (language for language, _ in detector.detect_many(probes)), strict=True))
    counts = Counter()
    for source, output in pairs:
        counts.update(flags_for(source, output, 0.0, lang, target, found.__getitem__, thresholds))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--lang", default="pl")
    parser.add_argument("--percentile", type=float, default=0.75, help="of the normalised ratio, for 'omission'")
    args = parser.parse_args()
    pairs = load_pairs(args.data, args.lang)
    model = fit_omission(pairs, args.percentile)
    print(f"[quality.{args.lang}]  # {len(pairs)} outputs of {args.data}")
    print(f"omission_median = {model.median}\nomission_threshold = {model.threshold}\n")
    counts = flag_counts(pairs, args.lang, Thresholds(omission={args.lang: model}))
    for flag in ("untranslated", "omission", "repetition", "length_ratio", "empty"):
        print(f"{flag:14} {counts[flag]:5d} of {len(pairs)}  ({100 * counts[flag] / len(pairs):.2f} %)")


if __name__ == "__main__":
    main()
