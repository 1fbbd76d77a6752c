"""Every digest page of one build: the page builders, composed.

:class:`SitePages` is made at the end of ``generate_context`` from one
:class:`~.context.PageContext` (so the home page, which Pelican renders from the
theme's ``index.html``, finds its data in the shared context: :meth:`SitePages.shared`);
:meth:`SitePages.write` runs in ``generate_output``. What one builder needs from
another is passed to it explicitly:

- :class:`~.placement.Placement`: the weeks and days, and where each post is shown
  (``post_link``), for the period pages, the link collection, the feeds and the search;
- the link collection (:func:`~.link_pages.collect`), for the link pages and the summaries;
- :class:`~.week_summary.Summaries`, for the week pages, the home page and the weekly feed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .compact_html import CompactEntries
from .context import PageContext, PageSink, in_time_order
from .discovery import FeedPages, SitemapPages, head_links
from .fragment_store import ShardFragments
from .link_cache import LinkStore
from .link_pages import LINKS_DIR, LinkPages, collect, links_page_path
from .period_pages import ARCHIVE_PATH, HOME_LINKS, PeriodPages
from .period_views import HomeView, NavLink
from .placement import Placement
from .removal_page import REMOVAL_PATH, RemovalPage
from .search_pages import SearchPages, search_nav
from .tag_pages import TagPages
from .week_summary import Summaries, summary_inputs
from .workers import beside_the_build


class SitePages:
    """Tags, weeks, days, archive, home data, links, exports, feeds, sitemap, removal, search."""

    def __init__(
        self,
        ctx: PageContext,
        *,
        chrome_words: Mapping[str, str],
        known_links: Mapping[str, tuple[str, ...]],
        known_titles: Mapping[str, str],
        output: Path,
        search_state: Path,
        fragments: ShardFragments | None = None,
        link_store: LinkStore | None = None,
    ) -> None:
        """``link_store``: where the link collection is kept between builds.

        ``fragments``: the build's fragment store (the entries' source). With one, the
        search index is begun here, in a process beside the rest of the build, from a reader
        of its own (:meth:`.SearchPages.start`), and the store forgets its kept shards once
        the last pages that show posts in full are written."""
        self.fragments = fragments
        self.ctx = ctx
        self.place = Placement(ctx, known_titles, known_links)
        self.search = SearchPages(
            ctx,
            self.place.post_link,
            known_links,
            output,
            search_state,
            None if fragments is None else fragments.reader(),
        )
        # As soon as it can: the search index is made beside the rest of the build, unless
        # DIGEST_WORKERS says one process (then SearchPages.write makes it, after the pages).
        self.search.start(fork=beside_the_build(ctx.settings.workers))
        self.links = collect(ctx.model, self.place.post_link, known_links, link_store)
        self.summaries = Summaries(
            tz=ctx.model.tz,
            tags=ctx.settings.tags,
            links=self.links,
            urls=ctx.urls,
            dates=ctx.dates,
            count_label=ctx.count_label,
            tag_views=self.place.tag_count_views_of,
        )
        self.compact = CompactEntries(self.place)
        self.tag_pages = TagPages(ctx, chrome_words, self.place, self.compact)
        self.period_pages = PeriodPages(ctx, self.place, self.summaries, self.compact)
        self.link_pages = LinkPages(ctx, self.links)
        self.feeds = FeedPages(ctx, self.place, self.summaries, known_titles)
        self.sitemap = SitemapPages(ctx)
        self.removal = RemovalPage(ctx)
        self.home = HomeView(
            week=self.period_pages.home_week(),
            links=tuple(self.link_pages.link_view(link) for link in self.links[:HOME_LINKS]),
            all_links=ctx.urls.link(links_page_path(LINKS_DIR)),
        )

    def shared(self) -> dict[str, object]:
        """What the digest adds to Pelican's shared context (every template sees it)."""
        ctx = self.ctx
        return {
            "t": ctx.words,
            "dates": ctx.dates,
            "digest_nav": (
                NavLink(ctx.urls.link(ARCHIVE_PATH), ctx.words["weeks_nav"], "archive"),
                NavLink(ctx.urls.link("links/index.html"), ctx.words["links_nav"], "links"),
                search_nav(ctx),
            ),
            "digest_site_url": ctx.site.site_base,
            "digest_feeds": head_links(ctx),
            "digest_removal": ctx.urls.link(REMOVAL_PATH),
            "digest_index": self.home,
        }

    def write(self, out: PageSink, *, home: bool, host_urls: Sequence[str] = ()) -> None:
        """Every page; the digest's own home page too when ``home`` (under a ``DIGEST_PATH``).

        ``host_urls``: the host site's pages and articles, for the sitemap.
        """
        if home:  # at the site root the home page is the theme's index.html (Pelican's)
            out.write_page("index.html", "index", inputs=["home", self.home_inputs()])
        # The tag and week pages newest first together, so that each compact entry is rendered
        # once (compact_html); then the days, which show the posts in full, and the archive.
        for write in in_time_order([*self.tag_pages.pages(), *self.period_pages.week_pages()]):
            write(out)
        self.compact.release()
        self.period_pages.write_days(out)
        self.period_pages.write_archive(out)
        if self.fragments is not None:  # the days were the last pages of full posts
            self.fragments.release()
        self.link_pages.write(out)
        self.link_pages.write_exports(out)
        self.link_pages.release()  # before the feeds, the sitemap and the search
        self.removal.write(out)
        self.feeds.write(out)
        self.sitemap.write(out, host_urls)
        self.search.write(out)

    def write_unchanged(self, out: PageSink) -> None:
        """What a build writes when nothing changed since the last one
        (:meth:`~.writer.PageWriter.unchanged_since`): the search page, once its bundles
        are checked, which happens beside the build; every other page stays as it is."""
        self.search.write(out)

    def home_inputs(self) -> list[object]:
        """Every fact the home page shows (its signature when the plugin writes it)."""
        home, week = self.home, self.home.week
        return [
            [(t.name, t.count, str(t.latest)) for t in self.ctx.model.tags],
            week and [week.key, [[s.key, [e.digest for e in s.entries]] for s in week.sections]],
            week and summary_inputs(week.summary),
            [(v.url, v.label, v.count_label, v.last_iso) for v in home.links],
        ]
