"""A week's summary in the site's words, for the week page, the home page and the weekly feed.

:func:`.weekly.summarise` does the counting on plain data; :class:`Summaries` gives it each
post's links from the link collection and turns the result into a :class:`SummaryView`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from markupsafe import Markup

from ..archive.records import Post
from ..digest.dates import Dates
from ..digest.links import Link, display_url
from ..digest.periods import Period, TagCount
from ..digest.urls import Urls
from ..digest.weekly import summarise
from ..formats.feeds import absolute_url
from .link_views import domain_page
from .period_views import NavLink, SummaryView, TagCountView, TopLinkView


class Summaries:
    """Week summaries over one build's link collection (one instance per build)."""

    def __init__(
        self,
        *,
        tz: dt.tzinfo,
        tags: Sequence[str],
        links: Iterable[Link],
        urls: Urls,
        dates: Dates,
        count_label: Callable[[str, int], str],
        tag_views: Callable[[Iterable[TagCount]], tuple[TagCountView, ...]],
    ) -> None:
        self.tz = tz
        self.tags = tuple(tags)
        self.urls = urls
        self.dates = dates
        self.count_label = count_label
        self.tag_views = tag_views
        by_post: dict[str, list[str]] = {}
        self._facts: dict[str, tuple[str | None, str]] = {}
        for link in links:
            self._facts[link.url] = (link.title, link.domain)
            for share in link.posts:
                by_post.setdefault(share.uri, []).append(link.url)
        self._by_post = {uri: tuple(found) for uri, found in by_post.items()}
        self._views: dict[str, SummaryView] = {}

    def links_of(self, post: Post) -> tuple[str, ...]:
        """The normalised external links ``post`` shared (as the link collection has them)."""
        return self._by_post.get(post.uri, ())

    def about(self, url: str) -> tuple[str | None, str]:
        """A collected link's title (or ``None``) and domain."""
        return self._facts[url]

    def of(self, week: Period) -> SummaryView:
        """The summary of ``week`` (made once per build)."""
        view = self._views.get(week.key)
        if view is None:
            view = self._view(week)
            self._views[week.key] = view
        return view

    def _view(self, week: Period) -> SummaryView:
        summary = summarise(week, self.tz, self.tags, self.links_of, self.about)
        links = tuple(
            TopLinkView(
                url=top.url,
                label=top.title or display_url(top.url),
                domain=top.domain,
                domain_link=self.urls.link(domain_page(top.url)),
                count_label=self.count_label("shares", top.posts),
            )
            for top in summary.top_links
        )
        busiest = None
        if summary.busiest_day is not None:
            key = summary.busiest_day.isoformat()
            label = self.dates.weekday(summary.busiest_day)
            busiest = NavLink(self.urls.link(f"days/{key}/index.html"), label, key)
        return SummaryView(
            posts_label=self.count_label("posts_count", summary.posts),
            authors_label=self.count_label("authors_count", summary.authors),
            counts=self.tag_views(summary.tags),
            links=links,
            busiest=busiest,
            busiest_label=self.count_label("posts_count", summary.busiest_count),
        )


def summary_inputs(summary: SummaryView) -> list[object]:
    """Every fact a summary shows, for the signature of a page or feed that shows it."""
    return [
        summary.posts_label,
        summary.authors_label,
        [(c.name, c.count) for c in summary.counts],
        [(x.url, x.label, x.domain, x.count_label) for x in summary.links],
        summary.busiest and summary.busiest.key,
        summary.busiest_label,
    ]


def summary_html(summary: SummaryView, words: Mapping[str, str], root: str) -> Markup:
    """The summary as the HTML of a feed entry, its links absolute under ``root``."""
    facts = [
        Markup("{}: {}").format(words["summary_posts"], summary.posts_label),
        Markup("{}: {}").format(words["summary_authors"], summary.authors_label),
    ]
    if summary.busiest is not None:
        facts.append(
            Markup('{}: <a href="{}">{}</a> ({})').format(
                words["busiest_day"],
                absolute_url(root, summary.busiest.link),
                summary.busiest.label,
                summary.busiest_label,
            )
        )
    if summary.counts:
        tags = Markup(", ").join(Markup("#{}: {}").format(c.name, c.count) for c in summary.counts)
        facts.append(tags)
    html = Markup("<p>{}</p>").format(Markup("<br>").join(facts))
    if summary.links:
        items = Markup("").join(
            Markup('<li><a href="{}">{}</a> ({}, {})</li>').format(
                link.url, link.label, link.domain, link.count_label
            )
            for link in summary.links
        )
        html += Markup("<p>{}:</p><ol>{}</ol>").format(words["top_links"], items)
    return html
