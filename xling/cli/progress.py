"""Progress on stderr with rich: documents done, and sentences translated per second."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xling.cli._common import stderr
from xling.report import FileReport


class RichProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=stderr, disable=not enabled,
        )
        self._docs = None
        self._sentences = 0

    def __enter__(self) -> RichProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.__exit__(*exc)

    def start(self, documents: int) -> None:
        self._docs = self._bar.add_task("documents", total=documents, rate="")

    def sentences(self, count: int) -> None:
        self._sentences += count
        if self._docs is not None:
            elapsed = self._bar.tasks[self._docs].elapsed or 0.0
            rate = f"{self._sentences / elapsed:.1f} sent/s" if elapsed > 0 else ""
            self._bar.update(self._docs, rate=f"{self._sentences} sentences translated {rate}")

    def document(self, report: FileReport) -> None:
        if self._docs is not None:
            self._bar.advance(self._docs)
