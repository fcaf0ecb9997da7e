"""The N:M sentence aligner: hand-checked cases, DP = brute force, coverage, robustness, speed path."""

from __future__ import annotations

import functools
import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xling.align.bridge import BRIDGED, align_sentences

# A small excerpt written for these tests: Polish source, a rough machine translation of each
# source sentence (the bridge), and an independent English translation with a merge, an omission
# and an insertion.
SOURCE = [
    "Premier spotkał się w poniedziałek z delegacją z Japonii.",           # 0 ↔ 0
    "Rozmowy trwały trzy godziny.",                                        # 1 ┐ merged into target 1
    "Dotyczyły handlu i energii.",                                         # 2 ┘
    "Zdanie, którego nie przetłumaczono, o pogodzie w Gdańsku.",           # 3 ↔ nothing (omitted)
    "Delegacja odwiedzi także Kraków i Wrocław.",                          # 4 ↔ 2
    "Wizyta zakończy się w piątek 14 marca.",                              # 5 ↔ 4 (3 is inserted)
]
BRIDGE = [
    "The prime minister met on Monday with delegation from Japan.",
    "Talks lasted three hours.",
    "They concerned trade and energy.",
    "Sentence which was not translated, about the weather in Gdansk.",
    "The delegation will visit also Krakow and Wroclaw.",
    "The visit will end on Friday 14 March.",
]
TARGET = [
    "On Monday the prime minister met a delegation from Japan.",
    "The talks, which lasted three hours, concerned trade and energy.",
    "The delegation will also visit Krakow and Wroclaw.",
    "Editor's note: this article was updated at 9:30.",
    "The visit ends on Friday, 14 March.",
]
GOLD = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2,)), ((), (3,)), ((5,), (4,))]


def ids(beads):
    return [(b.source_ids, b.target_ids) for b in beads]


def test_merge_omission_and_insertion_with_a_bridge():
    beads = align_sentences(SOURCE, TARGET, BRIDGE)
    assert ids(beads) == GOLD
    assert [b.flags for b in beads if not (b.source_ids and b.target_ids)] == [("unaligned",), ("unaligned",)]
    assert all(b.score > 0.3 for b in beads if b.source_ids and b.target_ids)
    assert beads[1].source_text == "Rozmowy trwały trzy godziny. Dotyczyły handlu i energii."


def test_an_omission_next_to_an_insertion_is_paired_only_with_a_flag():
    # Source 3 has no counterpart and an unrelated target sentence stands in the same place:
    # pairing them is a legitimate reading (Bleualign does the same), but never a confident one.
    target = [*TARGET[:2], "Editor's note: this article was updated at 9:30.", TARGET[2], TARGET[4]]
    beads = align_sentences(SOURCE, target, BRIDGE)
    odd = next(b for b in beads if 3 in b.source_ids)
    assert odd.target_ids in ((), (2,))
    if odd.target_ids:
        assert "low_confidence" in odd.flags
    assert next(b for b in beads if 4 in b.source_ids).target_ids == (3,)


def test_without_a_bridge_names_and_numbers_anchor_the_pairs():
    source = ["Spotkanie z Putinem odbyło się 17 czerwca w Moskwie.", "Rozmawiano o Ukrainie.",
              "W 2024 roku Kim odwiedził Władywostok.", "Premier Tusk skomentował to w Warszawie."]
    target = ["The meeting with Putin took place on 17 June in Moscow.", "They talked about Ukraine.",
              "In 2024 Kim visited Vladivostok.", "Prime Minister Tusk commented on it in Warsaw."]
    assert ids(align_sentences(source, target)) == [((i,), (i,)) for i in range(4)]


def test_bridge_must_match_the_source():
    with pytest.raises(ValueError, match="bridge"):
        align_sentences(SOURCE, TARGET, BRIDGE[:-1])


def test_empty_sides():
    assert ids(align_sentences([], ["Only target."])) == [((), (0,))]
    assert ids(align_sentences(["Tylko źródło."], [])) == [((0,), ())]
    assert align_sentences([], []) == []


