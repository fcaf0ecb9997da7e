"""Nothing lost, nothing silent: a folder of hostile inputs through the real CLI and the tiny model."""

from __future__ import annotations

import base64
import codecs
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEEDS
from xling.cli import app
from xling.formats.beads import read_beads
from xling.io import decode
from xling.report import read_manifest

runner = CliRunner()

POLISH = (SEEDS / "004_18b42087b80df9f9.txt").read_text(encoding="utf-8")
ENGLISH = (SEEDS / "000_9dade273bd72a989.txt").read_text(encoding="utf-8")
GERMAN = ("Der russische Präsident Wladimir Putin hat am Mittwoch Nordkorea besucht. Die beiden Staaten "
          "unterzeichneten ein Abkommen über strategische Partnerschaft. Beobachter im Westen zeigten sich "
          "besorgt über die militärische Zusammenarbeit der beiden Länder.\n")
POLISH_LEGACY = ("Zażółć gęślą jaźń. Porozumienie w tej sprawie zawarto we wtorek 17 czerwca, podczas drugiej "
                 "wizyty byłego szefa rosyjskiego ministerstwa obrony. Źdźbło trawy, łódź i żółw.\n")


def build(folder) -> dict[str, str]:
    """Every case from the issue; returns the expected status per file."""
    folder.mkdir()
    expected = {}

    def put(name, data, status):
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        expected[name] = status

    put("polish.txt", POLISH, "translated")
    put("english.txt", ENGLISH, "passed")
    put("german.txt", GERMAN, "translated")
    put("cp1250.txt", POLISH_LEGACY.encode("cp1250"), "translated")
    put("iso-8859-2.txt", POLISH_LEGACY.encode("iso-8859-2"), "translated")
    put("utf16-bom.txt", POLISH_LEGACY.encode("utf-16"), "translated")
    put("utf8-bom-crlf.txt", codecs.BOM_UTF8 + POLISH_LEGACY.replace("\n", "\r\n").encode("utf-8") * 2, "translated")
    put("binary.txt", random.Random(1).randbytes(4096) + b"\x00\x00", "failed")
    put("nul-in-utf8.txt", b"valid UTF-8 text\x00with a NUL byte, as binary files have", "failed")
    put("empty.txt", b"", "skipped")
    put("whitespace.txt", " \n\t\n   \r\n", "skipped")
    # a 1 MB line of data with no whitespace (base64) after a sentence: the sentence is translated,
    # the data is not (a 1 MB line of words would be cut and translated: tests/test_pipeline.py)
    blob = base64.b64encode(random.Random(2).randbytes(786_432)).decode("ascii")
    put("one-line-1mb.txt", POLISH_LEGACY.split("\n")[0] + "\n\n" + blob + "\n", "translated")
    put("long-sentence.txt", "Długie zdanie " + " ".join(f"słowo{i % 50}" for i in range(2_500)) + ".", "translated")
    put("markup.txt", "Tekst z <script>alert(1)</script> i encjami &amp; &lt;b&gt; w środku zdania o Polsce. "
                      "Drugie zdanie ma znak & oraz „cudzysłów”.\n", "translated")
    put("controls.txt", "Zdanie\u200b z zerową\u200dspacją i znakiem\x07 sterującym\x1b[0m w środku tekstu. "
                        "Kolejne zdanie po polsku ma tabulator\ttutaj i\x0bpionowy.\n", "translated")
    put("Łódź — raport.txt", POLISH_LEGACY, "translated")
    put("..dots..txt", POLISH_LEGACY, "translated")
    alternating = "\n\n".join(
        [POLISH.split("\n")[0], ENGLISH.split("\n")[0], POLISH.split("\n")[2], ENGLISH.split("\n")[1]])
    put("alternating.txt", alternating, "translated")
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")  # a folder symlink loop: must not be followed
    expected["sub/loop"] = "skipped"
    os.symlink(folder / "missing-target.txt", folder / "dangling.txt")
    expected["dangling.txt"] = "failed"
    put("unreadable.txt", POLISH_LEGACY, "translated" if os.geteuid() == 0 else "failed")
    os.chmod(folder / "unreadable.txt", 0)
    return expected


