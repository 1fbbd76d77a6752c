"""What each archive shard gives a build, kept between builds: two files per shard.

``<CACHE_PATH>/tag_digest/index/2024-12.json`` holds what shard ``2024-12`` gives a
build besides the posts' HTML: its kept posts (records without their content, see
:func:`slim`), its tombstones, the posts the moderation rules hide, and per post a
short hash of its fragment (page signatures), its external links
(:func:`.links.post_links`, which parses the post's HTML) and its feed title
(:func:`.feeds.post_title`, likewise). ``fragments/2024-12.json`` holds the posts'
rendered fragments, read only when a page shows them (:mod:`.fragment_store`).

Both carry the key they were made under: the hash of the shard's bytes, the render
fingerprint (render code version, theme templates, time zone, configured tags,
language, URL style) and the moderation rules. A shard whose key is unchanged is
neither parsed, nor sanitised, nor rendered again. Any other key, a missing or
unreadable file: the shard is read and rendered and both files replaced.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..archive.records import Account, Card, Media, Post
from .writer import replace_file

CACHE_VERSION = 4


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True, slots=True)
class ShardIndex:
    """What one shard gives a build besides the posts' HTML."""

    posts: tuple[Post, ...]
    """Its visible posts with a configured tag, in shard order, as :func:`slim` keeps them."""
    tombstones: tuple[Post, ...]
    """Its tombstones (a tombstone anywhere in the archive wins)."""
    hidden: dict[str, str]
    """Status URI -> the setting that hides it (moderation, or a withheld tombstone)."""
    digests: dict[str, str]
    links: dict[str, tuple[str, ...]]
    titles: dict[str, str]


Accounts = dict[tuple[Any, ...], Account]
"""Equal authors seen so far (one :class:`Account` object each)."""


def _text(value: str) -> str:
    return sys.intern(value)  # the same servers, languages, tags and authors in many posts


def _record(post: Post) -> list[Any]:
    account, card = post.account, post.card
    return [
        post.uri, post.url, post.server, post.created_at, post.edited_at, post.language,
        [account.acct, account.display_name, account.url, account.avatar, account.bot,
         account.indexable],
        post.spoiler_text, post.sensitive, list(post.tags),
        None if card is None else [card.url, card.title],
        [[m.type, m.url, m.preview_url, m.description] for m in post.media],
        post.in_reply_to, "", post.deleted_at, post.withheld,
    ]  # fmt: skip


def _post(data: list[Any], accounts: Accounts) -> Post:
    (uri, url, server, created_at, edited_at, language, account, spoiler_text, sensitive,
     tags, card, media, in_reply_to, _fetched_at, deleted_at, withheld) = data  # fmt: skip
    key = tuple(account)
    author = accounts.get(key)
    if author is None:
        acct, name, url_, avatar, bot, indexable = key
        author = accounts[key] = Account(
            _text(acct), _text(name), _text(url_), _text(avatar), bot, indexable
        )
    return Post(
        uri=uri,
        url=url,
        server=_text(server),
        created_at=created_at,
        edited_at=edited_at,
        language=None if language is None else _text(language),
        account=author,
        content="",
        spoiler_text=spoiler_text,
        sensitive=sensitive,
        tags=tuple(_text(t) for t in tags),
        card=None if card is None else Card(card[0], card[1], "", ""),
        media=tuple(Media(*m) for m in media),
        in_reply_to=in_reply_to,
        fetched_at="",
        deleted_at=deleted_at,
        withheld=withheld,
    )


def slim(posts: Iterable[Post], accounts: Accounts | None = None) -> tuple[Post, ...]:
    """``posts`` as a build keeps them: what pages use besides the fragment, links and feed
    title (made from the rest): no ``content``, ``emojis``, ``mentions``, ``fetched_at``, nor
    a card's description and provider; equal authors and names shared.

    A shard read from the cache gives exactly these records (the same code makes both).
    """
    seen: Accounts = {} if accounts is None else accounts
    return tuple(_post(_record(p), seen) for p in posts)


