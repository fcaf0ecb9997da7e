"""Readers: one per input format, each giving a ``Document`` whose blocks know their place in the source.

``read`` picks the reader by the file's suffix: ``.html``/``.htm`` (``readers/html.py``), ``.md``
(``readers/markdown.py``), ``.docx`` (``readers/docx.py``), ``.srt``/``.vtt`` (``readers/subtitles.py``),
anything else plain text (``xling/io.py``: paragraphs are found in the text itself). ``translated``
writes a document back in its own format with its translated blocks in place.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xling.data import Document
from xling.errors import ReadError, one_line
from xling.io import decode, read_bytes, read_document, relative_id

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".docx": "docx", ".srt": "srt",
           ".vtt": "vtt"}


def format_of(path: Path) -> str:
    """``html``, ``md``, ``docx``, ``srt``, ``vtt`` or ``text``: which reader reads ``path``."""
    return FORMATS.get(path.suffix.lower(), "text")


def read(root: Path, path: Path, max_bytes: int | None = None) -> Document:
    """Read and decode one file with the reader of its format. Raises ``ReadError``."""
    kind = format_of(path)
    if kind == "text":
        return read_document(root, path, max_bytes)
    data, doc_id = read_bytes(path, max_bytes), relative_id(root, path)
    try:
        document = _read(kind, data, doc_id)
    except ReadError:
        raise
    except Exception as exc:  # a page lxml cannot parse, a malformed cue, a damaged Word file: this file only
        raise ReadError("unreadable", f"not a valid {kind} file ({one_line(exc)})") from exc
    if not document.text.strip():
        raise ReadError("blank file", f"no text in the {kind} file")
    return document


def _read(kind: str, data: bytes, doc_id: str) -> Document:
    if kind == "docx":
        from xling.readers.docx import read_docx

        return read_docx(data, doc_id)
    text, encoding = decode(data)
    if kind == "html":
        from xling.readers.html import read_html_text

        return replace(read_html_text(text, doc_id, encoding), format="html")
    if kind == "md":
        from xling.readers.markdown import read_markdown

        return read_markdown(text, doc_id, encoding)
    from xling.readers.subtitles import read_subtitles

    return read_subtitles(text, doc_id, encoding, f".{kind}")


def translated(kind: str, data: bytes, document: Document, translations: dict[int, str], language: str) -> bytes:
    """The source file ``data`` with the translated blocks (block index → text) in place, in its format."""
    if kind == "docx":
        from xling.readers.docx import translated_docx

        return translated_docx(data, document, translations)
    text, _ = decode(data)
    if kind == "html":
        from xling.readers.html import translated_page

        return translated_page(text, document, translations, language).encode("utf-8")
    if kind == "md":
        from xling.readers.markdown import translated_markdown

        return translated_markdown(text, document, translations).encode("utf-8")
    from xling.readers.subtitles import translated_subtitles

    return translated_subtitles(text, f".{kind}", document, translations).encode("utf-8")
