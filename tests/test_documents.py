"""Markdown and Word files in and out, on files made here: same structure, code and styles untouched."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from conftest import FakeTranslator
from xling.formats.beads import read_beads
from xling.pipeline import Options, translate_folder
from xling.readers.markdown import read_markdown, restore

MARKDOWN = """---
title: "Raport: wizyta"
tags: [korea, rosja]
---
# Wizyta ministra w Pjongjangu

Minister obrony Rosji przyleciał we wtorek do Pjongjangu, aby uruchomić `make deploy --prod` na
serwerach wojskowych, jak podaje [agencja KCNA](https://kcna.example/raport).

- Obie strony uzgodniły budowę miejsc pamięci poległych żołnierzy.
- Udział żołnierzy potwierdzono dopiero **pod koniec kwietnia**.

> Sojusz obu państw pogłębia się od czerwca ubiegłego roku, mówią eksperci.

```python
print("To jest kod i nie wolno go tłumaczyć.")
```

<div class="ad">Reklama, której nie tłumaczymy.</div>

| Miasto | Opis |
|---|---|
| Pjongjang | Stolica kraju, w której odbyły się rozmowy. |
"""


def _run(tmp_path, name: str, data: bytes):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    fake = FakeTranslator()
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False), translator_factory=lambda m: fake)
    return report, fake


def _tokens(text: str) -> list[str]:
    from markdown_it import MarkdownIt

    return [t.type for t in MarkdownIt("commonmark").enable("table").parse(text)]


def test_markdown_blocks_leave_code_front_matter_html_and_link_targets_to_placeholders():
    document = read_markdown(MARKDOWN, "a.md", "utf-8")
    texts = [document.text[b.start:b.end] for b in document.blocks]
    assert texts[0] == "Wizyta ministra w Pjongjangu" and document.blocks[0].kind == "heading"
    assert document.blocks[0].place == "lines 5-5"  # after four lines of front matter
    assert texts[1] == ("Minister obrony Rosji przyleciał we wtorek do Pjongjangu, aby uruchomić [1] na serwerach "
                        "wojskowych, jak podaje agencja KCNA [2].")
    joined = "\n".join(texts)
    for never in ("make deploy", "kcna.example", "print(", "Reklama", "title:", "korea"):
        assert never not in joined
    assert [b.kind for b in document.blocks] == ["heading", "paragraph", "item", "item", "quote", "cell", "cell",
                                                 "cell", "cell"]


@pytest.mark.parametrize("translation, expected", [
    ("run [1] as [2] says", "run `x` as (https://y) says"),
    ("run as [2] says", "run as (https://y) says `x`"),  # a dropped placeholder comes back at the end
    ("[2] [1] [7]", "(https://y) `x` [7]"),
])
def test_restore_puts_back_every_protected_piece_once(translation, expected):
    assert restore(translation, ("`x`", "(https://y)")) == expected


def test_a_markdown_file_comes_back_with_the_same_blocks_and_code_untouched(tmp_path):
    report, fake = _run(tmp_path, "raport.md", MARKDOWN.encode("utf-8"))
    assert report.files[0].status == "translated"
    out = (tmp_path / "out" / "pl-en" / "raport.en.md").read_text(encoding="utf-8")
    assert _tokens(out) == _tokens(MARKDOWN)
    for kept in ('```python\nprint("To jest kod i nie wolno go tłumaczyć.")\n```',
                 '<div class="ad">Reklama, której nie tłumaczymy.</div>', 'title: "Raport: wizyta"',
                 "`make deploy --prod`", "(https://kcna.example/raport)"):
        assert kept in out
    assert "# WIZYTA MINISTRA W PJONGJANGU" in out and "- OBIE STRONY UZGODNIŁY" in out
    assert "| STOLICA KRAJU, W KTÓREJ ODBYŁY SIĘ ROZMOWY. |" in out
    assert not any("make deploy" in s or "print(" in s for s in fake.seen)


def _docx() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Wizyta ministra w Pjongjangu", level=1)
    paragraph = document.add_paragraph("Minister obrony Rosji ", style="Normal")
    paragraph.add_run("przyleciał we wtorek").bold = True
    paragraph.add_run(" do Pjongjangu, by kontynuować rozmowy.")
    document.add_paragraph("")
    document.add_paragraph("Obie strony uzgodniły budowę miejsc pamięci.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Miasto", "Opis"
    table.cell(1, 0).text, table.cell(1, 1).text = "Pjongjang", "Stolica kraju, w której odbyły się rozmowy."
    document.add_paragraph("Udział żołnierzy potwierdzono dopiero pod koniec kwietnia.", style="Quote")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _paragraphs(data: bytes) -> list[tuple[str, str]]:
    import docx

    from xling.readers.docx import _paragraphs as in_order

    return [(p.style.name, p.text) for _, p in in_order(docx.Document(io.BytesIO(data)))]


def test_a_word_file_comes_back_with_the_same_paragraphs_and_styles(tmp_path):
    data = _docx()
    report, _ = _run(tmp_path, "raport.docx", data)
    assert report.files[0].status == "translated", report.files[0].reason
    out = (tmp_path / "out" / "pl-en" / "raport.en.docx").read_bytes()
    before, after = _paragraphs(data), _paragraphs(out)
    assert [style for style, _ in after] == [style for style, _ in before]  # same paragraphs, same styles
    assert [text for _, text in after] == [text.upper() for _, text in before]  # the fake upper-cases
    beads = [r.bead for r in read_beads(tmp_path / "out" / "pl-en" / "raport.jsonl")]
    assert beads[1].source_text == "Minister obrony Rosji przyleciał we wtorek do Pjongjangu, by kontynuować rozmowy."
    import docx

    bold = [run for run in docx.Document(io.BytesIO(out)).paragraphs[1].runs if run.text]
    assert len(bold) == 1 and bold[0].text.startswith("MINISTER")  # the first run keeps the text


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# What a Word file holds beyond plain paragraphs, each text as a person reads it in Word.
EDITED = [
    "Pierwszy akapit dokumentu po polsku.",
    "Zdanie z wstawionym tekstem na końcu.",       # a tracked insertion (and a tracked deletion, not shown)
    "Akapit w kontrolce treści.",                  # a content control around a paragraph
    "Komórka zewnętrzna.",
    "Komórka wewnętrzna tabeli.",                  # a table inside a table's cell
    "Scalona pionowo komórka.",                    # one cell over two rows: its text once
    "Prawa górna.",
    "Prawa środkowa.",
    "Ostatni akapit.",
]


def _edited_docx() -> bytes:
    docx = pytest.importorskip("docx")
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph(EDITED[0])
    paragraph = document.add_paragraph("Zdanie z ")
    for xml in (f'<w:ins {W_NS} w:id="1" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r><w:t xml:space="preserve">'
                "wstawionym tekstem</w:t></w:r></w:ins>",
                f'<w:del {W_NS} w:id="2" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r><w:delText '
                'xml:space="preserve"> USUNIĘTE</w:delText></w:r></w:del>',
                f'<w:r {W_NS}><w:t xml:space="preserve"> na końcu.</w:t></w:r>'):
        paragraph._p.append(parse_xml(xml))
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(f"<w:sdt {W_NS}><w:sdtContent><w:p><w:r><w:t>{EDITED[2]}</w:t></w:r>"
                                         "</w:p></w:sdtContent></w:sdt>"))
    outer = document.add_table(rows=1, cols=1)
    outer.cell(0, 0).paragraphs[0].text = EDITED[3]
    outer.cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).paragraphs[0].text = EDITED[4]
    merged = document.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(1, 0)).paragraphs[0].text = EDITED[5]
    merged.cell(0, 1).paragraphs[0].text, merged.cell(1, 1).paragraphs[0].text = EDITED[6], EDITED[7]
    document.add_paragraph(EDITED[8])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_s_insertions_content_controls_nested_and_merged_cells_are_read_once(tmp_path):
    """python-docx's paragraph text leaves out tracked insertions, the body's children leave out content
    controls, a cell's paragraphs leave out its nested tables, and its grid view lists a vertically
    merged cell in both rows: each was text lost or read twice."""
    from xling.readers.docx import read_docx

    data = _edited_docx()
    document = read_docx(data, "edited.docx")
    assert [document.text[b.start:b.end] for b in document.blocks] == EDITED
    report, fake = _run(tmp_path, "edited.docx", data)
    assert report.files[0].status == "translated", report.files[0].reason
    assert sorted(fake.seen) == sorted(EDITED)  # each sentence translated once
    out = (tmp_path / "out" / "pl-en" / "edited.en.docx").read_bytes()
    translated = read_docx(out, "edited.en.docx")
    assert [translated.text[b.start:b.end] for b in translated.blocks] == [t.upper() for t in EDITED]
    assert b"> USUNI\xc4\x98TE</w:delText>" in zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml")


def test_the_parts_of_a_word_file_that_are_not_read_are_named_in_the_manifest(tmp_path):
    """Headers, footers, footnotes and text boxes are not read yet: a run must not pass over their text
    in silence. Two footnotes with text (the separators are not notes), one header, one text box."""
    docx = pytest.importorskip("docx")
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from rich.console import Console

    from xling.cli.summary import print_summary
    from xling.readers.docx import read_docx

    document = docx.Document()
    paragraph = document.add_paragraph("Treść dokumentu po polsku, o wizycie ministra w stolicy. ")
    paragraph._p.append(parse_xml(
        f'<w:r {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
        "<w:p><w:r><w:t>Tekst w ramce obok akapitu.</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>"
        "</w:pict></w:r>"))
    document.sections[0].header.paragraphs[0].text = "Nagłówek każdej strony"
    notes = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:footnote>'
                    for i, t in ((1, "Przypis pierwszy."), (2, "Przypis drugi.")))
    separators = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                  '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
                  "</w:r></w:p></w:footnote>")
    footnotes = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                     f"<w:footnotes {W_NS}>{separators}{notes}</w:footnotes>".encode(), document.part.package)
    document.part.relate_to(footnotes, RT.FOOTNOTES)  # as Word links them: by a relationship
    package = io.BytesIO()
    document.save(package)
    data = package.getvalue()
    read = read_docx(data, "notes.docx")
    assert read.text == "Treść dokumentu po polsku, o wizycie ministra w stolicy."  # not the text box's
    assert read.unread == ("headers (1)", "footnotes (2)", "text boxes (1)")
    report, _ = _run(tmp_path, "notes.docx", data)
    rows = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["path"], r["status"], r["unread"]) for r in rows] == [
        ("notes.docx", "translated", ["headers (1)", "footnotes (2)", "text boxes (1)"])]
    console = Console(record=True, width=200)
    print_summary(report, console)
    assert "1 with parts not read (see 'unread' in the manifest)" in console.export_text()
    plain = docx.Document()
    plain.add_paragraph("Tylko treść, bez nagłówków i przypisów.")
    package = io.BytesIO()
    plain.save(package)
    assert read_docx(package.getvalue(), "plain.docx").unread == ()


@pytest.mark.parametrize("levels", [3, 12, 150])
def test_a_deeply_nested_markdown_list_is_read_to_its_end(levels):
    """markdown-it's default stops at 20 nested blocks (a list ten levels deep) and drops the rest of the
    file without an error; every item, and the paragraph after the list, must be there."""
    source = "".join("  " * i + f"- Punkt numer {i} listy.\n" for i in range(levels)) + "\nAkapit na końcu.\n"
    document = read_markdown(source, "deep.md", "utf-8")
    texts = [document.text[b.start:b.end] for b in document.blocks]
    assert texts == [f"Punkt numer {i} listy." for i in range(levels)] + ["Akapit na końcu."]
    assert [b.place for b in document.blocks][-1] == f"lines {levels + 2}-{levels + 2}"


def test_markdown_deeper_than_the_parser_reads_fails_with_one_line(tmp_path):
    from xling.errors import ReadError

    with pytest.raises(ReadError, match="deep") as caught:
        read_markdown(">" * 500 + " Cytat.\n\nAkapit.\n", "deep.md", "utf-8")
    assert "\n" not in str(caught.value)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.md").write_text("".join("  " * i + f"- Punkt {i}.\n" for i in range(300)), encoding="utf-8")
    (folder / "ok.md").write_text("To jest zwykły akapit po polsku o gospodarce.\n", encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False),
                              translator_factory=lambda m: FakeTranslator())
    status = {f.path: (f.status, f.reason) for f in report.files}
    assert status["ok.md"][0] == "translated"
    assert status["deep.md"][0] == "failed" and "markdown-it" in status["deep.md"][1]
