"""Where each post is shown, and the posts of a page as views: one per build.

:class:`Placement` groups the model's posts by week and day (:mod:`.periods`, pure)
and knows the one page that shows a post (:meth:`Placement.post_link`: its day's
page, at the page number its place gives by :func:`.grouping.page_number`, the rule
the day pages are cut by), which the link collection, the feeds and
the search link to. Each post on a period page sits in ``<div class="entry" id="p-…">``
(:func:`.periods.post_anchor`), so a link can point at it. The pages that
``DIGEST_COMPACT_PAGES`` names show :meth:`Placement.compact` entries (:mod:`.compact`)
that link there instead of the full fragment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import overload

from markupsafe import Markup

from ..archive.records import Account, Post
from ..digest.grouping import INDEX
from ..digest.model import Entry
from ..digest.periods import Period, TagCount, by_day, by_week, post_anchor, tag_counts
from ..digest.weekly import page_of, split_by_day
from ..formats.feeds import post_title
from .compact import CompactView, compact_view
from .context import PageContext
from .period_views import DaySection, NavLink, Placed, TagCountView
from .render import AuthorView, author_view


def page_path(base: str, number: int) -> str:
    """Page ``number`` of a period at ``base`` (``weeks/2024-W52/``): 0 is its index (the
    newest posts), 1 … F the numbered pages from the oldest (:func:`.grouping.paginate`)."""
    return f"{base}index.html" if number < 1 else f"{base}page/{number}/index.html"


class Later(Sequence[Placed]):
    """Placed entries made when first read (a page of compact entries seldom reads them: their
    fragments are not read from the cache for it)."""

    def __init__(self, make: Callable[[], tuple[Placed, ...]]) -> None:
        self._make: Callable[[], tuple[Placed, ...]] | None = make
        self._items: tuple[Placed, ...] = ()

    def _get(self) -> tuple[Placed, ...]:
        if self._make is not None:
            self._items, self._make = self._make(), None
        return self._items

    @overload
    def __getitem__(self, index: int) -> Placed: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Placed, ...]: ...
    def __getitem__(self, index: int | slice) -> Placed | tuple[Placed, ...]:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Placed]:
        return iter(self._get())


class Placement:
    """The model's weeks and days, and each post's place on them."""

    def __init__(
        self,
        ctx: PageContext,
        titles: Mapping[str, str] | None = None,
        links: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``titles`` and ``links``: each post's feed title and shared links, by URI (the
        loaded posts keep no text), for the compact entries."""
        self.ctx = ctx
        self.titles: Mapping[str, str] = titles or {}
        self.links: Mapping[str, tuple[str, ...]] = links or {}
        self._authors: dict[tuple[Account, str], AuthorView] = {}
        """Each author's view, made once (a build has far fewer authors than posts)."""
        posts = [e.post for e in ctx.model.entries]
        self.weeks = by_week(posts, ctx.model.tz)
        self.days = by_day(posts, ctx.model.tz)
        self._day_page: dict[str, int] = {}
        for day in self.days:
            self._day_page.update(page_of(day.posts, ctx.settings.per_page))

    def post_link(self, post: Post) -> str:
        """The post on the page of its day that shows it (site-root-relative)."""
        key = post.created.astimezone(self.ctx.model.tz).date().isoformat()
        path = page_path(f"days/{key}/", self._day_page.get(post.uri, INDEX))
        return f"{self.ctx.urls.link(path)}#{post_anchor(post.uri)}"

    def compact(self, entries: Iterable[Entry]) -> list[CompactView]:
        """``entries`` as compact entries, each linking to its full entry (rendering a page)."""
        tz = self.ctx.model.tz
        return [
            compact_view(
                e.post,
                title=self.titles.get(e.post.uri) or post_title(e.post),
                links=self.links.get(e.post.uri, ()),
                full=self.post_link(e.post),
                tz=tz,
                author=self.author(e.post),
            )
            for e in entries
        ]

    def author(self, post: Post) -> AuthorView:
        key = (post.account, post.server)
        view = self._authors.get(key)
        if view is None:
            view = self._authors[key] = author_view(post)
        return view

    def compact_inputs(self, entries: Iterable[Entry]) -> list[object]:
        """What compact ``entries`` show besides their posts (for a page's inputs)."""
        out: list[object] = []
        for e in entries:
            uri = e.post.uri
            out.append([self._day_page.get(uri, 1), self.titles.get(uri), self.links.get(uri)])
        return out

    def placed(self, posts: Iterable[Post], page_path: str | None = None) -> tuple[Placed, ...]:
        """The fragments of ``posts``; resolved for ``page_path`` when Pelican writes the page."""
        out = []
        for post in posts:
            entry = self.ctx.model.by_uri[post.uri]
            fragment = entry.fragment
            if page_path is not None:
                fragment = Markup(self.ctx.urls.resolve(str(fragment), page_path))
            out.append(Placed(post_anchor(post.uri), fragment, entry.digest))
        return tuple(out)

    def section_inputs(self, posts: Sequence[Post]) -> list[list[object]]:
        """What :meth:`sections` shows of ``posts`` for a signature: each day's digests."""
        by_uri = self.ctx.model.by_uri
        return [
            [day.isoformat(), [by_uri[p.uri].digest for p in run]]
            for day, run in split_by_day(posts, self.ctx.model.tz)
        ]

    def sections(
        self, posts: Sequence[Post], page_path: str | None = None, *, compact: bool = False
    ) -> tuple[DaySection, ...]:
        """``posts`` (newest first) as one section per local date (``compact``: with their model
        entries too, for :meth:`compact`, which the theme shows instead of the fragments)."""
        out = []
        for day, run in split_by_day(posts, self.ctx.model.tz):
            key = day.isoformat()
            out.append(
                DaySection(
                    key=key,
                    iso=key,
                    label=self.ctx.dates.weekday(day),
                    link=self.ctx.urls.link(f"days/{key}/index.html"),
                    # a theme whose week.html predates compact entries shows these: read then
                    entries=Later(functools.partial(self.placed, run, page_path))
                    if compact
                    else self.placed(run, page_path),
                    compact=tuple(self.ctx.model.by_uri[p.uri] for p in run) if compact else (),
                )
            )
        return tuple(out)

    def tag_count_views(self, posts: Sequence[Post]) -> tuple[TagCountView, ...]:
        return self.tag_count_views_of(tag_counts(posts, self.ctx.settings.tags))

    def tag_count_views_of(self, counts: Iterable[TagCount]) -> tuple[TagCountView, ...]:
        views = []
        for count in counts:
            tag = self.ctx.model.tag(count.tag)
            if count.count and tag is not None:
                views.append(TagCountView(tag.name, tag.link, count.count))
        return tuple(views)

    def nav(self, period: Period | None, label_key: str) -> NavLink | None:
        if period is None:
            return None
        return NavLink(self.ctx.urls.link(period.save_as), self.ctx.words[label_key], period.key)
