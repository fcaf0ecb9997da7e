"""The model registry, overrides, and model resolution (local directory, cache, offline)."""

from __future__ import annotations

import pytest

from xling.errors import ModelUnavailableError, UsageError
from xling.models import Registry, load_registry, parse_overrides, resolve


def test_packaged_registry_routes_polish_and_falls_back():
    registry = load_registry()
    assert registry.route("pl") == "Helsinki-NLP/opus-mt-pl-en"
    assert registry.target == "en"
    assert registry.route("xx") == registry.fallback == "Helsinki-NLP/opus-mt-mul-en"
    assert {"pl", "de", "fr", "es", "it", "ru", "uk", "cs", "nl", "sv", "fi", "en"} <= registry.languages
    assert "lt" in registry.languages and registry.route("lt") == registry.fallback  # detected, then fallback


def test_skip_policy_and_overrides(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('fallback = "skip"\n[models]\npl = "Helsinki-NLP/opus-mt-pl-en"\n', encoding="utf-8")
    registry = load_registry(path).with_overrides({"pl": "/models/pl", "de": "/models/de"})
    assert registry.route("xx") is None
    assert registry.route("pl") == "/models/pl"
    assert registry.route("de") == "/models/de"


def test_bad_registry_says_which_file(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("models = [", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_registry(path)


def test_parse_overrides():
    assert parse_overrides(["pl=/a/b", " DE = org/model "]) == {"pl": "/a/b", "de": "org/model"}
    with pytest.raises(UsageError, match="LANG=PATH_OR_ID"):
        parse_overrides(["pl"])


def test_resolve_local_directory_has_a_content_revision(tiny_model):
    first = resolve(str(tiny_model))
    assert first.path == tiny_model.resolve()
    assert first.revision.startswith("sha256:")
    assert resolve(str(tiny_model)).revision == first.revision


def test_offline_missing_model_names_it_and_says_how_to_provide_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError) as info:
        resolve("Helsinki-NLP/opus-mt-pl-en")
    message = str(info.value)
    assert "Helsinki-NLP/opus-mt-pl-en" in message and "offline" in message and "--model" in message


def test_missing_directory_is_not_mistaken_for_a_hub_id():
    with pytest.raises(ModelUnavailableError, match="no such directory"):
        resolve("./no/such/model")


def test_registry_is_immutable_data():
    registry = Registry({"pl": "a"})
    assert registry.with_overrides({"pl": "b"}).route("pl") == "b"
    assert registry.route("pl") == "a"


def _settled_copy(model, folder):
    import os
    import shutil

    shutil.copytree(model, folder)
    for file in folder.iterdir():
        os.utime(file, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return folder


def test_fingerprint_is_remembered_until_a_file_changes(tiny_model, tmp_path):
    import json

    from xling.models import _fingerprint_memo, fingerprint

    folder = _settled_copy(tiny_model, tmp_path / "model")
    first = fingerprint(folder)
    memo = _fingerprint_memo(folder)
    assert json.loads(memo.read_text())["fingerprint"] == first
    # the remembered value is what a second run gets, without hashing again
    memo.write_text(memo.read_text().replace(first, "sha256:remembered"))
    assert fingerprint(folder) == "sha256:remembered"
    # any change to a file's size or mtime: hashed again
    with (folder / "config.json").open("a") as handle:
        handle.write(" ")
    changed = fingerprint(folder)
    assert changed.startswith("sha256:") and changed not in (first, "sha256:remembered")


def test_fingerprint_of_a_folder_just_written_is_not_remembered(tiny_model, tmp_path):
    import shutil

    from xling.models import _fingerprint_memo, fingerprint

    folder = tmp_path / "model"
    shutil.copytree(tiny_model, folder, copy_function=shutil.copy)  # mtimes: now
    assert fingerprint(folder) == fingerprint(_settled_copy(tiny_model, tmp_path / "other"))
    assert not _fingerprint_memo(folder).exists()


def test_damaged_fingerprint_memo_is_ignored(tiny_model, tmp_path):
    from xling.models import _fingerprint_memo, fingerprint

    folder = _settled_copy(tiny_model, tmp_path / "model")
    first = fingerprint(folder)
    _fingerprint_memo(folder).write_text("{not json")
    assert fingerprint(folder) == first
