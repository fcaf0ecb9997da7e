"""A persistent translation cache in sqlite: never translate the same sentence twice.

Keyed by (model id, model revision, generation settings, source text). It
commits after every chunk, so an interrupted run keeps what it finished; WAL
mode and a busy timeout let two runs share one cache file safely.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from xling.data import Translation
from xling.translate.base import GenerationSettings, Translator

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    target TEXT NOT NULL,
    score REAL NOT NULL,
    flags TEXT NOT NULL
)
"""


def default_cache_path() -> Path:
    from xling.notice import cache_root

    return cache_root() / "translations.sqlite3"


class TranslationCache:
    """Source text → ``Translation`` for one namespace (model, revision, settings)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: a write waits up to a minute for another run's (sqlite's busy handler);
        # check_same_thread off: used by one caller at a time, but a Ray actor is built on one
        # thread and called on another.
        try:
            self._db = sqlite3.connect(str(path), timeout=60.0, isolation_level=None, check_same_thread=False)
            self._setup()
        except sqlite3.Error as exc:
            from xling.errors import UsageError

            raise UsageError(f"the translation cache {path} cannot be used ({exc}); move it away, or pass "
                             "--cache PATH or --no-cache") from exc

    def _setup(self, attempts: int = 50) -> None:
        """Switch to WAL and create the table. Two processes creating the same file at once can get
        "database is locked" here without the busy handler being consulted, so retry briefly."""
        for attempt in range(attempts):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    @staticmethod
    def key(namespace: str, source: str) -> str:
        return hashlib.sha256(f"{namespace}\x00{source}".encode()).hexdigest()

    def get_many(self, namespace: str, sources: Sequence[str]) -> dict[str, Translation]:
        found = {}
        keys = {self.key(namespace, s): s for s in dict.fromkeys(sources)}
        items = list(keys)
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, model, target, score, flags FROM translations WHERE key IN ({marks})", chunk)
            for key, model, target, score, flags in rows:
                source = keys[key]
                found[source] = Translation(source, target, model, score, tuple(json.loads(flags)))
        return found

    def put_many(self, namespace: str, translations: Sequence[Translation]) -> None:
        rows = [(self.key(namespace, t.source), t.model, t.text, t.score, json.dumps(list(t.flags)))
                for t in translations]
        with self._db:  # one transaction: all of the chunk or none of it
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()


# What a cached translation records; raised when that changes, so older entries are not taken
# for complete ones. 2: backends flag outputs that ran into the length cap ("truncated"); the
# entries of 1 had no version in their namespace.
ENTRY_VERSION = 2


def namespace(translator: Translator) -> str:
    return f"{translator.model_id}@{translator.revision}|{translator.settings.key()}|v{ENTRY_VERSION}"


def translate_cached(translator: Translator, cache: TranslationCache, texts: Sequence[str], chunk: int = 256,
                     on_chunk: Callable[[int], None] | None = None) -> tuple[list[Translation], set[str]]:
    """Translations of ``texts`` from the cache, the missing ones translated (shortest first, in
    chunks committed one by one, so an interrupted run keeps what it finished) and stored.

    Returns the translations in input order and the texts that had to be translated.
    """
    ns = namespace(translator)
    found = cache.get_many(ns, texts)
    missing = sorted({t for t in texts if t not in found}, key=lambda t: (len(t), t))
    for start in range(0, len(missing), chunk):
        results = translator.translate(missing[start:start + chunk])
        cache.put_many(ns, results)
        found.update((r.source, r) for r in results)
        if on_chunk:
            on_chunk(len(results))
    return [found[t] for t in texts], set(missing)


class CachedTranslator:
    """A ``Translator`` answered from the cache where it can (``translate_cached``), for the Python API."""

    def __init__(self, inner: Translator, cache: TranslationCache, chunk: int = 256,
                 on_chunk: Callable[[int], None] | None = None) -> None:
        self._inner = inner
        self.cache = cache
        self.chunk = chunk
        self.on_chunk = on_chunk
        self.model_id, self.revision, self.settings = inner.model_id, inner.revision, inner.settings

    def with_settings(self, settings: GenerationSettings) -> CachedTranslator:
        """The same model and cache, other decoding settings (a separate cache namespace)."""
        return CachedTranslator(self._inner.with_settings(settings), self.cache, self.chunk, self.on_chunk)

    def describe(self) -> str:
        return self._inner.describe()

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        return translate_cached(self._inner, self.cache, texts, self.chunk, self.on_chunk)[0]
