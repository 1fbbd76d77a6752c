"""The link collection's paths and views: what a link page shows of each link.

Paths: :func:`links_page_path` (``links/…/index.html``, paginated) and
:func:`domain_page` (a domain's page, its host made a safe path segment).
Views: :class:`LinkView` (one link, its shares and tags), :class:`GroupRow`
(a month or a domain to browse by), :class:`LazyViews` (made only when a page is
rendered), and :func:`link_signature` (every fact a view shows, for a page's inputs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload
from urllib.parse import urlsplit

from ..archive.records import parse_time
from ..digest.links import Link
from ..digest.segments import safe_segment

LINKS_DIR = "links"


def links_page_path(base: str, number: int = 0) -> str:
    """``links/…/index.html`` for the index (0, the newest), else ``links/…/page/<n>/index.html``
    (numbered from the oldest, :func:`~tag_digest.digest.grouping.paginate`)."""
    return f"{base}/index.html" if number < 1 else f"{base}/page/{number}/index.html"


def domain_dir(url: str) -> str:
    """The ASCII host of a link without ``www.``: the path segment of its domain page.

    The host comes from a post, so it passes :func:`~.segments.safe_segment`: an
    over-long host (a 300-letter label), an IPv6 address (``::1``) or a Windows
    device name (``con``, ``nul.example``) gets a bounded name with a stable hash.
    """
    return safe_segment((urlsplit(url).hostname or "unknown").removeprefix("www."))


def domain_page(url: str) -> str:
    return links_page_path(f"{LINKS_DIR}/domains/{domain_dir(url)}")


@dataclass(frozen=True, slots=True)
class TagLink:
    name: str
    link: str | None
    """Our tag page when the tag is configured."""


@dataclass(frozen=True, slots=True)
class ShareView:
    link: str
    label: str
    original: str


@dataclass(frozen=True, slots=True)
class LinkView:
    url: str
    label: str
    display: str
    titled: bool
    domain: str
    domain_link: str
    first_iso: str
    first_label: str
    last_iso: str
    last_label: str
    count_label: str
    tags: tuple[TagLink, ...]
    shares: tuple[ShareView, ...]
    wayback: str


@dataclass(frozen=True, slots=True)
class GroupRow:
    label: str
    link: str
    count: int


class LazyViews(Sequence[LinkView]):
    """The views of ``links``, made only when a page is rendered (an unchanged page never is)."""

    def __init__(self, links: Sequence[Link], view: Callable[[Link], LinkView]) -> None:
        self._links, self._view = links, view

    def __len__(self) -> int:
        return len(self._links)

    @overload
    def __getitem__(self, index: int) -> LinkView: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LinkView]: ...
    def __getitem__(self, index: int | slice) -> LinkView | Sequence[LinkView]:
        if isinstance(index, slice):
            return [self._view(link) for link in self._links[index]]
        return self._view(self._links[index])

    def __iter__(self) -> Iterator[LinkView]:
        return (self._view(link) for link in self._links)


def link_signature(link: Link) -> str:
    """Every fact of ``link`` its :class:`LinkView` shows (the rest is in the page fingerprint)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (link.url, link.title or "\x00", link.first_seen, link.last_seen, *link.tags):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    for share in link.posts:
        for part in (share.uri, share.url, share.digest_url, share.published):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1e")
        digest.update(b"\x1d")
    return digest.hexdigest()


def share_date(published: str, tz: dt.tzinfo) -> dt.date:
    return parse_time(published).astimezone(tz).date()
