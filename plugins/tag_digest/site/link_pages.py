"""The link collection's pages and exports (issue 4): :class:`LinkPages`.

The collection itself is :mod:`.links` (pure), the files :mod:`.exports`, the views
:mod:`.link_views`. Pages, newest link first: the newest on the index, older ones on
``…/page/<n>/index.html``, :data:`LINKS_PER_PAGE` each, numbered from the oldest
(:func:`~..digest.grouping.paginate`); the counts and browse rows are on the index only:

- ``links/index.html`` (then ``links/page/<n>/index.html``): every link, with
  the months and domains to browse by;
- ``links/months/<YYYY-MM>/index.html``: links first shared that month;
- ``links/domains/<host>/index.html``: links to one domain (host in ASCII, made a
  safe path segment by :func:`~.segments.safe_segment`);
- ``links.json``, ``links.csv`` and ``bookmarks.html`` at the site root, with
  absolute digest URLs when the site has an absolute ``SITEURL``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from ..archive.records import Post
from ..digest.grouping import INDEX, paginate
from ..digest.links import Link, by_domain, by_month, collect_links, post_links
from ..digest.model import SiteModel
from ..digest.strings import page_label
from ..formats.exports import bookmarks_parts, export_order, links_csv_parts, links_json_parts
from ..formats.feeds import absolute_url
from .context import PageContext, PageSink
from .link_cache import LinkStore
from .link_views import (
    LINKS_DIR,
    GroupRow,
    LazyViews,
    LinkView,
    ShareView,
    TagLink,
    domain_page,
    link_signature,
    links_page_path,
    share_date,
)
from .workers import beside_the_build

__all__ = ["LINKS_DIR", "LinkPages", "collect", "domain_page", "links_page_path"]

LINKS_TEMPLATE = "digest/links"
LINKS_PER_PAGE = 100
EXPORTS = ("links.json", "links.csv", "bookmarks.html")


def collect(
    model: SiteModel,
    post_link: Callable[[Post], str],
    known: Mapping[str, tuple[str, ...]],
    store: LinkStore | None = None,
) -> tuple[Link, ...]:
    """The link collection of the model's posts; ``known``: each post's links, if made already;
    ``store``: where the last build kept its collection (used when made from the same)."""

    def extract(post: Post) -> tuple[str, ...]:
        found = known.get(post.uri)
        return post_links(post) if found is None else found

    posts = [e.post for e in model.entries]
    if store is None:
        return collect_links(posts, post_link, extract)
    return store.collection(posts, post_link, extract)


class LinkPages:
    """The link pages and exports of one build's link collection."""

    def __init__(self, ctx: PageContext, links: tuple[Link, ...]) -> None:
        self.ctx, self.links = ctx, links
        self._link_views: dict[str, LinkView] = {}
        self._signatures: dict[str, str] = {}

    def signature(self, link: Link) -> str:
        """:func:`~.link_views.link_signature` of ``link``, made once per build (each link is
        on several listings and in the exports)."""
        found = self._signatures.get(link.url)
        if found is None:
            found = self._signatures[link.url] = link_signature(link)
        return found

    def link_view(self, link: Link) -> LinkView:
        view = self._link_views.get(link.url)
        if view is not None:
            return view
        tz = self.ctx.model.tz
        first, last = link.first_seen_at.astimezone(tz), link.last_seen_at.astimezone(tz)
        tags = []
        for name in link.tags:
            tag = self.ctx.model.tag(name)
            tags.append(TagLink(tag.name if tag else name, tag.link if tag else None))
        shares = tuple(
            ShareView(
                link=share.digest_url,
                label=self.ctx.words["post_in_digest"].format(
                    date=self.ctx.dates.day(share_date(share.published, tz))
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
            domain_link=self.ctx.urls.link(domain_page(link.url)),
            first_iso=first.date().isoformat(),
            first_label=self.ctx.dates.day(first.date()),
            last_iso=last.date().isoformat(),
            last_label=self.ctx.dates.day(last.date()),
            count_label=self.ctx.count_label("shares", link.count),
            tags=tuple(tags),
            shares=shares,
            wayback=link.wayback,
        )
        self._link_views[link.url] = view
        return view

    def month_rows(self) -> tuple[GroupRow, ...]:
        rows = []
        for group in by_month(self.links, self.ctx.model.tz):
            year, month = (int(x) for x in group.key.split("-"))
            link = self.ctx.urls.link(links_page_path(f"{LINKS_DIR}/months/{group.key}"))
            rows.append(GroupRow(self.ctx.dates.month(year, month), link, group.count))
        return tuple(rows)

    def domain_rows(self) -> tuple[GroupRow, ...]:
        return tuple(
            GroupRow(
                group.key,
                self.ctx.urls.link(domain_page(group.links[0].url)),
                group.count,
            )
            for group in by_domain(self.links)
        )

    def _write_link_list(
        self,
        base: str,
        links: Sequence[Link],
        heading: str,
        lede: str,
        extra: dict[str, object],
        out: PageSink,
        *,
        compact: bool = False,
    ) -> None:
        """``links`` paginated at ``base``; ``extra`` on the index page only, ``compact``: the
        short item on every page (the month and domain listings)."""
        pages = paginate(links, LINKS_PER_PAGE)
        for page in pages:
            path = links_page_path(base, page.number)
            views = LazyViews(page.items, self.link_view)
            newer = None if page.newer is None else links_page_path(base, page.newer)
            older = None if page.older is None else links_page_path(base, page.older)
            index = page.number == INDEX
            shown = extra if index else {}  # the whole collection's rows: on the index only
            out.write_page(
                path,
                LINKS_TEMPLATE,
                inputs=[
                    path,
                    heading,
                    lede if index else None,
                    [self.signature(v) for v in page.items],
                    page.newer,
                    page.older,
                    repr(shown),
                    compact,
                ],
                heading=heading,
                lede=lede,
                links=views,
                page=page,
                page_label=page_label(self.ctx.words, page, "links_"),
                newer=newer and self.ctx.urls.link(newer),
                older=older and self.ctx.urls.link(older),
                current_link=self.ctx.urls.link(links_page_path(LINKS_DIR)),
                compact=compact,
                **shown,
            )
            self.ctx.note_page(path, max((link.last_seen_at for link in page.items), default=None))

    def write(self, out: PageSink) -> None:
        """The link collection: all links, by month and by domain."""
        words = self.ctx.words
        months, domains = self.month_rows(), self.domain_rows()
        total = self.ctx.count_label("links_count", len(self.links))
        self._write_link_list(
            LINKS_DIR, self.links, words["links_title"], f"{words['links_lede']} {total}.",
            {"months": months, "domains": domains, "exports": EXPORTS}, out,
        )  # fmt: skip
        for group in by_month(self.links, self.ctx.model.tz):
            year, month = (int(x) for x in group.key.split("-"))
            label = self.ctx.dates.month(year, month)
            self._write_link_list(
                f"{LINKS_DIR}/months/{group.key}", group.links,
                words["links_month_title"].format(month=label),
                self.ctx.count_label("links_count", group.count), {}, out, compact=True,
            )  # fmt: skip
        for group in by_domain(self.links):
            self._write_link_list(
                domain_page(group.links[0].url).removesuffix("/index.html"), group.links,
                words["links_domain_title"].format(domain=group.key),
                self.ctx.count_label("links_count", group.count), {}, out, compact=True,
            )  # fmt: skip

    def export_links(self) -> Iterator[Link]:
        """The links in :func:`~.exports.export_order`, with absolute digest URLs when the site
        has an absolute base (one at a time: the exports are written in pieces)."""
        base = self.ctx.site.site_base
        for link in export_order(self.links):
            if not base:
                yield link
                continue
            yield replace(
                link,
                posts=tuple(
                    replace(s, digest_url=absolute_url(base, s.digest_url)) for s in link.posts
                ),
            )

    def write_exports(self, out: PageSink) -> None:
        """``links.json``, ``links.csv``, ``bookmarks.html``, rewritten only when they change."""
        title = f"{self.ctx.site.export_name}: {self.ctx.words['links_title']}"
        digest = hashlib.blake2b(digest_size=16)
        for part in ("exports", out.fingerprint, self.ctx.site.site_base or "", title):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1e")
        for link in self.links:
            digest.update(self.signature(link).encode("ascii"))
        inputs = digest.hexdigest()
        makers: tuple[tuple[str, Callable[[Iterable[Link]], Iterable[str]]], ...] = (
            ("links.json", lambda links: links_json_parts(links, ordered=True)),
            ("links.csv", lambda links: links_csv_parts(links, ordered=True)),
            ("bookmarks.html", lambda links: bookmarks_parts(links, title, ordered=True)),
        )
        beside = beside_the_build(self.ctx.settings.workers)  # each in a process of its own
        for path, make in makers:
            # Written in pieces, and only when a link changed: each is large.
            signature = hashlib.blake2b(f"{inputs}:{path}".encode(), digest_size=16).hexdigest()
            parts = functools.partial(self._export_parts, make)
            out.write_stream(path, parts, signature, beside=beside)

    def _export_parts(self, make: Callable[[Iterable[Link]], Iterable[str]]) -> Iterable[str]:
        return make(self.export_links())

    def release(self) -> None:
        """Forget the link views and signatures made for the link pages and exports (one per
        link: O(posts)), once those are written; a later :meth:`link_view` makes them again."""
        self._link_views.clear()
        self._signatures.clear()
