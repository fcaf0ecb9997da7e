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


def test_a_cache_in_a_folder_not_made_yet_is_made_and_waits_a_minute_for_other_runs(tmp_path):
    import sqlite3

    path = tmp_path / "not" / "yet" / "made.sqlite3"
    cache = TranslationCache(path)
    cache.put_many("a", [Translation("x", "y", "m", 0.0)])
    cache.close()
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # readers never block the writer
    assert other.execute("SELECT key FROM translations").fetchall() == [(TranslationCache.key("a", "x"),)]
    reopened = TranslationCache(path)
    assert reopened._db.execute("PRAGMA busy_timeout").fetchone() == (60_000,)
    assert reopened.get_many("a", ["x"])["x"].text == "y"


def test_an_in_memory_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = TranslationCache(":memory:")
    cache.put_many("a", [Translation("x", "y", "m", 0.0)])
    assert cache.get_many("a", ["x"])["x"].text == "y"
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_cache_path_is_one_line_naming_it_and_the_way_out(tmp_path):
    from xling.errors import UsageError

    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    with pytest.raises(UsageError) as caught:
        TranslationCache(folder)
    message = str(caught.value)
    assert str(folder) in message and message.endswith("; move it away, or pass --cache PATH or --no-cache")
    assert "\n" not in message


def test_the_cache_is_usable_from_another_thread_than_the_one_that_opened_it(tmp_path):
    """A Ray actor is built on one thread and called on another."""
    from concurrent.futures import ThreadPoolExecutor

    cache = TranslationCache(tmp_path / "c.sqlite3")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(cache.put_many, "a", [Translation("x", "y", "m", 0.0)]).result()
        assert pool.submit(cache.get_many, "a", ["x"]).result()["x"].text == "y"


class _Locked:
    """A connection whose first ``fails`` statements fail with ``message``."""

    def __init__(self, fails: int, message: str = "database is locked") -> None:
        self.fails, self.message, self.calls = fails, message, 0

    def execute(self, sql: str):
        import sqlite3

        self.calls += 1
        if self.calls <= self.fails:
            raise sqlite3.OperationalError(self.message)
        return None


def test_setting_up_retries_a_locked_file_briefly_and_nothing_else(tmp_path, monkeypatch):
    import sqlite3

    import xling.translate.cache as cache_module

    waits: list[float] = []
    monkeypatch.setattr(cache_module.time, "sleep", waits.append)
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cache._db = _Locked(fails=3)
    cache._setup(attempts=4)  # three locked attempts, then the two statements of the fourth
    assert cache._db.calls == 3 + 2
    assert len(waits) == 3 and all(0 < w < 0.5 for w in waits) and waits == sorted(waits) and waits[0] < waits[-1]
    cache._db = _Locked(fails=4)
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # still locked at the last attempt
        cache._setup(attempts=4)
    assert cache._db.calls == 4
    cache._db = _Locked(fails=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):  # not a lock: no retry
        cache._setup(attempts=4)
    assert cache._db.calls == 1


def test_lookups_of_more_texts_than_one_query_takes_find_every_one(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    texts = [f"zdanie {i}" for i in range(1_234)]
    cache.put_many("a", [Translation(t, t.upper(), "m", 0.0) for t in texts])
    found = cache.get_many("a", [*texts, "nowe"])
    assert sorted(found) == sorted(texts) and all(found[t].text == t.upper() for t in texts)


class _Recording(FakeTranslator):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def translate(self, texts):
        self.calls.append(list(texts))
        return super().translate(texts)


def test_missing_texts_are_translated_once_each_shortest_first_in_chunks(tmp_path):
    from xling.translate.cache import translate_cached

    texts = ["ccc", "z", "bb", "z", "aaaa", "bb", "eeeee"]
    recording = _Recording()
    cache = TranslationCache(tmp_path / "c.sqlite3")
    out, missing = translate_cached(recording, cache, texts, chunk=2)
    assert [t.text for t in out] == [t.upper() for t in texts]
    assert recording.calls == [["z", "bb"], ["ccc", "aaaa"], ["eeeee"]]  # by length, not by letter
    assert missing == {"z", "bb", "ccc", "aaaa", "eeeee"}
    again, missing = translate_cached(recording, cache, texts, chunk=2)
    assert [t.text for t in again] == [t.upper() for t in texts] and missing == set() and len(recording.calls) == 3


def test_a_cached_translator_answers_in_input_order(tmp_path):
    recording = _Recording()
    cached = CachedTranslator(recording, TranslationCache(tmp_path / "c.sqlite3"))
    assert [t.text for t in cached.translate(["bb", "a", "bb"])] == ["BB", "A", "BB"]
    assert [t.text for t in cached.translate(["a", "ccc"])] == ["A", "CCC"]
    assert recording.calls == [["a", "bb"], ["ccc"]]


def test_the_default_cache_lives_in_xlings_cache_folder(tmp_path, monkeypatch):
    from xling.translate.cache import default_cache_path

    monkeypatch.setenv("XLING_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_path() == tmp_path / "here" / "translations.sqlite3"


def test_other_settings_share_the_cache_file_not_its_entries(tmp_path):
    recording, done = _Recording(), []
    cached = CachedTranslator(recording, TranslationCache(tmp_path / "c.sqlite3"), chunk=1, on_chunk=done.append)
    cached.translate(["a"])
    other = cached.with_settings(type(recording.settings)(beams=1))
    assert other.cache is cached.cache and other.chunk == 1
    assert [t.text for t in other.translate(["a", "b"])] == ["A", "B"]
    assert recording.seen == ["a", "a", "b"]  # another namespace: "a" translated again
    assert done == [1, 1, 1]  # progress reported by both, a chunk of one text at a time
