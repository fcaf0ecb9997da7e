"""Translation throughput: a naive baseline, xling's backends and raw CTranslate2, in one run.

Every system translates the same news-length sentences (taken from seeds/) with
a full-size opus-mt architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary padded to 60k) whose weights are random. Random weights never say
when to stop, so output length is forced: ``round(1.1 × input tokens)`` per
row for the baseline, per batch (its longest row) for the batched systems, the
same batches for xling and raw CTranslate2. Systems run in their own worker
processes (so peak RSS is theirs alone) and take turns chunk by chunk, so a
slow period of the machine hits them all alike.

    python scripts/bench_translate.py                 # 512 sentences, beams 1 and 4, CPU
    python scripts/bench_translate.py --device cuda   # half precision on a GPU
    python scripts/bench_translate.py --quick         # seconds: a tiny model, in-process (a test runs it)

Systems:
  naive          one sentence per generate() call, as most first scripts do
  xling-hf       xling's transformers backend (token-budget batches, inference_mode)
  xling-hf-int8  the same with dynamic int8 Linear layers (--quantization int8; CPU)
  xling-ct2-*    xling's CTranslate2 backend (int8, float32; int8_float16, float16 on GPU)
  raw-ct2-*      ctranslate2.Translator.translate_batch on the same batches, nothing else
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

FORCED_RATIO = 1.1
OPUS_MT = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "vocab": 60_000, "positions": 512}


# -- the sentences -----------------------------------------------------------------------------
def news_sentences(n: int, seed: int = 7, min_words: int = 8, max_words: int = 60) -> list[str]:
    """``n`` distinct news-length sentences from the seeds; repeats get their words shuffled,
    so no system can win by meeting a sentence twice."""
    from xling.segment import Segmenter, paragraphs_spans

    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        segmenter = Segmenter("pl" if "ą" in text or "ł" in text else "en")
        for start, end in paragraphs_spans(text):
            for s, e in segmenter.sentences(text, start, end):
                if min_words <= len(text[s:e].split()) <= max_words:
                    found.append(text[s:e])
    base = list(dict.fromkeys(found))
    rng = random.Random(seed)
    out, seen, round_ = [], set(), 0
    while len(out) < n:
        for sentence in base:
            if round_:
                words = sentence.split()
                rng.shuffle(words)
                sentence = " ".join(words)
            if sentence not in seen:
                seen.add(sentence)
                out.append(sentence)
            if len(out) == n:
                break
        round_ += 1
    rng.shuffle(out)
    return out


def build_model(model_dir: Path, quick: bool, vocab: int = OPUS_MT["vocab"]) -> Path:
    """The benchmark model: built once, reused while its folder exists.

    ``vocab`` pads the output layer to a real model's size (opus-mt-pl-en: 63 430)."""
    from make_tiny_marian import build

    if (model_dir / "config.json").is_file():
        return model_dir
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    print(f"building the benchmark model in {model_dir} ...", file=sys.stderr, flush=True)
    if quick:
        return build(model_dir, texts, max_positions=OPUS_MT["positions"], train_steps=0)  # news sentences fit
    a = OPUS_MT
    spm_vocab = 2000
    return build(model_dir, texts, max_positions=a["positions"], vocab_size=spm_vocab, d_model=a["d_model"],
                 layers=a["layers"], heads=a["heads"], ffn=a["ffn"], vocab_padding=vocab - spm_vocab - 1,
                 train_steps=0)


# -- the systems -------------------------------------------------------------------------------
class Naive:
    """One sentence per ``generate()`` call, forced to 1.1 × its own length."""

    def __init__(self, model_dir: Path, device: str, beams: int) -> None:
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        self.tokenizer = MarianTokenizer.from_pretrained(model_dir)
        self.model = MarianMTModel.from_pretrained(model_dir, dtype=dtype).to(device).eval()
        self.model.generation_config.max_length = None
        self.device, self.beams = device, beams

    def run(self, sentences: list[str]) -> int:
        tokens = 0
        for sentence in sentences:
            inputs = self.tokenizer(sentence, return_tensors="pt").to(self.device)
            n = max(1, round(FORCED_RATIO * inputs["input_ids"].shape[1]))
            out = self.model.generate(**inputs, num_beams=self.beams, max_new_tokens=n, min_new_tokens=n)
            self.tokenizer.decode(out[0], skip_special_tokens=True)
            tokens += n
        return tokens


