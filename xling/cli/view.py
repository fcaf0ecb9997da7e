"""``xling view BEADS.jsonl``: a side-by-side view of one document, in the terminal or as an HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xling.cli._common import exit_codes, setup_logging, stdout


def command(
    beads: Annotated[Path, typer.Argument(help="A bead file, OUT/<pair>/<doc>.jsonl.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write a self-contained HTML page "
                                                "here instead of printing a table.")] = None,
    plain: Annotated[bool, typer.Option(help="Plain text for pipes: index<TAB>source<TAB>target<TAB>flags.")] = False,
    source_lang: Annotated[str | None, typer.Option(help="Source language \\[default: from the folder name, "
                                                         "e.g. pl-en].")] = None,
    target_lang: Annotated[str | None, typer.Option(help="Target language \\[default: from the folder name].")] = None,
) -> None:
    """Show one document's aligned sentences side by side."""
    import sys

    from xling.formats.beads import read_beads
    from xling.view.provenance import corpus_info

    setup_logging(0, False)
    with exit_codes():
        if not beads.is_file():  # before the languages: a mistyped path is not a question of languages
            from xling.errors import UsageError

            raise UsageError(f"{beads} is {'a folder' if beads.is_dir() else 'not there'}: give a bead file, "
                             "OUT/<pair>/<doc>.jsonl")
        info = corpus_info(beads, source_lang, target_lang)
        records = list(read_beads(beads))
        if output is not None:
            from xling.formats.atomic import write_text
            from xling.view.html import render_document

            write_text(output, render_document(records, info, title=records[0].doc if records else beads.stem))
            stdout.print(f"wrote {output}")
        elif plain or not sys.stdout.isatty():
            from xling.view.terminal import print_plain

            print_plain(records, sys.stdout)
        else:
            from xling.view.terminal import show

            show(records, info, stdout)
