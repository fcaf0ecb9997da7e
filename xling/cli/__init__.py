"""The ``xling`` command. Each subcommand is a thin module over a library function.

Exit codes: 0 all good; 1 some documents failed (see the manifest) or an error;
2 usage error; 130 interrupted (rerun the same command to resume).
"""

from __future__ import annotations

from typing import Annotated

import typer

from xling._version import __version__
from xling.cli import align, detect, export, models, translate, view

app = typer.Typer(
    name="xling",
    help="Detect, translate (MarianMT), segment and align articles across languages.\n\n"
         "Exit codes: 0 ok · 1 some documents failed · 2 usage error · 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xling {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """xling: cross-lingual translation and alignment."""


app.command("translate", no_args_is_help=True)(translate.command)
app.command("detect", no_args_is_help=True)(detect.command)
app.command("view", no_args_is_help=True)(view.command)
app.command("export", no_args_is_help=True)(export.command)
app.command("align", no_args_is_help=True)(align.command)
app.add_typer(models.app, name="models")


def main() -> None:
    app()
