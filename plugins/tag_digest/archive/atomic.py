"""Replacing a file atomically: :func:`write_atomic`, the one copy every writer uses.

The new bytes go to a temporary file next to the target, named
``.<name>.tmp-<random>`` (hidden, recognisable, ignored by git through the
archive's ``.gitignore``), then ``os.replace`` swaps it in: a reader, or a
writer killed at any moment, only ever sees the whole old or the whole new file.

The replaced file keeps its permission bits; a new file gets the mode a plain
``open()`` would give it (``0666`` less the umask, so usually ``0644``).
With ``durable`` the data and the directory entry are also ``fsync``-ed
(the archive and ``state.json``; caches skip it).
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

TEMP_MARK = ".tmp-"
_TEMP_NAME = re.compile(r"^\..+(\.tmp-[0-9a-f]+|\.[A-Za-z0-9_]+\.tmp)$")
"""Ours (``.2024-12.jsonl.tmp-1a2b``) and older ``mkstemp`` ones (``.2024-12.jsonl.x1y2.tmp``)."""


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is a temporary file an interrupted :func:`write_atomic` left."""
    return _TEMP_NAME.match(name) is not None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(path: Path) -> tuple[int, Path]:
    for _ in range(100):
        tmp = path.with_name(f".{path.name}{TEMP_MARK}{secrets.token_hex(4)}")
        try:
            # 0o666: the umask applies, as for any file a program creates.
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary file name")


def write_atomic(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) through a temporary file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):  # a filesystem without modes
                os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def write_parts_if_changed(path: Path, parts: Iterable[bytes]) -> tuple[bool, int]:
    """Replace ``path`` with the bytes of ``parts`` (a cache or the site's output: no fsync)
    unless it already holds exactly them; ``(written, size)``. The parts go to a temporary
    file as they come, so a big file is never held in memory whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                size += len(part)
                handle.write(part)
        try:
            same = os.stat(path).st_size == size and filecmp.cmp(tmp, path, shallow=False)
        except OSError:
            same = False
        if same:
            os.unlink(tmp)
            return False, size
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True, size


def remove_temp_files(directory: Path) -> int:
    """Delete the temporary files interrupted writes left in ``directory``; how many.

    Only safe while no other writer is at work there (the archive lock is held).
    """
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed
