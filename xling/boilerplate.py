"""Boilerplate in plain text: what a scraped page carries besides its article.

Without markup there is no navigation bar or footer to point at, so paragraphs are judged
by what they are:

- ``recurring``: the same paragraph (whitespace and case aside) in several documents of one
  run: a site's donation appeal, newsletter box or "Read more" under every article;
- ``interface``: three or more short paragraphs in a row (five words at most each: "Once",
  "Monthly", "Annual", "Continue"), or one at the very start or end of a document next to
  other boilerplate: buttons and menus, not prose;
- ``byline``: a short paragraph that names the author ("By …", "Authors: …") or is only a
  date or a time ("12:27 PM (Updated: )").

Boilerplate is kept in the record and marked with its reason; ``--boilerplate`` says whether
it is translated (``translate``), left untranslated (``mark``, the default) or left out of
the outputs (``drop``). Article text shared by two documents of a run (a quote, a wire
paragraph) is marked too: ``--boilerplate translate`` translates it all the same.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

RECURRING, INTERFACE, BYLINE = "recurring", "interface", "byline"
MODES = ("mark", "translate", "drop")

SHORT_WORDS = 5  # a paragraph of at most this many words can be a button or a menu item
INTERFACE_RUN = 3  # this many short paragraphs in a row are an interface, not prose
BYLINE_WORDS = 25
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# "By Elsa Court", "von Anna Schmidt", "Authors: …", "Autor: …"; not "By the end of May …"
_BY_NAME = re.compile(r"^(?:by|von|par|por|przez|written by)\s+(?P<name>[^\W\d_])", re.IGNORECASE)
_AUTHORS = re.compile(r"^(?:authors?|autor(?:ka|zy|en)?|auteurs?|text|tekst)\s*:", re.IGNORECASE)
_TIME_OR_DATE = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|\b(?:19|20)\d{2}\b"
    r"|\b(?:updated|published|min read|am|pm|gmt|utc|cet|cest)\b", re.IGNORECASE)


def key(text: str) -> str:
    """What makes two paragraphs the same: their words, whitespace and case aside."""
    return " ".join(text.split()).casefold()


def recurring_keys(documents: Iterable[Sequence[str]]) -> frozenset[str]:
    """Keys of paragraphs that stand in two or more of ``documents`` (each a list of paragraphs)."""
    counts: Counter[str] = Counter()
    for paragraphs in documents:
        counts.update({key(p) for p in paragraphs if _WORD.search(p)})
    return frozenset(k for k, n in counts.items() if n > 1)


def _recurring_edges(paragraphs: Sequence[str], recurring: frozenset[str], reasons: Sequence[str]) -> list[int]:
    """Recurring paragraphs at the top or the bottom of a document, where a site puts its furniture:
    the runs of recurring (or otherwise boilerplate, or short) paragraphs that touch either edge. A
    recurring paragraph in the middle of the article (a quote two articles share) is article text, and
    so is every paragraph of a document that recurs whole (the same article twice in a corpus)."""
    def furniture(i: int) -> bool:
        return key(paragraphs[i]) in recurring or bool(reasons[i]) or _words(paragraphs[i]) <= SHORT_WORDS

    n, top, bottom = len(paragraphs), 0, len(paragraphs)
    while top < n and furniture(top):
        top += 1
    while bottom > top and furniture(bottom - 1):
        bottom -= 1
    if top >= bottom:  # nothing but furniture: a document that recurs whole is not boilerplate
        return []
    return [i for i in (*range(top), *range(bottom, n)) if key(paragraphs[i]) in recurring]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _byline(text: str) -> bool:
    words = _words(text)
    if words > BYLINE_WORDS:
        return False
    text = text.strip()
    by = _BY_NAME.match(text)
    if (by and by.group("name").isupper()) or _AUTHORS.match(text):
        return True
    return words <= 3 and bool(_TIME_OR_DATE.search(text)) and _words(_TIME_OR_DATE.sub(" ", text)) <= 1


def mark(paragraphs: Sequence[str], recurring: frozenset[str] = frozenset()) -> list[str]:
    """The boilerplate reason of each paragraph ("" for article text)."""
    reasons = [BYLINE if _byline(p) else "" for p in paragraphs]
    for index in _recurring_edges(paragraphs, recurring, reasons):
        reasons[index] = RECURRING
    short = [_words(p) <= SHORT_WORDS for p in paragraphs]
    start = 0
    while start < len(paragraphs):  # runs of short paragraphs
        end = start
        while end < len(paragraphs) and short[end]:
            end += 1
        if end - start >= INTERFACE_RUN:
            reasons[start:end] = [r or INTERFACE for r in reasons[start:end]]
        start = end + 1
    for edge, neighbour in ((0, 1), (len(paragraphs) - 1, len(paragraphs) - 2)):
        if 0 <= neighbour < len(paragraphs) and short[edge] and not reasons[edge] and reasons[neighbour]:
            reasons[edge] = INTERFACE
    return reasons
