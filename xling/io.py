"""Read stage: find input files and decode them into ``Document`` objects.

Decoding order: a byte-order mark wins; then strict UTF-8 (most files, and
deterministic); then charset-normalizer's best guess. Files with NUL bytes and
no UTF-16/32 BOM are treated as binary. Newlines are normalised to ``\\n`` so
that offsets are the same whichever platform wrote the file.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from xling.data import Document
from xling.errors import ReadError
from xling.naming import display_path

DEFAULT_GLOBS = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm", "*.docx", "*.srt", "*.vtt")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def discover(root: Path, globs: Sequence[str] = DEFAULT_GLOBS, unmatched: list[str] | None = None) -> list[Path]:
    """Files under ``root`` whose name matches one of ``globs``, sorted, symlinked folders not followed.

    Names match whatever their case (``UP.TXT`` is a ``*.txt``). Not following folder links
    makes a symlink loop harmless; a linked *file* is listed (``leaves`` tells whether its
    target lies outside ``root``). ``unmatched``, when given, receives the ids of the files
    left out (a run says how many, so a folder of ``.xml`` or ``.pdf`` is not read in silence).
    """
    patterns = [g.casefold() for g in globs]
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in files:
            if any(fnmatch.fnmatchcase(name.casefold(), g) for g in patterns):
                found.append(Path(folder, name))
            elif unmatched is not None:
                unmatched.append(relative_id(root, Path(folder, name)))
    if unmatched is not None:
        unmatched.sort()
    return sorted(found, key=lambda p: relative_id(root, p))


def globs_help() -> str:
    """The default patterns as ``--help`` shows them."""
    return ", ".join(DEFAULT_GLOBS)


def leaves(root: Path, path: Path) -> bool:
    """Whether ``path`` is a link whose target lies outside ``root`` (or nowhere): reading it would
    pull a file from elsewhere on the machine (``/etc/passwd``) into the corpus."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # dangling or looping: reading it reports the problem
    return not target.is_relative_to(root.resolve())


def linked_folders(root: Path) -> list[str]:
    """Folder links under ``root``, which ``discover`` does not follow: reported, never silently ignored."""
    found = []
    for folder, dirs, _ in os.walk(root, followlinks=False):
        found.extend(relative_id(root, Path(folder, d)) for d in dirs if Path(folder, d).is_symlink())
    return sorted(found)


def relative_id(root: Path, path: Path) -> str:
    """The document id: the path relative to the input root, with forward slashes; bytes of the
    name that are not UTF-8 are written ``\\xNN`` (see ``xling.naming.display_path``)."""
    return display_path(Path(os.path.relpath(path, root)).as_posix())


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text with ``\\n`` newlines, encoding name). Raises ``ReadError``."""
    if not data:
        raise ReadError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _normalise(data.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise ReadError("undecodable", f"{encoding} BOM but invalid data ({exc.reason})") from exc
    # Like git: a NUL byte without a UTF-16/32 byte-order mark means binary, even if it decodes.
    if b"\x00" in data:
        raise ReadError("binary file", "contains NUL bytes and no UTF-16/32 byte-order mark")
    try:
        return _normalise(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = _prefer_regional(from_bytes(data))
    if best is None:
        raise ReadError("undecodable", "no text encoding fits the bytes")
    return _normalise(str(best)), best.encoding


# Single-byte code pages in common use, most common first: the tie-break between decodings.
_COMMON = ("cp1252", "cp1250", "iso8859_2", "cp1251", "koi8_r", "koi8_u", "iso8859_15", "iso8859_1", "cp1257",
           "cp1253", "cp1254", "iso8859_7", "iso8859_9", "iso8859_5", "iso8859_16", "iso8859_13")
_CHAOS_SLACK = 0.1


def _prefer_regional(matches):
    """The decoding whose non-ASCII characters are most often letters, among those close in chaos.

    charset-normalizer can rank a rarely used code page first on short text (Latin-3 for
    ISO-8859-2 Polish). In the right decoding the non-ASCII bytes are letters (ą, ś, ł); in
    the wrong ones several turn into symbols (±, ¶, ³).
    """
    best = matches.best()
    if best is None:
        return None
    close = [best] + [m for m in matches if m.encoding in _COMMON and m.chaos <= best.chaos + _CHAOS_SLACK]

    def rank(match):
        foreign = [c for c in str(match) if ord(c) > 127]
        letters = sum(c.isalpha() for c in foreign) / len(foreign) if foreign else 1.0
        common = _COMMON.index(match.encoding) if match.encoding in _COMMON else len(_COMMON)
        return (-letters, match.chaos, common)

    return min(close, key=rank)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


DEFAULT_MAX_FILE_MB = 1024
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def _unreadable(exc: OSError) -> ReadError:
    if isinstance(exc, PermissionError):
        return ReadError("unreadable", f"permission denied ({exc.strerror})")
    return ReadError("unreadable", exc.strerror or str(exc))


def _refuse_special(path: Path) -> None:
    """``ReadError`` "not a regular file" when ``path`` is a socket, FIFO or device."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise ReadError("not a regular file", f"{kind}: only regular files are read")


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file. A FIFO, socket or device (a link to ``/dev/zero``) would
    block or never end: it is refused before a byte is read (opened non-blocking, checked with
    fstat on the open descriptor, so it cannot be swapped in between), and so is a file over
    ``max_bytes``. Raises ``ReadError``."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        _refuse_special(path)  # a socket cannot even be opened: say what it is, not "unreadable"
        raise _unreadable(exc) from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise ReadError("not a regular file", f"{kind}: only regular files are read")
        if max_bytes is not None and info.st_size > max_bytes:
            raise ReadError("too large", f"{info.st_size / 2**20:.0f} MiB exceeds --max-file-mb "
                                         f"{max_bytes / 2**20:.0f}")
        try:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as exc:
            raise ReadError("unreadable", exc.strerror or str(exc)) from exc
    if max_bytes is not None and len(data) > max_bytes:  # grew while being read
        raise ReadError("too large", f"over --max-file-mb {max_bytes / 2**20:.0f} while being read")
    return data


def read_document(root: Path, path: Path, max_bytes: int | None = None) -> Document:
    """Read and decode one file. Raises ``ReadError`` with a reason for the manifest."""
    text, encoding = decode(read_bytes(path, max_bytes))
    if not text.strip():
        raise ReadError("blank file", "only whitespace")
    return Document(id=relative_id(root, path), text=text, encoding=encoding)
