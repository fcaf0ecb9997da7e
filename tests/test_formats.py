"""Every writer round-trips through its reader; line-based formats fold only what they document."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xling.data import Bead, CorpusInfo, Record
from xling.formats.beads import read_beads, write_beads
from xling.formats.fast_align import fold, read_fast_align, write_fast_align
from xling.formats.hf_jsonl import read_hf_jsonl, write_hf_jsonl
from xling.formats.lines import one_line
from xling.formats.moses import read_moses, write_moses
from xling.formats.tmx import read_tmx, write_tmx, xml_safe
from xling.formats.tsv import read_tsv, write_tsv

INFO = CorpusInfo("pl", "en", "xling:test")
# Arbitrary Unicode, weighted towards what breaks formats: controls, line breaks, tabs, markup, |||, RTL.
TRICKY = st.sampled_from([*"\t\n\r\x0b\x0c\x1c\x85\u2028\u2029\x00\x01\x1f<>&\"'|",
                          "|||", " ||| ", "שלום", "مرحبا", "<script>alert(1)</script>", "&amp;", "]]>", "Łódź"])
TEXT = st.lists(st.characters(exclude_categories=["Cs"]) | TRICKY, max_size=20).map("".join)
BEADS = st.lists(st.tuples(TEXT, TEXT, st.floats(-20, 0, allow_nan=False),
                           st.lists(st.sampled_from(["split", "empty", "repetition"]), max_size=2, unique=True)),
                 max_size=8)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def records_of(rows) -> list[Record]:
    return [Record(f"doc{i % 3}.txt", i, Bead((i,), (i,), src, tgt, ((0, len(src)),), round(score, 4),
                                                tuple(flags), paragraph=i // 2))
            for i, (src, tgt, score, flags) in enumerate(rows)]


def round_trip(write, read, records, name: str):
    """Write ``records`` to a fresh file, read it back; returns (what the reader gives, the file's bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, name)
        write(records, path)
        return read(path), path.read_bytes()


@SETTINGS
@given(BEADS)
def test_beads_round_trip_exactly(rows):
    records = records_of(rows)
    back, raw = round_trip(write_beads, lambda p: list(read_beads(p)), records, "d.jsonl")
    assert back == records
    assert len(raw.decode("utf-8").splitlines()) == len(records)


@SETTINGS
@given(BEADS)
def test_moses_line_counts_match_and_text_is_folded_only(rows):
    records = records_of(rows)
    with tempfile.TemporaryDirectory() as tmp:
        src, tgt = Path(tmp, "c.pl"), Path(tmp, "c.en")
        assert write_moses(records, src, tgt) == len(records)
        # any reader's notion of a line (str.splitlines is the broadest) sees the same count
        assert len(src.read_text(encoding="utf-8").splitlines()) == len(records)
        assert len(tgt.read_text(encoding="utf-8").splitlines()) == len(records)
        expected = [(one_line(r.bead.source_text), one_line(r.bead.target_text)) for r in records]
        assert read_moses(src, tgt) == expected


@SETTINGS
@given(BEADS)
def test_tsv_round_trip_with_all_columns(rows):
    records = records_of(rows)
    extra = ("doc", "bead", "src_ids", "tgt_ids", "score")
    back, _ = round_trip(lambda r, p: write_tsv(r, p, extra=extra), read_tsv, records, "c.tsv")
    assert [(r["source"], r["target"]) for r in back] == [
        (one_line(r.bead.source_text), one_line(r.bead.target_text)) for r in records]
    assert [int(r["bead"]) for r in back] == [r.index for r in records]
    assert [float(r["score"]) for r in back] == pytest.approx([r.bead.score for r in records], abs=1e-4)


@SETTINGS
@given(BEADS)
def test_fast_align_separator_is_never_ambiguous(rows):
    records = records_of(rows)
    back, _ = round_trip(write_fast_align, read_fast_align, records, "c.fa")
    assert back == [(fold(r.bead.source_text), fold(r.bead.target_text)) for r in records]
    assert all("|||" not in s and "|||" not in t for s, t in back)


@SETTINGS
@given(BEADS)
def test_tmx_round_trip_and_escaping(rows):
    records = records_of(rows)
    back, _ = round_trip(lambda r, p: write_tmx(r, p, INFO), read_tmx, records, "c.tmx")
    assert [(r["src"], r["tgt"]) for r in back] == [
        (xml_safe(r.bead.source_text), xml_safe(r.bead.target_text)) for r in records]
    assert [r["props"]["x-doc"] for r in back] == [r.doc for r in records]


@SETTINGS
@given(BEADS)
def test_hf_jsonl_round_trip_exactly(rows):
    records = records_of(rows)
    back, raw = round_trip(lambda r, p: write_hf_jsonl(r, p, INFO), read_hf_jsonl, records, "c.jsonl")
    assert len(raw.decode("utf-8").splitlines()) == len(records)
    assert [(r["translation"]["pl"], r["translation"]["en"]) for r in back] == [
        (r.bead.source_text, r.bead.target_text) for r in records]


@SETTINGS
@given(BEADS)
def test_parquet_round_trip_exactly(rows):
    pytest.importorskip("pyarrow", reason="the parquet extra (pyarrow) is not installed")
    from xling.formats.parquet import read_parquet, write_parquet

    records = records_of(rows)
    back, _ = round_trip(lambda r, p: write_parquet(r, p, INFO), read_parquet, records, "c.parquet")
    assert [(r["src"], r["tgt"], r["bead"], tuple(r["flags"])) for r in back] == [
        (r.bead.source_text, r.bead.target_text, r.index, r.bead.flags) for r in records]
    assert [[(s["start"], s["end"]) for s in r["src_spans"]] for r in back] == [
        [tuple(s) for s in r.bead.source_spans] for r in records]


SAMPLE = records_of([("Zażółć <gęślą> & jaźń.", "Grieve & <mourn>.", -0.5, ["split"]),
                     ("Drugie zdanie.", 'Second "sentence".', -1.25, [])])


def test_translate_toolkit_reads_our_tmx(tmp_path):
    tmx = pytest.importorskip("translate.storage.tmx", reason="translate-toolkit (test-only reader) not installed")
    path = tmp_path / "c.tmx"
    write_tmx(SAMPLE, path, INFO)
    store = tmx.tmxfile.parsefile(str(path))
    store.setsourcelanguage("pl")
    store.settargetlanguage("en")
    pairs = [(unit.source, unit.target) for unit in store.units]
    assert pairs == [(r.bead.source_text, r.bead.target_text) for r in SAMPLE]


def test_tmx_header_has_the_required_attributes(tmp_path):
    from lxml import etree

    path = tmp_path / "c.tmx"
    write_tmx(SAMPLE, path, INFO)
    header = etree.parse(str(path)).getroot().find("header")
    for attribute in ("srclang", "creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "datatype"):
        assert header.get(attribute), attribute
    assert (header.get("segtype"), header.get("datatype"), header.get("srclang")) == ("sentence", "plaintext", "pl")


def test_datasets_loads_our_jsonl(tmp_path):
    datasets = pytest.importorskip("datasets", reason="datasets is not installed")
    path = tmp_path / "c.jsonl"
    write_hf_jsonl(SAMPLE, path, INFO)
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded["translation"] == [{"pl": r.bead.source_text, "en": r.bead.target_text} for r in SAMPLE]
    assert loaded["doc"] == [r.doc for r in SAMPLE]
