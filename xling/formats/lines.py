"""Keep one segment on one line in line-based formats.

Every character that Python's ``str.splitlines`` (and so most readers) treats
as a line break, plus TAB (the TSV separator), becomes a plain space. The
bead JSONL keeps the exact text; only line-based projections are folded.
"""

from __future__ import annotations

import re

_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    return _BREAKS.sub(" ", text)


def json_line(obj: object) -> str:
    """Compact JSON on exactly one line, even for readers that split on U+2028/U+2029/U+0085."""
    import json

    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
