"""Plain functions for use from Python; the CLI commands are thin wrappers over these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xling.data import Translation
from xling.detect import LanguageDetector
from xling.document import DATA_RUN_CHARS, read_detected, text_sentences
from xling.errors import ReadError
from xling.io import DEFAULT_GLOBS, DEFAULT_MAX_FILE_MB, discover, leaves, relative_id
from xling.models import load_registry, resolve
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
                  registry: Path | None = None, *, max_file_mb: int = DEFAULT_MAX_FILE_MB,
                  max_sentence_chars: int = DATA_RUN_CHARS, follow_links: bool = False) -> list[DetectedFile]:
    """Language of every matching file under ``input_dir`` and of its paragraphs: read and judged
    exactly as ``translate_folder`` reads and judges them (``xling.document``)."""
    named = Path(input_dir)
    if named.is_file():  # one file, named by the user: read whatever its name, even through a link
        root, paths, follow_links = named.parent, [named], True
    else:
        root, paths = named, discover(named, globs)
    detector = LanguageDetector(load_registry(registry).detection_languages)
    results = []
    for path in paths:
        if not follow_links and leaves(root, path):
            results.append(DetectedFile(relative_id(root, path), None, 0.0, None, 0, {},
                                        "link to a file outside the input folder, not followed (--follow-links)"))
            continue
        try:
            found = read_detected(root, path, detector, max_file_mb * 2**20, max_sentence_chars)
        except ReadError as exc:
            results.append(DetectedFile(relative_id(root, path), None, 0.0, None, 0, {}, str(exc)))
            continue
        doc = found.doc
        results.append(DetectedFile(doc.id, doc.language, doc.confidence, doc.encoding, len(found.paragraphs),
                                    found.detection.other_languages()))
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
    from xling.translate.options import check_device

    spec = model or load_registry(registry).route(source_lang)
    if spec is None:
        from xling.errors import UsageError

        raise UsageError(f"no model for language {source_lang!r}; pass model=PATH_OR_ID")
    check_device(device, backend)
    inner = create_translator(resolve(spec, offline), settings, Runtime(device, threads, quantization), backend)
    return CachedTranslator(inner, TranslationCache(cache or default_cache_path()))


def translate_texts(texts: Sequence[str], source_lang: str = "pl", model: str | None = None, *,
                    translator: Translator | None = None, **kwargs) -> list[Translation]:
    """Translate whole texts: each is split into sentences, translated, and put back together.

    Paragraph breaks are kept; the score is the token-weighted mean of the
    sentences'; flags are the union of theirs.
    """
    translator = translator or load_translator(source_lang, model, **kwargs)
    # per text: its paragraphs, each a list of sentences, cut as a file of that language would be
    layout = [text_sentences(text, source_lang) for text in texts]
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


def load_bridge(source_lang: str, target_lang: str, model: str | None = None,
                **kwargs) -> tuple[Translator | None, str]:
    """The translator ``align_texts`` uses as a bridge, or ``None`` and why there is none.

    xling's models translate into English: another target needs a bridge from a file (``--mt``).
    The registry's model may be missing from this machine: the alignment then goes on without a
    bridge. A ``model`` the caller names must load: an ``XlingError`` says why it does not (aligning
    without it would be far worse than what was asked for).
    """
    from xling.errors import UsageError, XlingError

    if target_lang != "en":
        note = f"xling's models translate into English, not {target_lang!r}; pass --mt FILE for a bridge"
        if model is not None:
            raise UsageError(note)
        return None, note
    try:
        return load_translator(source_lang, model, **kwargs), ""
    except XlingError as exc:
        if model is not None:
            raise
        return None, f"no bridge translation ({exc})"
