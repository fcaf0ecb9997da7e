"""xling deletes only what it wrote, never drops text in silence, and is plain to a new user.

Each test is one case found by trying the CLI as an attacker and as a new user would; the
expected values are worked out from the case itself (which files exist, what a reader sees).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS
from xling.cli import app
from xling.formats.atomic import LOCK_FILE
from xling.formats.beads import read_beads

runner = CliRunner()
POLISH = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
ENGLISH = (SEEDS / "000_9dade273bd72a989.txt").read_text(encoding="utf-8")
STEM = POLISH_SEED.removesuffix(".txt")


def translate(folder: Path, out: Path | str, *extra: str):
    return runner.invoke(app, ["translate", str(folder), "-o", str(out), *extra])


def manifest(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return {row["path"]: row for row in rows}


def files_under(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def run_files_are_the_manifest(out: Path) -> None:
    """Every file of the folder is a listed output or one of the run's own files, and the reverse."""
    listed = {o for row in manifest(out).values() for o in row["outputs"]}
    assert files_under(out) == listed | {"manifest.jsonl", "view/index.html", LOCK_FILE}


def test_an_output_folder_that_holds_the_input_is_refused_in_every_spelling(tmp_path, seeds, fake_backend,
                                                                            monkeypatch):
    (seeds / ".draft.tmp").write_text("a user's draft", encoding="utf-8")
    link = tmp_path / "link-to-parent"
    link.symlink_to(tmp_path)
    monkeypatch.chdir(tmp_path)
    for spelling in (".", str(tmp_path), "seeds/..", str(link), "./"):
        result = translate(Path("seeds"), spelling, *fake_backend, "--force")
        assert result.exit_code == 2, spelling
        assert "holds the input folder" in " ".join(result.output.split())
    assert (seeds / ".draft.tmp").read_text(encoding="utf-8") == "a user's draft"


def test_force_leaves_temporary_files_of_other_programs_alone(tmp_path, seeds, fake_backend):
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    theirs = [out / "notes" / ".note.tmp", out / ".x.tmp", out / "pl-en" / f".{STEM}.en.abcdefgh.tmp"]
    for path in theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_text("not xling's", encoding="utf-8")
    ours = out / "pl-en" / f".xling~{STEM}.en.k2j4m9x1.tmp"  # what a killed xling writer leaves
    ours.write_text("half", encoding="utf-8")
    assert translate(seeds, out, *fake_backend, "--force").exit_code == 0
    assert all(p.read_text(encoding="utf-8") == "not xling's" for p in theirs)
    assert not ours.exists()


def test_export_cannot_overwrite_the_lock_and_a_tampered_manifest_deletes_nothing_of_the_run(
        tmp_path, seeds, fake_backend):
    out = tmp_path / "out"
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    assert translate(seeds, out, *fake_backend).exit_code == 0
    (out / LOCK_FILE).write_text("4242\n", encoding="ascii")  # as a running xling holds it
    result = runner.invoke(app, ["export", str(out), "--format", "tsv", "-o", str(out / LOCK_FILE)])
    assert result.exit_code == 2 and "refusing" in result.output
    assert (out / LOCK_FILE).read_text(encoding="ascii") == "4242\n"
    rows = manifest(out)
    rows[POLISH_SEED]["outputs"] += [LOCK_FILE, "manifest.jsonl", "../outside.txt", str(outside), "view/index.html"]
    rows["gone.txt"] = {"path": "gone.txt", "status": "passed", "outputs": [LOCK_FILE, "../outside.txt"]}
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows.values()), encoding="utf-8")
    assert translate(seeds, out, *fake_backend, "--force").exit_code == 0
    assert (out / LOCK_FILE).exists() and outside.read_text(encoding="utf-8") == "keep me"
    run_files_are_the_manifest(out)


