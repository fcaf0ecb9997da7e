"""Quality flags: true positives on made cases, false alarms on real opus-mt-pl-en output."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED, load_script
from xling.data import Segment
from xling.errors import UsageError
from xling.models import load_registry
from xling.quality import OmissionModel, Thresholds, flags_for
from xling.segment import cut_long_segments
from xling.translate.batched import decode_entities

REAL = SHARED / "opus-mt-real"
SOURCE = "Premier spotkał się w poniedziałek z delegacją z Japonii, aby omówić handel i energię."
PL = Thresholds(omission={"pl": OmissionModel(0.1671, -0.3431)})


@pytest.fixture(scope="module")
def detector():
    from xling.detect import LanguageDetector

    detector = LanguageDetector(["pl", "de"])
    return lambda text: detector.detect(text)[0]


# --- true positives ---------------------------------------------------------------------------

def test_an_output_that_is_the_source_is_untranslated(detector):
    assert "untranslated" in flags_for(SOURCE, SOURCE, -0.3, "pl", "en", detector, PL)
    # copied with small changes: most ordinary words are the source's own
    copied = "Premier spotkał się w poniedziałek z delegacją z Japonii, aby omówić handel."
    assert "untranslated" in flags_for(SOURCE, copied, -0.3, "pl", "en", None, PL)


def test_an_output_in_another_language_is_untranslated(detector):
    polish_paraphrase = "W poniedziałek szef rządu rozmawiał z gośćmi z Tokio o wymianie towarów i o prądzie."
    assert "untranslated" in flags_for(SOURCE, polish_paraphrase, -0.3, "pl", "en", detector, PL)
    german = "Der Premierminister traf sich am Montag mit einer Delegation aus Japan, um über Handel zu sprechen."
    assert "untranslated" in flags_for(SOURCE, german, -0.3, "pl", "en", detector, PL)


def test_names_do_not_make_a_translation_untranslated(detector):
    source = "Aplikant Daniel Cyrnek, starszy aplikant Grzegorz Bal i komisarz Jacek Wójcik to funkcjonariusze."
    output = "Applicant Daniel Cyrnek, Senior Applicant Grzegorz Bal and Commissioner Jacek Wójcik are officers."
    assert flags_for(source, output, -0.3, "pl", "en", detector, PL) == ()


def test_omission_repetition_and_empty():
    assert "omission" in flags_for(SOURCE, "The prime minister met a delegation.", -0.3, "pl", "en", None, PL)
    assert "omission" not in flags_for(
        SOURCE, "On Monday the prime minister met a delegation from Japan to discuss trade and energy.",
        -0.3, "pl", "en", None, PL)
    assert "omission" not in flags_for(SOURCE, "The prime minister met a delegation.", -0.3, "pl", "en", None,
                                       Thresholds())  # no calibration for the pair: not judged
    assert "repetition" in flags_for(SOURCE, "The prime minister met the the the the the delegation.", -0.3,
                                     "pl", "en", None, PL)
    assert flags_for(SOURCE, "  ", -0.3, "pl", "en", None, PL) == ("empty",)


def test_low_score_per_language_and_overall():
    per_language = Thresholds(low_score_for={"pl": -1.0})
    assert "low_score" in flags_for(SOURCE, "On Monday the prime minister met.", -1.5, "pl", "en", None, per_language)
    assert "low_score" not in flags_for(SOURCE, "On Monday the prime minister met.", -1.5, "de", "en", None,
                                        per_language)  # default -2.0
    overall = Thresholds(low_score=-3.0, low_score_for={"pl": -1.0})
    assert "low_score" not in flags_for(SOURCE, "On Monday the prime minister met.", -1.5, "pl", "en", None,
                                        overall)


def test_registry_quality_tables(tmp_path):
    registry = load_registry()
    assert registry.thresholds(Thresholds()).omission["pl"] == OmissionModel(0.1671, -0.3431)
    path = tmp_path / "r.toml"
    path.write_text('[models]\npl = "x"\n[quality.pl]\nlow_score = -1.5\n', encoding="utf-8")
    assert load_registry(path).thresholds(Thresholds()).low_score_of("pl") == -1.5
    path.write_text('[models]\npl = "x"\n[quality.pl]\nlow_scor = -1.5\n', encoding="utf-8")
    with pytest.raises(UsageError, match="unknown key 'low_scor'"):
        load_registry(path)
    path.write_text('[models]\npl = "x"\n[quality.pl]\nlow_score = "high"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="finite number"):
        load_registry(path)


# --- entities ---------------------------------------------------------------------------------

def test_entities_the_model_wrote_are_decoded():
    assert decode_entities("such as R &amp; D reliefs", "takich jak ulgi na B+R") == "such as R & D reliefs"
    assert decode_entities("&quot;Yes&quot; &#8211; he said", "„Tak” – powiedział") == '"Yes" \u2013 he said'
    # an entity the source has too is text about HTML: kept
    assert decode_entities("write &amp; for an ampersand", "pisz &amp; zamiast &") == "write &amp; for an ampersand"
    assert decode_entities("AT&T and &unknown; stay", "AT&T") == "AT&T and &unknown; stay"


def test_entities_on_the_real_outputs():
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is not there (it sits beside the checkout in CI)")
    sources = (REAL / "newstest2020.pl").read_text(encoding="utf-8").splitlines()
    outputs = (REAL / "newstest2020.opus-mt.en").read_text(encoding="utf-8").splitlines()
    leaked = [(s, o) for s, o in zip(sources, outputs, strict=True) if "&amp;" in o]
    assert len(leaked) == 3
    for source, output in leaked:
        decoded = decode_entities(output, source)
        assert "R & D" in decoded and "&amp;" not in decoded
        assert decoded.replace("R & D", "R &amp; D") == output  # nothing else changed


# --- calibration on real output --------------------------------------------------------------

@pytest.fixture(scope="module")
def calibration():
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is not there (it sits beside the checkout in CI)")
    return load_script("calibrate_quality")


def test_false_alarms_on_real_opus_mt_output(calibration):
    pairs = calibration.load_pairs(REAL, "pl")
    assert len(pairs) == 2013
    thresholds = load_registry().thresholds(Thresholds())
    counts = calibration.flag_counts(pairs, "pl", thresholds)
    rates = {flag: counts[flag] / len(pairs) for flag in ("untranslated", "repetition", "length_ratio", "empty")}
    assert all(rate <= 0.005 for rate in rates.values()), rates
    assert counts["omission"] / len(pairs) <= 0.01
    fr = next((s, o) for s, o in pairs if o.endswith("celebrated by Fr."))
    assert "omission" in flags_for(*fr, -0.3, "pl", "en", None, thresholds)


def test_the_registry_holds_what_the_calibration_fits(calibration):
    fitted = calibration.fit_omission(calibration.load_pairs(REAL, "pl"), 0.75)
    assert load_registry().thresholds(Thresholds()).omission["pl"] == fitted


# --- over-long "sentences" ------------------------------------------------------------------

def _segment(text: str) -> Segment:
    return Segment("d", 0, 0, 0, len(text), text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="abc ,.", min_size=1, max_size=30),
                          st.text(alphabet="xyz", min_size=20, max_size=60)), min_size=1, max_size=12),
       st.integers(8, 40))
def test_long_segments_are_cut_and_nothing_is_lost(parts, limit):
    text = " ".join(parts).strip() or "a"
    segments, cut, skipped = cut_long_segments([_segment(text)], limit)
    assert [s.index for s in segments] == list(range(len(segments)))
    assert all(text[s.start:s.end] == s.text for s in segments)
    assert "".join("".join(s.text.split()) for s in segments) == "".join(text.split())
    data = {entry["index"] for entry in skipped}
    assert all(s.end - s.start <= limit for s in segments if s.index not in data)
    assert all(" " not in segments[i].text and len(segments[i].text) > limit for i in data)
    assert not data & cut


def test_a_short_segment_is_left_alone():
    segments, cut, skipped = cut_long_segments([_segment("Krótkie zdanie.")], 50)
    assert [s.text for s in segments] == ["Krótkie zdanie."] and not cut and not skipped
