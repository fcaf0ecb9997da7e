"""The output folder of a run: checked, locked, marked unfinished until the run ends.

A run into a folder that an unfinished run of the same input left behind resumes it;
any other non-empty folder needs ``--force``. Paths under it are made with ``inside``,
which refuses any that would leave it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from xling.errors import UsageError, XlingError
from xling.formats.atomic import (
    LOCK_FILE,
    MANIFEST,
    RUN_FILES,
    STATE_FILE,
    flush_later,
    flush_now,
    lock_folder,
    remove_stray_temporaries,
    write_text,
)
from xling.notice import notice
from xling.report import read_manifest

logger = logging.getLogger(__name__)



def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing any path that would leave ``root`` (``..``, absolute parts)."""
    path = root / relative
    if ".." in Path(relative).parts or Path(relative).is_absolute() or not path.resolve().is_relative_to(
            root.resolve()):
        raise UsageError(f"refusing output path {relative!r}: it would leave the output folder")
    return path


def within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, however either is spelt: relative or absolute,
    through links, ``..``, or another case of the same name on a case-insensitive file system."""
    if not folder.exists():
        return False
    existing = path.absolute()
    while not existing.exists() and existing != existing.parent:  # an output folder not made yet
        existing = existing.parent
    for candidate in (existing.resolve(), *existing.resolve().parents):
        try:
            if candidate.samefile(folder):
                return True
        except OSError:
            continue
    return False


class OutputFolder:
    """The output folder of one run over ``input_dir`` (with ``globs``)."""

    def __init__(self, input_dir: Path, path: Path, globs: Iterable[str], force: bool,
                 settings: dict[str, object] | None = None) -> None:
        self.input, self.path, self.globs, self.force = input_dir, path, tuple(globs), force
        self.settings = settings or {}  # what else a resumed run must share (a corpus run: the target folder)
        self._lock: IO | None = None
        self._flushing = False

    def check(self) -> None:
        """One-line errors before anything is written: a missing input, an output inside it, a
        non-empty output that is neither resumable nor forced."""
        if not self.input.is_dir() and not self.input.is_file():
            raise UsageError(f"input {self.input} does not exist or is neither a folder nor a file")
        if within(self.path, self.input):
            raise UsageError(f"output folder {self.path} is inside the input folder {self.input}; "
                             "choose a folder outside it")
        if within(self.input, self.path):
            raise UsageError(f"output folder {self.path} holds the input folder {self.input}: xling writes and "
                             "cleans up inside its output folder, so it must not hold the input; choose a "
                             "folder beside it")
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(f"output {self.path} exists and is not a folder")
        if (self.path.is_dir() and any(p.name != LOCK_FILE for p in self.path.iterdir())
                and not self.force and not self.resumable()):
            raise UsageError(f"output folder {self.path} is not empty; pass --force to write into it")

    def state(self) -> str:
        """What the unfinished-run marker holds: the input, globs and settings a resumed run must share."""
        return json.dumps({"input": str(self.input.resolve()), "globs": list(self.globs), **self.settings},
                          sort_keys=True)

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
        flush_later(self.path)  # the outputs are made durable together, in release()
        self._flushing = True

    def close(self) -> None:
        """The run is complete: its files durable, the folder not resumable any more, and the lock
        released (emptied, so that a finished folder does not depend on a PID)."""
        self.release()
        (self.path / STATE_FILE).unlink()
        if self._lock is not None:
            self._lock.truncate(0)
            self._lock.close()
            self._lock = None

    @contextlib.contextmanager
    def opened(self) -> Iterator[OutputFolder]:
        """``open``, then ``release`` however the block ends (an error leaves the folder resumable)."""
        self.open()
        try:
            yield self
        finally:
            self.release()

    def release(self) -> None:
        """Make what the run wrote durable (one flush for all its files); a run that stops on an error
        calls this and leaves the folder resumable."""
        if self._flushing:
            self._flushing = False
            flush_now(self.path)

    def join(self, relative: str) -> Path:
        return inside(self.path, relative)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()

    def read_previous(self) -> dict[str, tuple[str, ...]]:
        """The outputs an earlier, finished run into this folder recorded, by input path ({} if none)."""
        manifest = self.path / MANIFEST
        if not manifest.is_file():
            return {}
        try:
            rows = read_manifest(manifest)
        except (OSError, ValueError, XlingError) as exc:
            notice(logger, "the earlier manifest %s is unreadable (%s); its outputs stay", manifest, exc)
            return {}
        return {str(row.get("path")): tuple(o for o in row.get("outputs", ()) if isinstance(o, str))
                for row in rows if isinstance(row, dict)}

    def removable(self, relative: str) -> Path | None:
        """The file an earlier manifest lists, if xling may delete it: a regular file inside the output
        folder, in one of the folders a run writes to, and none of the run's own files (the lock,
        the unfinished-run marker, the manifest, the index). A tampered manifest deletes nothing else."""
        parts = Path(relative).parts
        if (not parts or Path(relative).is_absolute() or ".." in parts or len(parts) < 2
                or relative in RUN_FILES or parts[-1] in RUN_FILES):
            return None
        path = self.path / relative
        if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(self.path.resolve()):
            return None
        if within(path, self.input):
            return None
        return path

    def remove_stale(self, previous: dict[str, tuple[str, ...]], current: dict[str, tuple[str, ...]]) -> None:
        """Remove what an earlier run recorded and this run does not write: outputs of inputs that are
        gone, of documents that turned English, became empty or failed, of names that changed. Then the
        folder holds exactly what the manifest lists."""
        kept = {o for outputs in current.values() for o in outputs}
        gone = removed = 0
        for doc, outputs in previous.items():
            stale = [self.removable(o) for o in outputs if o not in kept]
            for path in filter(None, stale):
                path.unlink()
                removed += 1
            gone += doc not in current
        if gone:
            notice(logger, "removed %d output file(s) of %d input(s) no longer in %s", removed, gone, self.input)
        elif removed:
            notice(logger, "removed %d output file(s) an earlier run wrote that this run does not", removed)
