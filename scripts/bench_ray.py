"""Documents per second: the local engine against the Ray engine, on the same generated corpus.

    python scripts/bench_ray.py [--documents 300] [--model DIR] [--num-workers 2] [--address auto]

The corpus is the seeds plus generated documents: every fifth one Polish (its
sentences numbered, so each is new to the translation cache), the rest English
(detected and copied). The model defaults to the tiny test model, built on the
fly: this measures the engines' overhead, not translation. With a real model
(``--model pl=...`` resolved by the registry, or a local directory) and
``--address auto`` on a cluster node, the same command measures a cluster:

    ray start --head                                   # on the head node
    ray start --address HEAD_IP:6379                   # on every other node
    python scripts/bench_ray.py --address auto --num-workers 8 --model /shared/opus-mt-pl-en

Each engine starts with an empty translation cache. Ray's start-up (a local
instance here) is reported apart from the run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
POLISH_SEED = "004_18b42087b80df9f9.txt"
sys.path.insert(0, str(ROOT))


def make_corpus(folder: Path, documents: int = 300) -> Path:
    """The seeds plus ``documents`` generated ones; every sentence of a Polish one is distinct."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    polish = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    english = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) if p.name != POLISH_SEED]
    for d in range(documents):
        if d % 5 == 0:
            lines = [f"{line} (Dokument {d}, akapit {k}.)" if line.rstrip().endswith(".") else line
                     for k, line in enumerate(polish.split("\n"))]
            text = "\n".join(lines)
        else:
            text = english[d % len(english)] + f"\n\nStory {d} ends here.\n"
        sub = folder / f"batch{d // 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc{d:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--model", help="Marian model for Polish (default: the tiny test model)")
    parser.add_argument("--num-workers", type=int, default=2)
    parser.add_argument("--cpus-per-worker", type=float, default=1)
    parser.add_argument("--gpus-per-worker", type=float, default=0)
    parser.add_argument("--address", default=None, help="auto or ray://host:10001 (default: a local Ray)")
    parser.add_argument("--beams", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

    from xling.pipeline import Options, translate_folder
    from xling.ray_engine import translate_folder_ray
    from xling.translate.base import GenerationSettings

    work = Path(tempfile.mkdtemp(prefix="xling-bench-ray-"))
    model = args.model
    if model is None:
        sys.path.insert(0, str(ROOT / "scripts"))
        from make_tiny_marian import build

        texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
        model = str(build(work / "tiny-pl-en", texts))
    corpus = make_corpus(work / "in", args.documents)
    count = len(list(corpus.rglob("*.txt")))

    def options(name: str) -> Options:
        return Options(models={"pl": model}, cache=work / f"{name}.sqlite3", view=True,
                       settings=GenerationSettings(beams=args.beams))

    started = time.perf_counter()
    local = translate_folder(corpus, work / "local", options("local"))
    local_s = time.perf_counter() - started

    import ray

    started = time.perf_counter()
    ray.init(address=args.address, include_dashboard=False, log_to_driver=False, logging_level="warning")
    ray_start_s = time.perf_counter() - started
    started = time.perf_counter()
    translate_folder_ray(corpus, work / "ray", options("ray"), address=args.address, num_workers=args.num_workers,
                         gpus_per_worker=args.gpus_per_worker, cpus_per_worker=args.cpus_per_worker)
    ray_s = time.perf_counter() - started
    sentences = sum(f.sentences for f in local.files if f.status == "translated")
    print(f"{count} documents ({sentences} sentences translated), {os.cpu_count()} CPUs, model {model}")
    print(f"{'engine':<8}{'seconds':>9}{'docs/s':>9}{'× local':>9}")
    print(f"{'local':<8}{local_s:>9.1f}{count / local_s:>9.1f}{1:>9.2f}")
    print(f"{'ray':<8}{ray_s:>9.1f}{count / ray_s:>9.1f}{local_s / ray_s:>9.2f}   (+ {ray_start_s:.1f} s to start Ray)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
