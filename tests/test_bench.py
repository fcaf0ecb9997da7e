"""The benchmark scripts run (quick mode), so they cannot rot unnoticed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_bench_translate_quick(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_translate.py"), "--quick", "--model-dir", str(tmp_path / "m")],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    rows = dict(re.findall(r"^(naive|xling-\S+|raw-\S+)\s+([\d.]+)\s", out, flags=re.MULTILINE))
    assert {"naive", "xling-hf", "xling-hf-int8"} <= set(rows)
    assert all(float(rate) > 0 for rate in rows.values())
    assert re.search(r"^naive\s+[\d.]+\s+\d+\s+1\.00\s", out, flags=re.MULTILINE)  # the baseline's own ratio
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return
    assert {"xling-ct2-int8", "raw-ct2-int8"} <= set(rows)
    assert re.search(r"^xling-ct2-int8 / raw-ct2-int8: [\d.]+$", out, flags=re.MULTILINE)


@pytest.mark.slow
def test_bench_e2e_quick(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_e2e.py"), "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    ratios = {name: float(ratio) for name, _, ratio in re.findall(
        r"^\| (naive|auto|transformers|ctranslate2) \| ([\d.]+) s \| ([\d.]+) \|", out, flags=re.MULTILINE)}
    assert set(ratios) == {"naive", "auto", "transformers", "ctranslate2"}
    assert ratios["naive"] == 1.0  # the baseline's own ratio
    assert "auto and ctranslate2 outputs identical: yes" in result.stderr + out
    stages = re.findall(r"^\| (\w+) \((ctranslate2|transformers)\) \|((?: [\d.]+ \|){7})$", out, flags=re.MULTILINE)
    assert {name for name, _, _ in stages} == {"auto", "transformers", "ctranslate2"}
    assert {name: used for name, used, _ in stages}["transformers"] == "transformers"
    for _, _, cells in stages:
        seconds = [float(c) for c in cells.strip(" |").split(" | ")]
        assert all(s > 0 for s in seconds)
        assert abs(sum(seconds[:4]) - seconds[4]) <= 0.03  # the stages add up to the total (each rounded)
