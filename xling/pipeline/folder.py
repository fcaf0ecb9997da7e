"""The output folder of a run: checked, locked, marked unfinished until the run ends.

A run into a folder that an unfinished run of the same input left behind resumes it;
any other non-empty folder needs ``--force``. Paths under it are made with ``inside``,
which refuses any that would leave it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from xling.errors import UsageError
from xling.formats.atomic import LOCK_FILE, lock_folder, remove_stray_temporaries, write_text
from xling.notice import notice
from xling.report import read_manifest

logger = logging.getLogger(__name__)

STATE_FILE = ".xling-run.json"  # present while a run into this folder is unfinished
MANIFEST = "manifest.jsonl"


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing any path that would leave ``root`` (``..``, absolute parts)."""
    path = root / relative
    if ".." in Path(relative).parts or Path(relative).is_absolute() or not path.resolve().is_relative_to(
            root.resolve()):
        raise UsageError(f"refusing output path {relative!r}: it would leave the output folder")
    return path


class OutputFolder:
    """The output folder of one run over ``input_dir`` (with ``globs``)."""

    def __init__(self, input_dir: Path, path: Path, globs: Iterable[str], force: bool) -> None:
        self.input, self.path, self.globs, self.force = input_dir, path, tuple(globs), force
        self._lock: IO | None = None

    def check(self) -> None:
        """One-line errors before anything is written: a missing input, an output inside it, a
        non-empty output that is neither resumable nor forced."""
        if not self.input.is_dir():
            raise UsageError(f"input folder {self.input} does not exist or is not a folder")
        source, target = self.input.resolve(), self.path.resolve()
        if target == source or target.is_relative_to(source):
            raise UsageError(f"output folder {self.path} is inside the input folder {self.input}; "
                             "choose a folder outside it")
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(f"output {self.path} exists and is not a folder")
        if (self.path.is_dir() and any(p.name != LOCK_FILE for p in self.path.iterdir())
                and not self.force and not self.resumable()):
            raise UsageError(f"output folder {self.path} is not empty; pass --force to write into it")

    def state(self) -> str:
        """What the unfinished-run marker holds: the input and globs a resumed run must share."""
        return json.dumps({"input": str(self.input.resolve()), "globs": list(self.globs)}, sort_keys=True)

    def resumable(self) -> bool:
        state = self.path / STATE_FILE
        return state.is_file() and state.read_text(encoding="utf-8") == self.state()

    def open(self) -> None:
        """Check, create and lock the folder, clear what a killed run left, mark the run unfinished."""
        self.check()
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = lock_folder(self.path)
        if removed := remove_stray_temporaries(self.path):
            logger.info("removed %d temporary file(s) an interrupted run left behind", removed)
        write_text(self.path / STATE_FILE, self.state())

    def close(self) -> None:
        """The run is complete: not resumable any more, and the lock released (emptied, so that a
        finished folder does not depend on a PID)."""
        (self.path / STATE_FILE).unlink()
        if self._lock is not None:
            self._lock.truncate(0)
            self._lock.close()
            self._lock = None

    def join(self, relative: str) -> Path:
        return inside(self.path, relative)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()

    def remove_outputs_of_deleted_inputs(self, current: set[str]) -> None:
        """With --force into an earlier run's folder: the outputs its manifest lists for inputs that are
        gone are removed, so that the folder describes the input as it is now."""
        manifest = self.path / MANIFEST
        if not manifest.is_file():
            return
        try:
            rows = read_manifest(manifest)
        except (OSError, ValueError) as exc:
            notice(logger, "the earlier manifest %s is unreadable (%s); its outputs stay", manifest, exc)
            return
        gone = [row for row in rows if row.get("path") not in current]
        removed = 0
        for row in gone:
            for relative in row.get("outputs", ()):
                path = self.path / relative
                if path.resolve().is_relative_to(self.path.resolve()) and path.is_file():
                    path.unlink()
                    removed += 1
        if gone:
            notice(logger, "removed %d output file(s) of %d input(s) no longer in %s", removed, len(gone), self.input)
