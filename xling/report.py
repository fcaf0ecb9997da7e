"""What happened to each input file: the rows of ``manifest.jsonl`` and the summary table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from xling.formats.atomic import atomic_open
from xling.formats.lines import json_line

TRANSLATED = "translated"  # non-English document, translated and aligned
PASSED = "passed"  # English document, copied byte for byte
SKIPPED = "skipped"  # nothing to do, with a reason (blank file, no model under the "skip" policy)
FAILED = "failed"  # could not be processed, with a reason; the exit code is 1
ALIGNED = "aligned"  # xling align on folders: an original aligned with its translation (``counterpart``)


@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    status: str
    reason: str = ""
    encoding: str | None = None
    language: str | None = None
    confidence: float = 0.0
    model: str | None = None
    revision: str | None = None
    backend: str | None = None  # what decoded, e.g. ctranslate2/int8 or transformers/float32
    paragraphs: int = 0
    sentences: int = 0
    translated: int = 0  # sentences not answered by the translation cache
    cached: int = 0  # sentences answered by the translation cache
    kept: int = 0  # sentences of English paragraphs inside a translated document, copied as they are
    score: float | None = None  # mean bead score of the translated sentences
    skipped: tuple[dict, ...] = ()  # sentences not translated: index, start, end, reason
    flags: dict[str, int] = field(default_factory=dict)
    mixed: dict[str, int] = field(default_factory=dict)  # paragraphs per language other than the document's
    boilerplate: dict[str, int] = field(default_factory=dict)  # boilerplate paragraphs per reason
    outputs: tuple[str, ...] = ()
    signature: str | None = None
    counterpart: str | None = None  # xling align on folders: the translation this original was paired with
    unread: tuple[str, ...] = ()  # parts of the file with text that were not read (not translated)


@dataclass(frozen=True, slots=True)
class RunReport:
    files: tuple[FileReport, ...]
    output_dir: Path
    seconds: float
    unmatched: tuple[str, ...] = ()  # files in the input folder that no --glob pattern matched (not inputs)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> bool:
        return any(f.status == FAILED for f in self.files)

    @property
    def incomplete(self) -> list[FileReport]:
        """Documents with text of which nothing or only part was translated (their ``skipped`` parts)."""
        return [f for f in self.files if f.skipped and f.status in (TRANSLATED, SKIPPED)]

    @property
    def partly_read(self) -> list[FileReport]:
        """Documents with parts the reader does not read (their ``unread`` parts)."""
        return [f for f in self.files if f.unread]

    @property
    def sentences(self) -> int:
        return sum(f.sentences for f in self.files if f.status == TRANSLATED)


# Counters that depend on the run (cache state), not on the input: kept out of the
# manifest so that a rerun on the same input writes a byte-identical manifest.
RUN_COUNTERS = ("translated", "cached")


def manifest_row(report: FileReport) -> dict:
    row = {k: v for k, v in asdict(report).items() if k not in RUN_COUNTERS}
    if row["counterpart"] is None:  # only corpus alignment pairs documents
        del row["counterpart"]
    if not row["unread"]:  # only readers that leave parts out (a Word file's headers) say so
        del row["unread"]
    row["confidence"] = round(row["confidence"], 4)
    return row


def write_manifest(reports: Iterable[FileReport], path: Path) -> None:
    with atomic_open(path) as out:
        for report in sorted(reports, key=lambda r: r.path):
            out.write(json_line(manifest_row(report)) + "\n")


def read_manifest(path: Path) -> list[dict]:
    """The rows of a manifest; a damaged line is a ``ReadError`` naming the file and line."""
    import json

    from xling.errors import ReadError

    rows = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise ReadError(f"{path}, line {number}: not a manifest row ({exc})") from exc
                if not isinstance(row, dict) or not isinstance(row.get("path"), str):
                    raise ReadError(f"{path}, line {number}: not a manifest row (no path)")
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path} is not UTF-8 text ({exc.reason})") from exc
    return rows
