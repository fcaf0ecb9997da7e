"""What every command shares: consoles, logging set-up, and turning errors into exit codes."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator

import typer
from rich.console import Console

from xling.errors import UsageError, XlingError, one_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM (kill, systemd, Kubernetes, Slurm), raised where Ctrl-C would be, so that it
    stops the run the same clean way: temporary files removed, nothing half-written."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return

    def raise_terminated(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

# Wide when piped, so that tables do not fold file names at 80 columns.
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
stderr = Console(stderr=True, highlight=False)


# The page extractors log their heuristics' dead ends ("discarding data: None", "empty HTML tree") without
# naming the file; xling reports every file's outcome itself, so they are heard only with -vv.
EXTRACTOR_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")


def setup_logging(verbose: int, quiet: bool) -> None:
    """Handlers live here, in the CLI, never in the library."""
    from rich.logging import RichHandler

    from xling.notice import NOTICE

    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else NOTICE)
    logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(console=stderr, show_path=False)])
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if verbose < 2:
        for name in EXTRACTOR_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        # Read when huggingface_hub and transformers are imported; most runs never import
        # transformers (importing it only to silence it cost ~0.9 s), so set what is loaded already.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if "huggingface_hub" in sys.modules:
            from huggingface_hub.utils import disable_progress_bars

            disable_progress_bars()
        if "transformers" in sys.modules:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()


@contextlib.contextmanager
def exit_codes(resume_hint: str = "") -> Iterator[None]:
    """Map errors to the documented exit codes with a one-line message and no traceback.

    SIGTERM is handled like Ctrl-C (exit 143 instead of 130)."""
    try:
        with _sigterm_as_interrupt():
            yield
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        what, code = ("terminated", EXIT_TERMINATED) if terminated else ("interrupted", EXIT_INTERRUPTED)
        stderr.print(f"[yellow]{what}.[/] {resume_hint}".rstrip(), soft_wrap=True)
        raise typer.Exit(code) from None
    except UsageError as exc:
        stderr.print(f"[red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    except XlingError as exc:
        stderr.print(f"[red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None
    except OSError as exc:  # a full disk, a read-only or vanished folder: what, and where
        stderr.print(f"[red]error:[/] {one_line(exc)}", soft_wrap=True)
        logging.getLogger("xling").info("traceback", exc_info=exc)
        raise typer.Exit(EXIT_FAILED) from None
