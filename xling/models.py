"""Route stage: which model translates a language, and where its files are.

Resolution order for a model: an explicit local directory; the local Hugging
Face cache; a download (only when the network is allowed). With ``offline``
(``--offline`` or ``HF_HUB_OFFLINE=1``) nothing touches the network.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from xling.errors import ModelUnavailableError, UsageError
from xling.quality import OmissionModel, Thresholds

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SKIP = "skip"
# Files a Marian checkpoint needs; weights prefer safetensors (no pickle).
_TOKENIZER_FILES = ["*.json", "*.spm", "*.txt"]


@dataclass(frozen=True, slots=True)
class Registry:
    """Source language → model id or local path, with a fallback for unlisted languages."""

    models: Mapping[str, str]
    fallback: str = SKIP
    target: str = "en"
    overrides: Mapping[str, str] = field(default_factory=dict)
    # Languages to recognise although they have no model of their own: without them the
    # detector would label such a document with the nearest listed language.
    detect: tuple[str, ...] = ()
    # Per source language: calibration of the quality flags ([quality.<lang>] in the TOML).
    quality: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def thresholds(self, base: Thresholds) -> Thresholds:
        """``base`` with this registry's per-language omission models and low-score thresholds
        (what ``base`` already sets for a language wins)."""
        omission = {lang: OmissionModel(q["omission_median"], q["omission_threshold"])
                    for lang, q in self.quality.items() if "omission_median" in q and "omission_threshold" in q}
        low = {lang: q["low_score"] for lang, q in self.quality.items() if "low_score" in q}
        return replace(base, omission={**omission, **base.omission}, low_score_for={**low, **base.low_score_for})

    def route(self, language: str) -> str | None:
        """Model for ``language``, or ``None`` when the fallback policy is ``skip``."""
        if language in self.overrides:
            return self.overrides[language]
        if language in self.models:
            return self.models[language]
        return None if self.fallback == SKIP else self.fallback

    @property
    def languages(self) -> set[str]:
        return set(self.models) | set(self.overrides) | set(self.detect) | {self.target}

    @property
    def detection_languages(self) -> set[str]:
        """What the detector tells apart: these languages and the packaged registry's. A registry
        without Polish must still see a Polish document as Polish (and say it has no model for it),
        never as the closest language it knows, which may be the target."""
        return self.languages | _packaged_languages()

    def with_overrides(self, overrides: Mapping[str, str]) -> Registry:
        """This registry with ``--model LANG=...`` overrides; a language no document could ever be
        detected as (``xx``) is an error, not an override that silently never applies."""
        unknown = sorted(lang for lang in overrides if lang not in self.detection_languages and not _detectable(lang))
        if unknown:
            raise UsageError(f"--model {unknown[0]}=...: {unknown[0]!r} is not a language xling can detect; use an "
                             "ISO 639-1 code such as pl, de or uk")
        return replace(self, overrides={**self.overrides, **overrides})


def _detectable(code: str) -> bool:
    """Whether the language detector knows the ISO 639-1 ``code``."""
    from lingua import IsoCode639_1

    return hasattr(IsoCode639_1, code.upper()) and len(code) == 2


@functools.lru_cache(maxsize=1)
def _packaged_languages() -> frozenset[str]:
    return frozenset(_parse_registry(_packaged_registry(), None).languages)


def load_registry(path: Path | None = None) -> Registry:
    """Read the registry TOML: ``path``, else ``$XLING_REGISTRY``, else the packaged one."""
    path = path or (Path(os.environ["XLING_REGISTRY"]) if os.environ.get("XLING_REGISTRY") else None)
    if path is not None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read model registry {path}: {exc.strerror}") from exc
    else:
        raw = _packaged_registry()
    return _parse_registry(raw, path)


def _parse_registry(raw: bytes, path: Path | None) -> Registry:
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"model registry {path or 'models/registry.toml'} is not valid TOML: {exc}") from exc
    _check_types(table, path or "models/registry.toml")
    return Registry(
        models=dict(table.get("models", {})),
        fallback=str(table.get("fallback", SKIP)),
        target=str(table.get("target", "en")),
        detect=tuple(table.get("detect", ())),
        quality=_quality_tables(table.get("quality", {}), path),
    )


def _check_types(table: dict, where) -> None:
    """A registry with a wrong type fails at start with the key named, not per document later."""
    for key in ("target", "fallback"):
        if key in table and not isinstance(table[key], str):
            raise UsageError(f"model registry {where}: {key} must be a string, not {table[key]!r}")
    models = table.get("models", {})
    if not isinstance(models, dict):
        raise UsageError(f"model registry {where}: [models] must be a table of LANG = \"MODEL\"")
    for lang, model in models.items():
        if not isinstance(model, str) or not model:
            raise UsageError(f"model registry {where}: [models] {lang} must be a model id or path (a string), "
                             f"not {model!r}")
    detect = table.get("detect", [])
    if not isinstance(detect, list) or not all(isinstance(code, str) for code in detect):
        raise UsageError(f"model registry {where}: detect must be a list of language codes")


_QUALITY_KEYS = ("omission_median", "omission_threshold", "low_score")


def _quality_tables(raw, path: Path | None) -> dict[str, dict[str, float]]:
    """``[quality.<lang>]`` tables, checked: only known keys, finite numbers."""
    where = path or "models/registry.toml"
    if not isinstance(raw, dict):
        raise UsageError(f"model registry {where}: 'quality' must be a table of [quality.<lang>] tables")
    out = {}
    for lang, entry in raw.items():
        if not isinstance(entry, dict):
            raise UsageError(f"model registry {where}: [quality.{lang}] must be a table")
        for key, value in entry.items():
            if key not in _QUALITY_KEYS:
                raise UsageError(f"model registry {where}: unknown key {key!r} in [quality.{lang}] "
                                 f"(known: {', '.join(_QUALITY_KEYS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise UsageError(f"model registry {where}: [quality.{lang}] {key} must be a finite number")
        out[lang] = {k: float(v) for k, v in entry.items()}
    return out


def _packaged_registry() -> bytes:
    packaged = resources.files("xling") / "registry.toml"
    if packaged.is_file():  # installed wheel
        return packaged.read_bytes()
    return (Path(__file__).resolve().parent.parent / "models" / "registry.toml").read_bytes()


def parse_overrides(specs: list[str]) -> dict[str, str]:
    """``["pl=/models/pl-en", "de=Helsinki-NLP/opus-mt-de-en"]`` → ``{"pl": ..., "de": ...}``."""
    overrides = {}
    for spec in specs:
        lang, sep, model = spec.partition("=")
        if not sep or not lang.strip() or not model.strip():
            raise UsageError(f"--model expects LANG=PATH_OR_ID (for example pl=./models/opus-mt-pl-en), got {spec!r}")
        overrides[lang.strip().lower()] = model.strip()
    return overrides


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model's files on local disk, with the id and revision that name it in caches and outputs."""

    model_id: str
    path: Path
    revision: str


