"""Speed and memory of the sentence aligner alone, on long document pairs built from the dev sets.

    python scripts/bench_align.py [--data ../shared/align-dev] [--sizes 25000 50000 100000] [--mt simmt-bleu30]

1. The concatenation of all dev documents (both sets, in order) as one document pair:
   sentences per second and strict F1 against the shifted gold beads.
2. Synthetic pairs of growing size, made by repeating the dev documents in shuffled
   order (a fixed seed) until the source side has N sentences: seconds, sentences per
   second, growth of the peak resident memory (each size in a fresh process), and
   strict F1. Memory should grow linearly.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_align import DEFAULT_DATA, Counts, load_set


def documents(data: Path, mt: str | None) -> list[tuple]:
    docs = []
    for folder in sorted(p for p in data.iterdir() if (p / "docs.txt").is_file()):
        if mt is None or (folder / "mt" / mt).is_dir():  # the sets that have this bridge
            docs.extend(load_set(folder, mt))
    return docs


def concatenate(docs: list[tuple]):
    src, tgt, bridge, gold = [], [], [], []
    for _, s, t, b, _, g in docs:
        gold.extend((tuple(i + len(src) for i in gs), tuple(j + len(tgt) for j in gt)) for gs, gt in g)
        src.extend(s)
        tgt.extend(t)
        bridge.extend(b or [])
    return src, tgt, (bridge or None), gold


def run(src, tgt, bridge, gold) -> tuple[float, float, float]:
    """Seconds, strict F1, and the process's peak RSS growth in MiB while aligning."""
    from xling.align.bridge import align_sentences

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    beads = align_sentences(src, tgt, bridge)
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    counts = Counts()
    counts.add([(b.source_ids, b.target_ids) for b in beads], gold)
    return seconds, counts.scores()["strict_f1"], grown


def synthetic_pair(docs: list[tuple], size: int):
    rng = random.Random(7)
    picked: list[tuple] = []
    while sum(len(d[1]) for d in picked) < size:
        order = docs[:]
        rng.shuffle(order)
        picked.extend(order)
    return concatenate(picked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mt", default="simmt-bleu30", help="bridge system under mt/, or 'none'")
    parser.add_argument("--sizes", type=int, nargs="*", default=[25_000, 50_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    mt = None if args.mt == "none" else args.mt
    docs = documents(args.data, mt)
    import xling.align.bridge  # noqa: F401  (imports out of the timings)

    if args.one:  # one size in this (fresh) process, so that its peak RSS is its own
        size = args.one
        seconds, f1, grown = run(*synthetic_pair(docs, size))
        print(f"{seconds} {f1} {grown}")
        return
    src, tgt, bridge, gold = concatenate(docs)
    align_warm = run(src[:50], tgt[:50], bridge[:50] if bridge else None, [])  # compile the kernels
    del align_warm
    seconds, f1, _ = run(src, tgt, bridge, gold)
    print(f"all dev documents as one pair: {len(src)}+{len(tgt)} sentences, {seconds:.2f} s, "
          f"{(len(src) + len(tgt)) / seconds:.0f} sentences/s, strict F1 {f1:.4f}")
    print(f"{'source sentences':>16} {'target':>8} {'seconds':>8} {'sent/s':>8} {'peak RSS +MiB':>13} "
          f"{'MiB/1k src':>10} {'strict F1':>9}")
    for size in args.sizes:
        src, tgt, _, _ = synthetic_pair(docs, size)
        command = [sys.executable, __file__, "--data", str(args.data), "--mt", args.mt, "--one", str(size)]
        seconds, f1, grown = map(float, subprocess.run(command, check=True, capture_output=True, text=True)
                                 .stdout.split())
        total = len(src) + len(tgt)
        print(f"{len(src):>16} {len(tgt):>8} {seconds:8.1f} {total / seconds:8.0f} {grown:13.0f} "
              f"{grown / (len(src) / 1000):10.1f} {f1:9.4f}")


if __name__ == "__main__":
    main()
