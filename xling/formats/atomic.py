"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed over the target.

A reader (or a resumed run) sees either the old file or the complete new one, never half of it.
Under a folder given to ``flush_later`` (an open run folder) the per-file fsync is left out and
one ``os.sync`` in ``flush_now`` makes every file durable at once: a corpus run writes hundreds of
small files, and an fsync each (~2 ms here) cost more than aligning them. Atomicity does not
depend on the fsync: a killed process leaves the old or the whole new file either way.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; it replaces ``path`` only on success.

    A run folder's lock is never a target: replacing it would let a second run in."""
    if path.name == LOCK_FILE:
        from xling.errors import UsageError

        raise UsageError(f"refusing to write {path}: it is the lock of a run folder")
    fd, tmp = _create_temporary(path)
    try:
        kwargs = {"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            if not _flushed_later(path):
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NAME_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
TEMPORARY_NAMES_TRIED = 100


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (its folder made if missing), with the mode any new file
    gets (0666 less the umask): one system call where ``tempfile.mkstemp`` takes three (it makes
    0600 files, which must then be changed), and a corpus run makes hundreds of files."""
    for _ in range(TEMPORARY_NAMES_TRIED):
        letters = "".join(_NAME_LETTERS[b % len(_NAME_LETTERS)] for b in os.urandom(8))
        tmp = os.path.join(path.parent, f"{TEMP_PREFIX}{path.name}.{letters}.tmp")
        try:
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            if path.parent.exists():
                raise
            path.parent.mkdir(parents=True, exist_ok=True)  # another writer may make it at the same time
    raise FileExistsError(f"no free temporary name beside {path} after {TEMPORARY_NAMES_TRIED} tries")


_FLUSH_LATER: set[str] = set()  # absolute paths of the folders whose files are flushed together


def flush_later(folder: Path) -> None:
    """Atomic writes under ``folder`` skip their fsync until ``flush_now(folder)``. (Where the system
    has no ``os.sync``, every write keeps its own fsync.)"""
    if hasattr(os, "sync"):
        _FLUSH_LATER.add(os.path.abspath(folder))


def flush_now(folder: Path) -> None:
    """Make every file written under ``folder`` since ``flush_later`` durable (one ``os.sync``); writes
    there fsync one by one again."""
    key = os.path.abspath(folder)
    if key in _FLUSH_LATER:
        os.sync()
        _FLUSH_LATER.discard(key)


def _flushed_later(path: Path) -> bool:
    if not _FLUSH_LATER:
        return False
    parent = os.path.abspath(path.parent)
    return any(parent == folder or parent.startswith(folder + os.sep) for folder in _FLUSH_LATER)


# xling's temporary files, and only they, are named ``.xling~<name>.<8 random characters>.tmp``:
# a cleanup never takes a user's own ``.draft.tmp`` for one of them.
TEMP_PREFIX = ".xling~"
_TEMPORARY = re.compile(re.escape(TEMP_PREFIX) + r".+\.[a-z0-9_]{8}\.tmp")


def is_temporary(name: str) -> bool:
    """Whether ``name`` is one of xling's temporary files."""
    return _TEMPORARY.fullmatch(name) is not None


def remove_stray_temporaries(folder: Path) -> int:
    """Remove the temporary files an interrupted xling writer left under ``folder``; how many.

    A killed process (SIGKILL, power loss) cannot clean up after itself; a resumed run does,
    so that its output folder ends byte-identical to an uninterrupted run's. Only xling's
    own temporaries are touched (``is_temporary``), never another program's.
    """
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.rglob(f"{TEMP_PREFIX}*.tmp"):
        if is_temporary(path.name) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def write_text(path: Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def copy_file(source: Path, target: Path) -> None:
    """Copy bytes exactly (pass-through documents stay byte-identical)."""
    with source.open("rb") as src, atomic_open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)


LOCK_FILE = ".xling-lock"
# A run folder's own files, besides the lock: never a document's output, never overwritten by an export.
STATE_FILE = ".xling-run.json"  # present while a run into the folder is unfinished
MANIFEST = "manifest.jsonl"
INDEX = "view/index.html"
RUN_FILES = frozenset({LOCK_FILE, STATE_FILE, MANIFEST, INDEX})


def lock_folder(folder: Path) -> IO:
    """Hold ``folder/.xling-lock`` for this process, or say which process holds it (``UsageError``).

    An advisory ``flock``: the system drops it when the process ends, however it ends, so
    a killed run never leaves a stale lock. Close the returned file to release it early.
    """
    from xling.errors import UsageError

    handle = open(folder / LOCK_FILE, "a+", encoding="ascii")  # noqa: SIM115  (held until closed)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise UsageError(f"output folder {folder} is in use by another xling run (PID {holder}); wait for it "
                         "to finish, or write to another folder") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
