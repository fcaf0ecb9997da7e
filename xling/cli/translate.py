"""``xling translate IN -o OUT``: the main job."""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from xling.cli._common import EXIT_FAILED, exit_codes, setup_logging, stderr, stdout
from xling.io import DEFAULT_GLOBS, globs_help

ENGINES = ("local", "ray")


# The options, one alias each, so that the command reads as a list of what it takes.
BoilerplateArg = Annotated[str, typer.Option(help="Boilerplate paragraphs (a donation appeal under every article, "
                                                   "buttons, bylines): mark (kept in the bead file and the view, "
                                                   "not translated, not in the parallel text), translate, or drop "
                                                   "(counted in the manifest only).")]
FollowLinksArg = Annotated[bool, typer.Option(help="Read links to files outside the input folder (skipped and "
                                                   "reported by default: a folder from elsewhere could pull in "
                                                   "any file of this machine).")]
InputDirArg = Annotated[Path, typer.Argument(help="Folder of articles (read recursively), one file, or - for "
                                             "standard input (translated to standard output).", show_default=False)]
OutputArg = Annotated[Path | None, typer.Option("--output", "-o", help="Output folder (must be empty unless "
                                                "--force); not with -.", show_default=False)]
GlobArg = Annotated[list[str] | None, typer.Option(
        "--glob", help="File-name pattern to read; repeat for several. "
                       f"\\[default: {globs_help()}; any case]")]
ModelArg = Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Override the registry for one language: LANG=PATH_OR_ID, e.g. "
                              "pl=./opus-mt-pl-en. Repeatable.")]
RegistryArg = Annotated[Path | None, typer.Option(
        help="Model registry TOML. \\[default: models/registry.toml]")]
DeviceArg = Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N (auto picks CUDA when present; "
                                             "half precision there).")]
BackendArg = Annotated[str, typer.Option(help="auto: CTranslate2 (int8; converts the model once, offline) where it "
                                              "runs, else transformers. transformers: the exact reference output "
                                              "(slower, more memory). ctranslate2: CTranslate2 or an error.")
                       ]
QuantizationArg = Annotated[str, typer.Option(
        help="ctranslate2: int8, int8_float16, float16, float32, ... transformers: none or int8 (dynamic int8 "
             "Linear layers, CPU). auto: int8 on CPU, int8_float16 on GPU for CTranslate2; none for "
             "transformers (none also makes --backend auto pick transformers). "
             "Quantised outputs are cached apart from others.")]
QuantizeArg = Annotated[bool, typer.Option("--quantize", help="Short for --quantization int8.")]
ThreadsArg = Annotated[int, typer.Option(min=0, help="CPU threads for translation (0: every core).")]
BeamsArg = Annotated[int, typer.Option(min=1, help="Beam size.")]
BatchTokensArg = Annotated[int, typer.Option(min=0, help="Padded source tokens per batch (0: the backend's "
                                                          "default on CPU: 1024 / beams for transformers, 512 for "
                                                          "ctranslate2; 8192 on GPU).")]
CacheArg = Annotated[Path | None, typer.Option(help="Translation cache file (sqlite). "
                                                    "\\[default: the user cache folder]")]
NoCacheArg = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")]
OfflineArg = Annotated[bool, typer.Option(help="Never touch the network (also: HF_HUB_OFFLINE=1).")]
ForceArg = Annotated[bool, typer.Option(help="Write into a non-empty output folder.")]
ViewArg = Annotated[bool, typer.Option(help="Write OUT/view/: side-by-side HTML pages and an index.")]
RetryFlaggedArg = Annotated[bool, typer.Option(help="Translate outputs flagged 'repetition' or 'truncated' "
                                                     "again with n-gram blocking and a wider beam; keep the "
                                                     "better.")]
LowScoreArg = Annotated[float | None, typer.Option(help="Flag translations whose mean token log-probability is "
                                                         "below this ('low_score'), for every language \\[default: "
                                                         "the registry entry's low_score, else -2.0].",
                                                    show_default=False)]
