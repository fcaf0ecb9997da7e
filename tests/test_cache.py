"""The sqlite translation cache."""

from __future__ import annotations

import pytest

from conftest import FakeTranslator
from xling.data import Translation
from xling.translate.cache import CachedTranslator, TranslationCache, namespace


def test_round_trip_and_namespaces(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    t = Translation("źródło\tz tabem", "source\nwith newline", "m", -0.25, ("split",))
    cache.put_many("a", [t])
    assert cache.get_many("a", [t.source, "other"]) == {t.source: t}
    assert cache.get_many("b", [t.source]) == {}


def test_settings_are_part_of_the_key():
    fake = FakeTranslator()
    before = namespace(fake)
    fake.settings = type(fake.settings)(beams=1)
    assert namespace(fake) != before


def test_entries_of_an_older_format_are_not_reused(monkeypatch):
    import xling.translate.cache as cache_module

    fake = FakeTranslator()
    current = namespace(fake)
    monkeypatch.setattr(cache_module, "ENTRY_VERSION", cache_module.ENTRY_VERSION - 1)
    assert namespace(fake) != current


def test_commits_per_chunk_so_an_interruption_keeps_work(tmp_path):
    fake = FakeTranslator()
    cache = TranslationCache(tmp_path / "c.sqlite3")
    calls = []

    def stop_after_first_chunk(count):
        calls.append(count)
        raise KeyboardInterrupt

    texts = [f"zdanie {i}" for i in range(10)]
    with pytest.raises(KeyboardInterrupt):
        CachedTranslator(fake, cache, chunk=4, on_chunk=stop_after_first_chunk).translate(texts)
    assert calls == [4]
    reopened = TranslationCache(tmp_path / "c.sqlite3")
    assert len(reopened.get_many(namespace(fake), texts)) == 4
