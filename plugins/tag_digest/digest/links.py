"""The link collection: external links the posts shared, normalised and deduplicated.

A post's external links are the ``<a href>`` of its HTML that are

- http(s) only;
- not hashtags (``class="hashtag"``, ``rel="tag"``, text starting with ``#``,
  or a ``/tags/`` path on the post's own server);
- not mentions (``class`` ``mention`` or ``u-url``, text starting with ``@``,
  or the URL of one of the post's mentions);
- not its media (the URL or preview URL of an attachment).

URLs are normalised by :func:`.link_urls.normalise_url` and then compared. A link's title
is its preview card's, when the post's card points at it (or the post shares
exactly one link, as Mastodon fetches the card of that link); the newest
post's card wins. Pure functions over records: nothing here knows Pelican.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from ..archive.records import Post, url_host
from ..times import parse_time
from .link_urls import TRACKING_PARAMETERS as TRACKING_PARAMETERS
from .link_urls import display_url as display_url
from .link_urls import domain_of as domain_of
from .link_urls import normalise_url as normalise_url
from .link_urls import wayback_url as wayback_url
from .sanitize import plain, safe_original


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _marked(anchor: etree._Element) -> bool:
    """A hashtag or a mention by its own markup: a class, ``rel="tag"``, a text that starts
    with ``#`` or ``@`` (no URL needs reading for these, the most common links of a post)."""
    if _classes(anchor) & {"hashtag", "mention", "u-url"}:
        return True
    if "tag" in (anchor.get("rel") or "").lower().split():
        return True
    text: str = anchor.text_content()
    return text.strip().startswith(("#", "@"))


def _anchors(html: str) -> list[etree._Element]:
    if not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return list(root.iter("a"))


def post_links(post: Post) -> tuple[str, ...]:
    """The normalised external links of ``post``, each once, in the order they appear."""
    others: list[str] | None = None  # the post's own and its mentions' and media's URLs
    own_hosts: set[str] | None = None
    found: list[str] = []
    for anchor in _anchors(post.content):
        if _marked(anchor):
            continue
        url = normalise_url(anchor.get("href") or "")
        if url is None or url in found:
            continue
        if others is None:
            others = [
                u
                for u in [m.url for m in post.mentions]
                + [m.url for m in post.media]
                + [m.preview_url for m in post.media]
                + [post.url, post.uri]
                if u
            ]
            own_hosts = {url_host(u) for u in (post.server, post.uri, post.url)}
        parts = urlsplit(url)
        host = parts.hostname or ""
        if any(normalise_url(u) == url for u in others if _may_have_host(u, host)):
            continue
        if own_hosts and host in own_hosts and parts.path.startswith("/tags/"):
            continue  # a hashtag on the post's own server, written without its markup
        found.append(url)
    return tuple(found)


def _may_have_host(url: str, host: str) -> bool:
    """Whether :func:`normalise_url` of ``url`` may have ``host`` (a normalised host): unless
    ``url`` holds what normalising changes beyond case (letters beyond ASCII, ``%`` escapes,
    an IPv6 address, spaces and controls), its host is in it as it is."""
    return host in url.lower() or not url.isascii() or "%" in url or "[" in url or min(url) <= " "


def card_title(post: Post, links: tuple[str, ...]) -> tuple[str, str] | None:
    """``(url, title)`` for the link of ``links`` that the post's preview card describes."""
    card = post.card
    title = plain(card.title).strip() if card else ""  # no control characters in any export
    if card is None or not title:
        return None
    if len(links) == 1:  # the one link, whatever the card's URL (no need to normalise it)
        return links[0], title
    url = normalise_url(card.url) if card.url else None
    return (url, title) if url in links else None


@dataclass(frozen=True, slots=True)
class Share:
    """One post that shared a link."""

    uri: str
    url: str
    """The original post."""
    digest_url: str
    """The post in our digests (as the caller's ``digest_url`` function gave it)."""
    published: str
    """``created_at`` (UTC ISO)."""
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str | None
    domain: str
    first_seen: str
    """``created_at`` of the first post that shared it (UTC ISO)."""
    last_seen: str
    tags: tuple[str, ...]
    """The hashtags of every post that shared it, sorted."""
    posts: tuple[Share, ...]
    """Oldest first."""

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def wayback(self) -> str:
        return wayback_url(self.url)

    @property
    def display(self) -> str:
        return display_url(self.url)

    @property
    def label(self) -> str:
        """The title, or the URL without scheme when there is none."""
        return self.title or self.display

    @property
    def first_seen_at(self) -> dt.datetime:
        return parse_time(self.first_seen)

    @property
    def last_seen_at(self) -> dt.datetime:
        return parse_time(self.last_seen)


def collect_links(
    posts: Iterable[Post],
    digest_url: Callable[[Post], str],
    extract: Callable[[Post], tuple[str, ...]] = post_links,
) -> tuple[Link, ...]:
    """Every external link of the visible ``posts``, newest ``first_seen`` first, then by URL.

    ``extract`` gives a post's links: :func:`post_links`, or the same kept from an earlier build.
    """
    shares: dict[str, dict[str, Share]] = defaultdict(dict)
    titles: dict[str, tuple[dt.datetime, str, str]] = {}
    for post in posts:
        if post.is_tombstone:
            continue
        links = extract(post)
        if not links:
            continue
        original = safe_original(post.uri, post.url) or ""  # untrusted: as in pages
        share = Share(post.uri, original, digest_url(post), post.created_at, post.tags)
        for url in links:
            shares[url].setdefault(post.uri, share)
        titled = card_title(post, links)
        if titled:
            rank = (post.created, post.uri, titled[1])
            if titled[0] not in titles or rank > titles[titled[0]]:
                titles[titled[0]] = rank
    result = []
    for url, by_uri in shares.items():
        ordered = sorted(by_uri.values(), key=lambda s: (parse_time(s.published), s.uri))
        tags = sorted({t for s in ordered for t in s.tags})
        title = titles[url][2] if url in titles else None
        result.append(
            Link(
                url=url,
                title=title,
                domain=domain_of(url),
                first_seen=ordered[0].published,
                last_seen=ordered[-1].published,
                tags=tuple(tags),
                posts=tuple(ordered),
            )
        )
    result.sort(key=lambda link: link.url)
    # Newest first by when a link was first shared: a link keeps its place when shared
    # again, so the listings' numbered pages hold the same links once full.
    result.sort(key=lambda link: link.first_seen_at, reverse=True)
    return tuple(result)


@dataclass(frozen=True, slots=True)
class LinkGroup:
    key: str
    """``YYYY-MM`` or a domain."""
    links: tuple[Link, ...]

    @property
    def count(self) -> int:
        return len(self.links)


def by_month(links: Iterable[Link], tz: dt.tzinfo) -> tuple[LinkGroup, ...]:
    """Links under the month (in ``tz``) they were first shared, newest month first.

    Each link is listed once; within a month the order of ``links`` is kept.
    """
    groups: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        groups[link.first_seen_at.astimezone(tz).strftime("%Y-%m")].append(link)
    return tuple(LinkGroup(key, tuple(groups[key])) for key in sorted(groups, reverse=True))


def by_domain(links: Iterable[Link]) -> tuple[LinkGroup, ...]:
    """Links under their domain, domains alphabetically; within one the order of ``links``."""
    groups: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        groups[link.domain].append(link)
    return tuple(LinkGroup(key, tuple(groups[key])) for key in sorted(groups))