# --- DP against brute force, on the real gain function -------------------------------------

def brute_force(n, m, gain):
    """Best total over every monotone bead path from (0, 0) to (n, m) (exponential; tiny inputs only)."""

    from xling.align.dp import BEAD_TYPES

    @functools.cache
    def best(i, j):
        if i == 0 and j == 0:
            return 0.0
        options = [best(i - a, j - b) + gain(i, j, a, b)
                   for a, b in BEAD_TYPES if i - a >= 0 and j - b >= 0]  # disabled types gain -inf
        return max(options)

    return best(n, m)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 10_000), st.sampled_from(["relative", "absolute"]))
def test_dp_finds_the_best_path(n, m, seed, mode):
    from scipy import sparse

    from xling.align.bridge import UNBRIDGED, _tables
    from xling.align.dp import Band, bead_gain, run

    rng = np.random.default_rng(seed)

    def vectors(rows):
        return sparse.csr_matrix(rng.random((rows, 6)) * (rng.random((rows, 6)) < 0.5))

    components = [(vectors(n), vectors(m))] + ([(vectors(n), vectors(m))] if mode == "relative" else [])
    left, right = rng.integers(5, 80, n).astype(float), rng.integers(5, 80, m).astype(float)
    band = Band.full(n, m)
    t = _tables(components, left, right, band)
    scoring = BRIDGED.scoring(mu=0.1, scale=0.6) if mode == "relative" else UNBRIDGED.scoring()

    def gain(i, j, x, y):
        return bead_gain(t, scoring, i, j, x, y)

    path = run(n, m, band, t, scoring)
    total = sum(gain(i1, j1, i1 - i0, j1 - j0) for i0, i1, j0, j1 in path)
    assert total == pytest.approx(brute_force(n, m, gain), abs=1e-9)


def _random_problem(seed: int, mode: str):
    """Tables of random sparse vectors and lengths under a random monotone band, with its scoring."""
    from scipy import sparse

    from xling.align.bridge import UNBRIDGED, _tables
    from xling.align.dp import Band

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 40)), int(rng.integers(0, 40))

    def vectors(rows):
        return sparse.csr_matrix(rng.random((rows, 8)) * (rng.random((rows, 8)) < 0.4))

    components = [(vectors(n), vectors(m)) for _ in range(2 if mode == "relative" else 1)]
    left, right = rng.integers(5, 80, n).astype(float), rng.integers(5, 80, m).astype(float)
    # a band around the diagonal, 3..12 columns beyond what one row's step needs, reaching (0, 0) and (n, m)
    centre = np.round(np.arange(n + 1) * m / max(n, 1)).astype(np.int64)
    half = int(rng.integers(3, 13)) + m // max(n, 1)
    band = Band(np.clip(centre - half, 0, m), np.clip(centre + half, 0, m))
    band.lo[0], band.hi[n] = 0, m
    scoring = BRIDGED.scoring(mu=0.1, scale=0.6) if mode == "relative" else UNBRIDGED.scoring()
    return n, m, band, _tables(components, left, right, band), scoring


