"""``xling align`` from the command line, on the excerpt written for test_align.py."""

from __future__ import annotations

import json
import re

import pytest
from test_align import BRIDGE, GOLD, SOURCE, TARGET
from typer.testing import CliRunner

from xling.cli import app
from xling.formats.bead_ids import format_bead, read_bead_ids

runner = CliRunner()
# A rough machine translation of each target sentence back into Polish (the reverse bridge).
REVERSE = [
    "W poniedziałek premier spotkał delegację z Japonii.",
    "Rozmowy, które trwały trzy godziny, dotyczyły handlu i energii.",
    "Delegacja odwiedzi też Kraków i Wrocław.",
    "Nota redakcji: artykuł zaktualizowano o 9:30.",
    "Wizyta kończy się w piątek, 14 marca.",
]


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, lines in (("src.pl", SOURCE), ("tgt.en", TARGET), ("mt.en", BRIDGE), ("rev.pl", REVERSE)):
        paths[name] = tmp_path / name
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def test_beads_from_a_bridge_file(files, tmp_path):
    out = tmp_path / "beads.txt"
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--mt", str(files["mt.en"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_bead_ids(out) == GOLD
    assert out.read_text(encoding="utf-8").splitlines()[2] == "[3]:[]"
    assert "bridge: mt-file" in result.output


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_corpus_formats_to_stdout(files, fmt):
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--mt", str(files["mt.en"]), "-f", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert rows[1]["translation"]["en"] == TARGET[1] and rows[1]["src_ids"] == [1, 2]
    elif fmt == "tsv":
        assert result.stdout.splitlines()[0] == "source\ttarget\tsrc_ids\ttgt_ids\tscore"
    else:
        assert result.stdout.count("<tu>") == len(GOLD)


@pytest.mark.parametrize("forward", [True, False])
def test_a_reverse_bridge_alone_or_with_the_forward_one(files, tmp_path, forward):
    out = tmp_path / "beads.txt"
    args = ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented", "--mt-rev", str(files["rev.pl"])]
    args += ["--mt", str(files["mt.en"])] if forward else ["--no-model"]
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_bead_ids(out) == GOLD
    assert ("bridge: mt-file+mt-rev-file" if forward else "bridge: mt-rev-file") in result.output


