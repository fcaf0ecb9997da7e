"""Web pages: every block of text with the element it came from; the article found by two extractors.

Blocks are the page's paragraph-level elements (``p``, ``h1``–``h6``, ``li``, ``td``, ``blockquote``,
``figcaption``, …, and any other element with text of its own), in document order, each with its
element path (``/html/body/div[2]/p[3]``): a block's offsets are a span of the extracted text, and
its ``place`` is where to find it in the page. Scripts, styles and templates are never text.

The article is what trafilatura and readability-lxml agree on: a line of trafilatura's extraction
is article text when readability keeps at least half of its word 4-grams (all of trafilatura's
lines when readability keeps none). On the 61 development pages that scores token F1 .961 against
trafilatura's .951 and readability's .957 (``scripts/bench_extract.py``): each extractor keeps
some boilerplate the other leaves out. A block is article text when its words stand in that text;
every other block is boilerplate, with the reason (navigation, header, footer, aside, form, or
outside the article), kept in the record and not translated unless asked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from xling.data import Block, Document

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "blockquote", "pre",
              "figcaption", "caption", "title", "summary", "address", "legend", "option", "button", "label"}
KINDS = {"title": "title", "li": "item", "dt": "item", "dd": "item", "td": "cell", "th": "cell",
         "figcaption": "caption", "caption": "caption", "blockquote": "quote", "pre": "code",
         **{f"h{n}": "heading" for n in range(1, 7)}}
NEVER_TEXT = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head"}
# Landmarks whose text is the page's furniture, not its article: the reason a block there is boilerplate.
LANDMARKS = {"nav": "navigation", "header": "header", "footer": "footer", "aside": "aside", "form": "form"}
COVERED = 0.5  # share of a line's (or block's) word 4-grams that must stand in the other text
_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter:
    """Word 4-grams (a text of fewer than four words is one shingle): what two extractions share."""
    words = _WORD.findall(text)
    if len(words) < 4:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + 4]) for i in range(len(words) - 3))


def covered(text: str, reference: Counter, reference_text: str) -> bool:
    """Whether ``text`` stands in the reference: half of its 4-grams, or, under four words, all of it."""
    own = shingles(text)
    if not own:
        return False
    words = next(iter(own))
    if len(own) == 1 and len(words) < 4:
        return f" {' '.join(words)} " in f" {' '.join(_WORD.findall(reference_text))} "
    return sum((own & reference).values()) / sum(own.values()) >= COVERED


def article_text(html: str, tree=None) -> str:
    """The lines of trafilatura's extraction that readability-lxml keeps too (see the module doc).

    ``tree``: the page parsed already; each extractor gets a copy of it when the page nests deeper
    than their own parsers read (they change the tree they are given), else the text as they expect it."""
    import copy

    import trafilatura

    deep = tree is not None and depth(tree) >= PARSER_DEPTH
    first = trafilatura.extract(copy.deepcopy(tree) if deep else html) or ""
    lines = [line.strip() for line in first.split("\n") if line.strip()]
    second = _readability(copy.deepcopy(tree) if deep else html)
    if not second:
        return "\n".join(lines)
    reference = shingles(second)
    kept = [line for line in lines if covered(line, reference, second)]
    return "\n".join(kept or lines)


def _readability(html) -> str:
    try:
        import lxml.html
        from readability import Document as Readability

        summary = Readability(html).summary(html_partial=True)
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    except Exception:  # a page readability cannot parse: trafilatura alone decides
        return ""


INLINE = {"a", "span", "b", "i", "em", "strong", "small", "sup", "sub", "u", "code", "mark", "abbr", "cite", "q",
          "time", "font", "s", "del", "ins", "kbd", "var", "bdi", "bdo", "img", "wbr", "data", "dfn", "samp"}


def _own_text(element) -> Iterator[str]:
    """The text of ``element`` and of its inline children; other children are blocks of their own."""
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child.tag in INLINE:
            yield from _own_text(child)
        elif child.tag == "br":
            yield " "
        if child.tail:
            yield child.tail


def _blocks(tree) -> Iterator[tuple[object, str]]:
    """(element, text) of every block: a paragraph-level element, or any other container with text of
    its own (a ``div`` holding bare text); never what is inside a script, style or template."""
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in NEVER_TEXT or tag in INLINE:
            continue
        ancestors = [a.tag for a in element.iterancestors()]
        if any(t in NEVER_TEXT for t in ancestors):
            continue
        if tag not in BLOCK_TAGS and any(t in BLOCK_TAGS for t in ancestors):
            continue  # a div inside a table cell: its text is the cell's
        text = " ".join("".join(_own_text(element)).split())
        if text:
            yield element, text


# libxml2 stops reading a page at 256 nested elements (2 048 with its "huge" option) and drops the rest of
# the page without an error: unclosed <div>s or <font>s in generated pages get there. xling parses with
# the larger limit, hands the extractors its own tree when the page is deeper than their parsers read,
# and refuses a page deeper than any (a one-line reason) rather than lose its end.
PARSER_DEPTH = 255
HUGE_DEPTH = 2048


def parse(html: str):
    """The page as an lxml tree, read to its end (``ReadError`` if it nests deeper than lxml can read)."""
    import lxml.html

    from xling.errors import ReadError

    parser = lxml.html.HTMLParser(huge_tree=True)
    tree = lxml.html.document_fromstring(html, parser=parser)
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise ReadError("unreadable", f"the page nests elements more than {HUGE_DEPTH} deep, and lxml cannot "
                                      "read past that depth (the rest of the page would be lost)")
    return tree


def depth(tree) -> int:
    """How deeply the page's elements nest (``<html>`` alone: 1)."""
    from lxml import etree

    deepest = level = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        level += 1 if event == "start" else -1
        deepest = max(deepest, level)
    return deepest


