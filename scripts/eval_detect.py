"""Score xling's language detector on real lines whose language is known, and count its cost.

    python scripts/eval_detect.py [--data ../shared] [--floor 0.001 ...] [--paragraph]

The lines: ``opus-mt-real`` (Polish news and FLORES inputs, their English references and
opus-mt-pl-en's English output) and ``align-dev/textberg-dev`` (a German original and its
French translation), read in place. Every line is judged as ``detect`` judges a document
(``--paragraph``: as a paragraph, where close calls are no answer), with the candidates a run
has (the packaged registry's languages and English).

Short lines (under ``LONG_TEXT`` characters) go to lingua's full models of their likeliest
candidates; ``--floor`` sets how likely, by the trigram models, a candidate must be to get
there. Each floor runs in a fresh process, so the full models it loads (the cost: lingua loads
a language's on first use) and its time are its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared"
SETS = {  # file under --data → the language of every line
    "opus-mt-real/newstest2020.pl": "pl",
    "opus-mt-real/newstest2020.ref.en": "en",
    "opus-mt-real/newstest2020.opus-mt.en": "en",
    "opus-mt-real/flores-devtest.pl": "pl",
    "opus-mt-real/flores-devtest.ref.en": "en",
    "opus-mt-real/flores-devtest.opus-mt.en": "en",
    "align-dev/textberg-dev/src/001.txt": "de",
    "align-dev/textberg-dev/tgt/001.txt": "fr",
}


def score(data: Path, floor: float, paragraph: bool = False, limit: int | None = None) -> dict:
    """One floor's verdicts on every set (the first ``limit`` lines of each), and the languages
    whose full models they loaded (in a fresh process: what a run would load)."""
    from xling import detect
    from xling.models import load_registry

    detector = detect.LanguageDetector(load_registry().detection_languages, shortlist_floor=floor)
    results: dict[str, dict] = {}
    started = time.perf_counter()
    for name, language in SETS.items():
        lines = [line.strip() for line in (data / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        lines = lines[:limit]
        found = detector.detect_many(lines, detect.MIN_DISTANCE if paragraph else 0.0)
        short = [len(line) < detect.LONG_TEXT for line in lines]
        verdicts = Counter("right" if got == language else "none" if got is None else "wrong" for got, _ in found)
        wrong_short = sum(1 for (got, _), s in zip(found, short, strict=True) if s and got not in (language, None))
        results[name] = {"lines": len(lines), "short": sum(short), "right": verdicts["right"],
                         "wrong": verdicts["wrong"], "none": verdicts["none"], "wrong_short": wrong_short}
    seconds = time.perf_counter() - started
    return {"floor": floor, "seconds": seconds, "full_models": sorted(detector.full_models), "sets": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floor", type=float, nargs="+", help="default: xling's, then 0 (every candidate > 0)")
    parser.add_argument("--paragraph", action="store_true", help="judge lines as paragraphs (close calls: none)")
    parser.add_argument("--limit", type=int, help="the first N lines of each set only")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)  # a single floor, in this process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(score(args.data, args.one, args.paragraph, args.limit)))
        return
    from xling.detect import SHORTLIST_FLOOR

    floors = args.floor or [SHORTLIST_FLOOR, 0.0]
    print("| floor | wrong | of them short | no answer | full models loaded | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for floor in floors:
        command = [sys.executable, __file__, "--data", str(args.data), "--one", str(floor)]
        command += ["--paragraph"] if args.paragraph else []
        command += ["--limit", str(args.limit)] if args.limit else []
        out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        sets = out["sets"].values()
        wrong, short, none = (sum(s[k] for s in sets) for k in ("wrong", "wrong_short", "none"))
        lines = sum(s["lines"] for s in sets)
        print(f"| {floor:g} | {wrong} of {lines} | {short} | {none} | {len(out['full_models'])} "
              f"({', '.join(out['full_models'])}) | {out['seconds']:.1f} |")
        for name, s in out["sets"].items():
            print(f"|   {name} | {s['wrong']} | {s['wrong_short']} | {s['none']} | "
                  f"{s['short']} short of {s['lines']} | |", flush=True)


if __name__ == "__main__":
    main()