def test_force_removes_the_outputs_a_document_no_longer_has(tmp_path, seeds, fake_backend):
    """A document that turned English, became empty, or whose outputs were renamed by a new name
    collision keeps no old file: the folder holds exactly what the manifest lists."""
    shutil.copy(seeds / POLISH_SEED, seeds / "turns-english.txt")
    shutil.copy(seeds / POLISH_SEED, seeds / "empties.txt")
    shutil.copy(seeds / POLISH_SEED, seeds / "renamed.txt")
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    before = manifest(out)
    assert {"pl-en/turns-english.en", "pl-en/empties.en", "pl-en/renamed.en"} <= files_under(out)
    (seeds / "turns-english.txt").write_text(ENGLISH, encoding="utf-8")
    (seeds / "empties.txt").write_text("", encoding="utf-8")
    shutil.copy(seeds / POLISH_SEED, seeds / "renamed.md")  # renamed.txt and renamed.md now keep their suffixes
    assert translate(seeds, out, *fake_backend, "--force").exit_code == 0
    after = files_under(out)
    for doc in ("turns-english.txt", "empties.txt", "renamed.txt"):
        assert not set(before[doc]["outputs"]) & after - set(manifest(out)[doc]["outputs"]), doc
    assert "pl-en/renamed.txt.en" in after and "pl-en/renamed.en" not in after
    assert "en/turns-english.txt" in after and "view/pl-en/turns-english.html" not in after
    run_files_are_the_manifest(out)


def test_every_file_with_letters_or_digits_is_translated_passed_or_reported_with_exit_1(
        tmp_path, seeds, fake_backend):
    (seeds / "ok.txt").write_text("ok\n", encoding="utf-8")
    (seeds / "digits.txt").write_text("12 345 678\n2024-06-19\n", encoding="utf-8")
    (seeds / "emoji.txt").write_text("🙂 🎉 🙂\n", encoding="utf-8")
    shutil.copy(seeds / POLISH_SEED, seeds / "UP.TXT")
    out = tmp_path / "out"
    result = translate(seeds, out, *fake_backend)
    assert result.exit_code == 1
    rows = manifest(out)
    assert rows["ok.txt"]["status"] == "failed" and "language not detected" in rows["ok.txt"]["reason"]
    assert rows["digits.txt"]["status"] == "passed"
    assert (out / rows["digits.txt"]["outputs"][0]).read_bytes() == (seeds / "digits.txt").read_bytes()
    assert rows["emoji.txt"]["status"] == "skipped" and "no letters or digits" in rows["emoji.txt"]["reason"]
    assert rows["UP.TXT"]["status"] == "translated"


def test_an_empty_glob_or_a_glob_that_matches_nothing_is_an_error(tmp_path, seeds, fake_backend):
    result = translate(seeds, tmp_path / "a", *fake_backend, "--glob", "")
    assert result.exit_code == 2 and "--glob" in result.output
    result = translate(seeds, tmp_path / "b", *fake_backend, "--glob", "*.docx")
    assert result.exit_code == 2 and "no file in" in " ".join(result.output.split())
    assert not (tmp_path / "b").exists()  # nothing was written


def test_files_no_glob_matches_are_named_not_ignored_in_silence(tmp_path, seeds, fake_backend):
    for name in ("notes.xml", "scan.pdf", "data.json", "report.odt", "x.csv", "y.rtf"):
        (seeds / name).write_text("Tekst po polsku.", encoding="utf-8")
    result = translate(seeds, tmp_path / "a", *fake_backend)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "6 other file(s) match no --glob pattern and were not read: data.json, notes.xml, report.odt," in said
    assert "y.rtf" not in said  # five named, then "…"
    assert "notes.xml" not in {row for row in manifest(tmp_path / "a")}  # not inputs: no manifest line
    result = translate(seeds, tmp_path / "b", *fake_backend, "--glob", "*")
    assert "match no --glob pattern" not in " ".join(result.output.split())


def test_the_default_globs_are_the_ones_help_shows():
    from xling.io import DEFAULT_GLOBS

    for command in ("translate", "detect"):
        shown = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "300"}).output.split())
        assert f"[default: {', '.join(DEFAULT_GLOBS)}; any case]" in re.sub(r"\s*│\s*", " ", shown)


