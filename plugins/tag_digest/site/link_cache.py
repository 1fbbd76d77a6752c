"""The link collection kept between builds: ``<CACHE_PATH>/tag_digest/links.json``.

:func:`~..digest.links.collect_links` reads every post's links on every build (at
100,000 posts, about a quarter of a rebuild that finds nothing new). What it reads of
the posts is small: per post its URI, original link, time, tags, card, links and where
the digest shows it. :func:`collection_key` hashes exactly that, in the build's order,
with the render fingerprint (which changes with the plugin's code and the settings the
pages depend on); when the file was made under the same key, its links are the
collection, else it is made again and the file replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..archive.records import Post
from ..digest.links import Link, Share, collect_links
from .writer import replace_file

log = logging.getLogger("tag_digest")

VERSION = 1
FILE = "links.json"


def collection_key(
    posts: Iterable[Post],
    digest_url: Callable[[Post], str],
    extract: Callable[[Post], tuple[str, ...]],
    salt: str,
) -> str:
    """A hash of everything :func:`collect_links` reads of ``posts`` (and ``salt``)."""
    digest = hashlib.blake2b(f"{VERSION}\x1d{salt}\x1d".encode(), digest_size=20)
    for post in posts:
        links = () if post.is_tombstone else extract(post)
        card = post.card
        line = "\x1f".join(
            (
                post.uri,
                post.url,
                post.created_at,
                "x" if post.is_tombstone else "",
                "\x1e".join(post.tags),
                "\x00" if card is None else card.title,
                "\x00" if card is None else card.url,
                "\x1e".join(links),
                digest_url(post) if links else "",  # a post without links is not read
            )
        )
        digest.update(line.encode("utf-8", "surrogatepass") + b"\x1d")
    return digest.hexdigest()


def _encode(links: tuple[Link, ...], key: str) -> bytes:
    rows = [
        [
            link.url,
            link.title,
            link.domain,
            link.first_seen,
            link.last_seen,
            list(link.tags),
            [[s.uri, s.url, s.digest_url, s.published, list(s.tags)] for s in link.posts],
        ]
        for link in links
    ]
    text = json.dumps({"version": VERSION, "key": key, "links": rows}, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes, key: str) -> tuple[Link, ...] | None:
    try:
        loaded = json.loads(data.decode("utf-8", "surrogatepass"))
        if not isinstance(loaded, dict) or loaded.get("key") != key:
            return None
        if loaded.get("version") != VERSION:
            return None
        tags: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per distinct tag set

        def kept(names: list[str]) -> tuple[str, ...]:
            found = tuple(str(n) for n in names)
            return tags.setdefault(found, found)

        return tuple(
            Link(
                url=str(url),
                title=None if title is None else str(title),
                domain=str(domain),
                first_seen=str(first),
                last_seen=str(last),
                tags=kept(link_tags),
                posts=tuple(
                    Share(str(u), str(o), str(d), str(p), kept(t)) for u, o, d, p, t in shares
                ),
            )
            for url, title, domain, first, last, link_tags, shares in loaded["links"]
        )
    except (KeyError, TypeError, ValueError, UnicodeDecodeError):
        return None  # not a file this code wrote: made again


@dataclass(frozen=True, slots=True)
class LinkStore:
    """Where a build keeps its link collection, and under what else it was made."""

    path: Path
    salt: str
    """The render fingerprint: the plugin's code, the settings the pages depend on."""
    read: bool = True
    """``False``: made again (and kept), as with Pelican's ``--ignore-cache``."""

    def collection(
        self,
        posts: list[Post],
        digest_url: Callable[[Post], str],
        extract: Callable[[Post], tuple[str, ...]],
    ) -> tuple[Link, ...]:
        """:func:`collect_links` of ``posts``, from the file when it was made from the same."""
        key = collection_key(posts, digest_url, extract, self.salt)
        if self.read:
            try:
                found = _decode(self.path.read_bytes(), key)
            except OSError:
                found = None
            if found is not None:
                return found
        links = collect_links(posts, digest_url, extract)
        try:
            replace_file(self.path, _encode(links, key))
        except OSError as error:  # a cache: the next build makes the collection again
            log.warning("tag_digest: cannot keep the link collection in %s: %s", self.path, error)
        return links
