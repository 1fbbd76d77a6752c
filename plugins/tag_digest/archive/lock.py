"""One fetch at a time per archive: :func:`archive_lock`.

A fetch holds an OS file lock on ``<archive>/.lock`` from before it reads the
archive until after its last write (``fcntl.flock`` on Linux and macOS,
``msvcrt.locking`` on Windows), and removes the file as it lets go. The OS drops
the lock when the process ends, however it ends, so a killed fetch never leaves
the archive locked (only, perhaps, an empty ``.lock``, which is ignored by git). A second
fetch of the same archive waits for it up to ``wait`` seconds, then stops with
one line naming the archive.

Once it holds the lock, a fetch removes the temporary files an interrupted
write left (no other writer can be at work then), and makes sure the archive's
``.gitignore`` keeps the lock file and temporary files out of ``git status``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import ArchiveError
from .atomic import remove_temp_files, write_atomic
from .shards import list_shards

LOCK_FILE = ".lock"
GITIGNORE = ".gitignore"
LOCK_WAIT = 60.0
"""Seconds a fetch waits for another one on the same archive (``fetch --wait`` changes it)."""
_POLL = 0.1
GITIGNORE_TEXT = (
    "# Written by tagdigest: its lock file and the temporary files of interrupted writes.\n"
    "# It ignores itself too, so it never shows in `git status` (commit it with `git add -f`).\n"
    ".gitignore\n"
    ".lock\n"
    ".*.tmp-*\n"
    ".*.tmp\n"
)

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _prepare(root: Path) -> None:
    """The archive folder, its ``.gitignore``, and no leftover temporary files."""
    if not (root / GITIGNORE).exists():
        write_atomic(root / GITIGNORE, GITIGNORE_TEXT)
    remove_temp_files(root)
    for folder in root.iterdir():
        if folder.name.isdigit() and folder.is_dir():
            remove_temp_files(folder)


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ArchiveError(
            f"{path.parent}: cannot lock the archive ({exc.strerror or exc})"
        ) from None


def _still_there(fd: int, path: Path) -> bool:
    """Whether ``fd`` is the file at ``path`` (not one a finished fetch removed)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _acquire(root: Path, wait: float) -> int:
    """A descriptor of ``<root>/.lock``, locked; :class:`ArchiveError` after ``wait`` s."""
    path = root / LOCK_FILE
    deadline = time.monotonic() + max(wait, 0.0)
    fd = _open(path)
    while True:
        if _try_lock(fd):
            if _still_there(fd, path):
                return fd
            # The fetch we waited for removed the file as it finished: lock the current one.
            os.close(fd)
            fd = _open(path)
            continue
        if time.monotonic() >= deadline:
            os.close(fd)
            raise ArchiveError(
                f"{root}: another tagdigest fetch is using this archive (waited {wait:g} s); "
                "run again when it has finished"
            )
        time.sleep(_POLL)


@contextlib.contextmanager
def archive_lock(root: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the archive under ``root`` for one fetch (see the module docstring).

    Raises :class:`.SettingError` for a folder that is not an archive (before
    creating anything in it) and :class:`ArchiveError` when another fetch keeps
    the lock for longer than ``wait`` seconds. The lock file is removed again on
    release (not on Windows, where an open file cannot be removed).
    """
    list_shards(root)  # refuses DIGEST_ARCHIVE_PATH = "/" before writing there
    fd = _acquire(root, wait)
    try:
        try:
            _prepare(root)
        except OSError as exc:
            raise ArchiveError(
                f"{root}: cannot write the archive ({exc.strerror or exc})"
            ) from None
        yield
    finally:
        if sys.platform != "win32":
            with contextlib.suppress(OSError):
                os.unlink(root / LOCK_FILE)  # still ours: a waiting fetch rechecks the file
        _unlock(fd)
        os.close(fd)