def is_offline(offline: bool = False) -> bool:
    return offline or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve(model: str, offline: bool = False) -> ResolvedModel:
    """Find ``model`` (a directory or a hub id) on disk, downloading it only if allowed."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelUnavailableError(model, f"the folder {path} holds no config.json, so it is not a model "
                                               "folder", path=True)
        return ResolvedModel(model_id=path.resolve().name, path=path.resolve(), revision=fingerprint(path))
    if model.startswith((".", "/", "~")) or model.count("/") > 1:  # a path, not an "org/name" hub id
        raise ModelUnavailableError(model, "no such directory", path=True)
    try:
        return _snapshot(model, local_only=True)
    except (OSError, ValueError):
        pass
    if is_offline(offline):
        raise ModelUnavailableError(model, "it is not in the local Hugging Face cache and xling is offline")
    try:
        return _snapshot(model, local_only=False)
    except (OSError, ValueError) as exc:
        cause = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ModelUnavailableError(model, f"the download failed ({cause})") from exc


def _snapshot(model_id: str, local_only: bool) -> ResolvedModel:
    """The model's files from the HF cache (or the hub); raises OSError/ValueError when not to be had."""
    from huggingface_hub import snapshot_download

    # huggingface_hub's errors (not found locally, HTTP errors) derive from OSError or ValueError.
    folder = Path(snapshot_download(model_id, allow_patterns=[*_TOKENIZER_FILES, "*.safetensors"],
                                    local_files_only=local_only))
    if not any(folder.glob("*.safetensors")):  # older repos ship only a pickle checkpoint
        folder = Path(snapshot_download(model_id, allow_patterns=[*_TOKENIZER_FILES, "pytorch_model.bin"],
                                        local_files_only=local_only))
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{model_id}: no config.json in {folder}")
    return ResolvedModel(model_id=model_id, path=folder, revision=folder.name)


RACY_NS = 2_000_000_000


def fingerprint(path: Path) -> str:
    """A content hash of a local model directory: a changed model never reuses cached translations.

    Hashing a full-size model reads ~300 MB (0.3 s a run), so the hash is remembered in
    xling's cache with each file's size, mtime and inode, and read again only when one
    of them changes (how make and git notice changed files).
    """
    files = sorted(p for p in path.iterdir() if p.is_file())
    stamp = [[f.name, st.st_size, st.st_mtime_ns, st.st_ino] for f in files for st in [f.stat()]]
    memo = _fingerprint_memo(path)
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known["files"] == stamp:
            return known["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        with file.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
    result = "sha256:" + digest.hexdigest()[:16]
    # A file changed within the clock's granularity of the last write could change again unseen
    # under the same mtime ("racy git"): only settled folders are remembered.
    if all(time.time_ns() - mtime > RACY_NS for _, _, mtime, _ in stamp):
        from xling.formats.atomic import write_text

        with contextlib.suppress(OSError):  # a read-only cache only costs the hashing next time
            memo.parent.mkdir(parents=True, exist_ok=True)
            write_text(memo, json.dumps({"path": str(path), "files": stamp, "fingerprint": result}) + "\n")
    return result


def _fingerprint_memo(path: Path) -> Path:
    from xling.notice import cache_root

    key = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:24]
    return cache_root() / "fingerprints" / f"{key}.json"
