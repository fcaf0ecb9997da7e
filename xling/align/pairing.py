"""Which document of one folder is the translation of which document of the other.

By name: the paths relative to each folder, with a language tag taken out of the file name
(``a.pl.txt`` ↔ ``a.en.txt``, ``a_pl.txt`` ↔ ``a_en.txt``, ``pl/a.txt`` ↔ ``en/a.txt``) and the
suffix ignored. By content: each source document's bridge (its machine translation) is compared
with every target document as a TF-IDF weighted bag of word and character 4-grams; the best
one-to-one assignment (Hungarian method, scipy) is kept only where a pair is convincing: its
cosine at least ``MIN_SIMILARITY`` and clearly above the next best candidate on both sides
(``MARGIN``). Related articles that are not translations of each other share names and topics,
not phrasing, and are left unpaired, reported, never forced.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
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


def similarities(bridges: Sequence[str], targets: Sequence[str]):
    """Cosine of TF-IDF vectors (sublinear counts, IDF over both sides together) for every bridge × target,
    as a dense matrix (scipy sparse products: 148 × 148 documents in well under a second)."""
    import numpy as np
    from scipy.sparse import csr_matrix, diags

    bags = [_features(t) for t in (*bridges, *targets)]
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for i, bag in enumerate(bags):
        for gram, count in bag.items():
            rows.append(i)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
            counts.append(count)
    matrix = csr_matrix((1 + np.log(np.asarray(counts, dtype=float)), (rows, cols)),
                        shape=(len(bags), max(1, len(vocabulary))))
    documents = np.bincount(np.asarray(cols, dtype=int), minlength=matrix.shape[1])
    idf = np.log((1 + len(bags)) / (1 + documents)) + 1
    weighted = matrix @ diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    weighted = diags(1 / np.where(norms > 0, norms, 1.0)) @ weighted
    left, right = weighted[:len(bridges)], weighted[len(bridges):]
    return (left @ right.T).toarray()


def pair_by_content(sources: Sequence[str], bridges: Mapping[str, str], targets: Mapping[str, str]
                    ) -> list[DocumentPair]:
    """Convincing one-to-one pairs of source documents (by their bridges) and target documents."""
    if not sources or not targets:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    target_ids = list(targets)
    matrix = similarities([bridges[s] for s in sources], [targets[t] for t in target_ids])
    rows, cols = linear_sum_assignment(-matrix)
    pairs = []
    for r, c in zip(rows, cols, strict=True):
        score = float(matrix[r, c])
        others = [*np.delete(matrix[r], c), *np.delete(matrix[:, c], r)]
        runner_up = max(others, default=0.0)
        if score >= MIN_SIMILARITY and score >= MARGIN * runner_up:
            pairs.append(DocumentPair(sources[r], target_ids[c], "content", round(score, 4)))
    return pairs


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
