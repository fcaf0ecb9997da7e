"""The table printed at the end of ``xling translate``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from xling.report import FAILED, PASSED, SKIPPED, TRANSLATED, RunReport

_STYLE = {TRANSLATED: "green", PASSED: "cyan", SKIPPED: "yellow", FAILED: "red"}
MAX_ROWS = 50  # past this, list only the files that were not fine
UNMATCHED_SHOWN = 5


def print_summary(report: RunReport, console: Console) -> None:
    rows = report.files if len(report.files) <= MAX_ROWS else [
        f for f in report.files if f.status in (FAILED, SKIPPED)]
    table = Table(title=f"xling: {len(report.files)} files → {report.output_dir}", title_justify="left")
    for column in ("file", "status", "lang", "sentences", "cached", "flags", "model / reason"):
        table.add_column(column, overflow="fold", justify="right" if column in ("sentences", "cached") else "left")
    for f in rows:
        flags = ", ".join(f"{k} {v}" for k, v in f.flags.items())
        detail = f.reason or f.model or ""
        table.add_row(f.path, f"[{_STYLE[f.status]}]{f.status}[/]", f.language or "-",
                      str(f.sentences or ""), str(f.cached or ""), flags, detail)
    console.print(table)
    counts = " · ".join(f"{report.count(s)} {s}" for s in (TRANSLATED, PASSED, SKIPPED, FAILED))
    if report.incomplete:
        counts += f" · {len(report.incomplete)} with parts left untranslated (see 'skipped' in the manifest)"
    if report.partly_read:
        counts += f" · {len(report.partly_read)} with parts not read (see 'unread' in the manifest)"
    console.print(f"{counts} · {report.sentences} sentences translated · {report.seconds:.1f} s")
    if report.unmatched:
        more = ", …" if len(report.unmatched) > UNMATCHED_SHOWN else ""
        shown = ", ".join(report.unmatched[:UNMATCHED_SHOWN]) + more
        console.print(f"{len(report.unmatched)} other file(s) match no --glob pattern and were not read: {shown}",
                      soft_wrap=True)
