"""The durable archive: month shards of JSON Lines under ``DIGEST_ARCHIVE_PATH``.

Layout: ``<root>/2024/2024-12.jsonl``, one record a line, lines sorted by
``created_at`` then ``uri``; next to the year folders ``state.json`` (fetch
cursors), ``.lock`` and ``.gitignore`` (see :mod:`.lock`). Only shards whose
bytes change are rewritten, each through :func:`.atomic.write_atomic`: a reader
(or a killed writer) only ever sees a whole old or a whole new shard.

Every line is checked against the record format on load; a corrupt line stops
everything with the file and line named, before any write. A shard that changed
on disk since it was loaded (another program wrote it) is never overwritten.
A folder that holds anything else than an archive is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArchiveError, CorruptShardError, SettingError
from .atomic import write_atomic
from .records import Post, from_json, standing, to_json_line

__all__ = ["Archive", "Shard", "list_shards", "read_shard", "shard_path", "write_atomic"]

_SHARD_NAME = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\.jsonl$")
_YEAR = re.compile(r"^\d{4}$")
ROOT_FILES = frozenset({"state.json", "README.md"})
"""Files besides the year folders an archive may hold (and any hidden file: ``.lock``,
``.gitignore``, temporary files, a ``.git`` of its own)."""


@dataclass(frozen=True, slots=True)
class Shard:
    month: str
    path: Path


def shard_path(root: Path, month: str) -> Path:
    """``<root>/YYYY/YYYY-MM.jsonl`` for ``month`` = ``YYYY-MM``."""
    return root / month[:4] / f"{month}.jsonl"


def _foreign(root: Path, name: str) -> SettingError:
    return SettingError(
        "DIGEST_ARCHIVE_PATH",
        f"{root} holds {name!r}, which is not part of an archive (only YYYY/YYYY-MM.jsonl "
        "shards and state.json belong there); point it to a folder of its own",
    )


def _year_shards(root: Path, year: Path) -> list[Shard]:
    shards = []
    for path in sorted(year.iterdir()):
        if path.name.startswith("."):
            continue  # temporary files of interrupted writes, .DS_Store
        match = _SHARD_NAME.match(path.name)
        if match is None or not path.is_file():
            raise _foreign(root, f"{year.name}/{path.name}")
        if match.group(1) != year.name:
            raise ArchiveError(
                f"{path}: a shard of {path.name[:7]} in the {year.name} folder; "
                f"move it to {shard_path(root, path.name[:7])}"
            )
        shards.append(Shard(month=path.name[:7], path=path))
    return shards


def list_shards(root: Path) -> list[Shard]:
    """Every shard under ``root``, oldest month first.

    Raises :class:`SettingError` (naming ``DIGEST_ARCHIVE_PATH``) when ``root`` holds
    what is not an archive's, and :class:`ArchiveError` for a shard in the wrong place.
    """
    if not root.is_dir():
        return []
    shards = []
    try:
        entries = sorted(root.iterdir())
        for entry in entries:
            name = entry.name
            if name.startswith(".") or (name in ROOT_FILES and entry.is_file()):
                continue
            if _YEAR.match(name) and entry.is_dir():
                shards += _year_shards(root, entry)
            elif _SHARD_NAME.match(name):
                raise ArchiveError(
                    f"{entry}: a shard outside its year folder; "
                    f"move it to {shard_path(root, name[:7])}"
                )
            else:
                raise _foreign(root, name)
    except OSError as exc:
        raise ArchiveError(f"{root}: cannot list the archive: {exc.strerror}") from None
    return shards


def parse_shard(path: Path, data: bytes) -> list[Post]:
    """The records in ``data``, the bytes of shard ``path``.

    Raises :class:`CorruptShardError` naming the line: not UTF-8, not JSON, a field
    not of the archive format, or a post of another month than the shard's.
    """
    month = path.name[:7] if _SHARD_NAME.match(path.name) else None
    posts: list[Post] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8: {exc.reason} at byte {exc.start + 1} of the line"
            raise CorruptShardError(str(path), number, problem) from None
        try:
            post = from_json(json.loads(line))
        except json.JSONDecodeError as exc:
            raise CorruptShardError(str(path), number, f"invalid JSON: {exc.msg}") from None
        except (ValueError, TypeError) as exc:
            raise CorruptShardError(str(path), number, str(exc)) from None
        if month is not None and post.month != month:
            problem = f"created_at {post.created_at} does not belong in the {month} shard"
            raise CorruptShardError(str(path), number, problem)
        posts.append(post)
    return posts


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``; ``None`` when there is no such file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read archive shard: {exc.strerror}") from None


def read_shard(path: Path) -> list[Post]:
    """The records of one shard. Raises :class:`CorruptShardError` naming the line."""
    data = _read_bytes(path)
    if data is None:
        raise ArchiveError(f"{path}: cannot read archive shard: no such file")
    return parse_shard(path, data)


def render_shard(posts: Iterable[Post]) -> str:
    """A shard's text: records sorted by ``created_at`` then ``uri``, one line each."""
    ordered = sorted(posts, key=lambda p: (p.created_at, p.uri))
    return "".join(to_json_line(p) + "\n" for p in ordered)