MaxFileMbArg = Annotated[int, typer.Option(min=1, help="Skip (and report) input files bigger than this many "
                                             "MiB: a guard against endless inputs.")]
MaxSentenceCharsArg = Annotated[int, typer.Option(min=1, help="Cut \"sentences\" longer than this into pieces "
                                                    "(flagged 'split'); a run this long with no whitespace is "
                                                    "skipped and reported, and the exit code is 1.")]
WindowKbArg = Annotated[int, typer.Option(min=1, help="Input kilobytes (KiB) gathered across documents per "
                                                       "translation round; smaller rounds write results sooner.")
                         ]
EngineArg = Annotated[str, typer.Option(help="local, or ray: the same pipeline on Ray Data across processes, "
                                             "machines and GPUs (pip install 'xling\\[ray]').")]
AddressArg = Annotated[str | None, typer.Option(help="--engine ray: auto (join this machine's cluster) or "
                                                     "ray://HOST:10001. \\[default: start a local Ray]")]
NumWorkersArg = Annotated[int, typer.Option(min=1, help="--engine ray: translation actors (one model each).")]
GpusPerWorkerArg = Annotated[float, typer.Option(min=0, help="--engine ray: GPUs per translation actor.")]
CpusPerWorkerArg = Annotated[float, typer.Option(min=0.1, help="--engine ray: CPUs per translation actor.")]
QuietArg = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")]
VerboseArg = Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv: debug).")]


def command(
    input_dir: InputDirArg,
    output: OutputArg = None,
    glob: GlobArg = None,
    model: ModelArg = None,
    registry: RegistryArg = None,
    device: DeviceArg = "auto",
    backend: BackendArg = "auto",
    quantization: QuantizationArg = "auto",
    quantize: QuantizeArg = False,
    threads: ThreadsArg = 0,
    beams: BeamsArg = 4,
    batch_tokens: BatchTokensArg = 0,
    cache: CacheArg = None,
    no_cache: NoCacheArg = False,
    offline: OfflineArg = False,
    force: ForceArg = False,
    view: ViewArg = True,
    retry_flagged: RetryFlaggedArg = False,
    low_score: LowScoreArg = None,
    max_file_mb: MaxFileMbArg = 1024,
    follow_links: FollowLinksArg = False,
    boilerplate: BoilerplateArg = "mark",
    max_sentence_chars: MaxSentenceCharsArg = 50_000,
    window_kb: WindowKbArg = 64,
    engine: EngineArg = "local",
    address: AddressArg = None,
    num_workers: NumWorkersArg = 1,
    gpus_per_worker: GpusPerWorkerArg = 0,
    cpus_per_worker: CpusPerWorkerArg = 1,
    quiet: QuietArg = False,
    verbose: VerboseArg = 0,
) -> None:
    """Translate a folder of articles into English and write aligned parallel files.

    English documents are copied to OUT/en/; others are translated sentence by sentence with
    the language's opus-mt model into OUT/<lang>-en/ (Moses, TSV, bead JSONL) and a side-by-side
    view. OUT/manifest.jsonl says what happened to every file. Run the same command to resume.
    """
    from xling.models import parse_overrides
    from xling.pipeline import Options
    from xling.quality import Thresholds
    from xling.translate.base import GenerationSettings

    setup_logging(verbose, quiet)
    ray = dict(address=address, num_workers=num_workers, gpus_per_worker=gpus_per_worker,
               cpus_per_worker=cpus_per_worker)
    with exit_codes(resume_hint=f"Run the same command again to resume: {shlex.join(['xling', *sys.argv[1:]])}"):
        _check(engine, ray, low_score, str(input_dir) == "-", output)
        options = Options(
            globs=tuple(glob or DEFAULT_GLOBS), models=parse_overrides(model or []), registry=registry,
            settings=GenerationSettings(beams=beams, batch_tokens=batch_tokens), device=device,
            backend=backend, threads=threads, quantization="int8" if quantize else quantization,
            cache=cache, use_cache=not no_cache, offline=offline, force=force, view=view,
            thresholds=Thresholds(low_score=low_score), retry_flagged=retry_flagged,
            max_sentence_chars=max_sentence_chars, max_file_mb=max_file_mb, window_bytes=window_kb * 1024,
            follow_links=follow_links, boilerplate=boilerplate,
        )
        report = _translate(input_dir, output, options, engine, ray, quiet)
    _summarise(report, quiet)


