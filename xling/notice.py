"""Notices: what a user should hear about once, that is not a warning.

A model converted on first use (and how long it took), a backend that cannot run
and the one used instead. Logged at ``NOTICE`` (between INFO and WARNING), which
the CLI shows by default and ``--quiet`` hides.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")


def notice(logger: logging.Logger, message: str, *args: object) -> None:
    logger.log(NOTICE, message, *args)


def cache_root() -> Path:
    """xling's own cache folder: ``$XLING_CACHE_DIR``, else the user cache folder (``~/.cache/xling``)."""
    if folder := os.environ.get("XLING_CACHE_DIR"):
        return Path(folder)
    from platformdirs import user_cache_path

    return user_cache_path("xling")