def digest(data: bytes | None) -> str | None:
    """What :meth:`Archive.save` compares to see a file changed since it was read."""
    return None if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


class Archive:
    """All records under one root, keyed by status ``uri``.

    Only the months that :meth:`put` changed are rendered and compared on
    :meth:`save`; the rest of the archive is never re-serialised. An archive
    made by :meth:`load` remembers each shard's bytes (as a digest) and refuses
    to overwrite one that changed on disk since.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[str, Post] = {}
        self._dirty: set[str] = set()
        self._loaded: dict[str, str] | None = None
        """Digest of every shard as :meth:`load` read it (absent: there was none)."""

    @classmethod
    def load(cls, root: Path) -> Archive:
        """Read every shard. Raises :class:`CorruptShardError` on the first bad line."""
        archive = cls(root)
        archive._loaded = {}
        for shard in list_shards(root):
            data = _read_bytes(shard.path) or b""
            archive._loaded[shard.month] = digest(data) or ""
            for post in parse_shard(shard.path, data):
                known = archive.records.get(post.uri)
                if known is not None:
                    # The same status twice (a hand-merged archive): records.standing
                    # decides, and the shards involved are written back with one line.
                    archive._dirty.update((known.month, post.month))
                    post = standing(known, post)
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

    def _on_disk(self, months: Iterable[str]) -> dict[str, bytes | None]:
        """The current bytes of these months' shards; :class:`ArchiveError` if one is stale."""
        found = {}
        for month in months:
            path = shard_path(self.root, month)
            data = _read_bytes(path)
            if self._loaded is not None and digest(data) != self._loaded.get(month):
                raise ArchiveError(
                    f"{path}: changed on disk since this run read the archive (another "
                    "program wrote it); not overwritten, this run's changes to it are not "
                    "saved: run again"
                )
            found[month] = data
        return found

    def save(self) -> list[Path]:
        """Write every changed shard whose text differs from the file; returns the paths written.

        Raises :class:`ArchiveError`, before writing anything, when one of them changed
        on disk since :meth:`load` read it.
        """
        if not self._dirty:
            return []
        by_month: dict[str, list[Post]] = {month: [] for month in self._dirty}
        for post in self.records.values():
            if post.month in by_month:
                by_month[post.month].append(post)
        on_disk = self._on_disk(sorted(by_month))
        written = []
        for month in sorted(by_month):
            data = render_shard(by_month[month]).encode("utf-8")
            current = on_disk[month]
            if data != current and (data or current is not None):
                path = shard_path(self.root, month)
                write_atomic(path, data)
                written.append(path)
                if self._loaded is not None:
                    self._loaded[month] = digest(data) or ""
        self._dirty.clear()
        return written
