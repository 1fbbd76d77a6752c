"""The link collection's pages and exports (issue 4), for :class:`~.generator.DigestGenerator`.

A mixin next to :class:`~.period_pages.PeriodPages`. The collection itself is
:mod:`.links` (pure), the files :mod:`.exports`. Pages, newest link first,
:data:`LINKS_PER_PAGE` a page:

- ``links/index.html`` (then ``links/page/<n>/index.html``): every link, with
  the months and domains to browse by;
- ``links/months/<YYYY-MM>/index.html``: links first shared that month;
- ``links/domains/<host>/index.html``: links to one domain (host in ASCII, made a
  safe path segment by :func:`~.segments.safe_segment`);
- ``links.json``, ``links.csv`` and ``bookmarks.html`` at the site root, with
  absolute digest URLs when the site has an absolute ``SITEURL``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload
from urllib.parse import urlsplit

from ..archive.records import Post, parse_time
from ..digest.grouping import paginate
from ..digest.links import Link, by_domain, by_month, collect_links, post_links
from ..digest.segments import safe_segment
from ..formats.exports import bookmarks_html, links_csv, links_json
from ..formats.feeds import absolute_url

LINKS_TEMPLATE = "digest/links"
LINKS_DIR = "links"
LINKS_PER_PAGE = 100
EXPORTS = ("links.json", "links.csv", "bookmarks.html")


def links_page_path(base: str, number: int = 1) -> str:
    """``links/…/index.html`` for page 1, ``links/…/page/<n>/index.html`` after."""
    return f"{base}/index.html" if number <= 1 else f"{base}/page/{number}/index.html"


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


class LinkPages:
    """Mixin of :class:`~.generator.DigestGenerator`: the link pages and exports."""

    model: Any
    urls: Any
    dates: Any
    page_words: Any
    writer: Any
    write_page: Any
    context: dict[str, Any]
    count_label: Any
    post_link: Any
    note_page: Any
    lastmod: Any
    site_base: str | None
    _fingerprint: str

    links: tuple[Link, ...]

    def prepare_links(self) -> None:
        posts = [e.post for e in self.model.entries]
        known: dict[str, tuple[str, ...]] = getattr(self, "known_links", {})

        def extract(post: Post) -> tuple[str, ...]:
            found = known.get(post.uri)
            return post_links(post) if found is None else found

        self.links = collect_links(posts, self.post_link, extract)
        self._link_views: dict[str, LinkView] = {}

    def link_view(self, link: Link) -> LinkView:
        view = self._link_views.get(link.url)
        if view is not None:
            return view
        tz = self.model.tz
        first, last = link.first_seen_at.astimezone(tz), link.last_seen_at.astimezone(tz)
        tags = []
        for name in link.tags:
            tag = self.model.tag(name)
            tags.append(TagLink(tag.name if tag else name, tag.link if tag else None))
        shares = tuple(
            ShareView(
                link=share.digest_url,
                label=self.page_words["post_in_digest"].format(
                    date=self.dates.day(share_date(share.published, tz))
                ),
                original=share.url or share.uri,
            )
            for share in reversed(link.posts)
        )
        view = LinkView(
            url=link.url,
            label=link.label,
            display=link.display,
            titled=link.title is not None,
            domain=link.domain,
            domain_link=self.urls.link(domain_page(link.url)),
            first_iso=first.date().isoformat(),
            first_label=self.dates.day(first.date()),
            last_iso=last.date().isoformat(),
            last_label=self.dates.day(last.date()),
            count_label=self.count_label("shares", link.count),
            tags=tuple(tags),
            shares=shares,
            wayback=link.wayback,
        )
        self._link_views[link.url] = view
        return view

    def month_rows(self) -> tuple[GroupRow, ...]:
        rows = []
        for group in by_month(self.links, self.model.tz):
            year, month = (int(x) for x in group.key.split("-"))
            link = self.urls.link(links_page_path(f"{LINKS_DIR}/months/{group.key}"))
            rows.append(GroupRow(self.dates.month(year, month), link, group.count))
        return tuple(rows)

    def domain_rows(self) -> tuple[GroupRow, ...]:
        return tuple(
            GroupRow(
                group.key,
                self.urls.link(domain_page(group.links[0].url)),
                group.count,
            )
            for group in by_domain(self.links)
        )

    def _write_link_list(
        self, base: str, links: Sequence[Link], heading: str, lede: str, extra: dict[str, Any]
    ) -> None:
        pages = paginate(links, LINKS_PER_PAGE)
        for page in pages:
            path = links_page_path(base, page.number)
            views = LazyViews(page.items, self.link_view)
            newer = links_page_path(base, page.number - 1) if page.has_previous else None
            older = links_page_path(base, page.number + 1) if page.has_next else None
            self.write_page(
                path,
                LINKS_TEMPLATE,
                inputs=[path, heading, lede, [link_signature(v) for v in page.items], page.count,
                        repr(extra)],
                heading=heading,
                lede=lede,
                links=views,
                page=page,
                page_label=self.page_words["page_of"].format(number=page.number, count=page.count),
                newer=newer and self.urls.link(newer),
                older=older and self.urls.link(older),
                current_link=self.urls.link(links_page_path(LINKS_DIR)),
                **extra,
            )
            self.note_page(path, max((link.last_seen_at for link in page.items), default=None))

    def generate_link_pages(self) -> None:
        """The link collection: all links, by month and by domain."""
        words = self.page_words
        months, domains = self.month_rows(), self.domain_rows()
        total = self.count_label("links_count", len(self.links))
        self._write_link_list(
            LINKS_DIR, self.links, words["links_title"], f"{words['links_lede']} {total}.",
            {"months": months, "domains": domains, "exports": EXPORTS},
        )  # fmt: skip
        for group in by_month(self.links, self.model.tz):
            year, month = (int(x) for x in group.key.split("-"))
            label = self.dates.month(year, month)
            self._write_link_list(
                f"{LINKS_DIR}/months/{group.key}", group.links,
                words["links_month_title"].format(month=label),
                self.count_label("links_count", group.count), {},
            )  # fmt: skip
        for group in by_domain(self.links):
            self._write_link_list(
                domain_page(group.links[0].url).removesuffix("/index.html"), group.links,
                words["links_domain_title"].format(domain=group.key),
                self.count_label("links_count", group.count), {},
            )  # fmt: skip

    def export_links(self) -> tuple[Link, ...]:
        """The links with absolute digest URLs when the site has an absolute base."""
        base = self.site_base
        if not base:
            return self.links
        return tuple(
            replace(
                link,
                posts=tuple(
                    replace(s, digest_url=absolute_url(base, s.digest_url)) for s in link.posts
                ),
            )
            for link in self.links
        )

    def generate_exports(self) -> None:
        """``links.json``, ``links.csv``, ``bookmarks.html``, rewritten only when they change."""
        site = self.context.get("SITENAME", "tagdigest")
        title = str(f"{site}: {self.page_words['links_title']}")
        digest = hashlib.blake2b(digest_size=16)
        for part in ("exports", self._fingerprint, self.site_base or "", title):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1e")
        for link in self.links:
            digest.update(link_signature(link).encode("ascii"))
        inputs = digest.hexdigest()
        makers: tuple[tuple[str, Callable[[tuple[Link, ...]], str]], ...] = (
            ("links.json", links_json),
            ("links.csv", links_csv),
            ("bookmarks.html", lambda links: bookmarks_html(links, title=title)),
        )
        for path, make in makers:
            # Built (one at a time: each is large) only when a link changed.
            signature = hashlib.blake2b(f"{inputs}:{path}".encode(), digest_size=16).hexdigest()
            self.writer.write(path, functools.partial(self._export_text, make), signature)

    def _export_text(self, make: Callable[[tuple[Link, ...]], str]) -> str:
        return make(self.export_links())

    def write_raw(self, path: str, text: str) -> None:
        """A file that is not a template page, through the same writer (kept or removed alike)."""
        signature = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        self.writer.write(path, lambda: text, signature)


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
