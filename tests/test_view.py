"""The side-by-side HTML view and the terminal view (no browser needed here; see test_browser.py)."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from xling.data import Bead, CorpusInfo, Record
from xling.view.html import render_document, render_index
from xling.view.terminal import print_plain, print_table

INFO = CorpusInfo("pl", "en", "xling:0|model:test")
HOSTILE = ["<script>window.__pwned=1</script>", '"><img src=x onerror="window.__pwned=2">',
           "</p></div><script>alert(1)</script>", "&lt;b&gt;", "{{ 7*7 }}", "' onmouseover='x'"]


def records_of(pairs, paragraphs=None) -> list[Record]:
    return [Record("d.txt", i, Bead((i,), (i,), s, t, ((0, len(s)),), -0.5, (), (paragraphs or range(len(pairs)))[i]))
            for i, (s, t) in enumerate(pairs)]


class _Collect(HTMLParser):
    """Text per element id, the tags seen, and every attribute name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag == "span":  # badges and scores inside a cell
            self.skip += 1
        if tag in ("p", "div", "section", "span", "main", "header", "footer", "h1", "ul", "li"):
            self.stack.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag == "span":
            self.skip -= 1
        if tag in ("p", "div", "section", "span", "main", "header", "footer", "h1", "ul", "li") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        current = next((i for i in reversed(self.stack) if i), None)
        if current and not self.skip:
            self.text[current] = self.text.get(current, "") + data


def parse(page: str) -> _Collect:
    collector = _Collect()
    collector.feed(page)
    return collector


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1) | st.sampled_from(HOSTILE), st.text() | st.sampled_from(HOSTILE)),
                min_size=1, max_size=5))
def test_everything_shown_is_escaped(pairs):
    page = render_document(records_of(pairs), INFO, title=pairs[0][0])
    seen = parse(page)
    assert seen.tags.count("script") == 1 and "img" not in seen.tags  # only the page's own script
    assert not [a for a in seen.attributes if a.lower().startswith("on")]
    for i, (source, target) in enumerate(pairs):
        assert seen.text.get(f"s{i}", "") == source
        assert seen.text.get(f"t{i}", "") == target


def test_page_is_self_contained_with_a_hash_csp():
    page = render_document(records_of([("Ala ma kota.", "Ala has a cat.")]), INFO, title="d.txt")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    assert "xling:0|model:test" in page  # provenance in the footer


def test_paragraphs_headings_and_rtl():
    records = records_of([("Nagłówek bez kropki", "Heading"), ("Zdanie pierwsze.", "One."), ("Drugie.", "Two.")],
                         paragraphs=[0, 1, 1])
    page = render_document(records, INFO, title="d")
    assert page.count('<section class="para') == 2
    assert page.count('<section class="para heading">') == 1
    assert 'role="heading"' in page
    rtl = render_document(records_of([("שלום עולם.", "Hello world.")]), CorpusInfo("he", "en"), title="d")
    assert 'dir="rtl" tabindex' in rtl and 'dir="ltr" tabindex' in page and 'dir="rtl" tabindex' not in page


def test_flags_get_a_legend():
    record = Record("d", 0, Bead((0,), (0,), "a", "b", (), -3.0, ("split",), 0))
    page = render_document([record], INFO, title="d")
    assert 'class="legend"' in page and "translated in pieces" in page and 'class="seg src flagged"' in page


def test_index_links_translated_documents_only():
    rows = [{"path": "a <b>.txt", "status": "translated", "language": "pl", "mixed": {}, "sentences": 3,
             "score": -0.5, "flags": {"split": 1}, "reason": "", "link": "pl-en/a.html"},
            {"path": "b.txt", "status": "failed", "language": None, "mixed": {}, "sentences": 0, "score": None,
             "flags": {}, "reason": "binary file", "link": None}]
    page = render_index(rows, "run")
    assert page.count("<a href=") == 1 and "a &lt;b&gt;.txt" in page and "binary file" in page


def test_terminal_views():
    records = records_of([("Zdanie\tz tabem.", "Sentence\nwith a break."), ("Drugie.", "Second.")])
    out = io.StringIO()
    print_plain(records, out)
    lines = out.getvalue().splitlines()
    assert lines == ["0\tZdanie z tabem.\tSentence with a break.\t", "1\tDrugie.\tSecond.\t"]
    console = Console(file=io.StringIO(), width=60, color_system=None)
    print_table(records, INFO, console)
    table = console.file.getvalue()
    assert "original (pl)" in table and "translation (en)" in table and "Drugie." in table


def test_view_of_a_path_that_is_not_a_bead_file_says_so(tmp_path):
    """A mistyped path was answered "cannot tell the languages … pass --source-lang": the wrong problem."""
    from typer.testing import CliRunner

    from xling.cli import app

    for path, says in ((tmp_path / "pl-en" / "missing.jsonl", "is not there"), (tmp_path, "is a folder")):
        result = CliRunner().invoke(app, ["view", str(path)])
        message = " ".join(result.output.split())
        assert result.exit_code == 2 and f"{path} {says}: give a bead file" in message, result.output
        assert "languages" not in message