@pytest.fixture(scope="module")
def hostile_run(tiny_model, tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    expected = build(folder)
    out = base / "out"
    result = runner.invoke(app, ["translate", str(folder), "-o", str(out), "--model", f"pl={tiny_model}",
                                 "--model", f"de={tiny_model}", "--cache", str(base / "c.sqlite3"), "--offline"],
                           catch_exceptions=False)
    return folder, out, expected, result


def test_every_file_has_an_outcome_and_a_reason(hostile_run):
    _, out, expected, result = hostile_run
    assert result.exit_code == 1  # some files failed (binary, dangling link): documented exit code
    manifest = {row["path"]: row for row in read_manifest(out / "manifest.jsonl")}
    assert {path: row["status"] for path, row in manifest.items()} == expected, manifest.get("one-line-1mb.txt")
    for row in manifest.values():
        if row["status"] in ("failed", "skipped"):
            assert row["reason"], row
        if row["status"] in ("translated", "passed"):
            assert row["encoding"], row  # decoding recorded per file
    assert manifest["binary.txt"]["reason"].startswith(("binary file", "undecodable"))
    assert manifest["empty.txt"]["reason"] == "empty file"
    assert manifest["sub/loop"]["reason"].startswith("folder link not followed")
    (data,) = manifest["one-line-1mb.txt"]["skipped"]
    assert "--max-sentence-chars" in data["reason"] and data["end"] - data["start"] == 1_048_576
    assert manifest["cp1250.txt"]["encoding"] == "cp1250"
    assert manifest["iso-8859-2.txt"]["encoding"] == "iso8859_2"
    assert manifest["utf16-bom.txt"]["encoding"] == "utf-16"
    assert manifest["utf8-bom-crlf.txt"]["encoding"] == "utf-8-sig"
    assert manifest["german.txt"]["language"] == "de"
    assert manifest["alternating.txt"]["mixed"] == {"en": 2} and manifest["alternating.txt"]["kept"] >= 2
    assert "split" in manifest["long-sentence.txt"]["flags"]


def test_every_sentence_is_in_one_bead_or_skipped_and_offsets_round_trip(hostile_run):
    folder, out, _, _ = hostile_run
    checked = 0
    for row in read_manifest(out / "manifest.jsonl"):
        if row["status"] != "translated":
            continue
        text, _ = decode((folder / row["path"]).read_bytes())
        beads = list(read_beads(out / next(o for o in row["outputs"] if o.endswith(".jsonl"))))
        covered = [i for r in beads for i in r.bead.source_ids] + [s["index"] for s in row["skipped"]]
        assert sorted(covered) == list(range(row["sentences"])), row["path"]
        for record in beads:
            for (start, end) in record.bead.source_spans:
                assert text[start:end] == record.bead.source_text
        checked += 1
    assert checked == 14


def test_no_output_line_breaks_its_format(hostile_run):
    _, out, _, _ = hostile_run
    for path in (out / "pl-en").iterdir():
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")[:-1]
        assert len(text.splitlines()) == len(lines), path  # no stray line separators of any kind
        if path.suffix == ".tsv":
            assert all(line.count("\t") == 2 for line in lines), path
        if path.suffix in (".pl", ".en"):
            assert "\t" not in text
    for stem in {p.stem for p in (out / "pl-en").glob("*.pl")}:
        src = (out / "pl-en" / f"{stem}.pl").read_text(encoding="utf-8").split("\n")
        tgt = (out / "pl-en" / f"{stem}.en").read_text(encoding="utf-8").split("\n")
        assert len(src) == len(tgt)


def test_outputs_stay_inside_the_output_folder(hostile_run):
    _, out, _, _ = hostile_run
    root = out.resolve()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(root)
    assert (out / "pl-en" / "..dots..pl").is_file() and (out / "pl-en" / "Łódź — raport.pl").is_file()


ARBITRARY = st.text(alphabet=st.sampled_from(list("abcżółęą ABC.!?„”—-\n\t\r\x00\u2028\u200b<>&1234")) | st.characters(
    exclude_categories=["Cs"]), max_size=300)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ARBITRARY, st.integers(10, 400))
def test_every_sentence_of_arbitrary_text_is_in_one_bead_or_skipped(tmp_path_factory, fake_factory, tail, limit):
    from xling.pipeline import Options, translate_folder

    folder = tmp_path_factory.mktemp("prop")
    (folder / "in").mkdir()
    text = POLISH.split("\n")[0] + "\n\n" + tail
    (folder / "in" / "doc.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
    report = translate_folder(folder / "in", folder / "out", Options(use_cache=False, view=False,
                                                                      max_sentence_chars=limit),
                              translator_factory=fake_factory)
    (row,) = report.files
    if row.status == "failed":  # e.g. a NUL byte: a binary file, with a reason
        assert row.reason
        return
    decoded, _ = decode((folder / "in" / "doc.txt").read_bytes())
    beads = list(read_beads(folder / "out" / "pl-en" / "doc.jsonl")) if row.status == "translated" else []
    covered = sorted([i for r in beads for i in r.bead.source_ids] + [s["index"] for s in row.skipped])
    assert covered == list(range(row.sentences))
    for record in beads:
        ((start, end),) = record.bead.source_spans
        assert decoded[start:end] == record.bead.source_text
    for skipped in row.skipped:
        assert skipped["end"] - skipped["start"] > limit and skipped["reason"]
