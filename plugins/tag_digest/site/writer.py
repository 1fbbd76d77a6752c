"""Writing output pages only when they change, and forgetting pages that are gone.

A page is identified by its output path and a *signature*: a hash of all it is
made from (the theme, the settings, the fragments it shows, its place in the
pagination…), computed by the caller without rendering. The writer keeps a
manifest of ``path -> (signature, size, fetched block's key)`` from the previous build:

- same signature, and the file is still there with the recorded size: the page
  is not even rendered;
- otherwise it is rendered, and written only if its bytes differ from the file
  on disk (so an unchanged page keeps its mtime either way);
- a page written by the previous build and not by this one is deleted (a tag
  removed from ``DIGEST_TAGS``, a page number that no longer exists, the day
  page of a deleted post).

A page may also name its *fetched block* (``fetched``): the footer's last-fetched
time as it renders into the page (``digest/fetched.html``), left out of its signature
so that a fetch alone does not re-render the site. The manifest remembers the block
each page was written with; when only the block differs, the page is *spliced*: its
file is read and the old block replaced by the new one, if it occurs exactly once
(otherwise the page is rendered). The result is byte for byte the page a render
would give, since the block is the only part of the page that depends on the time.

The manifest also keeps a *build key*: a hash of everything the whole digest was made from
(:meth:`PageWriter.unchanged_since`). A build with the same key, whose every page is still
there with its recorded size, has nothing to render: the generator then writes only what is
made beside the build and keeps the rest (:meth:`PageWriter.keep_unwritten`).

The manifest is a cache: losing it costs one full render, never a stale page.
Without a usable manifest (none yet, unreadable, or made for another output
directory) every file already in the output that ``owned(path)`` claims counts
as written by the previous build, so a page of a post deleted since is still
removed when the cache was cleared (unless something else rewrote the file
during this build).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pelican.utils import sanitised_join

from ..archive.atomic import write_atomic, write_parts_if_changed
from .beside import Beside

MANIFEST_VERSION = 2


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (no fsync: a cache)."""
    write_atomic(path, data, durable=False)


@dataclass(slots=True)
class WriteStats:
    written: int = 0
    unchanged: int = 0
    """Rendered, but the bytes on disk were already right."""
    skipped: int = 0
    """Not rendered at all: the signature matched the last build's."""
    removed: int = 0
    spliced: int = 0
    """Not rendered: only the fetched block changed, replaced in the file on disk."""

    @property
    def total(self) -> int:
        return self.written + self.unchanged + self.skipped + self.spliced


@dataclass(frozen=True, slots=True)
class Written:
    """What the manifest remembers of a page: its signature, size and fetched block's key."""

    signature: str
    size: int
    block: str = ""
    """:func:`block_key` of the fetched block it was written with; empty: it has none."""


