"""``xling detect DIR``: the language of every document and of its paragraphs."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from xling.cli._common import exit_codes, setup_logging, stdout
from xling.io import DEFAULT_GLOBS, globs_help


def command(
    input_dir: Annotated[Path, typer.Argument(help="Folder of documents (read recursively), or one file.",
                                              show_default=False)],
    glob: Annotated[list[str] | None, typer.Option("--glob", help="File-name pattern; repeatable. "
                                                                   f"\\[default: {globs_help()}; any case]")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")] = False,
    registry: Annotated[Path | None, typer.Option(help="Model registry TOML (its languages are the "
                                                       "candidates).")] = None,
    follow_links: Annotated[bool, typer.Option(help="Read links to files outside the input folder.")] = False,
) -> None:
    """Detect the language of each document (and notice paragraphs in another language)."""
    from xling.api import detect_folder
    from xling.errors import UsageError

    setup_logging(0, False)
    with exit_codes():
        if not input_dir.is_dir() and not input_dir.is_file():
            raise UsageError(f"input {input_dir} does not exist or is neither a folder nor a file")
        results = detect_folder(input_dir, tuple(glob or DEFAULT_GLOBS), registry, follow_links=follow_links)
    if as_json:
        for r in results:
            typer.echo(json.dumps(asdict(r), ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{len(results)} documents")
    for column in ("file", "language", "confidence", "encoding", "paragraphs", "other-language paragraphs"):
        table.add_column(column, overflow="fold")
    for r in results:
        mixed = ", ".join(f"{k} {v}" for k, v in r.mixed.items())
        table.add_row(r.path, r.language or f"[red]{r.error or '?'}[/]", f"{r.confidence:.2f}",
                      r.encoding or "-", str(r.paragraphs), mixed)
    stdout.print(table)
