"""``xling export`` and ``xling view`` on a real run folder (pipeline with a deterministic fake translator)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from conftest import POLISH_SEED, SEEDS
from xling.cli import app
from xling.data import Translation
from xling.formats.beads import read_beads
from xling.formats.moses import read_moses
from xling.pipeline import Options, translate_folder
from xling.translate.base import GenerationSettings, TranslatorBase

runner = CliRunner()
STEM = POLISH_SEED.removesuffix(".txt")


class ScoringFake(TranslatorBase):
    """Score falls with length; sentences naming Putin are flagged, so filters have work to do."""

    backend = "fake"
    model_id, revision, settings = "fake-pl-en", "1", GenerationSettings()

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        return [Translation(t, t[::-1], self.model_id, -round(len(t) / 100, 4), ("split",) if "Putin" in t else ())
                for t in texts]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "out"
    translate_folder(SEEDS, out, Options(use_cache=False), translator_factory=lambda model: ScoringFake())
    return out


def beads(run):
    return [r.bead for r in read_beads(run / "pl-en" / f"{STEM}.jsonl")]


@pytest.mark.parametrize("fmt, files", [
    ("moses", ["corpus.pl-en.pl", "corpus.pl-en.en"]), ("tsv", ["corpus.pl-en.tsv"]),
    ("tmx", ["corpus.pl-en.tmx"]), ("jsonl", ["corpus.pl-en.jsonl"]), ("parquet", ["corpus.pl-en.parquet"]),
    ("fast_align", ["corpus.pl-en.fa"]), ("beads", ["corpus.pl-en.align"]),
])
def test_every_format_exports_every_bead(run, tmp_path, fmt, files):
    target = tmp_path / "corpus.pl-en"
    output = target if fmt == "moses" else target.with_name(files[0])
    result = runner.invoke(app, ["export", str(run), "--format", fmt, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in sorted(tmp_path.iterdir())] == sorted(files)
    assert "13 pairs from 1 document (pl-en)" in result.output
    for name in files:
        assert (tmp_path / name).stat().st_size > 0


def test_filters_count_what_they_drop(run, tmp_path):
    all_beads = beads(run)
    flagged = sum(1 for b in all_beads if b.flags)
    low = sum(1 for b in all_beads if b.score < -1.5)
    assert flagged and low  # the fixture exercises both filters
    result = runner.invoke(app, ["export", str(run), "-f", "moses", "-o", str(tmp_path / "c"),
                                 "--no-flagged", "--min-score", "-1.5"])
    assert result.exit_code == 0, result.output
    kept = [b for b in all_beads if b.score >= -1.5 and not b.flags]
    assert read_moses(tmp_path / "c.pl", tmp_path / "c.en") == [(b.source_text, b.target_text) for b in kept]
    assert f"dropped {low} below --min-score and {len(all_beads) - low - len(kept)} flagged" in result.output


def test_stdout_and_tsv_columns(run):
    result = runner.invoke(app, ["export", str(run), "-f", "tsv", "-o", "-", "--columns", "doc,src_ids,score"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "source\ttarget\tdoc\tsrc_ids\tscore"
    assert len(lines) == 14 and lines[1].split("\t")[2:4] == [POLISH_SEED, "0"]
    result = runner.invoke(app, ["export", str(run), "-f", "jsonl", "-o", "-"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["translation"]["pl"].startswith("Porozumienie") and rows[0]["doc"] == POLISH_SEED


@pytest.mark.parametrize("args, message", [
    (["-f", "xml"], "choose one of: beads, fast_align, jsonl, moses, parquet, tmx, tsv"),
    (["-f", "tsv", "--pair", "de-en"], "unknown language pair 'de-en'"),
    (["-f", "tsv", "--columns", "colour"], "unknown TSV column 'colour'"),
    (["-f", "parquet", "-o", "-"], "cannot be written to stdout"),
])
def test_usage_errors(run, args, message):
    result = runner.invoke(app, ["export", str(run), *args])
    assert result.exit_code == 2 and message in result.output


def test_not_a_run_folder(tmp_path):
    result = runner.invoke(app, ["export", str(tmp_path), "-f", "tsv"])
    assert result.exit_code == 2 and "no manifest.jsonl" in result.output


def test_translate_writes_view_pages(run):
    index = (run / "view" / "index.html").read_text(encoding="utf-8")
    assert f'href="pl-en/{STEM}.html"' in index and index.count("<tr>") == 6  # header + 5 files
    page = (run / "view" / "pl-en" / f"{STEM}.html").read_text(encoding="utf-8")
    assert page.count('class="seg src') == 13 and "fake-pl-en" in page  # signature in the footer


def test_view_command(run, tmp_path):
    bead_file = run / "pl-en" / f"{STEM}.jsonl"
    result = runner.invoke(app, ["view", str(bead_file), "--plain"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 13
    result = runner.invoke(app, ["view", str(bead_file), "-o", str(tmp_path / "p.html")])
    assert result.exit_code == 0
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "backend:fake" in page and 'lang="pl"' in page  # languages and signature found from the run folder
