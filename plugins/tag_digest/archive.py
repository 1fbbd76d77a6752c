"""The durable archive: month shards of JSON Lines under ``DIGEST_ARCHIVE_PATH``.

Layout: ``<root>/2024/2024-12.jsonl``, one record a line, lines sorted by
``created_at`` then ``uri``. Only shards whose bytes change are rewritten, each
through a temporary file in the same directory, ``fsync`` and ``os.replace``:
a reader (or a killed writer) only ever sees a whole old or a whole new shard.
A corrupt line stops everything with the file and line named, before any write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError, CorruptShardError
from .records import Post, from_json, to_json_line

_SHARD_NAME = re.compile(r"^(\d{4})-(\d{2})\.jsonl$")


@dataclass(frozen=True, slots=True)
class Shard:
    month: str
    path: Path


def shard_path(root: Path, month: str) -> Path:
    """``<root>/YYYY/YYYY-MM.jsonl`` for ``month`` = ``YYYY-MM``."""
    return root / month[:4] / f"{month}.jsonl"


def list_shards(root: Path) -> list[Shard]:
    """Every shard under ``root``, oldest month first (stray temp files ignored)."""
    if not root.is_dir():
        return []
    shards = []
    for year in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        for path in sorted(year.iterdir()):
            match = _SHARD_NAME.match(path.name)
            if match and match.group(1) == year.name and path.is_file():
                shards.append(Shard(month=path.name[:7], path=path))
    return shards


def read_shard(path: Path) -> list[Post]:
    """The records of one shard. Raises :class:`CorruptShardError` naming the line."""
    posts: list[Post] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptShardError(str(path), 1, f"not UTF-8: {exc.reason}") from None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read archive shard: {exc.strerror}") from None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            posts.append(from_json(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise CorruptShardError(str(path), number, f"invalid JSON: {exc.msg}") from None
        except (ValueError, TypeError) as exc:
            raise CorruptShardError(str(path), number, str(exc)) from None
    return posts


def render_shard(posts: Iterable[Post]) -> str:
    """A shard's text: records sorted by ``created_at`` then ``uri``, one line each."""
    ordered = sorted(posts, key=lambda p: (p.created_at, p.uri))
    return "".join(to_json_line(p) + "\n" for p in ordered)


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


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


class Archive:
    """All records under one root, keyed by status ``uri``.

    Only the months that :meth:`put` changed are rendered and compared on
    :meth:`save`; the rest of the archive is never re-serialised.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[str, Post] = {}
        self._dirty: set[str] = set()

    @classmethod
    def load(cls, root: Path) -> Archive:
        """Read every shard. Raises :class:`CorruptShardError` on the first bad line."""
        archive = cls(root)
        for shard in list_shards(root):
            for post in read_shard(shard.path):
                known = archive.records.get(post.uri)
                if known is not None:
                    # The same status twice (a hand-merged archive): a tombstone always
                    # wins (a deletion over a moderation one), and the shards involved
                    # are written back with one line.
                    archive._dirty.update((known.month, post.month))
                    if known.is_final or (known.is_tombstone and not post.is_final):
                        continue
                archive.records[post.uri] = post
        return archive

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Post]:
        return iter(self.records.values())

    def get(self, uri: str) -> Post | None:
        return self.records.get(uri)

    def put(self, post: Post) -> None:
        old = self.records.get(post.uri)
        if old == post:
            return
        if old is not None:
            self._dirty.add(old.month)
        self.records[post.uri] = post
        self._dirty.add(post.month)

    def visible(self) -> list[Post]:
        """Posts that may be shown: every record but tombstones."""
        return [p for p in self.records.values() if not p.is_tombstone]

    def save(self) -> list[Path]:
        """Write every changed shard whose text differs from the file; returns the paths written."""
        if not self._dirty:
            return []
        by_month: dict[str, list[Post]] = {month: [] for month in self._dirty}
        for post in self.records.values():
            if post.month in by_month:
                by_month[post.month].append(post)
        written = []
        for month in sorted(by_month):
            text = render_shard(by_month[month])
            path = shard_path(self.root, month)
            try:
                unchanged = path.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                unchanged = False
            if not unchanged and (text or path.exists()):
                write_atomic(path, text)
                written.append(path)
        self._dirty.clear()
        return written
