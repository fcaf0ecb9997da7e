"""The terminal view: a two-column table (rich) that wraps long sentences, or plain text for pipes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from xling.data import CorpusInfo, Record
from xling.formats.lines import one_line


def print_table(records: Iterable[Record], info: CorpusInfo, console: Console) -> None:
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True, style="dim")
    table.add_column(f"original ({info.source_lang})", ratio=1, overflow="fold")
    table.add_column(f"translation ({info.target_lang})", ratio=1, overflow="fold")
    for record in records:
        bead = record.bead
        target = Text(bead.target_text)
        for flag in bead.flags:
            target.append(f" [{flag}]", style="bold red")
        table.add_row(str(record.index), Text(bead.source_text), target)
    console.print(table)


def show(records: list[Record], info: CorpusInfo, console: Console) -> None:
    """The table on a terminal; one taller than the terminal in a pager, so its header does not
    scroll away (``less -R`` keeps the colours)."""
    if len(records) * 3 <= console.height:
        print_table(records, info, console)
        return
    import os

    os.environ.setdefault("LESS", "-R")
    with console.pager(styles=True):
        print_table(records, info, console)


def print_plain(records: Iterable[Record], out: IO[str]) -> None:
    """``index<TAB>source<TAB>target<TAB>flags``: one bead per line, nothing but text."""
    for record in records:
        bead = record.bead
        out.write(f"{record.index}\t{one_line(bead.source_text)}\t{one_line(bead.target_text)}\t"
                  f"{','.join(bead.flags)}\n")
