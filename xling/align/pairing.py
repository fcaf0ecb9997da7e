"""Which document of one folder is the translation of which document of the other.

By name: the paths relative to each folder, with a language tag taken out of the file name
(``a.pl.txt`` ↔ ``a.en.txt``, ``a_pl.txt`` ↔ ``a_en.txt``, ``pl/a.txt`` ↔ ``en/a.txt``) and the
suffix ignored. By content: each source document's bridge (its machine translation) is compared
with every target document as a TF-IDF weighted bag of word and character 4-grams; a pair is
kept only where it is convincing: its cosine at least ``MIN_SIMILARITY`` and clearly above the
next best candidate on both sides (``MARGIN``), which makes the pairs one-to-one. Related
articles that are not translations of each other share names and topics, not phrasing, and are
left unpaired, reported, never forced.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MIN_SIMILARITY = 0.4  # real opus-mt bridges and their documents: >= .53; related news: <= .31
MARGIN = 1.5  # a pair's similarity over the next best of its row and of its column
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DocumentPair:
    source: str  # document id (path relative to the source folder)
    target: str
    how: str  # name, pairs file, content
    score: float | None = None  # the content similarity, for pairs found by content


def name_key(doc_id: str, language: str) -> str:
    """``a.pl.txt``, ``a_pl.md``, ``pl/a.txt`` → ``a``: the name with ``language`` as a tag taken out."""
    folder, _, name = doc_id.rpartition("/")
    parts = [p for p in folder.split("/") if p and p.lower() != language.lower()]
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    stem = re.sub(rf"(?i)(?:[._\-]){re.escape(language)}$|^{re.escape(language)}(?:[._\-])", "", stem)
    return "/".join([*parts, stem]).casefold()


def pair_by_name(sources: Sequence[str], targets: Sequence[str], source_lang: str,
                 target_lang: str) -> list[DocumentPair]:
    """Pairs whose keys are equal and unique on both sides."""
    by_key: dict[str, list[str]] = {}
    for doc in targets:
        by_key.setdefault(name_key(doc, target_lang), []).append(doc)
    keys = Counter(name_key(doc, source_lang) for doc in sources)
    pairs = []
    for doc in sources:
        key = name_key(doc, source_lang)
        if keys[key] == 1 and len(by_key.get(key, ())) == 1:
            pairs.append(DocumentPair(doc, by_key[key][0], "name"))
    return pairs


def _features(text: str) -> Counter:
    words = [w.casefold() for w in _WORD.findall(text)]
    grams = Counter(f"w:{w}" for w in words)
    flat = " ".join(words)
    grams.update(f"c:{flat[i:i + 4]}" for i in range(max(0, len(flat) - 3)))
    return grams


class _Vectoriser:
    """Documents → rows of gram counts, one document at a time: only the counts are kept, never the
    text, so a corpus's texts need not be in memory together."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.rows: list[tuple[list[int], list[int]]] = []

    def add(self, text: str) -> None:
        bag = _features(text)
        columns = [self.vocabulary.setdefault(gram, len(self.vocabulary)) for gram in bag]
        self.rows.append((columns, list(bag.values())))

    def matrix(self):
        import numpy as np
        from scipy.sparse import csr_matrix

        lengths = [len(c) for c, _ in self.rows]
        columns = np.fromiter((c for cs, _ in self.rows for c in cs), dtype=np.int64, count=sum(lengths))
        counts = np.fromiter((n for _, ns in self.rows for n in ns), dtype=np.float64, count=sum(lengths))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return csr_matrix((counts, columns, indptr), shape=(len(self.rows), max(1, len(self.vocabulary))))


def similarities(bridges: Iterable[str], targets: Iterable[str]):
    """Cosine of TF-IDF vectors (sublinear counts, IDF over both sides together) for every bridge × target,
    as a dense matrix. Each text is read once, when its turn comes (iterables may be lazy)."""
    import numpy as np
    from scipy.sparse import diags

    vectoriser = _Vectoriser()
    for text in bridges:
        vectoriser.add(text)
    left_rows = len(vectoriser.rows)
    for text in targets:
        vectoriser.add(text)
    matrix = vectoriser.matrix()
    matrix.data = 1 + np.log(matrix.data)
    documents = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1 + matrix.shape[0]) / (1 + documents)) + 1
    weighted = matrix @ diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    weighted = diags(1 / np.where(norms > 0, norms, 1.0)) @ weighted
    left, right = weighted[:left_rows], weighted[left_rows:]
    return (left @ right.T).toarray()


def convincing_pairs(matrix, sources: Sequence[str], targets: Sequence[str]) -> list[DocumentPair]:
    """The pairs whose similarity is at least ``MIN_SIMILARITY`` and ``MARGIN`` times every other
    similarity in its row and its column. Such a pair is its row's and its column's clear best, so the
    pairs found are one-to-one without an assignment solver: the best one-to-one assignment keeps no
    pair this test rejects, and can lose one it accepts (when swapping partners raises the total)."""
    import numpy as np

    pairs = []
    if matrix.size == 0:
        return pairs
    for r, c in enumerate(np.argmax(matrix, axis=1)):
        score = float(matrix[r, c])
        runner_up = max(np.delete(matrix[r], c).max(initial=0.0), np.delete(matrix[:, c], r).max(initial=0.0))
        if score >= MIN_SIMILARITY and score >= MARGIN * runner_up:
            pairs.append(DocumentPair(sources[r], targets[c], "content", round(score, 4)))
    return pairs


def pair_by_content(sources: Sequence[str], bridges: Mapping[str, str], targets: Mapping[str, str]
                    ) -> list[DocumentPair]:
    """Convincing one-to-one pairs of source documents (by their bridges) and target documents."""
    if not sources or not targets:
        return []
    target_ids = list(targets)
    matrix = similarities((bridges[s] for s in sources), (targets[t] for t in target_ids))
    return convincing_pairs(matrix, list(sources), target_ids)


def read_pairs_file(text: str) -> list[tuple[str, str]]:
    """``source<TAB>target`` per line (paths relative to each folder); blank lines and ``#`` comments skipped."""
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not all(f.strip() for f in fields):
            raise ValueError(f"line {number}: expected source<TAB>target, got {line!r}")
        pairs.append((fields[0].strip(), fields[1].strip()))
    return pairs
