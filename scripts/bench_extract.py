"""Main-content extraction on real saved pages: xling's HTML reader against the extractors it builds on.

    python scripts/bench_extract.py [--pages ../shared/pages-dev] [--limit N]

PAGES holds ``html/<key>.html.gz`` and ``ground-truth.json`` (``{key: {"articleBody": ...}}``), the
layout of the public article-extraction benchmark. Scored as that benchmark scores: word tokens
(``\\w+``), shingles of four, per page true/false positives and negatives normalised to sum to one;
precision averaged over pages with a non-empty extraction, recall over pages with a non-empty gold,
F1 from the two averages. Ratios are against the best other extractor of the same run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page_score(extracted: str, gold: str) -> tuple[float, float, float]:
    """(true positives, false positives, false negatives) of one page, normalised to sum to 1."""
    from xling.readers.html import shingles

    got, want = shingles(extracted), shingles(gold)
    tp, fp, fn = sum((got & want).values()), sum((got - want).values()), sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def evaluate(extract: Callable[[str], str], pages: list[tuple[str, str]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for html, gold in pages:
        extracted = extract(html) or ""
        tp, fp, fn = page_score(extracted, gold)
        if extracted.strip():
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        if gold.strip():
            recalls.append(tp / (tp + fn) if tp + fn else 0.0)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def extractors() -> dict[str, Callable[[str], str]]:
    import justext
    import trafilatura

    from xling.readers.html import _readability, main_text, read_html_text

    return {
        "trafilatura": lambda html: trafilatura.extract(html) or "",
        "readability-lxml": _readability,
        "jusText": lambda html: "\n".join(p.text for p in justext.justext(html.encode("utf-8"),
                                                                          justext.get_stoplist("English"))
                                          if not p.is_boilerplate),
        "xling": lambda html: main_text(read_html_text(html, "page", "utf-8")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=ROOT.parent / "shared" / "pages-dev")
    parser.add_argument("--limit", type=int, default=0, help="the first N pages only")
    args = parser.parse_args()
    gold = json.loads((args.pages / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(gold)[:args.limit or None]
    pages = [(gzip.decompress((args.pages / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace"),
              gold[k]["articleBody"]) for k in keys]
    rows = []
    for name, extract in extractors().items():
        started = time.perf_counter()
        p, r, f = evaluate(extract, pages)
        rows.append((name, p, r, f, time.perf_counter() - started))
    best = max(f for name, _, _, f, _ in rows if name != "xling")
    print(f"{len(pages)} pages from {args.pages}")
    print("| extractor | precision | recall | F1 | F1 / best other | seconds |\n| --- | --- | --- | --- | --- | --- |")
    for name, p, r, f, seconds in rows:
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {f / best:.3f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
