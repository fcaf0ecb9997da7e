"""Output names: one per input, never shared, always writable.

An input's outputs are named after its path relative to the input folder. Some
paths cannot be used as they are: a name of dots only (``...txt`` loses its
suffix and becomes ``..``), a name that is not valid UTF-8, a name near the
file system's 255-byte limit (the outputs and their temporary files add to
it), control characters. Such a part gets a safe name: what is readable of it,
``~`` and a hash of the original bytes. And two inputs must never write the same
file: names are compared after normalisation and case folding (for
case-insensitive file systems), including one input's file against another's
folder (``a.txt`` writes ``pl-en/a.pl``; ``a.pl/b.txt`` needs a folder
``pl-en/a.pl``). The original path stays in the manifest.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Bytes a name part may take: 255 (NAME_MAX) less room for the longest suffix xling adds
# (".jsonl", ".html", ".<lang>") and the temporary file's prefix and suffix.
MAX_PART_BYTES = 180
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\/]")


def display_path(path: str) -> str:
    """A path as text that can be written anywhere: bytes that are not UTF-8 (which Python keeps as
    lone surrogates) become ``\\xNN`` escapes, so ``café`` in Latin-1 reads ``caf\\xe9``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def _digest(text: str) -> str:
    return hashlib.sha1(os.fsencode(text)).hexdigest()[:10]


def _odd(part: str) -> bool:
    return (not part.strip(".") or bool(_CONTROL.search(part)) or "\\" in part
            or len(part.encode("utf-8")) > MAX_PART_BYTES)


def safe_part(part: str, original: str | None = None) -> str:
    """``part`` if it can be a file name as it is; else a readable prefix, ``~`` and a hash."""
    if not _odd(part):
        return part
    readable = _UNSAFE.sub("_", part).strip(".")
    readable = readable.encode("utf-8")[:MAX_PART_BYTES // 2].decode("utf-8", "ignore")
    return f"{readable or 'unnamed'}~{_digest(original or part)}"


def _stem(name: str) -> str:
    """``article.txt`` → ``article``; a name without a suffix, or of dots, is kept whole."""
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


@dataclass(frozen=True)
class OutputNames:
    """Per document id: ``stem`` names its translated outputs (``<pair>/<stem>.<lang>``, ...),
    ``copy`` names its untouched copy (``<target>/<copy>``)."""

    stem: dict[str, str]
    copy: dict[str, str]

    def subset(self, doc_ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """The names of ``doc_ids``, as JSON-able data (what a Ray worker needs for a window)."""
        ids = list(doc_ids)
        return {"stem": {d: self.stem[d] for d in ids}, "copy": {d: self.copy[d] for d in ids}}

    def update(self, data: dict[str, dict[str, str]]) -> None:
        self.stem.update(data["stem"])
        self.copy.update(data["copy"])


def output_names(doc_ids: Sequence[str]) -> OutputNames:
    """Safe, distinct output names for the documents ``doc_ids`` (paths relative to the input folder)."""
    copies = {d: "/".join(safe_part(p, d) for p in d.split("/")) for d in doc_ids}
    stems = {}
    for doc_id, copy in copies.items():
        folder, _, name = copy.rpartition("/")
        stem = safe_part(_stem(name), doc_id)
        stems[doc_id] = f"{folder}/{stem}" if folder else stem
    # two inputs with one stem (a.txt, a.md) keep their suffixes; anything still shared gets a hash
    shared = _clashes(stems, suffixed=True)
    stems = {d: (copies[d] if d in shared else s) for d, s in stems.items()}
    return OutputNames(_distinct(stems, suffixed=True), _distinct(copies, suffixed=False))


def _key(path: str) -> str:
    return path.casefold()


def _clashes(names: dict[str, str], suffixed: bool) -> set[str]:
    """Documents whose name another document's name equals (case folded), or needs as a folder.
    ``suffixed``: a name stands for files ``name.<suffix>``, not for a file ``name``."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for doc_id, name in names.items():
        by_key[_key(name)].append(doc_id)
    clashing = {d for group in by_key.values() if len(group) > 1 for d in group}
    folders = {_key(prefix) for name in names.values() for prefix in _prefixes(name)}
    for doc_id, name in names.items():
        key = _key(name)
        # this name's files (name.<suffix>), or the name itself, would be another's folder
        if (key in folders if not suffixed else
                any(f.startswith(key + ".") and "/" not in f[len(key) + 1:] for f in folders)):
            clashing.add(doc_id)
    return clashing


def _prefixes(name: str) -> Iterable[str]:
    parts = name.split("/")
    return ("/".join(parts[:i]) for i in range(1, len(parts)))


def _distinct(names: dict[str, str], suffixed: bool) -> dict[str, str]:
    """Add ``~hash`` to the last part of every name that still clashes (the hash of its document id)."""
    for _ in range(3):  # a hashed name cannot clash again, short of a hash collision
        clashing = _clashes(names, suffixed)
        if not clashing:
            return names
        names = {d: (_hashed(n, d) if d in clashing else n) for d, n in names.items()}
    raise RuntimeError("output names still clash after hashing")  # unreachable in practice


def _hashed(name: str, doc_id: str) -> str:
    """``name`` with ``~hash`` after its last part (the name never ends in ``/``)."""
    return f"{name}~{_digest(doc_id)}"
