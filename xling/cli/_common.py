"""What every command shares: consoles, logging set-up, and turning errors into exit codes."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

import typer
from rich.console import Console

from xling.errors import UsageError, XlingError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Wide when piped, so that tables do not fold file names at 80 columns.
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
stderr = Console(stderr=True, highlight=False)


def setup_logging(verbose: int, quiet: bool) -> None:
    """Handlers live here, in the CLI, never in the library."""
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(console=stderr, show_path=False)])
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules or verbose < 2:
        with contextlib.suppress(ImportError):
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()


@contextlib.contextmanager
def exit_codes(resume_hint: str = "") -> Iterator[None]:
    """Map errors to the documented exit codes with a one-line message and no traceback."""
    try:
        yield
    except KeyboardInterrupt:
        stderr.print(f"[yellow]interrupted.[/] {resume_hint}".rstrip(), soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except UsageError as exc:
        stderr.print(f"[red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    except XlingError as exc:
        stderr.print(f"[red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None
