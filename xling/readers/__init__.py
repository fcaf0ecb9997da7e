"""Readers: one per input format, each giving a ``Document`` whose blocks know their place in the source.

``read`` picks the reader by the file's suffix: ``.html``/``.htm`` (``readers/html.py``), ``.srt``/``.vtt``
(``readers/subtitles.py``), anything else plain text (``xling/io.py``: paragraphs are found in the
text itself).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xling.data import Document
from xling.errors import ReadError
from xling.io import decode, read_bytes, read_document, relative_id

HTML_SUFFIXES = (".html", ".htm")


SUBTITLE_SUFFIXES = (".srt", ".vtt")


def format_of(path: Path) -> str:
    """``html``, ``srt``, ``vtt`` or ``text``: which reader reads ``path``."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    return suffix.lstrip(".") if suffix in SUBTITLE_SUFFIXES else "text"


def read(root: Path, path: Path, max_bytes: int | None = None) -> Document:
    """Read and decode one file with the reader of its format. Raises ``ReadError``."""
    kind = format_of(path)
    if kind == "text":
        return read_document(root, path, max_bytes)
    text, encoding = decode(read_bytes(path, max_bytes))
    try:
        if kind == "html":
            from xling.readers.html import read_html_text

            document = replace(read_html_text(text, relative_id(root, path), encoding), format="html")
        else:
            from xling.readers.subtitles import read_subtitles

            document = read_subtitles(text, relative_id(root, path), encoding, f".{kind}")
    except Exception as exc:  # a page lxml cannot parse, a malformed cue: this file only
        raise ReadError("unreadable", f"not a valid {kind} file ({type(exc).__name__}: {exc})") from exc
    if not document.text.strip():
        raise ReadError("blank file", f"no text in the {kind} file")
    return document
