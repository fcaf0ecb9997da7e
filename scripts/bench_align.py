"""Speed and memory of the sentence aligner alone, on long document pairs built from the dev sets.

    python scripts/bench_align.py [--data ../shared/align-dev] [--sizes 25000 50000 100000] [--mt simmt-bleu30]

1. The concatenation of all dev documents (both sets, in order) as one document pair:
   sentences per second and strict F1 against the shifted gold beads.
2. Synthetic pairs of growing size, made by repeating the dev documents in shuffled
   order (a fixed seed) until the source side has N sentences: seconds, sentences per
   second, peak memory of the process, and strict F1. Memory should grow linearly.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_align import DEFAULT_DATA, Counts, load_set


def documents(data: Path, mt: str | None) -> list[tuple]:
    docs = []
    for folder in sorted(p for p in data.iterdir() if (p / "docs.txt").is_file()):
        docs.extend(load_set(folder, mt))
    return docs


def concatenate(docs: list[tuple]):
    src, tgt, bridge, gold = [], [], [], []
    for _, s, t, b, g in docs:
        gold.extend((tuple(i + len(src) for i in gs), tuple(j + len(tgt) for j in gt)) for gs, gt in g)
        src.extend(s)
        tgt.extend(t)
        bridge.extend(b or [])
    return src, tgt, (bridge or None), gold


def run(src, tgt, bridge, gold) -> tuple[float, float, int]:
    from xling.align.bridge import align_sentences

    tracemalloc.start()
    started = time.perf_counter()
    beads = align_sentences(src, tgt, bridge)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts = Counts()
    counts.add([(b.source_ids, b.target_ids) for b in beads], gold)
    return seconds, counts.scores()["strict_f1"], peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mt", default="simmt-bleu30", help="bridge system under mt/, or 'none'")
    parser.add_argument("--sizes", type=int, nargs="*", default=[25_000, 50_000, 100_000])
    args = parser.parse_args()
    mt = None if args.mt == "none" else args.mt
    docs = documents(args.data, mt)
    import xling.align.bridge  # noqa: F401  (imports out of the timings)

    src, tgt, bridge, gold = concatenate(docs)
    seconds, f1, peak = run(src, tgt, bridge, gold)
    print(f"all dev documents as one pair: {len(src)}+{len(tgt)} sentences, {seconds:.2f} s, "
          f"{(len(src) + len(tgt)) / seconds:.0f} sentences/s, strict F1 {f1:.4f}, peak {peak / 2**20:.0f} MiB")
    rng = random.Random(7)
    print(f"{'source sentences':>16} {'target':>8} {'seconds':>8} {'sent/s':>8} {'peak MiB':>9} {'MiB/1k':>7} "
          f"{'strict F1':>9}")
    for size in args.sizes:
        picked = []
        while sum(len(d[1]) for d in picked) < size:
            order = docs[:]
            rng.shuffle(order)
            picked.extend(order)
        src, tgt, bridge, gold = concatenate(picked)
        seconds, f1, peak = run(src, tgt, bridge, gold)
        total = len(src) + len(tgt)
        print(f"{len(src):>16} {len(tgt):>8} {seconds:8.1f} {total / seconds:8.0f} {peak / 2**20:9.0f} "
              f"{peak / 2**20 / (len(src) / 1000):7.2f} {f1:9.4f}")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
