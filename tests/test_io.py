"""Reading: encodings, newline normalisation, bad files, discovery."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from xling.errors import ReadError
from xling.io import decode, discover, read_document

POLISH = "Zażółć gęślą jaźń.\nŁódź to miasto."


@pytest.mark.parametrize("data, encoding", [
    (POLISH.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + POLISH.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig"),
    (POLISH.encode("utf-16"), "utf-16"),
    (POLISH.encode("utf-32"), "utf-32"),
])
def test_decode_unicode_forms(data, encoding):
    assert decode(data) == (POLISH, encoding)


@pytest.mark.parametrize("codec", ["cp1250", "iso-8859-2"])
def test_decode_legacy_polish(codec):
    text = ("Porozumienie w tej sprawie zawarto we wtorek 17 czerwca, podczas drugiej w ciągu miesiąca wizyty "
            "byłego szefa rosyjskiego MON. Zażółć gęślą jaźń, źdźbło, łódź, środa, żółw.\n") * 3
    decoded, found = decode(text.encode(codec))
    assert decoded == text
    assert found == {"cp1250": "cp1250", "iso-8859-2": "iso8859_2"}[codec]


def test_crlf_and_cr_become_newlines():
    assert decode(b"a\r\nb\rc\n")[0] == "a\nb\nc\n"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file"),
    (b"plain ASCII\x00with a NUL", "binary file"),
])
def test_bad_bytes_have_reasons(data, reason):
    with pytest.raises(ReadError) as info:
        decode(data)
    assert info.value.reason == reason


def test_blank_file_is_reported(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\t\n", encoding="utf-8")
    with pytest.raises(ReadError, match="blank file"):
        read_document(tmp_path, tmp_path / "blank.txt")


def test_discover_globs_recursion_and_symlink_loop(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "c.html").write_text("x")
    (tmp_path / "e.pdf").write_text("x")  # not a format xling reads
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "d.txt").write_text("x")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")  # a folder link back to the root
    names = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert names == ["a.txt", "b.md", "c.html", "sub/deeper/d.txt"]
    assert [p.name for p in discover(tmp_path, ["*.html"])] == ["c.html"]
    assert [p.name for p in discover(tmp_path, ["*.TXT"])] == ["a.txt", "d.txt"]  # in any case
    left_out: list[str] = []
    discover(tmp_path, ["*.txt"], left_out)
    assert left_out == ["b.md", "c.html", "e.pdf"]  # what a run says it did not read; the loop is not entered


@pytest.mark.parametrize("text, codec", [
    ("Zażółć gęślą jaźń. Źdźbło trawy, łódź i żółw w środę.", "iso-8859-2"),
    ("Zażółć gęślą jaźń. Źdźbło trawy, łódź i żółw w środę.", "cp1250"),
    ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "iso-8859-2"),
    ("Привет, как дела? Это тест кодировки для русского текста.", "cp1251"),
    ("Déjà vu: les élèves ont été très contents à Noël.", "cp1252"),
])
def test_short_legacy_text_decodes_to_letters(text, codec):
    # charset-normalizer alone picks Latin-3 for the first case; xling prefers the decoding whose
    # non-ASCII characters are letters.
    assert decode(text.encode(codec))[0] == text


def _within(seconds: float, call):
    """Run ``call`` in a daemon thread: a hang fails the test instead of stalling the suite."""
    import threading

    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung"
    return box["result"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_special_files_are_skipped_with_a_reason_not_read(tmp_path, fake_factory):
    from xling.pipeline import Options, translate_folder

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("Porozumienie w tej sprawie zawarto we wtorek w Korei Północnej.", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    if Path("/dev/zero").exists():
        os.symlink("/dev/zero", folder / "zero.txt")
    report = _within(60, lambda: translate_folder(folder, tmp_path / "out", Options(use_cache=False, view=False,
                                                                                    follow_links=True),
                                                  translator_factory=fake_factory))
    rows = {f.path: f for f in report.files}
    assert rows["ok.txt"].status == "translated"
    assert rows["pipe.txt"].status == "skipped" and "named pipe" in rows["pipe.txt"].reason
    if "zero.txt" in rows:
        assert rows["zero.txt"].status == "skipped" and "character device" in rows["zero.txt"].reason


def test_files_over_the_size_limit_are_skipped(tmp_path):
    from xling.errors import ReadError
    from xling.io import read_bytes

    path = tmp_path / "big.txt"
    path.write_bytes(b"slowo " * 400_000)
    with pytest.raises(ReadError, match="too large"):
        read_bytes(path, 1 << 20)
    assert len(read_bytes(path, 4 << 20)) == 2_400_000
