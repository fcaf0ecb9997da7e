"""Score xling's sentence aligner on the align-dev sets (gold beads, pooled strict/lax P/R/F1).

    python scripts/eval_align.py [--data ../shared/align-dev] [--mt SYSTEM ...] [--oracle] [--excerpts K]

Every set, side by side, with one parameter set (xling's defaults): each bridge
system under the set's ``mt/`` (the forward MT, source → target language), the
same system with its reverse translation from ``mt_rev/`` where the set has one
(``--mt-rev`` in the CLI), and no bridge at all (``--no-model``). ``oracle-ref``
(the reference translation used as a bridge, an upper bound) only with --oracle.

Reads the data in place (it is not copied into the repository). Metric, as the
sets' README defines it, pooled over the documents of a set:
- precision over all predicted beads (null beads included): strict = the bead is
  exactly a gold bead; lax = some gold bead overlaps it on both sides (an empty side
  overlaps an empty side);
- recall over gold beads non-empty on both sides, against predicted beads non-empty
  on both sides, with the same strict/lax tests;
- F1 from the pooled precision and recall. Beads empty on both sides are ignored.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xling.formats.bead_ids import BeadIds, read_bead_ids

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "align-dev"

def _overlaps(a: Sequence[int], b: Sequence[int]) -> bool:
    return (not a and not b) or bool(set(a) & set(b))


class _Overlaps:
    """Which beads of a set overlap a given bead on both sides, looked up by sentence id (linear, not quadratic)."""

    def __init__(self, beads: list[BeadIds]) -> None:
        self.beads = beads
        self.by_src: dict[int, list[int]] = {}
        self.by_tgt: dict[int, list[int]] = {}
        for k, (src, tgt) in enumerate(beads):
            for i in src:
                self.by_src.setdefault(i, []).append(k)
            for j in tgt:
                self.by_tgt.setdefault(j, []).append(k)

    def hit(self, bead: BeadIds) -> bool:
        candidates = {k for i in bead[0] for k in self.by_src.get(i, ())}
        candidates |= {k for j in bead[1] for k in self.by_tgt.get(j, ())}
        return any(_overlaps(bead[0], self.beads[k][0]) and _overlaps(bead[1], self.beads[k][1])
                   for k in candidates)


@dataclass
class Counts:
    predicted: int = 0
    strict_p: int = 0
    lax_p: int = 0
    gold: int = 0
    predicted_full: int = 0
    strict_r: int = 0
    lax_r: int = 0

    def add(self, predicted: list[BeadIds], gold: list[BeadIds]) -> None:
        gold_set = set(gold)
        self.predicted += len(predicted)
        lax_gold = _Overlaps(gold)
        for bead in predicted:
            self.strict_p += bead in gold_set
            self.lax_p += lax_gold.hit(bead)
        full_gold = [g for g in gold if g[0] and g[1]]
        full_pred = [p for p in predicted if p[0] and p[1]]
        pred_set = set(full_pred)
        lax_pred = _Overlaps(full_pred)
        self.gold += len(full_gold)
        self.predicted_full += len(full_pred)
        for bead in full_gold:
            self.strict_r += bead in pred_set
            self.lax_r += lax_pred.hit(bead)

    def scores(self) -> dict[str, float]:
        out = {}
        for kind, hits_p, hits_r in (("strict", self.strict_p, self.strict_r), ("lax", self.lax_p, self.lax_r)):
            p = hits_p / self.predicted if self.predicted else 0.0
            r = hits_r / self.gold if self.gold else 0.0
            out[f"{kind}_p"], out[f"{kind}_r"] = p, r
            out[f"{kind}_f1"] = 2 * p * r / (p + r) if p + r else 0.0
        return out


def load_set(folder: Path, mt: str | None, rev: str | None = None):
    """(doc, source, target, forward bridge or None, reverse bridge or None, gold beads) per document."""
    def lines(path: Path) -> list[str]:
        return path.read_text(encoding="utf-8").splitlines()

    for doc in (folder / "docs.txt").read_text(encoding="utf-8").split():
        yield (doc, lines(folder / "src" / f"{doc}.txt"), lines(folder / "tgt" / f"{doc}.txt"),
               lines(folder / "mt" / mt / f"{doc}.txt") if mt else None,
               lines(folder / "mt_rev" / rev / f"{doc}.txt") if rev else None,
               read_bead_ids(folder / "gold" / f"{doc}.align"))


def excerpts(documents, beads: int):
    """Each document cut at gold bead boundaries into excerpts of ``beads`` beads (short texts: a news
    brief, a few subtitles), with the gold renumbered; an excerpt empty on one side is left out."""
    for doc, src, tgt, bridge, reverse, gold in documents:
        for start in range(0, len(gold), beads):
            chunk = gold[start:start + beads]
            src_ids = [i for s, _ in chunk for i in s]
            tgt_ids = [j for _, t in chunk for j in t]
            if not src_ids or not tgt_ids:
                continue
            s0, s1, t0, t1 = min(src_ids), max(src_ids) + 1, min(tgt_ids), max(tgt_ids) + 1
            yield (f"{doc}@{start}", src[s0:s1], tgt[t0:t1], bridge[s0:s1] if bridge else None,
                   reverse[t0:t1] if reverse else None,
                   [(tuple(i - s0 for i in s), tuple(j - t0 for j in t)) for s, t in chunk])


def evaluate(folder: Path, mt: str | None, rev: str | None = None,
             excerpt: int | None = None) -> tuple[dict[str, float], float, int]:
    """Pooled scores of one set with one bridge (and optionally its reverse), seconds, sentences;
    ``excerpt``: of its documents cut into excerpts of that many gold beads."""
    from xling.align.bridge import align_sentences

    counts = Counts()
    seconds, sentences = 0.0, 0
    documents = load_set(folder, mt, rev)
    for _, src, tgt, bridge, reverse, gold in (excerpts(documents, excerpt) if excerpt else documents):
        started = time.perf_counter()
        beads = align_sentences(src, tgt, bridge, reverse_bridge=reverse)
        seconds += time.perf_counter() - started
        sentences += len(src) + len(tgt)
        counts.add([(b.source_ids, b.target_ids) for b in beads], gold)
    return counts.scores(), seconds, sentences


Run = tuple[Path, str | None, str | None]


def runs(data: Path, systems: Sequence[str] | None = None, oracle: bool = False) -> list[Run]:
    """Every (set, forward system, reverse system) to score: each system, with its reverse
    where the set has one, and no bridge."""
    out = []
    for folder in sorted(p for p in data.iterdir() if (p / "docs.txt").is_file()):
        names = sorted(p.name for p in (folder / "mt").iterdir() if p.is_dir()) if (folder / "mt").is_dir() else []
        for mt in names:
            if (systems and mt not in systems) or (mt == "oracle-ref" and not oracle):
                continue
            out.append((folder, mt, None))
            if (folder / "mt_rev" / mt).is_dir():
                out.append((folder, mt, mt))
        if not systems or "none" in systems:
            out.append((folder, None, None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mt", nargs="*", help="only these bridge systems ('none': no bridge); default: all")
    parser.add_argument("--oracle", action="store_true", help="also the reference translation as a bridge")
    parser.add_argument("--excerpts", type=int, metavar="K",
                        help="score short texts: every document cut at gold boundaries into excerpts of K beads")
    args = parser.parse_args()
    print(f"{'set':24} {'bridge':24} {'strict P':>8} {'strict R':>8} {'strict F1':>9} {'lax F1':>7} "
          f"{'seconds':>8} {'sent/s':>8}")
    for folder, mt, rev in runs(args.data, args.mt, args.oracle):
        scores, seconds, sentences = evaluate(folder, mt, rev, args.excerpts)
        bridge = "none" if mt is None else mt + (" + rev" if rev else "")
        print(f"{folder.name:24} {bridge:24} {scores['strict_p']:8.4f} {scores['strict_r']:8.4f} "
              f"{scores['strict_f1']:9.4f} {scores['lax_f1']:7.4f} {seconds:8.3f} {sentences / seconds:8.0f}")


if __name__ == "__main__":
    main()
