"""Regression guard: the aligner on ../shared/align-dev (read in place; skipped where it is absent)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT

DATA = ROOT.parent / "shared" / "align-dev"


@pytest.fixture(scope="module")
def eval_align():
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is not there (it sits beside the checkout in CI)")
    spec = importlib.util.spec_from_file_location("eval_align", ROOT / "scripts" / "eval_align.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_align"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["synth-plen-flores", "synth-plen-newstest2020"])
@pytest.mark.parametrize("mt, floor", [("simmt-bleu30", 0.975), (None, 0.80)])
def test_dev_set_f1(eval_align, name, mt, floor):
    scores, _, _ = eval_align.evaluate(DATA / name, mt)
    assert scores["strict_f1"] >= floor
