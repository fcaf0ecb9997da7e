"""Plain functions for use from Python; the CLI commands are thin wrappers over these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xling.data import Translation
from xling.detect import LanguageDetector
from xling.errors import ReadError
from xling.io import DEFAULT_GLOBS, DEFAULT_MAX_FILE_MB, discover, read_document, relative_id
from xling.models import load_registry, resolve
from xling.segment import Segmenter, paragraphs_spans
from xling.translate.base import GenerationSettings, Translator


@dataclass(frozen=True, slots=True)
class DetectedFile:
    path: str
    language: str | None
    confidence: float
    encoding: str | None
    paragraphs: int
    mixed: dict[str, int]
    error: str = ""


def detect_folder(input_dir: Path | str, globs: Sequence[str] = DEFAULT_GLOBS,
                  registry: Path | None = None) -> list[DetectedFile]:
    """Language of every matching file under ``input_dir`` and of its paragraphs."""
    root = Path(input_dir)
    detector = LanguageDetector(load_registry(registry).detection_languages)
    results = []
    for path in discover(root, globs):
        try:
            doc = read_document(root, path, DEFAULT_MAX_FILE_MB * 2**20)
        except ReadError as exc:
            results.append(DetectedFile(relative_id(root, path), None, 0.0, None, 0, {}, str(exc)))
            continue
        spans = paragraphs_spans(doc.text)
        found = detector.detect_document(doc.text, [doc.text[s:e] for s, e in spans])
        results.append(DetectedFile(doc.id, found.language, found.confidence, doc.encoding, len(spans),
                                    found.other_languages()))
    return results


def load_translator(source_lang: str, model: str | None = None, *, settings: GenerationSettings | None = None,
                    device: str = "auto", backend: str = "auto", threads: int = 0,
                    quantization: str = "auto", offline: bool = False, cache: Path | None = None,
                    registry: Path | None = None) -> Translator:
    """A Marian translator for ``source_lang`` (routed by the registry unless ``model`` is given), cached.

    ``backend`` is ``auto`` (CTranslate2 where it runs, else transformers), ``transformers`` or
    ``ctranslate2``; ``quantization`` is ``none``/``int8`` for transformers and a CTranslate2 compute
    type for CTranslate2 (``auto``: int8 on CPU, int8_float16 on GPU; ``none`` makes ``auto`` pick
    transformers).
    """
    from xling.translate.backends import create_translator
    from xling.translate.batched import Runtime
    from xling.translate.cache import CachedTranslator, TranslationCache, default_cache_path

    spec = model or load_registry(registry).route(source_lang)
    if spec is None:
        from xling.errors import UsageError

        raise UsageError(f"no model for language {source_lang!r}; pass model=PATH_OR_ID")
    inner = create_translator(resolve(spec, offline), settings, Runtime(device, threads, quantization), backend)
    return CachedTranslator(inner, TranslationCache(cache or default_cache_path()))


def translate_texts(texts: Sequence[str], source_lang: str = "pl", model: str | None = None, *,
                    translator: Translator | None = None, **kwargs) -> list[Translation]:
    """Translate whole texts: each is split into sentences, translated, and put back together.

    Paragraph breaks are kept; the score is the token-weighted mean of the
    sentences'; flags are the union of theirs.
    """
    translator = translator or load_translator(source_lang, model, **kwargs)
    segmenter = Segmenter(source_lang)
    layout = []  # per text: list of paragraphs, each a list of sentence strings
    for text in texts:
        layout.append([[text[s:e] for s, e in segmenter.sentences(text, ps, pe)]
                       for ps, pe in paragraphs_spans(text)])
    flat = [sentence for paragraphs in layout for paragraph in paragraphs for sentence in paragraph]
    results = iter(translator.translate(flat))
    out = []
    for text, paragraphs in zip(texts, layout, strict=True):
        parts = [[next(results) for _ in paragraph] for paragraph in paragraphs]
        pieces = [t for paragraph in parts for t in paragraph]
        score = sum(t.score for t in pieces) / len(pieces) if pieces else 0.0
        flags = tuple(sorted({f for t in pieces for f in t.flags}))
        joined = "\n".join(" ".join(t.text for t in paragraph) for paragraph in parts)
        out.append(Translation(text, joined, translator.model_id, round(score, 4), flags))
    return out