def test_links_leaving_the_input_folder_are_not_followed_unless_asked(tmp_path, seeds, fake_backend):
    secret = tmp_path / "secret.txt"
    secret.write_text(ENGLISH, encoding="utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    (seeds / "inside.txt").symlink_to(seeds / POLISH_SEED)
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    rows = manifest(out)
    assert rows["passwd.txt"]["status"] == "skipped" and "--follow-links" in rows["passwd.txt"]["reason"]
    assert not any("passwd" in name for name in files_under(out) - {"manifest.jsonl", "view/index.html"})
    assert rows["inside.txt"]["status"] == "translated"  # a link within the input folder is read
    assert translate(seeds, tmp_path / "out2", *fake_backend, "--follow-links").exit_code == 0
    assert manifest(tmp_path / "out2")["passwd.txt"]["status"] == "passed"


def test_a_model_folder_without_a_model_and_an_unknown_language_are_one_line(tmp_path, seeds, fake_backend):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    result = translate(seeds, tmp_path / "a", "--model", f"pl={empty}", "--no-cache", "--offline")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no config.json" in manifest(tmp_path / "a")[POLISH_SEED]["reason"]
    result = translate(seeds, tmp_path / "b", "--model", f"xx={empty}")
    assert result.exit_code == 2 and "'xx' is not a language xling can detect" in " ".join(result.output.split())


def test_a_damaged_manifest_line_is_one_line_for_export(tmp_path, seeds, fake_backend):
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    with (out / "manifest.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"path": "x.txt", "status": \n')
    result = runner.invoke(app, ["export", str(out), "--format", "tsv", "-o", "-"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"manifest\.jsonl, line \d+: not a manifest row", " ".join(result.output.split()))


def test_a_socket_is_skipped_as_not_a_regular_file(tmp_path, seeds, fake_backend):
    path = seeds / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        out = tmp_path / "out"
        assert translate(seeds, out, *fake_backend).exit_code == 0
        row = manifest(out)["sock.txt"]
        assert row["status"] == "skipped" and row["reason"].startswith("not a regular file: a socket")
    finally:
        server.close()


def _help_words(text: str) -> list[str]:
    return re.sub(r"\\\[", "[", text).split()


@pytest.mark.parametrize("command", [["translate"], ["detect"], ["view"], ["export"], ["align"],
                                     ["models", "convert"]])
def test_help_shows_every_word_of_every_option(command):
    """rich reads [text] as markup: an unescaped bracket makes words vanish from --help."""
    import typer.main

    group = typer.main.get_command(app)
    click_command = group
    for name in command:
        click_command = click_command.commands[name]
    shown = " ".join(runner.invoke(app, [*command, "--help"], env={"COLUMNS": "300"}).output.split())
    shown = re.sub(r"\s*│\s*", " ", shown)
    for param in click_command.params:
        for word in _help_words(getattr(param, "help", None) or ""):
            assert word in shown, f"{' '.join(command)} {param.name}: {word!r} missing from --help"


def test_tsv_reads_back_exactly_with_the_readme_settings(tmp_path, seeds, fake_backend):
    pandas = pytest.importorskip("pandas")
    (seeds / "quotes.txt").write_text('„Nie" – powiedział prezydent Polski dziennikarzom w środę rano. '
                                      '"NA" to skrót, a null nie jest liczbą w tej rozmowie o Polsce.\n',
                                      encoding="utf-8")
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    frame = pandas.read_csv(out / "pl-en" / "quotes.tsv", sep="\t", quoting=csv.QUOTE_NONE, dtype=str,
                            keep_default_na=False)
    beads = [r.bead for r in read_beads(out / "pl-en" / "quotes.jsonl")]
    assert list(frame["source"]) == [b.source_text for b in beads]
    assert list(frame["target"]) == [b.target_text for b in beads]
    assert frame["source"][1].startswith('"NA"')


def test_the_index_links_english_copies_and_lets_long_flags_wrap(tmp_path, seeds, fake_backend):
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    index = (out / "view" / "index.html").read_text(encoding="utf-8")
    for name in sorted(p.name for p in SEEDS.glob("*.txt") if p.name != POLISH_SEED):
        assert f'<a href="../en/{name}">' in index
        assert (out / "view" / ".." / "en" / name).is_file()
    assert '<div class="wide">' in index and "overflow-x: auto" in index


def test_window_size_does_not_change_a_document_with_a_per_sentence_translator(tmp_path, fake_factory):
    from xling.pipeline import Options, translate_folder

    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    for i in range(6):
        (folder / f"copy{i}.txt").write_text(POLISH.replace("Putin", f"Putin{i}"), encoding="utf-8")
    for name, kb in (("one", 1), ("big", 1024)):
        translate_folder(folder, tmp_path / name, Options(use_cache=False, window_bytes=kb * 1024),
                         translator_factory=fake_factory)
    one, big = tmp_path / "one", tmp_path / "big"
    assert files_under(one) == files_under(big)
    assert all((one / f).read_bytes() == (big / f).read_bytes() for f in files_under(one))


def test_os_error_paths_stay_inside_the_output_folder(tmp_path):
    from xling.pipeline.folder import OutputFolder

    folder = OutputFolder(tmp_path / "in", tmp_path / "out", ("*.txt",), force=True)
    (tmp_path / "out" / "pl-en").mkdir(parents=True)
    (tmp_path / "out" / "pl-en" / "a.en").write_text("x", encoding="utf-8")
    (tmp_path / "secret").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "secret", tmp_path / "out" / "pl-en" / "link.en")
    assert folder.removable("pl-en/a.en") == tmp_path / "out" / "pl-en" / "a.en"
    for bad in ("pl-en/link.en", "../secret", str(tmp_path / "secret"), LOCK_FILE, "view/index.html",
                "manifest.jsonl", "pl-en/../../secret", "pl-en/missing.en"):
        assert folder.removable(bad) is None, bad


def test_a_long_document_s_view_is_split_into_linked_pages(tmp_path, seeds, fake_backend, monkeypatch):
    import xling.view.html as html

    monkeypatch.setattr(html, "PAGE_BEADS", 5)
    out = tmp_path / "out"
    assert translate(seeds, out, *fake_backend).exit_code == 0
    beads = [r.bead for r in read_beads(out / "pl-en" / f"{STEM}.jsonl")]
    pages = [f"view/pl-en/{STEM}.html"] + [f"view/pl-en/{STEM}~p{k}.html" for k in range(2, -(-len(beads) // 5) + 1)]
    assert len(pages) >= 3
    listed = manifest(out)[POLISH_SEED]["outputs"]
    assert [o for o in listed if o.startswith("view/")] == pages
    shown = []
    for k, page in enumerate(pages):
        text = (out / page).read_text(encoding="utf-8")
        shown += re.findall(r'id="s(\d+)"', text)
        assert f"{len(beads)} aligned units" in text  # every page speaks of the whole document
        for j, other in enumerate(pages):  # each page links every other one
            name = other.rsplit("/", 1)[1]
            assert (f'href="{name}"' in text) == (j != k)
    assert shown == [str(i) for i in range(len(beads))]  # every bead on exactly one page, in order
    run_files_are_the_manifest(out)


@pytest.mark.parametrize("beads, paged", [(5, False), (40, True)])
def test_a_table_taller_than_the_terminal_goes_to_a_pager(beads, paged, monkeypatch):
    import contextlib
    import io

    from rich.console import Console

    from xling.data import Bead, CorpusInfo, Record
    from xling.view.terminal import show

    console = Console(file=io.StringIO(), force_terminal=True, height=30, width=100)
    used = []

    @contextlib.contextmanager
    def pager(*args, **kwargs):
        used.append(kwargs)
        yield

    monkeypatch.setattr(console, "pager", pager)
    records = [Record("d", i, Bead((i,), (i,), f"zdanie {i}", f"sentence {i}")) for i in range(beads)]
    show(records, CorpusInfo("pl", "en"), console)
    assert bool(used) == paged
    assert "sentence 4" in console.file.getvalue()