def test_a_reverse_bridge_needs_one_line_per_target_sentence(files, tmp_path):
    short = tmp_path / "short.pl"
    short.write_text("\n".join(REVERSE[:2]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--mt-rev", str(short), "--no-model"])
    assert result.exit_code == 2 and "--mt-rev" in result.output and "the target has 5 sentences" in result.output


def test_moses_needs_a_prefix_and_writes_both_sides(files, tmp_path):
    args = ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented", "--mt", str(files["mt.en"])]
    assert runner.invoke(app, [*args, "-f", "moses"]).exit_code == 2
    result = runner.invoke(app, [*args, "-f", "moses", "-o", str(tmp_path / "c")])
    assert result.exit_code == 0
    assert len((tmp_path / "c.pl").read_text(encoding="utf-8").splitlines()) == len(GOLD)


def test_bridge_with_the_wrong_length_is_a_usage_error(files, tmp_path):
    short = tmp_path / "short.en"
    short.write_text("\n".join(BRIDGE[:3]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--mt", str(short)])
    assert result.exit_code == 2 and "3 lines but the source has 6 sentences" in result.output


def test_without_a_bridge_it_says_so(files):
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--tgt-lang", "de"])
    assert result.exit_code == 0
    assert "bridge: none" in result.output and "--mt" in result.output
    assert len(result.stdout.splitlines()) >= 5


def test_unsegmented_input_is_split_by_xling(files, tmp_path):
    source = tmp_path / "src.txt"
    source.write_text(" ".join(SOURCE) + "\n", encoding="utf-8")  # one paragraph
    result = runner.invoke(app, ["align", str(source), str(files["tgt.en"]), "--no-model"])
    assert result.exit_code == 0
    assert "6 source and 5 target sentences" in result.output
    assert format_bead((0,), (0,)) == result.stdout.splitlines()[0]


def test_model_takes_the_translate_syntax(files, tmp_path, monkeypatch):
    """--model pl=DIR is the bridge for Polish, as in translate, not a folder named 'pl=DIR'."""
    from conftest import FakeTranslator

    seen = {}

    def load_translator(source_lang, model=None, **kwargs):
        seen["model"] = model
        return FakeTranslator("recorded")

    monkeypatch.setattr("xling.api.load_translator", load_translator)
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented",
                                 "--model", f"pl={tmp_path}"])
    assert result.exit_code == 0, result.output
    assert seen["model"] == str(tmp_path)
    result = runner.invoke(app, ["align", str(files["src.pl"]), str(files["tgt.en"]), "--model", f"de={tmp_path}"])
    assert result.exit_code == 2 and "translates pl (--src-lang), not de" in " ".join(result.output.split())


@pytest.mark.parametrize("folders", [False, True], ids=["pair", "folders"])
def test_a_model_the_user_names_must_load(files, tmp_path, folders):
    """Falling back to lengths and names when the model asked for is unusable would exit 0 with a far
    worse alignment; the registry's model may be missing (that only warns, test above)."""
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    if folders:
        (tmp_path / "pl").mkdir(), (tmp_path / "en").mkdir()
        (tmp_path / "pl" / "a.txt").write_text(files["src.pl"].read_text(encoding="utf-8"), encoding="utf-8")
        (tmp_path / "en" / "a.txt").write_text(files["tgt.en"].read_text(encoding="utf-8"), encoding="utf-8")
        sides = [str(tmp_path / "pl"), str(tmp_path / "en"), "-o", str(tmp_path / "out")]
    else:
        sides = [str(files["src.pl"]), str(files["tgt.en"])]
    for model, says in ((f"pl={not_a_model}", "holds no config.json"),
                        (str(tmp_path / "missing"), "no such directory")):
        result = runner.invoke(app, ["align", *sides, "--model", model])
        message = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert says in message and message.startswith("error: --model")
        assert "hf download " + str(tmp_path) not in message  # no download hint for a folder
        assert len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()
    result = runner.invoke(app, ["align", *sides, "--model", str(not_a_model), "--no-model"])
    assert result.exit_code == 2 and "contradict" in result.output


def test_drop_unaligned_leaves_one_sided_beads_out_of_line_formats(files, tmp_path):
    out = tmp_path / "pairs.tsv"
    args = ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented", "--mt", str(files["mt.en"]),
            "-f", "tsv", "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    everything = out.read_text(encoding="utf-8").splitlines()[1:]
    assert runner.invoke(app, [*args, "--drop-unaligned"]).exit_code == 0
    paired = out.read_text(encoding="utf-8").splitlines()[1:]
    one_sided = sum(1 for src, tgt in GOLD if not src or not tgt)
    assert one_sided > 0 and len(paired) == len(everything) - one_sided
    assert all(row.split("\t")[0] and row.split("\t")[1] for row in paired)


@pytest.mark.parametrize("case", ["folder", "binary-mt", "empty"])
def test_errors_are_one_line_and_name_the_file(files, tmp_path, case):
    args = ["align", str(files["src.pl"]), str(files["tgt.en"]), "--presegmented"]
    if case == "folder":
        args[1], name = str(tmp_path), str(tmp_path)
    elif case == "binary-mt":
        (tmp_path / "mt.bin").write_bytes(b"\xff\xfe\x00\x81" * 50)
        args += ["--mt", str(tmp_path / "mt.bin")]
        name = str(tmp_path / "mt.bin")
    else:
        (tmp_path / "empty.en").write_bytes(b"")
        args[2], name = str(tmp_path / "empty.en"), str(tmp_path / "empty.en")
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output and name in text, text


def test_line_files_may_end_in_blank_lines_and_start_with_a_byte_order_mark(files, tmp_path):
    """What editors and shells leave: a BOM, Windows line ends, a blank line or two at the end. Line i
    is still sentence i, and the lines count as many as the source has."""
    mt = tmp_path / "mt-windows.en"
    mt.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(BRIDGE).encode("utf-8") + b"\r\n\r\n \r\n")
    source = tmp_path / "src-trailing.pl"
    source.write_text("\n".join(SOURCE) + "\n\n\n", encoding="utf-8")
    out = tmp_path / "beads.tsv"
    result = runner.invoke(app, ["align", str(source), str(files["tgt.en"]), "--presegmented", "--mt", str(mt),
                                 "-f", "tsv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(SOURCE)} source and {len(TARGET)} target sentences" in result.output
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert [tuple(r.split("\t")[2:4]) for r in rows] == [
        (",".join(map(str, s)), ",".join(map(str, t))) for s, t in GOLD]


def test_align_texts_says_which_bridge_it_used_and_why_none():
    """The Python API: a bridge from the caller's lines, from a translator, or none, each with its note."""
    from conftest import FakeTranslator
    from xling.align.texts import align_texts
    from xling.data import Translation
    from xling.errors import UsageError, XlingError

    source, target = " ".join(SOURCE), "\n".join(TARGET)  # the source as one paragraph: xling splits it
    result = align_texts(source, target, presegmented=False, mt=BRIDGE, note="ignored")
    assert (len(result.source), result.bridge, result.note) == (len(SOURCE), "mt-file", "")
    assert [(b.source_ids, b.target_ids) for b in result.beads] == GOLD
    assert len(align_texts(source, target).source) == len(SOURCE)  # splitting is the default

    class Copying(FakeTranslator):
        def translate(self, texts):  # each source sentence's own rough translation
            self.seen.extend(texts)
            return [Translation(s, BRIDGE[SOURCE.index(s)], self.model_id, -0.1) for s in texts]

    copying = Copying("pl-en-test")
    result = align_texts(source, target, translator=copying)
    assert (result.bridge, result.note) == ("model:pl-en-test", "")
    assert copying.seen == SOURCE and [(b.source_ids, b.target_ids) for b in result.beads] == GOLD

    unused = Copying("unused")
    result = align_texts(source, target, target_lang="de", translator=unused)
    assert result.bridge == "none" and "translate into English, not 'de'" in result.note and unused.seen == []

    class Failing(FakeTranslator):
        def translate(self, texts):
            raise XlingError("the model ran out of memory")

    result = align_texts(source, target, translator=Failing())
    assert result.bridge == "none" and result.note == "no bridge translation (the model ran out of memory)"
    with pytest.raises(UsageError, match=r"^3 bridge translations for 6 source sentences$"):
        align_texts(source, target, mt=BRIDGE[:3])


def test_align_texts_drops_a_useless_bridge_either_way_and_logs_why(caplog):
    """A broken model's output (one word over and over) resembles the other side less than the
    untranslated text does: not used, said in the result and in the log, in each direction."""
    import logging

    from xling.align.texts import align_texts

    source, target = "\n".join(SOURCE), "\n".join(TARGET)
    useless_forward, useless_reverse = ["zzyzx qwv"] * len(SOURCE), ["zzyzx qwv"] * len(TARGET)
    with caplog.at_level(logging.WARNING, logger="xling.align.texts"):
        result = align_texts(source, target, presegmented=True, mt=useless_forward)
    assert result.bridge == "none"
    assert result.note.startswith("mt-file not used: it resembles the target less than the untranslated source")
    assert [r.getMessage() for r in caplog.records] == [
        f"aligning without a bridge, on lengths, names and numbers: {result.note}"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="xling.align.texts"):
        result = align_texts(source, target, presegmented=True, mt=BRIDGE, mt_rev=useless_reverse)
    assert (result.bridge, result.note) == ("mt-file", "")
    assert [(b.source_ids, b.target_ids) for b in result.beads] == GOLD
    [record] = caplog.records
    assert record.getMessage().startswith("the reverse bridge is not used: it resembles the source less than "
                                          "the untranslated target does")
    result = align_texts(source, target, presegmented=True, mt=BRIDGE, mt_rev=REVERSE)
    assert result.bridge == "mt-file+mt-rev-file"
    result = align_texts(source, target, presegmented=True)
    assert (result.bridge, result.note) == ("none", "")
    two_on_a_line = align_texts("Premier przyleciał. Rozmowy trwały.\nWizyta kończy się w piątek.",
                                "The prime minister flew in. The talks lasted.\nThe visit ends on Friday.",
                                presegmented=True)
    assert (two_on_a_line.source, len(two_on_a_line.target)) == (
        ["Premier przyleciał. Rozmowy trwały.", "Wizyta kończy się w piątek."], 2)


def test_read_mt_reads_line_files_as_editors_leave_them_and_names_the_problem(tmp_path):
    from xling.align.texts import align_texts, read_mt
    from xling.errors import UsageError

    bom = tmp_path / "bom.en"
    bom.write_bytes(b"\xef\xbb\xbfFirst line.\r\nSecond line.\r\n\r\n")
    assert read_mt(bom, 2) == ["First line.", "Second line."]  # no U+FEFF left on the first line
    with pytest.raises(UsageError, match=f"^--mt {re.escape(str(tmp_path))}: Is a directory$"):
        read_mt(tmp_path, 2)
    with pytest.raises(UsageError, match=r"^2 reverse bridge translations for 5 target sentences$"):
        align_texts("\n".join(SOURCE), "\n".join(TARGET), presegmented=True, mt=BRIDGE, mt_rev=REVERSE[:2])


def test_load_bridge_falls_back_only_for_the_registry_s_model(tmp_path):
    """The Python API: the registry's model missing is a note (align without a bridge); a model the
    caller names that cannot load, or cannot translate into the target language, is an error."""
    from xling.api import load_bridge
    from xling.errors import XlingError

    translator, note = load_bridge("pl", "de")
    assert translator is None and note.startswith("xling's models translate into English, not 'de'")
    with pytest.raises(XlingError, match="translate into English, not 'de'"):
        load_bridge("pl", "de", str(tmp_path))
    with pytest.raises(XlingError, match=r"holds no config\.json"):
        load_bridge("pl", "en", str(tmp_path))