@dataclass(frozen=True, slots=True)
class FragmentCache:
    root: Path | None
    """``None``: no files (the fragments are kept in :attr:`memory`)."""
    fingerprint: str
    read: bool = True
    """``False``: nothing is read (``pelican --ignore-cache``), everything rendered and stored
    (the fragments a build stored itself are still read back by :mod:`.fragment_store`)."""
    memory: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """Without a :attr:`root`: month -> (key, fragments)."""

    def _path(self, kind: str, month: str) -> Path | None:
        return None if self.root is None else self.root / kind / f"{month}.json"

    def key(self, shard_hash: str) -> str:
        return f"{CACHE_VERSION}:{shard_hash}:{self.fingerprint}"

    def _read(self, kind: str, month: str, key: str) -> dict[str, Any] | None:
        path = self._path(kind, month)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def _has_fragments(self, month: str, key: str) -> bool:
        """Whether the fragments file of ``month`` was made under ``key`` (its first bytes)."""
        if self.root is None:
            kept = self.memory.get(month)
            return kept is not None and kept[0] == key
        return self._has_head("fragments", month, key)

    def _has_head(self, kind: str, month: str, key: str) -> bool:
        """Whether the file of ``kind`` and ``month`` begins with ``key`` (as :meth:`store`
        writes it)."""
        path = self._path(kind, month)
        if path is None:
            return False
        head = json.dumps({"key": key})[:-1].encode("utf-8") + b","
        try:
            with path.open("rb") as file:
                return file.read(len(head)) == head
        except OSError:
            return False

    def has_index(self, month: str, shard_hash: str) -> bool:
        """Whether shard ``month`` has both files made from these bytes, by their first bytes
        (:meth:`load_index` may still find the rest unusable). Never without files."""
        key = self.key(shard_hash)
        return (
            self.read
            and self.root is not None
            and self._has_head("index", month, key)
            and self._has_fragments(month, key)
        )

    def load_index(
        self, month: str, shard_hash: str, accounts: Accounts | None = None
    ) -> ShardIndex | None:
        """What shard ``month`` gives if made from these bytes, else ``None``."""
        if not self.read:
            return None
        data = self._read("index", month, self.key(shard_hash))
        if data is None or not self._has_fragments(month, self.key(shard_hash)):
            return None
        try:  # the cache is ours: a malformed one is simply not used
            seen: Accounts = {} if accounts is None else accounts
            index = ShardIndex(
                posts=tuple(_post(p, seen) for p in data["posts"]),
                tombstones=tuple(_post(p, seen) for p in data["tombstones"]),
                hidden=dict(data["hidden"]),
                digests=dict(data["digests"]),
                links={uri: tuple(urls) for uri, urls in data["links"].items()},
                titles=dict(data["titles"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        made = (index.digests, index.links, index.titles)
        return index if all(p.uri in part for p in index.posts for part in made) else None

    def index_stamp(self, month: str) -> str:
        """The size and modification time of shard ``month``'s index file (empty: none): what
        says, for a build key, that the records a build read are the ones the last build read
        (the file is replaced whenever the shard is rendered again)."""
        path = self._path("index", month)
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            stat = None
        return "" if stat is None else f"{stat.st_size}:{stat.st_mtime_ns}"

    def load_fragments(self, month: str, shard_hash: str) -> dict[str, str] | None:
        """The fragments of shard ``month`` if made from these bytes, else ``None``."""
        key = self.key(shard_hash)
        if self.root is None:
            kept = self.memory.get(month)
            return kept[1] if kept is not None and kept[0] == key else None
        data = self._read("fragments", month, key)
        fragments = None if data is None else data.get("fragments")
        if not isinstance(fragments, dict) or not all(
            isinstance(v, str) for v in fragments.values()
        ):
            return None
        return fragments

    def store(
        self, month: str, shard_hash: str, index: ShardIndex, fragments: dict[str, str]
    ) -> None:
        """Keep what shard ``month`` gave (the fragments first: an index names them)."""
        key = self.key(shard_hash)
        if self.root is None:
            self.memory[month] = (key, fragments)
            return
        path = self._path("fragments", month)
        assert path is not None
        payload: dict[str, object] = {"key": key, "fragments": fragments}
        replace_file(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        payload = {
            "key": key,
            "posts": [_record(p) for p in index.posts],
            "tombstones": [_record(p) for p in index.tombstones],
            "hidden": index.hidden,
            "digests": index.digests,
            "links": index.links,
            "titles": index.titles,
        }
        path = self._path("index", month)
        assert path is not None
        replace_file(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def prune(self, months: set[str]) -> None:
        """Forget shards that no longer exist (and the files of older cache versions)."""
        if self.root is None:
            return
        for kind in ("index", "fragments"):
            directory = self.root / kind
            if not directory.is_dir():
                continue
            for path in directory.glob("*.json"):
                if path.stem not in months:
                    path.unlink(missing_ok=True)
