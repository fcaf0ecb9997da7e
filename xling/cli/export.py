"""``xling export OUT --format FORMAT``: one corpus file from a run, for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xling.cli._common import exit_codes, setup_logging, stderr
from xling.formats.registry import FORMATS

# escaped: the help is rich markup, where [parquet] would be read as a style and vanish
_FORMAT_HELP = "; ".join(f"{f.name}: {escape(f.help)}" for f in FORMATS.values())


def command(
    run: Annotated[Path, typer.Argument(help="Output folder of `xling translate`, or of `xling align` on two "
                                              "folders.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {_FORMAT_HELP}.", show_default=False)],
    output: Annotated[str | None, typer.Option("--output", "-o", help="File to write ('-': stdout for tsv, tmx, "
                                               "jsonl, fast_align; a prefix for moses). \\[default: "
                                               "RUN/corpus.<pair>.<ext>]")] = None,
    pair: Annotated[str | None, typer.Option(help="Language pair, e.g. pl-en (needed when the run has several).")]
    = None,
    min_score: Annotated[float | None, typer.Option(help="Drop beads whose score is below this.")] = None,
    no_flagged: Annotated[bool, typer.Option("--no-flagged", help="Drop beads with any flag.")] = False,
    no_boilerplate: Annotated[bool, typer.Option("--no-boilerplate", help="Drop boilerplate beads (an appeal, "
                                                 "buttons, bylines; see xling translate --boilerplate).")] = False,
    columns: Annotated[str, typer.Option(help="TSV: extra columns after source and target, comma-separated, "
                                              "from doc, bead, src_ids, tgt_ids, score.")] = "",
) -> None:
    """Build one corpus from a run: all documents of a language pair, in order, streamed."""
    from xling.export import export_run

    setup_logging(0, False)
    with exit_codes():
        extra = tuple(c.strip() for c in columns.split(",") if c.strip())
        result = export_run(run, fmt, output, pair=pair, min_score=min_score, no_flagged=no_flagged,
                            no_boilerplate=no_boilerplate, columns=extra)
    dropped = ""
    if result.low_score or result.flagged or result.boilerplate:
        dropped = f"; dropped {result.low_score} below --min-score and {result.flagged} flagged"
        dropped += f" and {result.boilerplate} boilerplate" if result.boilerplate else ""
    where = ", ".join(str(f) for f in result.files) or "stdout"
    stderr.print(f"{result.written} pair{'' if result.written == 1 else 's'} from {result.documents} "
                 f"document{'' if result.documents == 1 else 's'} ({result.pair}) → {where}{dropped}",
                 soft_wrap=True)
