"""Interruption and resume, concurrent cache use, and no network when offline."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from xling.cli import app

runner = CliRunner()
POLISH = (SEEDS / "004_18b42087b80df9f9.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """16 Polish documents of 13 sentences each, every sentence distinct."""
    folder = tmp_path_factory.mktemp("corpus") / "in"
    folder.mkdir()
    lines = [line for line in POLISH.split("\n") if line.strip()]
    for d in range(16):
        text = "\n".join(f"{line} (Dokument {d}, akapit {k}.)" if line.endswith(".") else line
                         for k, line in enumerate(lines))
        (folder / f"doc{d:02d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def command(folder: Path, out: Path, cache: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "xling", "translate", str(folder), "-o", str(out), "--model", f"pl={model}",
            "--cache", str(cache), "--beams", "1", "--window-kb", "6", "--offline", "--no-view"]


def _default_sigint() -> None:
    """A test runner started in the background inherits SIGINT ignored, and Python then installs no
    Ctrl-C handler in children; give the child the default disposition a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


PAUSED = """
import sys
from xling.pipeline.window import WindowStep

real, done, windows = WindowStep.run, [], int(sys.argv[1])


def run(self, window):
    reports = real(self, window)
    done.append(window)
    if len(done) == windows:  # written and reported: tell the test, then wait for its signal
        print("paused", flush=True)
        sys.stdin.readline()
    return reports


WindowStep.run = run
sys.argv = ["xling", *sys.argv[2:]]
from xling.cli import main

main()
"""


def start_paused(args: list[str], windows: int) -> subprocess.Popen:
    """Start a run that stops after ``windows`` windows are written, and return once it has: the
    child says so on stdout and waits on stdin, so the signal lands mid-run however fast the machine."""
    process = subprocess.Popen([sys.executable, "-c", PAUSED, str(windows), *args[3:]], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_default_sigint)
    line = process.stdout.readline()  # blocks until the child pauses (or ends: then it is empty)
    if line.strip() != "paused":
        raise AssertionError(f"the run ended before it could be interrupted: {line}{process.communicate()}")
    return process


def same_tree(left: Path, right: Path) -> None:
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    mismatched = [n for n in names if (left / n).read_bytes() != (right / n).read_bytes()]
    assert mismatched == []


@pytest.fixture(scope="module")
def clean_run(corpus, tiny_model, tmp_path_factory):
    base = tmp_path_factory.mktemp("clean")
    subprocess.run(command(corpus, base / "out", base / "cache.sqlite3", tiny_model), check=True,
                   capture_output=True)
    return base / "out"


def test_sigkill_then_rerun_gives_the_same_files_as_a_clean_run(corpus, tiny_model, clean_run, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite3"
    args = command(corpus, out, cache, tiny_model)
    process = start_paused(args, windows=2)
    assert list((out / "pl-en").glob("*.jsonl"))  # some documents are done
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert not (out / "manifest.jsonl").exists()  # it really was cut off part-way
    # no half-written file under a real name (a kill mid-write can leave only a temporary file)
    for beads in (out / "pl-en").glob("*.jsonl"):
        rows = [json.loads(line) for line in beads.read_text(encoding="utf-8").splitlines()]
        assert rows and [r["bead"] for r in rows] == list(range(len(rows)))
    for source in (out / "pl-en").glob("*.pl"):
        target = source.with_suffix(".en")
        if target.exists():
            assert len(source.read_text(encoding="utf-8").splitlines()) == len(
                target.read_text(encoding="utf-8").splitlines())
    rerun = subprocess.run(args, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(out.rglob("*.tmp"))  # the rerun removed what the kill left
    same_tree(clean_run, out)


def test_sigint_exits_130_with_a_one_line_hint(corpus, tiny_model, clean_run, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite3"
    args = command(corpus, out, cache, tiny_model)
    process = start_paused(args, windows=1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    hint = [line for line in stderr.splitlines() if line.strip()]
    assert len(hint) == 1 and "interrupted" in hint[0] and "Run the same command again to resume" in hint[0]
    rerun = subprocess.run(args, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    same_tree(clean_run, out)


def test_two_processes_share_one_cache(tmp_path):
    code = """
import sys
from xling.data import Translation
from xling.translate.cache import TranslationCache
cache = TranslationCache(sys.argv[1])
for start in range(0, 3000, 50):
    rows = [Translation(f"zdanie {i}", f"sentence {i}", "m", -0.5) for i in range(start, start + 50)]
    cache.put_many(sys.argv[2], rows)
"""
    path = tmp_path / "shared.sqlite3"
    workers = [subprocess.Popen([sys.executable, "-c", code, str(path), ns]) for ns in ("a", "b")]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    import sqlite3

    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM translations").fetchone() == (6000,)


def test_offline_run_never_opens_a_connection(tiny_model, tmp_path, monkeypatch):
    attempts: list[object] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    result = runner.invoke(app, ["translate", str(SEEDS), "-o", str(tmp_path / "out"), "--model",
                                 f"pl={tiny_model}", "--cache", str(tmp_path / "c.sqlite3")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # a hub id that is not cached fails that document, still without a connection attempt
    result = runner.invoke(app, ["translate", str(SEEDS), "-o", str(tmp_path / "out2"), "--offline",
                                 "--cache", str(tmp_path / "c2.sqlite3")], catch_exceptions=False)
    assert result.exit_code == 1 and "Helsinki-NLP/opus-mt-pl-en" in result.output
    assert attempts == []


def test_remote_code_is_never_trusted():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "xling").rglob("*.py"))
    assert "trust_remote_code" not in source


def test_model_weights_load_from_safetensors(tiny_model):
    from xling.models import resolve
    from xling.translate.marian import MarianTranslator

    assert list(tiny_model.glob("*.safetensors")) and not list(tiny_model.glob("*.bin"))
    translator = MarianTranslator(resolve(str(tiny_model)), runtime="cpu")
    assert translator.translate(["Ala ma kota."])[0].text


def test_sigterm_stops_like_ctrl_c_and_leaves_no_temporary_file(tmp_path):
    import typer

    from xling.cli._common import EXIT_TERMINATED, exit_codes
    from xling.formats.atomic import atomic_open

    target = tmp_path / "out.txt"
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(typer.Exit) as stopped, exit_codes("run the same command again to resume"), \
            atomic_open(target) as handle:
        handle.write("half of a file")
        os.kill(os.getpid(), signal.SIGTERM)  # a real signal, delivered to this process
        handle.write("never written")
    assert stopped.value.exit_code == EXIT_TERMINATED == 143
    assert list(tmp_path.iterdir()) == []  # neither the target nor its temporary file
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is only held while running


def test_a_resumed_run_removes_temporaries_a_killed_run_left(tmp_path, seeds, fake_factory):
    from xling.pipeline import Options, translate_folder

    out = tmp_path / "out"
    translate_folder(seeds, out, Options(use_cache=False), translator_factory=fake_factory)
    stray = out / "pl-en" / ".xling~stem.pl.x1y2z3ab.tmp"  # what SIGKILL leaves mid-write
    stray.write_text("partial", encoding="utf-8")
    translate_folder(seeds, out, Options(use_cache=False, force=True), translator_factory=fake_factory)
    assert not stray.exists()
