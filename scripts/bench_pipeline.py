"""How much of a run is not translation: reading, detection, segmentation, alignment, writing.

    python scripts/bench_pipeline.py [--documents 195] [--backend auto|transformers|ctranslate2] [--beams 4]

Runs ``translate_folder`` on the seeds plus generated documents (every fifth
Polish, its sentences made distinct; the rest English) with the full-size
random opus-mt model of ``bench_translate.py``, its outputs forced to 1.1 × the
input length as a real model's would roughly be. Time spent inside the
translator (choosing the backend, a conversion to CTranslate2 and model loading included) is
measured by wrapping it; the rest of the
wall time is the pipeline's overhead. No translation cache, so every sentence
is translated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


class Timed:
    """A translator that adds up the time its inner translator takes."""

    def __init__(self, inner) -> None:
        self.inner, self.seconds = inner, 0.0
        self.model_id, self.revision, self.settings = inner.model_id, inner.revision, inner.settings

    def with_settings(self, settings) -> Timed:
        return Timed(self.inner.with_settings(settings))

    def describe(self) -> str:
        return self.inner.describe()

    def translate(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.translate(texts)
        finally:
            self.seconds += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=195, help="generated documents besides the 5 seeds")
    parser.add_argument("--backend", default="auto", help="as xling translate --backend (default auto)")
    parser.add_argument("--quantization", default="auto")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "xling-bench-opus-mt")
    args = parser.parse_args()

    from bench_ray import make_corpus
    from bench_translate import FORCED_RATIO, build_model

    from xling.models import resolve
    from xling.pipeline import Options, translate_folder
    from xling.translate.backends import create_translator
    from xling.translate.base import GenerationSettings
    from xling.translate.batched import Runtime

    model_dir = build_model(args.model_dir, quick=False)
    work = Path(tempfile.mkdtemp(prefix="xling-bench-pipeline-"))
    corpus = make_corpus(work / "in", args.documents)
    settings = GenerationSettings(beams=args.beams, fixed_length_ratio=FORCED_RATIO)
    made: list[Timed] = []

    def factory(model: str) -> Timed:
        started = time.perf_counter()  # choosing the backend may convert the model: translation work too
        made.append(Timed(create_translator(resolve(model), settings, Runtime("cpu", 0, args.quantization),
                                            args.backend, models_dir=work / "ct2")))
        made[-1].seconds = time.perf_counter() - started
        return made[-1]

    options = Options(models={"pl": str(model_dir)}, use_cache=False, settings=settings)
    started = time.perf_counter()
    report = translate_folder(corpus, work / "out", options, translator_factory=factory)
    wall = time.perf_counter() - started
    translating = sum(t.seconds for t in made)
    files = len(report.files)
    sentences = sum(f.sentences for f in report.files if f.status == "translated")
    used = ", ".join(sorted({t.describe() for t in made})) or args.backend
    print(f"{files} documents, {sentences} sentences translated ({used}, beam {args.beams}, "
          f"full-size random model, outputs 1.1 × input)")
    print(f"wall {wall:.1f} s; translation {translating:.1f} s; everything else {wall - translating:.1f} s "
          f"= {100 * (wall - translating) / wall:.1f} % of the run")


if __name__ == "__main__":
    main()