def read_html_text(html: str, doc_id: str, encoding: str) -> Document:
    """The page as a ``Document``: its blocks joined by blank lines, each marked article or boilerplate."""
    tree = parse(html)
    article = article_text(html, tree)
    reference = shingles(article)
    pieces, blocks, position = [], [], 0
    for element, text in _blocks(tree):
        landmark = next((LANDMARKS[a.tag] for a in element.iterancestors() if a.tag in LANDMARKS), "")
        main = covered(text, reference, article)
        reason = "" if main else (landmark or ("page title" if element.tag == "title" else "outside the article"))
        blocks.append(Block(position, position + len(text), KINDS.get(element.tag, "paragraph"),
                            tree.getroottree().getpath(element), reason))
        pieces.append(text)
        position += len(text) + 2
    return Document(doc_id, "\n\n".join(pieces), encoding, blocks=tuple(blocks))


def main_text(document: Document) -> str:
    """What a document says as its article: its blocks that are not boilerplate, separated by blank lines
    (any reader's document; for a page, its article)."""
    return "\n\n".join(document.text[b.start:b.end] for b in document.blocks if not b.boilerplate)


def _slots(element) -> Iterator[tuple[object, str]]:
    """Where ``_own_text`` found the block's text: (node, "text" or "tail"), in reading order."""
    yield element, "text"
    for child in element:
        if isinstance(child.tag, str) and child.tag in INLINE:
            yield from _slots(child)
        yield child, "tail"


def translated_page(html: str, document: Document, translations: dict[int, str], language: str) -> str:
    """The page with the text of each translated block replaced (``translations``: block index → text):
    the same elements and attributes, scripts and styles untouched, ``lang`` set on ``<html>``.

    A block's text may run over inline elements (a link inside a sentence); the translation goes
    where its first words stood, and the other pieces are emptied, so every element stays."""
    import lxml.html

    tree = parse(html)
    root = tree.getroottree()
    for index, text in translations.items():
        found = root.xpath(document.blocks[index].place)
        if not found:
            continue
        filled = False
        for node, attribute in _slots(found[0]):
            value = getattr(node, attribute) or ""
            if not value.strip():
                continue
            lead = value[:len(value) - len(value.lstrip())]
            setattr(node, attribute, "" if filled else lead + text + (" " if value != value.rstrip() else ""))
            filled = True
    tree.set("lang", language)
    return lxml.html.tostring(root, encoding="unicode", doctype=root.docinfo.doctype or None)
