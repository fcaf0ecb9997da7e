"""Self-contained side-by-side HTML: inline CSS and script, no external assets, strict CSP.

Everything shown is escaped by jinja2's autoescape. The page's own style and
script are allowed by their SHA-256 hashes in a Content-Security-Policy meta
tag, so any script smuggled in through the text could not run even if it were
not escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from xling._version import __version__
from xling.data import CorpusInfo, Record

RTL = {"ar", "he", "fa", "ur", "yi", "ps", "dv", "ckb", "sd", "ug"}
FLAG_HELP = {
    "split": "too long for the model in one piece: translated in pieces",
    "truncated": "stopped at the length cap before the model ended it: its end may be missing",
    "empty": "the model returned nothing",
    "kept_target_language": "already in the target language: copied, not translated",
    "repetition": "the output repeats itself (a known MarianMT failure)",
    "untranslated": "the output is still the source (copied, or not in the target language)",
    "omission": "far fewer words than the source: part of it may be missing",
    "length_ratio": "output much longer or shorter than usual for this language pair",
    "low_score": "the model was unsure (low mean log-probability)",
    "low_confidence": "the aligner was unsure about this pairing",
    "boilerplate": "not article text (an appeal, buttons, a byline): not translated unless asked",
}
_SENTENCE_END = (".", "!", "?", "…", ":", ";", '"', "”", "»", ")")


@dataclass(frozen=True)
class _Paragraph:
    records: tuple[Record, ...]
    heading: bool

    @property
    def boilerplate(self) -> bool:
        """Every sentence is boilerplate: shown greyed, collapsed."""
        return all("boilerplate" in r.bead.flags for r in self.records)


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    static = resources.files("xling.view") / "static"
    css = (static / "view.css").read_text(encoding="utf-8")
    js = (static / "view.js").read_text(encoding="utf-8")
    digest = {name: base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for name, text in
              (("css", css), ("js", js))}
    csp = (f"default-src 'none'; style-src 'sha256-{digest['css']}'; script-src 'sha256-{digest['js']}'; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    return css, js, csp


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("xling.view", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, keep_trailing_newline=True)


def _paragraphs(records: Sequence[Record]) -> list[_Paragraph]:
    groups: list[list[Record]] = []
    last = object()
    for record in records:
        key = record.bead.paragraph if record.bead.paragraph is not None else record.index
        if key != last:
            groups.append([])
            last = key
        groups[-1].append(record)
    return [_Paragraph(tuple(g), _is_heading(g)) for g in groups]


def _is_heading(group: list[Record]) -> bool:
    """A paragraph of one short sentence without closing punctuation reads as a heading."""
    text = group[0].bead.source_text.strip()
    return len(group) == 1 and 0 < len(text) <= 120 and not text.endswith(_SENTENCE_END)


# Beads per page of a document's view: a long document (a book, a 20 MB transcript) is split into
# pages a browser opens at once (about 2.5 MB of HTML each), instead of one page of hundreds of MB.
PAGE_BEADS = 1000


def render_document(records: Iterable[Record], info: CorpusInfo, title: str) -> str:
    """One document's side-by-side page, all of it (``xling view -o``)."""
    records = list(records)
    return _render(records, info, title, _Summary.of(records), ())


@dataclass(frozen=True)
class _Summary:
    """What a document's every page says of all of it."""

    beads: int
    flags: dict[str, int]
    mean_score: float | None

    @classmethod
    def of(cls, records: Sequence[Record]) -> _Summary:
        flags = Counter(flag for record in records for flag in record.bead.flags)
        scored = [r.bead.score for r in records if "kept_target_language" not in r.bead.flags]
        return cls(len(records), dict(sorted(flags.items())), sum(scored) / len(scored) if scored else None)


def page_names(name: str, beads: int) -> list[str]:
    """File names of a document's view pages: ``<name>.html``, then ``<name>~p2.html``, ..."""
    count = max(1, -(-beads // PAGE_BEADS))
    return [f"{name}.html"] + [f"{name}~p{k}.html" for k in range(2, count + 1)]


def render_pages(records: Sequence[Record], info: CorpusInfo, title: str, names: Sequence[str]) -> Iterator[str]:
    """The pages of one document's view (``names``: from ``page_names``), one at a time."""
    summary = _Summary.of(records)
    for k in range(len(names)):
        nav = tuple((str(i + 1), quote(other) if i != k else None) for i, other in enumerate(names))
        yield _render(records[k * PAGE_BEADS:(k + 1) * PAGE_BEADS], info, title, summary,
                      nav if len(names) > 1 else ())


def _render(records: Sequence[Record], info: CorpusInfo, title: str, summary: _Summary,
            nav: tuple[tuple[str, str | None], ...]) -> str:
    from markupsafe import Markup

    css, js, csp = _assets()
    return _environment().get_template("document.html.j2").render(
        title=title, source_lang=info.source_lang, target_lang=info.target_lang,
        source_dir="rtl" if info.source_lang in RTL else "ltr", beads=records, total=summary.beads,
        paragraphs=_paragraphs(records), flags=summary.flags, flag_help=FLAG_HELP,
        mean_score=summary.mean_score, signature=info.signature, nav=nav,
        css=Markup(css), js=Markup(js), csp=csp, version=__version__,
    )


def render_index(rows: Sequence[dict], title: str) -> str:
    """The run's index page. ``rows``: manifest rows, each with an optional ``link``."""
    from markupsafe import Markup

    css, _, csp = _assets()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return _environment().get_template("index.html.j2").render(
        title=title, rows=rows, counts=counts, css=Markup(css), csp=csp, version=__version__)