@pytest.mark.parametrize("mode", ["relative", "absolute"])
def test_the_c_and_numba_kernels_agree_to_the_bit(mode, monkeypatch):
    from scipy import sparse

    from xling.align import dp, dp_numba

    if dp._compiled() is None:
        pytest.skip("the C kernel is not built here (no C compiler at install): nothing to compare")

    def everything(n, m, band, t, scoring, spans, matrix):
        return (dp.run(n, m, band, t, scoring), dp.bead_similarities(spans, t, scoring).tobytes(),
                [dp.bead_gain(t, scoring, i1, j1, i1 - i0, j1 - j0) for i0, i1, j0, j1 in spans[:80]],
                [dp.csr_row_dots(matrix.indptr, matrix.indices, matrix.data, d).tobytes() for d in (1, 2, 3, 50)])

    for seed in range(40):
        n, m, band, t, scoring = _random_problem(seed, mode)
        spans = [(i - x, i, j - y, j) for i in range(1, n + 1) for j in range(band.lo[i], band.hi[i] + 1)
                 for x, y in dp.BEAD_TYPES if 0 < x <= i and 0 < y <= j][:400]
        matrix = sparse.random(n + 3, 30, density=0.3, format="csr", random_state=seed)
        compiled = everything(n, m, band, t, scoring, spans, matrix)
        monkeypatch.setenv("XLING_KERNEL", "numba")
        assert dp.kernel() == "numba"
        by_numba = everything(n, m, band, t, scoring, spans, matrix)
        monkeypatch.delenv("XLING_KERNEL")
        assert compiled == by_numba  # the same path, and every number to the bit
        assert compiled[0][-1][1::2] == (n, m)
    assert (dp_numba.NEG, dp_numba._ROWS) == (dp.NEG, dp.MAX_SIDE + 1)


def test_an_install_with_a_c_compiler_builds_the_c_kernel():
    import shutil
    import sysconfig

    from xling.align import dp

    if not (shutil.which("cc") or shutil.which("gcc")) or not sysconfig.get_paths().get("include"):
        pytest.skip("no C compiler here: numba's kernel is the one used")
    assert dp.kernel() == "c"  # the build hook (hatch_build.py) ran and its module imports


def test_the_c_kernel_refuses_sizes_that_do_not_match_instead_of_reading_past_them():
    from xling.align import dp

    compiled = dp._compiled()
    if compiled is None:
        pytest.skip("the C kernel is not built here")
    n, _, band, t, scoring = _random_problem(3, "relative")
    args = list(dp._args(t))
    args[3] += 1  # one column more per row than the prefix sums hold
    with pytest.raises(ValueError, match="prefix"):
        compiled.fill(n, band.width, band.lo, band.hi, dp._TYPES, scoring.penalty, dp._scoring(scoring), tuple(args))
    short = list(dp._args(t))
    # prefix sums (and their first columns) of one source row fewer than the band's rows
    short[0], short[2], short[4] = np.ascontiguousarray(short[0][:, :-1]), n - 1, short[4][:-1].copy()
    assert n > 1
    with pytest.raises(ValueError, match="bad sizes"):
        compiled.fill(n, band.width, band.lo, band.hi, dp._TYPES, scoring.penalty, dp._scoring(scoring), tuple(short))
    with pytest.raises(ValueError, match="outside"):
        compiled.similarities(np.array([[0, n + 1, 0, 1]], dtype=np.int64), True, dp._args(t))
    with pytest.raises(ValueError, match="bad matrix"):
        compiled.csr_row_dots(np.array([0, 2, 1], dtype=np.int64), np.array([0, 1]), np.array([1.0, 2.0]), 2, 2, 1)


# --- invariants on arbitrary text ----------------------------------------------------------

