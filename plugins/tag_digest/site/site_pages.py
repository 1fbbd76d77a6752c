"""The pages of issue 4 as one mixin of :class:`~.generator.DigestGenerator`.

:meth:`SitePages.prepare_pages` runs at the end of ``generate_context`` (so the
home page, which Pelican renders from the theme's ``index.html``, finds its
data in the shared context); :meth:`SitePages.generate_site_pages` runs in
``generate_output`` after the tag pages.
"""

from __future__ import annotations

from .discovery import Discovery
from .link_pages import LINKS_DIR, LinkPages, links_page_path
from .period_pages import HOME_LINKS, PeriodPages
from .period_views import HomeView
from .removal_page import RemovalPage
from .search_pages import SearchPages
from .week_summary import Summaries


class SitePages(PeriodPages, LinkPages, Discovery, RemovalPage, SearchPages):
    """Weeks, days, archive, home data, links, exports, feeds, sitemap and robots.txt."""

    def prepare_pages(self) -> None:
        self.prepare_periods()
        self.prepare_search()
        self.prepare_links()
        self.summaries = Summaries(
            tz=self.model.tz,
            tags=self.digest_settings.tags,
            links=self.links,
            urls=self.urls,
            dates=self.dates,
            count_label=self.count_label,
            tag_views=self.tag_count_views_of,
        )
        self.prepare_discovery()
        self.prepare_removal()
        self.context["digest_index"] = HomeView(
            week=self.home_week(),
            links=tuple(self.link_view(link) for link in self.links[:HOME_LINKS]),
            all_links=self.urls.link(links_page_path(LINKS_DIR)),
        )

    def generate_site_pages(self) -> None:
        self.generate_week_pages()
        self.generate_day_pages()
        self.generate_archive_page()
        self.generate_link_pages()
        self.generate_exports()
        self.generate_removal_page()
        self.generate_feeds()
        self.generate_sitemap()
        self.generate_search()