class Xling:
    """xling's backend as the pipeline uses it (no translation cache: every sentence is new anyway)."""

    def __init__(self, model_dir: Path, device: str, beams: int, backend: str, quantization: str,
                 models_dir: Path) -> None:
        from xling.models import resolve
        from xling.translate.backends import create_translator
        from xling.translate.base import GenerationSettings
        from xling.translate.batched import Runtime

        settings = GenerationSettings(beams=beams, fixed_length_ratio=FORCED_RATIO)
        self.translator = create_translator(resolve(str(model_dir)), settings, Runtime(device, 0, quantization),
                                            backend, models_dir=models_dir)
        self.translator.count_tokens("warm up")  # load now: loading is not translating

    def run(self, sentences: list[str]) -> int:
        before = self.translator.tokens_generated
        self.translator.translate(sentences)
        return self.translator.tokens_generated - before


class RawCT2:
    """``ctranslate2.Translator.translate_batch`` on xling's batches, with the same thread layout."""

    def __init__(self, model_dir: Path, device: str, beams: int, quantization: str, models_dir: Path) -> None:
        import ctranslate2
        from transformers import MarianTokenizer

        from xling.models import resolve
        from xling.translate.batched import Runtime
        from xling.translate.ct2 import convert, thread_layout

        path = convert(resolve(str(model_dir)), quantization, models_dir)
        inter, intra = thread_layout(device, Runtime().cpu_threads())
        self.model = ctranslate2.Translator(str(path), device=device, compute_type=quantization,
                                            inter_threads=inter, intra_threads=intra)
        self.tokenizer = MarianTokenizer.from_pretrained(model_dir)
        self.beams = beams
        from xling.translate.ct2 import CT2Translator

        self.budget = CT2Translator.default_batch_tokens["cuda" if device.startswith("cuda") else "cpu"]

    def run(self, sentences: list[str]) -> int:
        from xling.translate.batching import token_budget_batches

        ids = self.tokenizer(sentences)["input_ids"]
        batches = token_budget_batches([len(row) for row in ids], self.budget)
        pending = []
        for batch in batches:
            n = max(1, round(FORCED_RATIO * max(len(ids[i]) for i in batch)))
            source = [self.tokenizer.convert_ids_to_tokens(ids[i]) for i in batch]
            pending.append(self.model.translate_batch(source, asynchronous=True, beam_size=self.beams,
                                                      max_decoding_length=n, min_decoding_length=n,
                                                      max_input_length=0))
        tokens = 0
        for results in pending:
            hyps = [r.result().hypotheses[0] for r in results]
            self.tokenizer.batch_decode([self.tokenizer.convert_tokens_to_ids(h) for h in hyps],
                                        skip_special_tokens=True)
            tokens += sum(len(h) for h in hyps)
        return tokens


def make_system(name: str, model_dir: Path, device: str, beams: int, models_dir: Path):
    if name == "naive":
        return Naive(model_dir, device, beams)
    if name == "xling-hf":
        return Xling(model_dir, device, beams, "transformers", "none", models_dir)
    if name == "xling-hf-int8":
        return Xling(model_dir, device, beams, "transformers", "int8", models_dir)
    if name.startswith("xling-ct2-"):
        return Xling(model_dir, device, beams, "ctranslate2", name.removeprefix("xling-ct2-"), models_dir)
    if name.startswith("raw-ct2-"):
        return RawCT2(model_dir, device, beams, name.removeprefix("raw-ct2-"), models_dir)
    raise SystemExit(f"unknown system {name!r}")


def default_systems(device: str) -> list[str]:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        print("ctranslate2 is not installed: CTranslate2 systems left out (pip install 'xling[ct2]')",
              file=sys.stderr)
        ct2: list[str] = []
    else:
        kinds = ["int8_float16", "float16"] if device.startswith("cuda") else ["int8", "float32"]
        ct2 = [f"{prefix}-{kind}" for kind in kinds for prefix in ("xling-ct2", "raw-ct2")]
    hf = ["naive", "xling-hf"] + ([] if device.startswith("cuda") else ["xling-hf-int8"])
    return hf + ct2


# -- workers -----------------------------------------------------------------------------------
def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(conn, name: str, model_dir: Path, device: str, beams: int, models_dir: Path) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    started = time.perf_counter()
    system = make_system(name, model_dir, device, beams, models_dir)
    conn.send(time.perf_counter() - started)
    while True:
        message = conn.recv()
        if message is None:
            conn.send(peak_rss_mib())
            return
        started = time.perf_counter()
        tokens = system.run(message)
        conn.send((time.perf_counter() - started, tokens))


