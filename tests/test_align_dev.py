"""Regression guard: the aligner on ../shared/align-dev (read in place; skipped where it is absent)."""

from __future__ import annotations

import pytest

from conftest import SHARED, load_script

DATA = SHARED / "align-dev"


@pytest.fixture(scope="module")
def eval_align():
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is not there (it sits beside the checkout in CI)")
    return load_script("eval_align")


# Floors: real translations (textberg-dev, de→fr, real MT systems, with and without their
# reverse translations) and the synthetic Polish-English sets (stand-in and real opus-mt
# bridges); without a bridge, what the aligner scored before the relative score (it must not drop).
FLOORS = {
    ("textberg-dev", "google"): 0.86,
    ("textberg-dev", "europarlfull"): 0.80,
    ("textberg-dev", "europarllight"): 0.80,
    ("textberg-dev", "SACunidir"): 0.80,
    ("textberg-dev", None): 0.75,
    ("synth-plen-flores", "simmt-bleu30"): 0.97,
    ("synth-plen-flores", "opus-mt-pl-en"): 0.97,
    ("synth-plen-flores", None): 0.92,
    ("synth-plen-newstest2020", "simmt-bleu30"): 0.97,
    ("synth-plen-newstest2020", "opus-mt-pl-en"): 0.97,
    ("synth-plen-newstest2020", None): 0.92,
}


# The systems whose reverse translation (target → source language) the sets ship, in mt_rev/.
WITH_REVERSE = {("textberg-dev", "google"), ("textberg-dev", "europarlfull"), ("textberg-dev", "europarllight")}
CASES = sorted([(name, mt, None) for name, mt in FLOORS] + [(name, mt, mt) for name, mt in WITH_REVERSE], key=str)


def test_every_set_and_bridge_has_a_floor(eval_align):
    assert {(folder.name, mt, rev) for folder, mt, rev in eval_align.runs(DATA)} == set(CASES)


@pytest.mark.parametrize("name, mt, rev", CASES)
def test_dev_set_f1(eval_align, name, mt, rev):
    scores, _, _ = eval_align.evaluate(DATA / name, mt, rev)
    assert scores["strict_f1"] >= FLOORS[name, mt]


@pytest.mark.parametrize("name, mt", [("synth-plen-flores", "opus-mt-pl-en"),
                                      ("synth-plen-newstest2020", "opus-mt-pl-en"), ("textberg-dev", "google")])
@pytest.mark.parametrize("beads", [2, 3])
def test_short_texts_align_as_well_as_long_ones(eval_align, name, mt, beads):
    """The sets cut into excerpts of two or three gold beads (a news brief, a few subtitles) with their real
    bridges: within a few points of the whole documents' floors (they scored .61-.81 when a sentence and
    its bridge, a fifth of such a text, had every shared gram dropped as common)."""
    scores, _, sentences = eval_align.evaluate(DATA / name, mt, None, beads)
    assert sentences > 0
    assert scores["strict_f1"] >= FLOORS[name, mt] - 0.03
