"""Faults a real folder has: a locked output, a full disk, deleted inputs, damaged files, odd options."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS
from xling.cli import app
from xling.formats.atomic import LOCK_FILE, lock_folder

runner = CliRunner()


def _translate(folder: Path, out: Path, *extra: str):
    return runner.invoke(app, ["translate", str(folder), "-o", str(out), *extra])


def _manifest(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return {row["path"]: row for row in rows}


def test_a_second_run_into_a_locked_folder_names_the_holder_and_exits_2(tmp_path, seeds, fake_backend):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path; "
                               "from xling.formats.atomic import lock_folder; held = lock_folder(Path(sys.argv[1])); "
                               "print('locked', flush=True); sys.stdin.read()", str(out)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = _translate(seeds, out, *fake_backend)
        assert result.exit_code == 2
        assert f"in use by another xling run (PID {holder.pid})" in " ".join(result.output.split())
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # the holder is gone: the lock went with it, and a run goes ahead (the lock file is not "content")
    assert (out / LOCK_FILE).exists()
    assert _translate(seeds, out, *fake_backend).exit_code == 0


def test_the_lock_is_released_when_the_run_ends(tmp_path):
    handle = lock_folder(tmp_path)
    handle.close()
    lock_folder(tmp_path).close()  # no error: nobody holds it


def test_force_removes_the_outputs_of_deleted_inputs(tmp_path, seeds, fake_backend, caplog):
    import shutil

    copy = seeds / "copy.txt"
    shutil.copy(seeds / POLISH_SEED, copy)
    out = tmp_path / "out"
    assert _translate(seeds, out, *fake_backend).exit_code == 0
    old = _manifest(out)["copy.txt"]["outputs"]
    assert all((out / o).is_file() for o in old)
    copy.unlink()
    caplog.set_level("INFO")
    assert _translate(seeds, out, *fake_backend, "--force").exit_code == 0
    assert not any((out / o).exists() for o in old)
    assert "copy.txt" not in _manifest(out) and (out / "pl-en" / POLISH_SEED.replace(".txt", ".en")).is_file()
    assert any(f"removed {len(old)} output file(s) of 1 input(s)" in r.getMessage() for r in caplog.records)


def test_a_failed_write_fails_that_document_only(tmp_path, seeds, fake_backend, monkeypatch):
    from xling.formats import moses

    real = moses.write_moses

    def full_disk(records, source, target):
        if "004_" in source.name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))
        return real(records, source, target)

    monkeypatch.setattr(moses, "write_moses", full_disk)
    out = tmp_path / "out"
    result = _translate(seeds, out, *fake_backend)
    assert result.exit_code == 1 and "Traceback" not in result.output
    rows = _manifest(out)
    assert rows[POLISH_SEED]["status"] == "failed"
    assert rows[POLISH_SEED]["reason"].startswith("writing failed: No space left on device")
    assert sum(r["status"] == "passed" for r in rows.values()) == 4
    assert (out / "view" / "index.html").is_file()


def test_a_read_only_output_is_one_line(tmp_path, seeds, fake_backend, monkeypatch):
    out = tmp_path / "ro"
    out.mkdir()
    if os.geteuid() == 0:  # root writes into read-only folders: the file system's answer, simulated
        real = Path.mkdir

        def refused(self, *args, **kwargs):
            if self.is_relative_to(out):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", refused)
    out.chmod(0o500)
    try:
        result = _translate(seeds, out / "sub", *fake_backend)
    finally:
        out.chmod(0o700)
    assert result.exit_code == 1 and "Permission denied" in result.output and "Traceback" not in result.output


def test_a_corrupt_cache_is_one_line_with_what_to_do(tmp_path, seeds, tiny_model):
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is not a database" * 100)
    result = _translate(seeds, tmp_path / "out", "-m", f"pl={tiny_model}", "--cache", str(cache))
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "translation cache" in text and "--no-cache" in text and "Traceback" not in text


def test_a_language_without_a_registry_entry_is_reported_not_relabelled(tmp_path, seeds, fake_backend):
    registry = tmp_path / "registry.toml"
    registry.write_text('target = "en"\nfallback = "skip"\n\n[models]\nde = "x/opus-mt-de-en"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = _translate(seeds, out, "--registry", str(registry), "--no-cache")
    assert result.exit_code == 0, result.output
    polish = _manifest(out)[POLISH_SEED]
    assert (polish["status"], polish["language"]) == ("skipped", "pl")
    assert "no model for language 'pl'" in polish["reason"]
    assert not (out / "en" / POLISH_SEED).exists()


def _run_with_beads(tmp_path, seeds, fake_backend) -> Path:
    out = tmp_path / "out"
    assert _translate(seeds, out, *fake_backend).exit_code == 0
    return out


def test_export_refuses_to_overwrite_the_runs_files(tmp_path, seeds, fake_backend):
    out = _run_with_beads(tmp_path, seeds, fake_backend)
    before = (out / "manifest.jsonl").read_bytes()
    for target in (out / "manifest.jsonl", out / "pl-en" / POLISH_SEED.replace(".txt", ".tsv")):
        result = runner.invoke(app, ["export", str(out), "-f", "tsv", "-o", str(target)])
        assert result.exit_code == 2 and "refusing to overwrite" in result.output
    moses = runner.invoke(app, ["export", str(out), "-f", "moses", "-o", str(out / "pl-en" /
                                                                             POLISH_SEED.removesuffix(".txt"))])
    assert moses.exit_code == 2
    assert (out / "manifest.jsonl").read_bytes() == before


def test_a_damaged_bead_file_is_one_line_in_export_and_view(tmp_path, seeds, fake_backend):
    out = _run_with_beads(tmp_path, seeds, fake_backend)
    beads = out / "pl-en" / POLISH_SEED.replace(".txt", ".jsonl")
    lines = beads.read_text(encoding="utf-8").splitlines()
    beads.write_text("\n".join([lines[0], lines[1][: len(lines[1]) // 2], *lines[2:]]) + "\n", encoding="utf-8")
    for command in (["export", str(out), "-f", "tsv", "-o", str(tmp_path / "c.tsv")], ["view", str(beads)]):
        result = runner.invoke(app, command)
        text = " ".join(result.output.split())
        assert result.exit_code != 0 and "line 2" in text and "Traceback" not in text, (command, text)


def test_index_links_are_url_encoded(tmp_path, fake_backend):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "#1 ?50%.txt").write_text((SEEDS / POLISH_SEED).read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert _translate(folder, out, *fake_backend).exit_code == 0
    index = (out / "view" / "index.html").read_text(encoding="utf-8")
    assert 'href="pl-en/%231%20%3F50%25.html"' in index
    assert (out / "view" / "pl-en" / "#1 ?50%.html").is_file()


def test_a_registry_with_wrong_types_is_one_line_at_start(tmp_path, seeds):
    registry = tmp_path / "registry.toml"
    registry.write_text('target = "en"\nfallback = 3\n\n[models]\npl = 5\n', encoding="utf-8")
    result = _translate(seeds, tmp_path / "out", "--registry", str(registry))
    assert result.exit_code == 2 and "fallback must be a string" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()
