"""Output names: one per input, never shared, always writable; odd input names end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS
from xling.cli import app
from xling.naming import MAX_PART_BYTES, display_path, output_names

OUTPUT_SUFFIXES = ("pl", "en", "tsv", "jsonl", "html")


def _files(names: dict[str, str]) -> list[str]:
    return [f"{stem}.{suffix}".casefold() for stem in names.values() for suffix in OUTPUT_SUFFIXES]


def _assert_safe(doc_ids: list[str]) -> None:
    names = output_names(doc_ids)
    for mapping, files in ((names.stem, _files(names.stem)), (names.copy, [c.casefold() for c in names.copy.values()])):
        assert len(set(files)) == len(files)  # no two inputs share an output (case folded)
        folders = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
        assert not folders & set(files)  # no output is another's folder
        for name in mapping.values():
            for part in name.split("/"):
                assert part.strip(".") and len(part.encode("utf-8")) <= MAX_PART_BYTES + 12
                part.encode("utf-8")  # writable as UTF-8 (no lone surrogates)
            assert ".." not in name.split("/") and not name.startswith("/")


def test_the_cases_that_once_overwrote_or_aborted():
    ids = ["sub.txt", "sub/..txt", "...txt", "..txt", "a.txt", "A.txt", "a.pl/b.txt", "x" * 250 + ".txt",
           display_path(os.fsdecode(b"caf\xe9.txt"))]
    _assert_safe(ids)
    names = output_names(ids)
    assert names.stem["sub.txt"] == "sub" and names.stem["sub/..txt"].startswith("sub/")
    assert "/" not in names.stem["..txt"] and names.stem["..txt"] not in (".", "..")
    assert names.stem["a.txt"] != names.stem["A.txt"]
    assert names.copy[display_path(os.fsdecode(b"caf\xe9.txt"))].startswith("caf_xe9")


_part = st.one_of(
    st.sampled_from([".", "..", "...", "a", "A", "sub", "a.pl", "x" * 240, "\x01", "caf\udce9"]),
    st.text(alphabet="aAbB.ł_-", min_size=1, max_size=12),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_part, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".txt"),
                min_size=1, max_size=8, unique=True))
def test_names_are_distinct_and_writable_for_any_paths(ids):
    _assert_safe([display_path(i) for i in ids])


def _write(folder: Path, relative: bytes, text: str) -> None:
    path = os.path.join(os.fsencode(folder), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))


def test_odd_names_are_all_translated_into_distinct_files(tmp_path, fake_backend):
    polish = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
    folder = tmp_path / "in"
    odd = [b"sub.txt", b"sub/..txt", b"...txt", b"..txt", b"caf\xe9.txt", b"y" * 250 + b".txt", b"#1 ?%.txt"]
    for i, name in enumerate(odd):  # each document says which it is
        _write(folder, name, polish.replace("Reżimy", f"Reżimy{i:02d}"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["translate", str(folder), "-o", str(out), *fake_backend])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(odd) and all(r["status"] == "translated" for r in rows)
    ids = [display_path(os.fsdecode(n)) for n in odd]
    assert {r["path"] for r in rows} == set(ids) and "caf\\xe9.txt" in ids  # the original bytes, escaped
    pair = (out / "pl-en").resolve()
    targets = set()
    for row in rows:
        (target,) = [o for o in row["outputs"] if o.endswith(".en")]
        targets.add(target)
        assert (out / target).resolve().is_relative_to(pair)
        # the fake model upper-cases: each file holds its own document's sentences
        assert f"REŻIMY{ids.index(row['path']):02d}" in (out / target).read_text(encoding="utf-8")
    assert len(targets) == len(odd)
    assert not list(out.glob("pl-en.*"))  # nothing written beside the pair folder
