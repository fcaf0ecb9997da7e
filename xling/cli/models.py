"""``xling models ...``: prepare models ahead of a run (offline once they are on disk)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xling.cli._common import exit_codes, setup_logging, stdout

app = typer.Typer(help="Prepare translation models.", no_args_is_help=True, add_completion=False)


@app.command("convert", no_args_is_help=True)
def convert(
    model: Annotated[str, typer.Argument(help="A Marian model: a directory, or a hub id in the local HF cache "
                                              "(downloaded unless --offline).", show_default=False)],
    quantization: Annotated[str, typer.Option(help="int8, int8_float16, float16, float32, ... "
                                                   "(CTranslate2 compute types).")] = "int8",
    output: Annotated[Path | None, typer.Option(
        "--models-dir", help="Where converted models live. \\[default: the user cache folder, xling/ct2]")] = None,
    force: Annotated[bool, typer.Option(help="Convert again even if the converted model exists.")] = False,
    offline: Annotated[bool, typer.Option(help="Never touch the network.")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
) -> None:
    """Convert a Marian model for the ctranslate2 backend (needs pip install 'xling\\[ct2]').

    `xling translate --backend ctranslate2` converts on first use too; this
    command does it ahead of time and prints the folder.
    """
    from xling.models import resolve
    from xling.translate.ct2 import convert as convert_model

    setup_logging(verbose, quiet=False)
    with exit_codes():
        path = convert_model(resolve(model, offline), quantization, output, force=force)
    stdout.print(str(path), soft_wrap=True)
