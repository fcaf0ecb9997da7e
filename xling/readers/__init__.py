"""Readers: one per input format, each giving a ``Document`` whose blocks know their place in the source.

``read`` picks the reader by the file's suffix: ``.html``/``.htm`` (``readers/html.py``), anything
else plain text (``xling/io.py``: paragraphs are found in the text itself).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xling.data import Document
from xling.errors import ReadError
from xling.io import decode, read_bytes, read_document, relative_id

HTML_SUFFIXES = (".html", ".htm")


def format_of(path: Path) -> str:
    """``html`` or ``text``: which reader reads ``path``."""
    return "html" if path.suffix.lower() in HTML_SUFFIXES else "text"


def read(root: Path, path: Path, max_bytes: int | None = None) -> Document:
    """Read and decode one file with the reader of its format. Raises ``ReadError``."""
    if format_of(path) == "text":
        return read_document(root, path, max_bytes)
    from xling.readers.html import read_html_text

    text, encoding = decode(read_bytes(path, max_bytes))
    try:
        document = read_html_text(text, relative_id(root, path), encoding)
    except ValueError as exc:  # lxml: a document it cannot parse at all
        raise ReadError("unreadable", f"not an HTML page ({exc})") from exc
    if not document.text.strip():
        raise ReadError("blank file", "no text in the page")
    return replace(document, format="html")