class InProcess:
    def __init__(self, name, model_dir, device, beams, models_dir) -> None:
        started = time.perf_counter()
        self.system = make_system(name, model_dir, device, beams, models_dir)
        self.load_s = time.perf_counter() - started

    def run(self, sentences):
        started = time.perf_counter()
        tokens = self.system.run(sentences)
        return time.perf_counter() - started, tokens

    def close(self) -> float:
        return peak_rss_mib()


class Worker:
    def __init__(self, name, model_dir, device, beams, models_dir) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, name, model_dir, device, beams, models_dir))
        self.process.start()
        self.load_s = self.conn.recv()

    def run(self, sentences):
        self.conn.send(sentences)
        return self.conn.recv()

    def close(self) -> float:
        self.conn.send(None)
        rss = self.conn.recv()
        self.process.join()
        return rss


@dataclass
class Tally:
    seconds: float = 0.0
    tokens: int = 0
    sentences: int = 0
    load_s: float = 0.0
    rss_mib: float = 0.0


def bench(systems: list[str], sentences: list[str], beams: int, chunk: int, model_dir: Path, device: str,
          models_dir: Path, in_process: bool) -> dict[str, Tally]:
    kind = InProcess if in_process else Worker
    workers = {name: kind(name, model_dir, device, beams, models_dir) for name in systems}
    tallies = {name: Tally(load_s=w.load_s) for name, w in workers.items()}
    chunks = [sentences[i:i + chunk] for i in range(0, len(sentences), chunk)]
    for index, part in enumerate(chunks):
        order = systems[index % len(systems):] + systems[:index % len(systems)]  # rotate who goes first
        for name in order:
            seconds, tokens = workers[name].run(part)
            tally = tallies[name]
            tally.seconds += seconds
            tally.tokens += tokens
            tally.sentences += len(part)
        done = {n: f"{t.sentences / t.seconds:.1f}" for n, t in tallies.items()}
        print(f"  beam {beams}: chunk {index + 1}/{len(chunks)} sentences/s {done}", file=sys.stderr, flush=True)
    for name, worker in workers.items():
        tallies[name].rss_mib = worker.close()
    return tallies


def report(beams: int, tallies: dict[str, Tally], in_process: bool) -> None:
    base = tallies.get("naive")
    base_rate = base.sentences / base.seconds if base else None
    print(f"\nbeam {beams}")
    print(f"{'system':<22}{'sent/s':>9}{'tok/s':>9}{'× naive':>9}{'load s':>8}{'peak RSS MiB':>14}")
    for name, t in tallies.items():
        rate = t.sentences / t.seconds
        ratio = f"{rate / base_rate:.2f}" if base_rate else "-"
        print(f"{name:<22}{rate:>9.2f}{t.tokens / t.seconds:>9.0f}{ratio:>9}{t.load_s:>8.1f}{t.rss_mib:>14.0f}")
    for name, t in tallies.items():
        raw = tallies.get(name.replace("xling-ct2-", "raw-ct2-")) if name.startswith("xling-ct2-") else None
        if raw:
            print(f"{name} / {name.replace('xling-ct2-', 'raw-ct2-')}: "
                  f"{(t.sentences / t.seconds) / (raw.sentences / raw.seconds):.3f}")
    if in_process:
        print("(in-process run: peak RSS is the whole process's)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=512, help="sentences (default 512)")
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (half precision on cuda)")
    parser.add_argument("--systems", nargs="+", help="default: every system that can run here")
    parser.add_argument("--chunk", type=int, default=64, help="sentences per turn (default 64)")
    parser.add_argument("--model-dir", type=Path, help="where the benchmark model is built and reused "
                                                       "(default: a folder in the temp dir)")
    parser.add_argument("--quick", action="store_true", help="a tiny model, 16 sentences, beam 1, in-process")
    parser.add_argument("--in-process", action="store_true", help="no worker processes (RSS is then shared)")
    args = parser.parse_args()
    if args.quick:
        args.n, args.beams, args.chunk, args.in_process = 16, [1], 8, True
    model_dir = args.model_dir or Path(tempfile.gettempdir()) / ("xling-bench-tiny" if args.quick
                                                                 else "xling-bench-opus-mt")
    build_model(model_dir, args.quick)
    models_dir = model_dir.parent / (model_dir.name + "-ct2")
    systems = args.systems or default_systems(args.device)
    sentences = news_sentences(args.n)
    print(f"{len(sentences)} sentences, systems: {', '.join(systems)}; device {args.device}; "
          f"{os.cpu_count()} CPUs; model {model_dir}", flush=True)
    for beams in args.beams:
        tallies = bench(systems, sentences, beams, args.chunk, model_dir, args.device, models_dir, args.in_process)
        report(beams, tallies, args.in_process)


if __name__ == "__main__":
    main()
