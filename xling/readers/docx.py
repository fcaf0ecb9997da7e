"""Word files (python-docx): paragraphs and table cells in reading order in, the same file out.

Blocks are the body's paragraphs and the paragraphs of its tables' cells, in the order they stand
in the document (``place``: ``paragraph 4`` or ``table 1 row 2 cell 3 paragraph 1``, 1-based);
a heading style makes a ``heading`` block. Empty paragraphs are no blocks but stay in the file.

The translated file is the original with each translated paragraph's text replaced: the text
goes into the paragraph's first run (so the paragraph keeps its style and the first run its
character formatting), the other runs are emptied; every paragraph, table, style and section is
kept. Read as Word shows them: tracked insertions (not deletions), content controls, tables inside
cells, a merged cell once. Headers, footers, footnotes, endnotes and text boxes are not read yet: the
document's ``unread`` names those that hold text, and the run's manifest says so.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from xling.data import Block, Document

_MARKUP_COMPATIBILITY = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _content(container) -> Iterator:
    """The children of a body, cell, table or row, with content controls (``w:sdt``) and custom XML
    unwrapped: their paragraphs, tables, rows and cells are the document's like any other."""
    for child in container.iterchildren():
        tag = _tag(child)
        if tag == "sdt":
            inner = next((c for c in child.iterchildren() if _tag(c) == "sdtContent"), None)
            if inner is not None:
                yield from _content(inner)
        elif tag == "customXml":
            yield from _content(child)
        else:
            yield child


def _paragraphs(document) -> Iterator[tuple[str, object]]:
    """(place, paragraph) of the body and its tables, nested tables too, in reading order."""
    yield from _blocks(document.element.body, document, "")


def _blocks(container, parent, prefix: str) -> Iterator[tuple[str, object]]:
    from docx.text.paragraph import Paragraph

    paragraphs = tables = 0
    for element in _content(container):
        tag = _tag(element)
        if tag == "p":
            paragraphs += 1
            yield f"{prefix}paragraph {paragraphs}", Paragraph(element, parent)
        elif tag == "tbl":
            tables += 1
            yield from _table(element, parent, f"{prefix}table {tables} ")


def _table(table, parent, prefix: str) -> Iterator[tuple[str, object]]:
    """Each cell once, as the file holds it: a merged cell is one ``w:tc`` (python-docx's grid view
    lists a vertically merged cell in every row it spans, which read its text twice); cells are
    numbered by grid column, as before."""
    rows = (element for element in _content(table) if _tag(element) == "tr")
    for r, row in enumerate(rows, 1):
        column = 1
        for cell in (element for element in _content(row) if _tag(element) == "tc"):
            yield from _blocks(cell, parent, f"{prefix}row {r} cell {column} ")
            column += cell.grid_span  # python-docx's CT_Tc: 1 unless the cell spans grid columns


# Runs whose text is not the paragraph's own: tracked deletions and moved-away text, text boxes (their
# own paragraphs, not read yet) and the fallback copy of drawings in older markup.
_NOT_SHOWN = {"del", "moveFrom", "txbxContent"}


def _runs(paragraph) -> Iterator:
    """Every run whose text the paragraph shows: inside hyperlinks, tracked insertions, inline content
    controls and fields too (``paragraph.text`` leaves out the runs of tracked insertions)."""
    from docx.oxml.ns import qn
    from docx.text.run import Run

    p = paragraph._p
    for r in p.iter(qn("w:r")):
        if not _hidden(r, p):
            yield Run(r, paragraph)


def _hidden(element, top) -> bool:
    """Whether ``element`` lies, below ``top``, in a deletion, a move's source, a text box or the fallback
    copy of a drawing: text Word does not show as the paragraph's."""
    for node in element.iterancestors():
        if node is top:
            return False
        if _tag(node) in _NOT_SHOWN or node.tag == f"{_MARKUP_COMPATIBILITY}Fallback":
            return True
    return False


def _text(paragraph) -> str:
    return " ".join("".join(run.text for run in _runs(paragraph)).split())


def _open(data: bytes):
    from docx import Document as open_docx

    return open_docx(io.BytesIO(data))


_UNREAD_PARTS = {"header": "headers", "footer": "footers", "footnotes": "footnotes", "endnotes": "endnotes"}


def _unread(docx_file) -> tuple[str, ...]:
    """The parts with text that are not read: headers, footers, footnotes, endnotes, text boxes, each with
    how many hold text (a note is one of ``w:type`` normal; separators are notes of another type)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml

    def has_text(element) -> bool:
        return any((t.text or "").strip() for t in element.iter(qn("w:t")))

    found: dict[str, int] = {}
    for part in docx_file.part.package.iter_parts():
        name = part.partname.rsplit("/", 1)[-1]
        kind = next((label for prefix, label in _UNREAD_PARTS.items() if name.startswith(prefix)), None)
        if kind is None:
            continue
        root = part.element if hasattr(part, "element") else parse_xml(part.blob)  # notes: a plain part
        units = [root] if kind in ("headers", "footers") else [
            note for note in root.iterchildren() if note.get(qn("w:type"), "normal") == "normal"]
        if count := sum(1 for unit in units if has_text(unit)):
            found[kind] = found.get(kind, 0) + count
    body = docx_file.element.body
    if boxes := sum(1 for box in body.iter(qn("w:txbxContent")) if has_text(box) and not _hidden(box, body)):
        found["text boxes"] = boxes
    return tuple(f"{kind} ({found[kind]})" for kind in (*_UNREAD_PARTS.values(), "text boxes") if kind in found)


def read_docx(data: bytes, doc_id: str) -> Document:
    """The text blocks of a ``.docx`` file, as a ``Document``; ``unread`` names the parts with text that
    are not read (headers, footers, notes, text boxes), so a run can say so."""
    pieces, blocks, position = [], [], 0
    docx_file = _open(data)
    for place, paragraph in _paragraphs(docx_file):
        text = _text(paragraph)
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        kind = "heading" if style.startswith(("heading", "title")) else "cell" if place.startswith("table") else \
            "item" if "list" in style else "paragraph"
        blocks.append(Block(position, position + len(text), kind, place))
        pieces.append(text)
        position += len(text) + 2
    return Document(doc_id, "\n\n".join(pieces), "docx", blocks=tuple(blocks), format="docx",
                    unread=_unread(docx_file))


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
