"""Errors raised by xling. Each message says what went wrong, why, and how to fix it.

Library code raises these; only the CLI turns them into exit codes.
"""

from __future__ import annotations


class XlingError(Exception):
    """Base class of every error xling raises on purpose."""


def one_line(exc: BaseException, limit: int = 160) -> str:
    """What went wrong, in one line: ``No space left on device: 'out/pl-en/a.en'`` for a system error,
    the message of xling's own, else the exception's type and first line, cut at ``limit`` characters
    (a parser's message may quote the rest of the file)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename!r}" if exc.filename else exc.strerror
    if isinstance(exc, XlingError):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) <= limit else text[:limit - 1] + "…"


class UsageError(XlingError):
    """The caller asked for something that cannot work (bad option, bad folder)."""


class ReadError(XlingError):
    """An input file cannot be turned into text (binary, undecodable, unreadable, empty)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class ModelUnavailableError(XlingError):
    """A translation model cannot be found locally and may not (or cannot) be downloaded."""

    def __init__(self, model_id: str, why: str, *, path: bool = False) -> None:
        self.model_id = model_id
        if path:  # the user named a folder: pointing them at `--model` or a download would repeat what they did
            fix = ("Give the folder that holds the model's config.json and weights (as save_pretrained "
                   "or `hf download --local-dir` write them).")
        else:
            fix = (f"Provide it with `--model LANG=/path/to/model_dir`, or download it once with network "
                   f"access (`hf download {model_id}`), then run again.")
        super().__init__(f"model {model_id!r} is not available: {why}. {fix}")


class UnknownNameError(UsageError):
    """A name (format, backend, language) is not one of the known ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(valid))}")


class SegmentationError(XlingError):
    """The sentence splitter returned text that cannot be mapped back onto the input."""
