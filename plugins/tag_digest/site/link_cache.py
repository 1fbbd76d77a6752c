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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..archive.atomic import write_parts_if_changed
from ..archive.records import Post
from ..digest.links import Link, Share, collect_links

log = logging.getLogger("tag_digest")

VERSION = 2
FILE = "links.json"


def _read_by(
    posts: Iterable[Post],
    digest_url: Callable[[Post], str],
    extract: Callable[[Post], tuple[str, ...]],
    salt: str,
) -> tuple[str, list[str | None]]:
    """:func:`collection_key`, and per post where the digest shows it (``None``: no links)."""
    digest = hashlib.blake2b(f"{VERSION}\x1d{salt}\x1d".encode(), digest_size=20)
    shown: list[str | None] = []
    for post in posts:
        links = () if post.is_tombstone else extract(post)
        card = post.card
        where = digest_url(post) if links else None  # a post without links is not read
        shown.append(where)
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
                where or "",
            )
        )
        digest.update(line.encode("utf-8", "surrogatepass") + b"\x1d")
    return digest.hexdigest(), shown


def collection_key(
    posts: Iterable[Post],
    digest_url: Callable[[Post], str],
    extract: Callable[[Post], tuple[str, ...]],
    salt: str,
) -> str:
    """A hash of everything :func:`collect_links` reads of ``posts`` (and ``salt``)."""
    return _read_by(posts, digest_url, extract, salt)[0]


def _parts(links: tuple[Link, ...], posts: list[Post], key: str) -> Iterator[bytes]:
    """The file: each share once (its post's position and original link; the rest is the
    post's), each link with the positions of its shares."""
    position = {post.uri: n for n, post in enumerate(posts)}
    shares: dict[str, int] = {}
    rows: list[list[object]] = []
    for link in links:
        refs = []
        for share in link.posts:
            ref = shares.get(share.uri)
            if ref is None:
                ref = shares[share.uri] = len(shares)
                rows.append([position[share.uri], share.url])
            refs.append(ref)
        yield (
            json.dumps([link.url, link.title, link.domain, refs], ensure_ascii=False) + "\n"
        ).encode("utf-8", "surrogatepass")
    yield (
        json.dumps({"version": VERSION, "key": key, "shares": rows}, ensure_ascii=False) + "\n"
    ).encode("utf-8", "surrogatepass")


def _decode(
    data: bytes, key: str, posts: list[Post], shown: list[str | None]
) -> tuple[Link, ...] | None:
    try:
        lines = data.decode("utf-8", "surrogatepass").split("\n")
        head = json.loads(lines[-2])
        if not isinstance(head, dict) or head.get("key") != key or head.get("version") != VERSION:
            return None
        shares = []
        for index, original in head["shares"]:
            post, where = posts[index], shown[index]
            if where is None:
                return None
            shares.append(Share(post.uri, str(original), where, post.created_at, post.tags))
        found = []
        for line in lines[:-2]:
            url, title, domain, refs = json.loads(line)
            ordered = tuple(shares[ref] for ref in refs)
            tags = tuple(sorted({t for s in ordered for t in s.tags}))
            found.append(
                Link(
                    url=str(url),
                    title=None if title is None else str(title),
                    domain=str(domain),
                    first_seen=ordered[0].published,
                    last_seen=ordered[-1].published,
                    tags=tags,
                    posts=ordered,
                )
            )
        return tuple(found)
    except (KeyError, IndexError, TypeError, ValueError, UnicodeDecodeError):
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
        key, shown = _read_by(posts, digest_url, extract, self.salt)
        if self.read:
            try:
                found = _decode(self.path.read_bytes(), key, posts, shown)
            except OSError:
                found = None
            if found is not None:
                return found
        where = {post.uri: url for post, url in zip(posts, shown, strict=True) if url is not None}
        links = collect_links(posts, lambda post: where.get(post.uri) or digest_url(post), extract)
        try:
            write_parts_if_changed(self.path, _parts(links, posts, key))
        except OSError as error:  # a cache: the next build makes the collection again
            log.warning("tag_digest: cannot keep the link collection in %s: %s", self.path, error)
        return links
