"""Aligning a corpus in one process against the alignment work alone, on the real-bridge sets.

    python scripts/bench_corpus.py [--sets ../shared/align-dev] [--copies 1 2 4] [--pairs N]

Builds SRC/TGT/MT folders from the ``synth-plen-*`` sets (74 originals, their translations and real
opus-mt-pl-en bridges; each of ``--copies`` repeats them under other names for a bigger corpus), then
times ``xling align SRC TGT -o OUT --mt MT --presegmented --match name|content`` as a fresh process
(start-up, reading, pairing, aligning, writing, views), and the alignment alone (``align_sentences``
on every pair, in this process, warm). Prints both, their ratio and the run's peak memory (which
should not grow with the number of pairs).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(sets: Path, work: Path, copies: int, limit: int | None = None) -> int:
    for name in ("src", "tgt", "mt"):
        (work / name).mkdir(parents=True)
    count = 0
    for dataset in ("synth-plen-flores", "synth-plen-newstest2020"):
        root = sets / dataset
        for doc in sorted(p.stem for p in (root / "src").glob("*.txt")):
            for k in range(copies):
                if limit is not None and count >= limit:
                    break
                shutil.copy(root / "src" / f"{doc}.txt", work / "src" / f"{dataset}-{doc}-{k}.txt")
                shutil.copy(root / "mt" / "opus-mt-pl-en" / f"{doc}.txt", work / "mt" / f"{dataset}-{doc}-{k}.txt")
                shutil.copy(root / "tgt" / f"{doc}.txt", work / "tgt" / f"{dataset}-{doc}-{k}.txt")
                count += 1
    return count


def alignment_alone(work: Path) -> float:
    from xling.align.bridge import align_sentences

    def lines(path: Path) -> list[str]:
        return path.read_text(encoding="utf-8").splitlines()

    docs = sorted(p.name for p in (work / "src").iterdir())
    align_sentences(lines(work / "src" / docs[0]), lines(work / "tgt" / docs[0]), lines(work / "mt" / docs[0]))
    started = time.perf_counter()
    for doc in docs:
        align_sentences(lines(work / "src" / doc), lines(work / "tgt" / doc), lines(work / "mt" / doc))
    return time.perf_counter() - started


def run_align(work: Path, match: str) -> tuple[float, float]:
    """Seconds and peak MiB of ``xling align`` on the folders, as a fresh process."""
    shutil.rmtree(work / "out", ignore_errors=True)
    command = [str(Path(sys.executable).parent / "xling"), "align", str(work / "src"), str(work / "tgt"),
               "-o", str(work / "out"), "--mt", str(work / "mt"), "--presegmented", "--match", match]
    timed = ["/usr/bin/time", "-f", "%M", *command] if Path("/usr/bin/time").exists() else command
    started = time.perf_counter()
    done = subprocess.run(timed, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = float(done.stderr.strip().splitlines()[-1]) / 1024 if timed is not command else float("nan")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=Path, default=ROOT.parent / "shared" / "align-dev")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pairs", type=int, help="stop at this many pairs (with --copies 2: e.g. 120)")
    args = parser.parse_args()
    print("| pairs | matched by | alignment alone (s) | xling align (s) | ratio | peak MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for copies in args.copies:
        work = Path(tempfile.mkdtemp(prefix="xling-corpus-"))
        try:
            pairs = build(args.sets, work, copies, args.pairs)
            alone = alignment_alone(work)
            # copies are the same texts under other names: only name matching can tell them apart
            for match in ("name", "content") if copies == 1 else ("name",):
                whole, peak = run_align(work, match)
                print(f"| {pairs} | {match} | {alone:.2f} | {whole:.2f} | {whole / alone:.2f} | {peak:.0f} |")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