SENTENCE = st.text(alphabet=st.sampled_from(list("abcdefgh ĄŻ0123.,")), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(st.lists(SENTENCE, max_size=12), st.lists(SENTENCE, max_size=12), st.booleans())
def test_beads_are_monotone_and_cover_both_sides_once(source, target, bridged):
    beads = align_sentences(source, target, source if bridged else None)
    src = [i for b in beads for i in b.source_ids]
    tgt = [j for b in beads for j in b.target_ids]
    assert src == list(range(len(source))) and tgt == list(range(len(target)))
    assert all(b.source_ids or b.target_ids for b in beads)
    assert all(len(b.source_ids) <= 4 and len(b.target_ids) <= 4 for b in beads)


# --- robustness on synthetic documents with a known alignment -------------------------------

WORDS = ("government", "minister", "report", "city", "council", "river", "bridge", "school", "budget",
         "hospital", "train", "station", "election", "museum", "police", "court", "festival", "harbour",
         "market", "factory", "energy", "price", "water", "forest", "university", "airport", "road", "tax",
         "bank", "union")
NAMES = ["Kowalski", "Nowak", "Gdańsk", "Poznań", "Lublin", "Tusk", "Duda", "Wisła", "Bałtyk", "Kraków"]


def synthetic(count: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(count):
        words = [*rng.sample(WORDS, rng.randint(6, 14)), rng.choice(NAMES), str(rng.randint(1, 2030))]
        rng.shuffle(words)
        out.append(" ".join(words).capitalize() + ".")
    return out


def noisy(sentence: str, rng: random.Random) -> str:
    """A stand-in MT: some words dropped or replaced, as a weak bridge would."""
    words = [w if rng.random() > 0.25 else rng.choice(WORDS) for w in sentence.split() if rng.random() > 0.1]
    return " ".join(words) or sentence


def split_words(text: str, parts: int, interleave: bool = False) -> list[str]:
    """``parts`` pieces of equal length; ``interleave``: inner cuts halfway between those of
    ``parts - 1`` equal pieces, so that each middle piece straddles a cut of the other side."""
    words = text.split()
    inner = [(k - 0.5) / (parts - 1) if interleave else k / parts for k in range(1, parts)]
    cuts = [0, *(round(f * len(words)) for f in inner), len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(cuts)]


def build(units, rng):
    """From "x-y" units build source/bridge/target and the gold beads.

    An x-y unit is one passage cut into x source and y target sentences at different
    places (so 2-3 is not 1-1 + 1-2), the way translators merge and split sentences.
    """
    source, bridge, target, gold = [], [], [], []
    for kind in units:
        x, y = map(int, kind.split("-"))
        passage = " ".join(synthetic(max(x, y, 1), rng))
        src = split_words(passage, x, interleave=1 < y < x) if x else []
        gold.append((tuple(range(len(source), len(source) + x)), tuple(range(len(target), len(target) + y))))
        source.extend(p.upper() for p in src)
        bridge.extend(noisy(p, rng) for p in src)
        target.extend(split_words(passage, y, interleave=1 < x < y) if y else [])
    return source, bridge, target, gold


def strict_f1(predicted, gold):
    predicted, gold = set(predicted), set(gold)
    p = len(predicted & gold) / len(predicted)
    r = len({g for g in gold if g[0] and g[1]} & predicted) / len({g for g in gold if g[0] and g[1]})
    return 2 * p * r / (p + r)


@pytest.mark.parametrize("case", ["insert_run", "missing_paragraph", "concatenated"])
def test_robust_to_what_real_documents_do(case):
    rng = random.Random(case)
    if case == "insert_run":  # 25 target sentences with no source in the middle
        units = ["1-1"] * 30 + ["0-1"] * 25 + ["1-1"] * 30
    elif case == "missing_paragraph":  # a 12-sentence paragraph missing from the target
        units = ["1-1"] * 20 + ["1-0"] * 12 + ["1-1"] * 20 + ["2-1"] * 3 + ["1-1"] * 10
    else:  # three documents one after another, each with its own merges and gaps
        units = []
        for _ in range(3):
            units += ["1-1"] * 15 + ["2-1", "0-1", "1-0"] + ["1-1"] * 10
    source, bridge, target, gold = build(units, rng)
    assert strict_f1(ids(align_sentences(source, target, bridge)), gold) >= 0.95


@pytest.mark.parametrize("shape", ["1-3", "3-1", "2-3", "3-2", "1-4", "4-1"])
def test_beads_of_the_shapes_translators_make(shape):
    rng = random.Random(shape)
    units = (["1-1"] * 6 + [shape]) * 6
    source, bridge, target, gold = build(units, rng)
    predicted = ids(align_sentences(source, target, bridge))
    found = [bead for bead in gold if bead in predicted and (len(bead[0]) > 1 or len(bead[1]) > 1)]
    # Crossing 2-3 / 3-2 beads are also explained, nearly as well, by a 1-1 next to a 1-2:
    # the aligner finds a third of them or more here (and most on real text, see README).
    assert len(found) >= (2 if shape in ("2-3", "3-2") else 5), f"{shape} beads found: {len(found)} of 6"
    assert strict_f1(predicted, gold) >= 0.85


def test_long_documents_take_the_banded_path_and_stay_accurate():
    from dataclasses import replace

    rng = random.Random(3)
    units = (["1-1"] * 40 + ["2-1", "0-1"] + ["1-1"] * 20 + ["1-0"] * 5) * 12
    source, bridge, target, gold = build(units, rng)
    banded = replace(BRIDGED, full_cells=10_000)  # force coarse-to-fine on this size
    assert (len(source) + 1) * (len(target) + 1) > banded.full_cells
    predicted = ids(align_sentences(source, target, bridge, banded))
    assert strict_f1(predicted, gold) >= 0.97
    assert predicted == ids(align_sentences(source, target, bridge))  # the band lost nothing here


def test_scores_read_from_zero_to_one_with_and_without_a_bridge():
    for bridge in (BRIDGE, None):
        beads = align_sentences(SOURCE, TARGET, bridge)
        assert all(0.0 <= b.score <= 1.0 for b in beads)
        assert all(b.score == 0.0 for b in beads if not (b.source_ids and b.target_ids))


def test_without_a_bridge_a_pair_sharing_no_name_scores_by_its_lengths_not_zero():
    """One sentence each, no name, number or symbol on either side: the shared-anchor cosine is 0, and
    the lengths agree exactly (the expected target length is the target's own length when the
    document is one sentence), so the Gale–Church agreement is 1 and the score their mean, 0.5."""
    beads = align_sentences(["Rozmawiano o handlu i energii."], ["They talked about trade and energy."])
    assert [(b.source_ids, b.target_ids, b.score) for b in beads] == [((0,), (0,), 0.5)]
    assert "low_confidence" not in beads[0].flags


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_a_short_text_keeps_what_a_sentence_shares_with_its_translation(size):
    """Features in more than a fifth of the sentences are dropped (common grams); in a text of two
    sentences a side, a sentence and its own bridge alone are half of them, and every shared gram was
    dropped: right pairs scored 0 and were flagged. Each short excerpt of TARGET, with a bridge a light
    rewording of it, must pair sentence i with sentence i, each scoring high (one sentence a side too)."""
    target = TARGET[:size]
    bridge = [t.replace("the ", "").replace("On Monday", "Monday") for t in target]
    beads = align_sentences(SOURCE[:size], target, bridge)
    assert ids(beads) == [((i,), (i,)) for i in range(size)]
    assert all(b.score >= 0.5 and "low_confidence" not in b.flags for b in beads)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.integers(-3, 12)] * 4), max_size=6), st.lists(st.integers(-2, 9), max_size=8),
       st.integers(-2, 9))
def test_the_c_kernel_answers_any_span_or_matrix_with_a_result_or_a_value_error(spans, indptr, d):
    """Whatever it is handed, the compiled kernel reads only inside its buffers: a result or a
    ValueError, never a crash (a crash would take the whole test process down)."""
    from xling.align import dp

    compiled = dp._compiled()
    if compiled is None:
        pytest.skip("the C kernel is not built here")
    _, _, _, t, _ = _random_problem(5, "relative")
    try:
        out = compiled.similarities(np.array(spans, dtype=np.int64).reshape(-1, 4), True, dp._args(t))
        assert len(out) == 8 * len(spans)
    except ValueError:
        assert spans
    nnz = max(indptr[-1], 0) if indptr else 0
    try:
        out = compiled.csr_row_dots(np.array(indptr or [0], dtype=np.int64), np.arange(nnz, dtype=np.int64),
                                    np.ones(nnz), max(len(indptr) - 1, 0), nnz, d)
        assert len(out) == 8 * max(len(indptr) - 1 - d, 0)
    except ValueError:
        pass