def block_key(block: str | None) -> str:
    if block is None:
        return ""
    return hashlib.blake2b(block.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(slots=True)
class PageWriter:
    """Writes pages under ``output`` and remembers them in ``manifest`` (if given)."""

    output: Path
    manifest: Path | None
    owned: Callable[[str], bool] | None = None
    """Which output paths (``/``-separated, relative) the writer may delete without a manifest."""
    read_manifest: bool = True
    """``False``: the manifest is not read (``pelican --ignore-cache``): every page is rendered."""
    stats: WriteStats = field(default_factory=WriteStats)
    _previous: dict[str, Written] = field(default_factory=dict)
    _current: dict[str, Written] = field(default_factory=dict)
    _blocks: dict[str, str] = field(default_factory=dict)
    """The fetched blocks of the last build's pages and of this one's, by :func:`block_key`."""
    _found: dict[str, int] = field(default_factory=dict)
    """Files taken from the disk for want of a manifest, and their ``st_mtime_ns`` then."""
    _beside: list[tuple[str, str, Beside[tuple[bool, int]]]] = field(default_factory=list)
    """The files being made beside the build (:meth:`write_stream`)."""
    _previous_build: str = ""
    """The build key the last build's manifest was saved with (:meth:`finish`)."""

    def __post_init__(self) -> None:
        self._previous = self._load_manifest()

    def _load_manifest(self) -> dict[str, Written]:
        data = None
        if self.manifest is not None and self.read_manifest:
            try:
                data = json.loads(self.manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
        if (
            not isinstance(data, dict)
            or data.get("version") != MANIFEST_VERSION
            or data.get("output") != str(self.output)
            or not isinstance(data.get("pages"), dict)
        ):
            return self._found_on_disk()
        pages: dict[str, Written] = {}
        for path, entry in data["pages"].items():
            if isinstance(entry, list) and len(entry) == 3:
                pages[str(path)] = Written(str(entry[0]), int(entry[1]), str(entry[2]))
        build = data.get("build")
        self._previous_build = build if isinstance(build, str) else ""
        blocks = data.get("blocks")
        if isinstance(blocks, dict):
            self._blocks = {str(k): str(v) for k, v in blocks.items() if isinstance(v, str)}
        return pages

    def _found_on_disk(self) -> dict[str, Written]:
        """The files under ``output`` that :attr:`owned` claims (no signature: all re-rendered)."""
        if self.owned is None or not self.output.is_dir():
            return {}
        found: dict[str, Written] = {}
        for path in self.output.rglob("*"):
            relative = path.relative_to(self.output).as_posix()
            if path.is_file() and not path.is_symlink() and self.owned(relative):
                found[relative] = Written("", -1)
                self._found[relative] = path.stat().st_mtime_ns
        return found

    def _target(self, path: str) -> Path:
        return Path(sanitised_join(str(self.output), path))

    def write(
        self, path: str, render: Callable[[], str], signature: str, fetched: str | None = None
    ) -> None:
        """Make the output file ``path`` hold ``render()``, doing as little as possible.

        ``fetched``: the fetched block ``render()`` puts in the page (not in ``signature``),
        or None when the page has none.
        """
        target, previous = self._begin(path)
        key = block_key(fetched)
        if fetched is not None:
            self._blocks.setdefault(key, fetched)
        if previous is not None and previous.signature == signature:
            size = _size_on_disk(target)
            if size == previous.size and previous.block == key:
                self._keep(path, previous)
                return
            if size == previous.size and fetched is not None:
                spliced = self._splice(target, self._blocks.get(previous.block), fetched)
                if spliced is not None:
                    target.write_bytes(spliced)
                    self._current[path] = Written(signature, len(spliced), key)
                    self.stats.spliced += 1
                    return
        data = render().encode("utf-8")
        self._current[path] = Written(signature, len(data), key)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.stats.unchanged += 1
                return
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)  # output is regenerable: no temporary file needed
        self.stats.written += 1

    def write_stream(
        self,
        path: str,
        parts: Callable[[], Iterable[str]],
        signature: str,
        *,
        beside: bool = False,
    ) -> None:
        """:meth:`write` for a big file made in pieces (the link exports): never all in memory.

        The pieces go to a temporary file beside the target, which replaces it only when the
        bytes differ (so an unchanged file keeps its mtime):
        :func:`~..archive.atomic.write_parts_if_changed`. ``beside``: made in a process of
        its own while the build goes on, where it can fork (:class:`.beside.Beside`);
        :meth:`finish` waits for it.
        """
        target, previous = self._begin(path)
        if (
            previous is not None
            and previous.signature == signature
            and not previous.block
            and _size_on_disk(target) == previous.size
        ):
            self._keep(path, previous)
            return
        job = functools.partial(_write_parts, target, parts)
        if not beside:
            self._streamed(path, signature, *job())
            return
        self._current[path] = Written(signature, -1)  # its size once written
        # not a daemon: a build that fails meanwhile still waits for the file to be whole
        made = Beside(job, fork=True, name=f"tag_digest {path}", daemon=False)
        self._beside.append((path, signature, made))

    def _streamed(self, path: str, signature: str, written: bool, size: int) -> None:
        self._current[path] = Written(signature, size)
        if written:
            self.stats.written += 1
        else:
            self.stats.unchanged += 1

    def _wait_beside(self) -> None:
        for path, signature, made in self._beside:
            self._streamed(path, signature, *made.result())
        self._beside = []

    def _begin(self, path: str) -> tuple[Path, Written | None]:
        """The file of ``path`` and what the last build wrote there (each path once a build)."""
        if path in self._current:
            raise ValueError(f"{path} is written twice in one build")
        return self._target(path), self._previous.get(path)

    def unchanged_since(self, build: str) -> bool:
        """Whether the last build was made from exactly what ``build`` hashes (the whole
        digest's inputs: :meth:`.generator.DigestGenerator` makes it) and every file it
        recorded is still there with its size: then no page of this build can differ.

        Nothing may be written before this is asked."""
        if not build or build != self._previous_build or self._current or self._found:
            return False
        for path, previous in self._previous.items():
            try:
                target = self._target(path)
            except RuntimeError:
                return False
            if previous.size < 0 or _size_on_disk(target) != previous.size:
                return False
        return True

    def keep_unwritten(self) -> None:
        """Every page of the last build not written by this one is kept as it is (after
        :meth:`unchanged_since` said the build has nothing to change)."""
        for path, previous in self._previous.items():
            if path not in self._current:
                self._keep(path, previous)

    def _keep(self, path: str, previous: Written) -> None:
        """``path`` is as the last build left it: not even rendered."""
        self._current[path] = previous
        self.stats.skipped += 1

    @staticmethod
    def _splice(target: Path, old: str | None, new: str) -> bytes | None:
        """The file at ``target``, its one ``old`` block replaced by ``new``; None: not one."""
        if not old:
            return None
        try:
            data = target.read_bytes()
        except OSError:
            return None
        before = old.encode("utf-8")  # UTF-8 is self-synchronising: bytes match as text does
        if data.count(before) != 1:
            return None
        return data.replace(before, new.encode("utf-8"))

    def finish(self, build: str = "") -> WriteStats:
        """Delete the pages of the last build that this build did not write; save the manifest
        (with ``build``, the key of what this build was made from: :meth:`unchanged_since`)."""
        self._wait_beside()
        for path in sorted(set(self._previous) - set(self._current)):
            try:
                target = self._target(path)
            except RuntimeError:
                continue
            try:
                if path in self._found and target.stat().st_mtime_ns != self._found[path]:
                    continue  # written during this build by someone else (Pelican itself)
                target.unlink()
            except OSError:
                continue
            self.stats.removed += 1
            self._prune_empty_dirs(target.parent)
        used = {w.block for w in self._current.values() if w.block}
        if self.manifest is not None:
            payload = {
                "version": MANIFEST_VERSION,
                "output": str(self.output),
                "build": build,
                "pages": {
                    p: [w.signature, w.size, w.block] for p, w in sorted(self._current.items())
                },
                "blocks": {k: v for k, v in sorted(self._blocks.items()) if k in used},
            }
            replace_file(self.manifest, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        self._previous = dict(self._current)
        self._previous_build = build
        self._blocks = {k: v for k, v in self._blocks.items() if k in used}
        self._current = {}
        self._found = {}
        return self.stats

    def _prune_empty_dirs(self, directory: Path) -> None:
        root = self.output.resolve()
        current = directory.resolve()
        while current != root and root in current.parents:
            try:
                current.rmdir()
            except OSError:
                return
            current = current.parent


def _write_parts(target: Path, parts: Callable[[], Iterable[str]]) -> tuple[bool, int]:
    return write_parts_if_changed(target, (p.encode("utf-8") for p in parts()))


def _size_on_disk(target: Path) -> int:
    """The size of the file at ``target``; -1 when there is none."""
    try:
        return target.stat().st_size
    except OSError:
        return -1


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8, exact newlines) unless the file already holds it. True if written."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True
