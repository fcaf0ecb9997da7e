"""Word files (python-docx): paragraphs and table cells in reading order in, the same file out.

Blocks are the body's paragraphs and the paragraphs of its tables' cells, in the order they stand
in the document (``place``: ``paragraph 4`` or ``table 1 row 2 cell 3 paragraph 1``, 1-based);
a heading style makes a ``heading`` block. Empty paragraphs are no blocks but stay in the file.

The translated file is the original with each translated paragraph's text replaced: the text
goes into the paragraph's first run (so the paragraph keeps its style and the first run its
character formatting), the other runs are emptied; every paragraph, table, style and section is
kept. Headers, footers, footnotes and text boxes are not read yet.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from xling.data import Block, Document


def _paragraphs(document) -> Iterator[tuple[str, object]]:
    """(place, paragraph) of the body and its tables, in reading order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    number = tables = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            number += 1
            yield f"paragraph {number}", Paragraph(element, document)
        elif tag == "tbl":
            tables += 1
            for r, row in enumerate(Table(element, document).rows, 1):
                seen = set()
                for c, cell in enumerate(row.cells, 1):
                    if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                        continue
                    seen.add(id(cell._tc))
                    for k, paragraph in enumerate(cell.paragraphs, 1):
                        yield f"table {tables} row {r} cell {c} paragraph {k}", paragraph


def _runs(paragraph) -> Iterator:
    """Every run of a paragraph, those inside hyperlinks too (their text is part of ``paragraph.text``)."""
    for item in paragraph.iter_inner_content():
        if hasattr(item, "runs"):
            yield from item.runs
        else:
            yield item


def _open(data: bytes):
    from docx import Document as open_docx

    return open_docx(io.BytesIO(data))


def read_docx(data: bytes, doc_id: str) -> Document:
    """The text blocks of a ``.docx`` file, as a ``Document``."""
    pieces, blocks, position = [], [], 0
    for place, paragraph in _paragraphs(_open(data)):
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        kind = "heading" if style.startswith(("heading", "title")) else "cell" if place.startswith("table") else \
            "item" if "list" in style else "paragraph"
        blocks.append(Block(position, position + len(text), kind, place))
        pieces.append(text)
        position += len(text) + 2
    return Document(doc_id, "\n\n".join(pieces), "docx", blocks=tuple(blocks), format="docx")


def translated_docx(data: bytes, document: Document, translations: dict[int, str]) -> bytes:
    """The file with each translated block's paragraph text replaced (see the module doc)."""
    docx_file = _open(data)
    by_place = dict(_paragraphs(docx_file))
    for index, text in translations.items():
        paragraph = by_place.get(document.blocks[index].place)
        if paragraph is None:
            continue
        runs = [run for run in _runs(paragraph) if run.text]
        if not runs:
            paragraph.add_run(text)
            continue
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""
    out = io.BytesIO()
    docx_file.save(out)
    return out.getvalue()