def _check(engine: str, ray: dict, low_score: float | None, stdin: bool, output: Path | None) -> None:
    """The CLI's own checks; backend, quantisation and device are checked by the pipeline."""
    from xling.errors import UnknownNameError, UsageError

    if stdin == (output is not None):
        raise UsageError("give an output folder with -o OUT" if not stdin else
                         "- translates standard input to standard output: leave out -o")
    if low_score is not None and not math.isfinite(low_score):
        raise UsageError(f"--low-score must be a number (a mean log-probability such as -2.0), not {low_score}")
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, list(ENGINES))
    defaults = dict(address=None, num_workers=1, gpus_per_worker=0, cpus_per_worker=1)
    if engine == "local" and ray != defaults:
        raise UsageError("--address, --num-workers, --gpus-per-worker and --cpus-per-worker need --engine ray")


def _filter(options) -> None:
    """``xling translate - < a.txt > a.en.txt``: the text's language detected, its sentences translated
    (cached, as in a run), its paragraphs kept; English text passes through unchanged."""
    from xling.api import load_translator, translate_texts
    from xling.data import Document
    from xling.detect import LanguageDetector
    from xling.document import detect_document
    from xling.errors import UsageError
    from xling.models import load_registry

    text = sys.stdin.read()
    registry = load_registry(options.registry).with_overrides(options.models)
    detected = detect_document(Document("-", text.replace("\r\n", "\n"), "utf-8"),
                               LanguageDetector(registry.detection_languages))
    language = detected.language
    if language is None or language == registry.target:
        stderr.print(f"standard input is {language or 'of no language detected'}: passed through unchanged")
        sys.stdout.write(text)
        return
    model = registry.route(language)
    if model is None:
        raise UsageError(f"no model for language {language!r}; pass --model {language}=PATH_OR_ID")
    translator = load_translator(language, model, settings=options.settings, device=options.device,
                                 backend=options.backend, threads=options.threads, quantization=options.quantization,
                                 offline=options.offline, cache=options.cache if options.use_cache else ":memory:")
    translated, = translate_texts([detected.doc.text], language, translator=translator)
    sys.stdout.write(translated.text + "\n")


def _translate(input_dir: Path, output: Path | None, options, engine: str, ray: dict, quiet: bool):
    from xling.cli.progress import RichProgress

    if str(input_dir) == "-":
        return _filter(options)
    with RichProgress(enabled=not quiet and stderr.is_terminal) as progress:
        if engine == "ray":
            from xling.ray_engine import translate_folder_ray

            return translate_folder_ray(input_dir, output, options, progress=progress, **ray)
        from xling.pipeline import translate_folder

        return translate_folder(input_dir, output, options, progress=progress)


def _summarise(report, quiet: bool) -> None:
    """The summary table on stdout, documents with untranslated parts on stderr; exit 1 if any failed."""
    if report is None:  # standard input went to standard output
        return
    if not quiet:
        from xling.cli.summary import print_summary

        print_summary(report, stdout)
    if report.incomplete:
        names = ", ".join(f.path for f in report.incomplete[:5]) + (" ..." if len(report.incomplete) > 5 else "")
        stderr.print(f"{len(report.incomplete)} document(s) have parts that were not translated: {names}",
                     soft_wrap=True)
    if report.failed or report.incomplete:
        raise typer.Exit(EXIT_FAILED)
