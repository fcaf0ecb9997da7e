"""End to end, the way a user runs it: `xling translate` on a folder, against a naive script.

    python scripts/bench_e2e.py                      # 3- and 40-document folders, 2 interleaved rounds
    python scripts/bench_e2e.py --documents 3 --rounds 3
    python scripts/bench_e2e.py --quick              # seconds: tiny model, one document (a test runs it)

Every run is a fresh process, so start-up (imports, the language detector, model
load) is paid as a user pays it; systems take turns round by round, so a slow
period of the machine hits them all alike. Measured per run: wall time, peak
RSS of the process (``wait4``), and the time until the first translated document
is on disk. Start-up is split out by a probe process per backend.

The model is a full-size opus-mt architecture (d_model 512, 6+6 layers, 8 heads,
FFN 2048, vocabulary 63 430 like opus-mt-pl-en) with random weights: it never
says when to stop, so every output runs to the length cap (2 × input + 10
tokens), the same cap for every system. The folders hold Polish documents made
from the Polish seed; in all but the first, each sentence's words are shuffled,
so every sentence is distinct and no system gains from meeting one twice.

Systems:
  naive         one sentence per generate() call (beam 4, same cap), no language detection
  auto          xling translate (the default backend: CTranslate2 int8 on CPU)
  transformers  xling translate --backend transformers (exact reference output)
  ctranslate2   xling translate --backend ctranslate2 (to check it writes what auto writes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT / "scripts"))

POLISH_SEED = "004_18b42087b80df9f9.txt"
OPUS_MT_PL_EN_VOCAB = 63_430
# Output tokens per input token of a trained model, for the probe's "real lengths": real opus-mt-pl-en
# outputs (../shared/opus-mt-real, newstest2020 and FLORES) run 0.72-0.76 × their Polish input in this
# model's tokens, 1.19 × at the 99th percentile; bench_translate forces 1.1 × the batch's longest input.
REAL_RATIO = 1.1
SYSTEMS = ("naive", "auto", "transformers", "ctranslate2")
XLING = [sys.executable, "-m", "xling"]


# -- the inputs --------------------------------------------------------------------------------
def polish_folder(folder: Path, documents: int, seed: int = 11) -> Path:
    """``documents`` Polish articles: the seed, then copies whose sentences have their words shuffled."""
    from xling.segment import Segmenter, paragraphs_spans

    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    segmenter, rng = Segmenter("pl"), random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        out, last = [], 0
        for start, end in paragraphs_spans(text):
            for s, e in segmenter.sentences(text, start, end):
                words = text[s:e].split()
                if d:
                    rng.shuffle(words)
                out.append(text[last:s] + " ".join(words))
                last = e
        out.append(text[last:])
        (folder / f"artykul{d:03d}.txt").write_text("".join(out), encoding="utf-8")
    return folder


# -- the naive script (run as `bench_e2e.py --naive IN OUT MODEL BEAMS`) --------------------
def naive(input_dir: Path, output_dir: Path, model_dir: Path, beams: int) -> None:
    """What a first script does: every sentence through its own ``generate()`` call.

    It splits sentences with xling's segmenter, so both do the same work; it detects nothing,
    aligns nothing and writes one file per document."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    from xling.segment import Segmenter, paragraphs_spans

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    model.generation_config.max_length = None
    limit = model.config.max_position_embeddings - 1  # as xling caps it: the model's positions
    segmenter = Segmenter("pl")
    output_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(input_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = []
        for start, end in paragraphs_spans(text):
            for s, e in segmenter.sentences(text, start, end):
                inputs = tokenizer(text[s:e], return_tensors="pt")
                cap = min(limit, 2 * inputs["input_ids"].shape[1] + 10)  # xling's cap: 2 × input + 10
                with torch.inference_mode():
                    out = model.generate(**inputs, num_beams=beams, max_new_tokens=cap)
                lines.append(tokenizer.decode(out[0], skip_special_tokens=True))
        (output_dir / f"{path.stem}.en").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- start-up probe (run as `bench_e2e.py --probe BACKEND MODEL`) ------------------------------
def probe(backend: str, model_dir: Path) -> None:
    """Seconds for each stage until the first document is translated, in a fresh process, as JSON.

    The first document's decoding is timed twice: at the cap, as the runs above decode it
    (random weights never stop), and with every output ``REAL_RATIO`` × its batch's longest
    input, about what a trained model writes before it stops."""
    t0 = time.perf_counter()
    import xling.cli  # noqa: F401  (what `xling` imports before it reads a file)
    from xling.detect import LanguageDetector
    from xling.models import load_registry, resolve
    from xling.segment import Segmenter, paragraphs_spans
    from xling.translate.backends import create_translator
    from xling.translate.base import GenerationSettings
    from xling.translate.batched import Runtime

    t1 = time.perf_counter()
    # the first document, as a run judges it: the whole text, then its paragraphs
    text = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    LanguageDetector(load_registry(None).detection_languages).detect_document(text, text.split("\n\n"))
    t2 = time.perf_counter()
    translator = create_translator(resolve(str(model_dir), True), runtime=Runtime("cpu"), backend=backend)
    translator.translate(["Ala ma kota."])
    t3 = time.perf_counter()
    segmenter = Segmenter("pl")
    sentences = [text[s:e] for start, end in paragraphs_spans(text) for s, e in segmenter.sentences(text, start, end)]
    translator.translate(sentences)
    t4 = time.perf_counter()
    translator.with_settings(GenerationSettings(fixed_length_ratio=REAL_RATIO)).translate(sentences)  # same model
    t5 = time.perf_counter()
    print(json.dumps({"import": t1 - t0, "detector": t2 - t1, "model": t3 - t2, "decode_cap": t4 - t3,
                      "decode_real": t5 - t4, "backend": getattr(translator, "backend", backend)}))


# -- measuring ---------------------------------------------------------------------------------
@dataclass
class Run:
    wall: float
    rss_mib: float
    first: float | None  # seconds until the first translated document was on disk


@dataclass
class Tally:
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else float("nan")


def timed(command: list[str], env: dict, watch: Path, pattern: str) -> Run:
    """Run ``command`` to completion; wall time, its peak RSS, and when ``watch`` first held ``pattern``."""
    first: list[float] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            if watch.is_dir() and any(watch.glob(pattern)):
                first.append(time.perf_counter() - started)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace")
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    return Run(wall, usage.ru_maxrss / 1024, first[0] if first else None)


def command_for(system: str, folder: Path, out: Path, model: Path, beams: int) -> tuple[list[str], Path, str]:
    if system == "naive":
        return [sys.executable, __file__, "--naive", str(folder), str(out), str(model), str(beams)], out, "*.en"
    backend = [] if system == "auto" else ["--backend", system]
    return ([*XLING, "translate", str(folder), "-o", str(out), "-m", f"pl={model}", "--offline", "--no-cache",
             "--beams", str(beams), "-q", *backend], out / "pl-en", "*.en")


def same_outputs(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in (a / "pl-en").glob("*.en"))
    return bool(files) and all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def bench(folder: Path, systems: list[str], rounds: int, model: Path, beams: int, env: dict,
          work: Path) -> dict[str, Tally]:
    tallies = {s: Tally() for s in systems}
    for r in range(rounds):
        for system in systems:
            out = work / f"out-{folder.name}-{system}-{r}"
            shutil.rmtree(out, ignore_errors=True)  # a fresh output folder, as a first run has
            command, watch, pattern = command_for(system, folder, out, model, beams)
            run = timed(command, env, watch, pattern)
            tallies[system].runs.append(run)
            print(f"  round {r + 1}: {system:<13} {run.wall:7.1f} s  {run.rss_mib:6.0f} MiB  first document "
                  f"{run.first if run.first is not None else float('nan'):5.1f} s", file=sys.stderr, flush=True)
    if "auto" in systems and "ctranslate2" in systems:
        identical = all(same_outputs(work / f"out-{folder.name}-auto-{r}", work / f"out-{folder.name}-ctranslate2-{r}")
                        for r in range(rounds))
        print(f"  auto and ctranslate2 outputs identical: {'yes' if identical else 'NO'}")
    return tallies


def prepare(work: Path, quick: bool, documents: list[int]) -> None:
    """Build the model and the folders (once); print each folder's sentence count as JSON."""
    from bench_translate import build_model

    build_model(work / "model", quick=quick, vocab=OPUS_MT_PL_EN_VOCAB)
    counts = {}
    for n in documents:
        folder = work / f"in-{n}"
        if not folder.is_dir():
            polish_folder(folder, n)
        counts[n] = sentences_in(folder)
    print(json.dumps(counts))


def sentences_in(folder: Path) -> int:
    from xling.segment import Segmenter, paragraphs_spans

    segmenter = Segmenter("pl")
    return sum(len(segmenter.sentences(t, s, e)) for t in (p.read_text(encoding="utf-8") for p in folder.glob("*.txt"))
               for s, e in paragraphs_spans(t))


def report(title: str, tallies: dict[str, Tally]) -> None:
    base = tallies["naive"].median("wall") if "naive" in tallies else float("nan")
    print(f"\n{title}\n")
    print("| system | wall (median) | × naive | peak RSS (max) | first document written |")
    print("| --- | --- | --- | --- | --- |")
    for system, tally in tallies.items():
        wall = tally.median("wall")
        rss = max(r.rss_mib for r in tally.runs)
        first = tally.median("first")
        print(f"| {system} | {wall:.1f} s | {base / wall:.1f} | {rss:,.0f} MiB | {first:.1f} s |")


def startup(model: Path, env: dict, backends: list[str]) -> None:
    print("\nUntil the first document is translated, in a fresh process (seconds; model: load + one "
          "sentence; decode: the first document's sentences at the runs' cap, and at the output "
          f"lengths of a trained model, {REAL_RATIO} × input)\n")
    print("| backend | import | language detector | model | decode at cap | total | decode at real lengths | total |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for backend in backends:
        out = subprocess.run([sys.executable, __file__, "--probe", backend, str(model)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        t = json.loads(out.strip().splitlines()[-1])
        before = t["import"] + t["detector"] + t["model"]
        print(f"| {backend} ({t['backend']}) | {t['import']:.2f} | {t['detector']:.2f} | {t['model']:.2f} | "
              f"{t['decode_cap']:.2f} | {before + t['decode_cap']:.2f} | {t['decode_real']:.2f} | "
              f"{before + t['decode_real']:.2f} |")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--naive":
        naive(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe(sys.argv[2], Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--build":
        prepare(Path(sys.argv[2]), sys.argv[3] == "quick", [int(n) for n in sys.argv[4:]])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, nargs="+", default=[3, 40], help="folder sizes (documents)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated, of {', '.join(SYSTEMS)}")
    parser.add_argument("--naive-max-documents", type=int, default=40,
                        help="leave the naive script out of bigger folders (it takes ~2 s a sentence)")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xling-bench-e2e")
    parser.add_argument("--quick", action="store_true", help="tiny model, one document, one round")
    args = parser.parse_args()

    systems = [s for s in args.systems.split(",") if s]
    if unknown := set(systems) - set(SYSTEMS):
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    if args.quick:
        args.documents, args.rounds, args.beams = [1], 1, 2
    work = args.work / ("quick" if args.quick else "full")
    model = work / "model"
    # Made in a child: a child's peak RSS starts from its parent's at fork, so this process stays small.
    built = subprocess.run([sys.executable, __file__, "--build", str(work), "quick" if args.quick else "full",
                            *map(str, args.documents)], check=True, capture_output=True, text=True).stdout
    sentences = json.loads(built.strip().splitlines()[-1])
    # the runs' own caches (converted models) live in the work folder, not the user's
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if {"auto", "ctranslate2"} & set(systems):
        started = time.perf_counter()  # the one-time conversion, out of the timed runs
        subprocess.run([*XLING, "models", "convert", str(model), "--offline"], env=env, check=True,
                       capture_output=True)
        print(f"model converted to CTranslate2 int8 once, in {time.perf_counter() - started:.1f} s "
              "(not part of the runs below)", file=sys.stderr)
    import platform

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; beam {args.beams}; "
          f"{args.rounds} rounds; fresh process per run")
    for documents in args.documents:
        folder = work / f"in-{documents}"
        chosen = [s for s in systems if s != "naive" or documents <= args.naive_max_documents]
        title = f"{documents} Polish documents, {sentences[str(documents)]} sentences"
        print(f"\n{title}:", file=sys.stderr, flush=True)
        tallies = bench(folder, chosen, args.rounds, model, args.beams, env, work)
        report(title, tallies)
    startup(model, env, [s for s in systems if s != "naive"])


if __name__ == "__main__":
    main()
