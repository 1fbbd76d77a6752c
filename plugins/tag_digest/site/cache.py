"""Rendered post fragments kept between builds, one file per archive shard.

``<CACHE_PATH>/tag_digest/fragments/2024-12.json`` holds the fragments of the
posts of shard ``2024-12``, each post's external links (:func:`.links.post_links`,
which parses the post's HTML), its feed title (:func:`.feeds.post_title`, likewise),
and the key they were made under: the hash of the
shard's bytes and the render fingerprint (render code version, theme templates,
time zone, configured tags, language, URL style). A shard whose bytes and
fingerprint are unchanged is never sanitised or rendered again. Any other key,
a missing or unreadable file: the shard is rendered and the file replaced.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .writer import replace_file

CACHE_VERSION = 3


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True, slots=True)
class ShardCache:
    """What one shard's posts give, by status URI."""

    fragments: dict[str, str]
    links: dict[str, tuple[str, ...]]
    titles: dict[str, str]


@dataclass(frozen=True, slots=True)
class FragmentCache:
    root: Path | None
    """``None``: no cache (everything is rendered)."""
    fingerprint: str
    read: bool = True
    """``False``: nothing is read (``pelican --ignore-cache``), everything rendered and stored."""

    def _path(self, month: str) -> Path | None:
        return None if self.root is None else self.root / "fragments" / f"{month}.json"

    def _key(self, shard_hash: str) -> str:
        return f"{CACHE_VERSION}:{shard_hash}:{self.fingerprint}"

    def load(self, month: str, shard_hash: str) -> ShardCache | None:
        """The fragments and links of shard ``month`` if made from these bytes, else ``None``."""
        path = self._path(month)
        if path is None or not self.read:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != self._key(shard_hash):
            return None
        fragments, links, titles = data.get("fragments"), data.get("links"), data.get("titles")
        if not isinstance(fragments, dict) or not all(
            isinstance(v, str) for v in fragments.values()
        ):
            return None
        if not isinstance(links, dict) or not all(
            isinstance(v, list) and all(isinstance(u, str) for u in v) for v in links.values()
        ):
            return None
        if not isinstance(titles, dict) or not all(isinstance(v, str) for v in titles.values()):
            return None
        return ShardCache(fragments, {uri: tuple(urls) for uri, urls in links.items()}, titles)

    def store(self, month: str, shard_hash: str, shard: ShardCache) -> None:
        path = self._path(month)
        if path is None:
            return
        payload = {
            "key": self._key(shard_hash),
            "fragments": shard.fragments,
            "links": shard.links,
            "titles": shard.titles,
        }
        replace_file(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def prune(self, months: set[str]) -> None:
        """Forget shards that no longer exist."""
        if self.root is None:
            return
        directory = self.root / "fragments"
        if not directory.is_dir():
            return
        for path in directory.glob("*.json"):
            if path.stem not in months:
                path.unlink(missing_ok=True)
