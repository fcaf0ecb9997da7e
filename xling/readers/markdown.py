"""Markdown (markdown-it-py, CommonMark with tables): text blocks in, the same file structure out.

Blocks are the paragraphs, headings, list items, quotes and table cells markdown-it finds, each
with its source lines (``place``: ``lines 3-4``, 1-based). Never sent to the model: code blocks
and fences, HTML blocks, front matter (a ``---`` block at the top), inline code, inline HTML and
link targets. Inside a block they stand as ``[1]``, ``[2]`` … (numbers in brackets, which
translation models copy), and the translation gets them back: inline code as it was, a link's
target after its text (``text (https://…)``). A placeholder the model dropped is put back at the
end of the block, so nothing is lost.

The translated file keeps every line that is not a translated block (code, front matter, HTML,
blank lines, table rules) byte for byte; a translated block keeps its first line's markers (``#``,
``-``, ``1.``, ``>``, indentation) and holds its translation on that line. Emphasis inside a
translated block is not carried over (the model sees plain text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xling.data import Block, Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KINDS = {"heading_open": "heading", "th_open": "cell", "td_open": "cell"}
_PLACEHOLDER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class _Inline:
    text: str  # what the model sees: prose, with [n] for what it must not see
    protected: tuple[str, ...]  # the n-th item: inline code, a link target, inline HTML
    first: int  # 0-based source lines [first, last)
    last: int
    kind: str
    cell: int = -1  # the cell's place in its row, for table cells


# markdown-it stops at 20 nested blocks by default (a list ten levels deep) and drops the rest of the file
# without an error. xling lets it go much deeper, and refuses a file that still reaches the limit (a
# one-line reason) rather than lose its end; past a few hundred levels its recursion runs out anyway.
MAX_NESTING = 400


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")


def _parse(source: str):
    from xling.errors import ReadError

    try:
        tokens = _parser().parse(source)
    except RecursionError:
        tokens = None
    if tokens is None or any(token.level >= MAX_NESTING - 1 for token in tokens):
        raise ReadError("unreadable", f"the Markdown nests blocks (lists, quotes) more than {MAX_NESTING} deep, "
                                      "and markdown-it cannot read past that depth (the rest would be lost)")
    return tokens


def _inline_text(children) -> tuple[str, tuple[str, ...]]:
    parts, protected, links = [], [], []
    for child in children or ():
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "code_inline":
            protected.append(child.markup + child.content + child.markup)
            parts.append(f"[{len(protected)}]")
        elif child.type == "html_inline":
            protected.append(child.content)
            parts.append(f"[{len(protected)}]")
        elif child.type == "link_open":
            links.append(child.attrs.get("href", ""))
        elif child.type == "link_close" and links:
            href = links.pop()
            if href:  # the target follows the link's text; an autolink's text is its target, so that too
                protected.append(f"({href})")
                parts.append(f" [{len(protected)}]")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split()), tuple(protected)


def _inlines(source: str) -> list[_Inline]:
    tokens = _parse(source)
    found, kind, cell = [], "paragraph", 0
    stack: list[str] = []
    for token in tokens:
        if token.type.endswith("_open"):
            stack.append(token.type)
            if token.type in _KINDS or token.type == "paragraph_open":
                kind = _KINDS.get(token.type) or ("item" if "list_item_open" in stack else
                                                  "quote" if "blockquote_open" in stack else "paragraph")
            if token.type == "tr_open":
                cell = 0
        elif token.type.endswith("_close") and stack:
            stack.pop()
        elif token.type == "inline" and token.map:
            text, protected = _inline_text(token.children)
            in_cell = kind == "cell"
            if text.strip(" []0123456789"):  # prose, not only placeholders
                found.append(_Inline(text, protected, token.map[0], token.map[1], kind, cell if in_cell else -1))
            cell += in_cell
    return found


def read_markdown(source: str, doc_id: str, encoding: str) -> Document:
    """The blocks of a Markdown file (front matter and code left out), as a ``Document``."""
    front = _FRONT_MATTER.match(source)
    offset = source[:front.end()].count("\n") if front else 0
    body = source[front.end():] if front else source
    pieces, blocks, position = [], [], 0
    for inline in _inlines(body):
        first, last = inline.first + offset + 1, inline.last + offset
        place = f"lines {first}-{last}" + (f" cell {inline.cell + 1}" if inline.cell >= 0 else "")
        blocks.append(Block(position, position + len(inline.text), inline.kind, place))
        pieces.append(inline.text)
        position += len(inline.text) + 2
    return Document(doc_id, "\n\n".join(pieces), encoding, blocks=tuple(blocks), format="md")


def restore(translation: str, protected: tuple[str, ...]) -> str:
    """``translation`` with each ``[n]`` back as what it stood for; any the model dropped go at the end."""
    used: set[int] = set()

    def put_back(match: re.Match) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(protected) and n not in used:
            used.add(n)
            return protected[n - 1]
        return match.group()

    text = _PLACEHOLDER.sub(put_back, translation)
    missing = [p for n, p in enumerate(protected, 1) if n not in used]
    return " ".join([text, *missing]) if missing else text


def translated_markdown(source: str, document: Document, translations: dict[int, str]) -> str:
    """The file with each translated block's lines replaced (see the module doc); the rest as it was."""
    front = _FRONT_MATTER.match(source)
    offset = source[:front.end()].count("\n") if front else 0
    inlines = _inlines(source[front.end():] if front else source)
    lines = source.split("\n")
    drop: set[int] = set()
    for index, translation in sorted(translations.items()):
        inline = inlines[index]
        first = inline.first + offset
        text = restore(translation, inline.protected)
        line = lines[first]
        if inline.cell >= 0:
            lines[first] = _replace_cell(line, inline.cell, text)
            continue
        content = _first_content(line, inline)
        lines[first] = line[:line.index(content)] + text if content and content in line else text
        drop.update(range(first + 1, inline.last + offset))
    return "\n".join(line for number, line in enumerate(lines) if number not in drop)


def _first_content(line: str, inline: _Inline) -> str:
    """The start of the block's text on its first line, after the markers (``# ``, ``- ``, ``> ``)."""
    stripped = re.sub(r"^\s*(?:(?:[-*+]|\d+[.)])\s+|>\s?|#{1,6}\s+)*", "", line)
    return stripped.strip()[:12] if stripped.strip() else ""


def _replace_cell(line: str, cell: int, text: str) -> str:
    """Row ``line`` with its ``cell``-th cell (0-based) holding ``text``; pipes inside escaped."""
    parts = re.split(r"(?<!\\)\|", line)
    lead = 1 if line.lstrip().startswith("|") else 0
    k = lead + cell
    if k < len(parts):
        parts[k] = f" {text.replace('|', chr(92) + '|')} "
    return "|".join(parts)
