"""Week, day and archive pages, and the home page's data (issue 4), for the generator.

A mixin: it uses the generator's ``model``, ``urls``, ``digest_settings``,
``context`` and ``write_page`` (see :mod:`.generator`). The grouping itself is
:mod:`.periods` (pure); here periods become page views and pages:

- ``weeks/<YYYY>-W<WW>/index.html``: the week's summary (:mod:`.weekly`), then its
  posts by day, newest first, ``DIGEST_PER_PAGE`` a page (``…/page/<n>/index.html``
  after the first), with previous/next links that skip empty weeks;
- ``days/<YYYY-MM-DD>/index.html``: one day, paginated the same way, with previous/next day;
- ``archive/index.html``: every week by year and month, with post counts;
- the home page is the theme's ``index.html`` (Pelican's own index), which
  gets ``digest_index`` (:class:`HomeView`) in the shared context.

Each post on these pages sits in ``<div class="entry" id="p-…">``
(:func:`.periods.post_anchor`), so the link collection can point at it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from ..archive.records import Post, parse_time
from ..digest.dates import Dates
from ..digest.grouping import Page, paginate
from ..digest.model import Entry, SiteModel
from ..digest.page_words import page_catalogue, plural
from ..digest.periods import (
    Period,
    TagCount,
    Timeline,
    archive_index,
    by_day,
    by_week,
    post_anchor,
    tag_counts,
)
from ..digest.urls import Urls
from ..digest.weekly import page_of, split_by_day
from ..settings import DigestSettings
from .period_views import (
    DaySection,
    MonthRow,
    NavLink,
    Placed,
    TagCountView,
    WeekRow,
    WeekView,
    YearRow,
)
from .week_summary import Summaries, summary_inputs

WEEK_TEMPLATE = "digest/week"
DAY_TEMPLATE = "digest/day"
ARCHIVE_TEMPLATE = "digest/archive"
ARCHIVE_PATH = "archive/index.html"
HOME_LINKS = 10
"""How many of the newest links the home page shows."""
HOME_POSTS = 10
"""How many of the latest week's newest posts the home page (and a weekly feed entry) shows."""


def words_hash(words: Mapping[str, str]) -> str:
    return hashlib.blake2b(repr(sorted(words.items())).encode(), digest_size=8).hexdigest()


class PeriodPages:
    """Mixin of :class:`~.generator.DigestGenerator`: week, day and archive pages."""

    model: SiteModel
    digest_settings: DigestSettings
    urls: Urls
    context: dict[str, Any]
    settings: dict[str, Any]
    write_page: Any

    weeks: Timeline
    days: Timeline
    dates: Dates
    page_words: Mapping[str, str]
    sitemap_pages: list[tuple[str, dt.datetime | None]]
    summaries: Summaries

    def prepare_periods(self) -> None:
        """Group the model's posts by week and day (called at the end of ``generate_context``)."""
        posts = [e.post for e in self.model.entries]
        self.weeks = by_week(posts, self.model.tz)
        self.days = by_day(posts, self.model.tz)
        lang = self.digest_settings.default_lang
        self.dates = Dates(lang, self.digest_settings.timezone)
        self.page_words = page_catalogue(lang)
        self._words_hash = words_hash(self.page_words)
        self.sitemap_pages = []
        per_page = self.digest_settings.per_page
        self._day_page: dict[str, int] = {}
        for day in self.days:
            self._day_page.update(page_of(day.posts, per_page))
        self.context["t"] = self.page_words
        self.context["dates"] = self.dates
        self.context["digest_nav"] = (
            NavLink(self.urls.link(ARCHIVE_PATH), self.page_words["weeks_nav"], "archive"),
            NavLink(self.urls.link("links/index.html"), self.page_words["links_nav"], "links"),
        )

    # -- views ------------------------------------------------------------------

    def count_label(self, key: str, count: int) -> str:
        return plural(self.page_words, self.digest_settings.default_lang, key, count)

    def placed(self, posts: Iterable[Post], page_path: str | None = None) -> tuple[Placed, ...]:
        """The fragments of ``posts``; resolved for ``page_path`` when Pelican writes the page."""
        out = []
        for post in posts:
            entry: Entry = self.model.by_uri[post.uri]
            fragment = entry.fragment
            if page_path is not None:
                fragment = Markup(self.urls.resolve(str(fragment), page_path))
            out.append(Placed(post_anchor(post.uri), fragment, entry.digest))
        return tuple(out)

    def day_link(self, day: Period) -> str:
        return self.urls.link(day.save_as)

    def post_link(self, post: Post) -> str:
        """The post on the page of its day that shows it (site-root-relative)."""
        key = post.created.astimezone(self.model.tz).date().isoformat()
        path = page_path(f"days/{key}/", self._day_page.get(post.uri, 1))
        return f"{self.urls.link(path)}#{post_anchor(post.uri)}"

    def sections(
        self, posts: Sequence[Post], page_path: str | None = None
    ) -> tuple[DaySection, ...]:
        """``posts`` (newest first) as one section per local date."""
        out = []
        for day, run in split_by_day(posts, self.model.tz):
            key = day.isoformat()
            out.append(
                DaySection(
                    key=key,
                    iso=key,
                    label=self.dates.weekday(day),
                    link=self.urls.link(f"days/{key}/index.html"),
                    entries=self.placed(run, page_path),
                )
            )
        return tuple(out)

    def tag_count_views(self, posts: Sequence[Post]) -> tuple[TagCountView, ...]:
        return self.tag_count_views_of(tag_counts(posts, self.digest_settings.tags))

    def tag_count_views_of(self, counts: Iterable[TagCount]) -> tuple[TagCountView, ...]:
        views = []
        for count in counts:
            tag = self.model.tag(count.tag)
            if count.count and tag is not None:
                views.append(TagCountView(tag.name, tag.link, count.count))
        return tuple(views)

    def week_view(
        self, week: Period, posts: Sequence[Post], page_path: str | None = None
    ) -> WeekView:
        """``week`` with its summary and the day sections of ``posts`` (some of its posts)."""
        summary = self.summaries.of(week)
        return WeekView(
            key=week.key,
            link=self.urls.link(week.save_as),
            label=self.dates.week(week.start, week.end),
            count=week.count,
            sections=self.sections(posts, page_path),
            counts=summary.counts,
            summary=summary,
        )

    def nav(self, period: Period | None, label_key: str) -> NavLink | None:
        if period is None:
            return None
        return NavLink(self.urls.link(period.save_as), self.page_words[label_key], period.key)

    # -- pages ------------------------------------------------------------------

    def pager(self, base: str, page: Page[Post]) -> dict[str, object]:
        """The pager of ``page`` of a period at ``base`` (``weeks/<key>/``), for a template."""
        newer = page_path(base, page.number - 1) if page.has_previous else None
        older = page_path(base, page.number + 1) if page.has_next else None
        return {
            "page": page,
            "page_label": self.page_words["page_of"].format(number=page.number, count=page.count),
            "newer": newer and self.urls.link(newer),
            "older": older and self.urls.link(older),
        }

    def generate_week_pages(self) -> None:
        """``weeks/<YYYY>-W<WW>/index.html`` (and ``page/<n>/``) for every week with posts."""
        for week in self.weeks:
            previous = self.nav(self.weeks.previous(week.key), "previous_week")
            following = self.nav(self.weeks.next(week.key), "next_week")
            for page in paginate(week.posts, self.digest_settings.per_page):
                path = page_path(week.url, page.number)
                view = self.week_view(week, page.items)
                self.write_page(
                    path,
                    WEEK_TEMPLATE,
                    inputs=[
                        week.key,
                        page.number,
                        page.count,
                        [[s.key, [e.digest for e in s.entries]] for s in view.sections],
                        summary_inputs(view.summary) if page.number == 1 else None,
                        previous and previous.key,
                        following and following.key,
                        self._words_hash,
                    ],
                    week=view,
                    count_label=self.count_label("posts_count", week.count),
                    previous=previous,
                    following=following,
                    current_link=self.urls.link(ARCHIVE_PATH),
                    **self.pager(week.url, page),
                )
                self.note_page(path, self.lastmod(page.items))

    def generate_day_pages(self) -> None:
        """``days/<YYYY-MM-DD>/index.html`` (and ``page/<n>/``) for every day with posts."""
        for day in self.days:
            week_key = day.start.isocalendar()
            week = self.weeks.get(f"{week_key.year:04d}-W{week_key.week:02d}")
            previous = self.nav(self.days.previous(day.key), "previous_day")
            following = self.nav(self.days.next(day.key), "next_day")
            counts = self.tag_count_views(day.posts)
            for page in paginate(day.posts, self.digest_settings.per_page):
                path = page_path(day.url, page.number)
                entries = self.placed(page.items)
                self.write_page(
                    path,
                    DAY_TEMPLATE,
                    inputs=[
                        day.key,
                        page.number,
                        page.count,
                        [e.digest for e in entries],
                        [(c.name, c.count) for c in counts],
                        previous and previous.key,
                        following and following.key,
                        self._words_hash,
                    ],
                    day_key=day.key,
                    day_label=self.dates.weekday(day.start),
                    entries=entries,
                    counts=counts,
                    count_label=self.count_label("posts_count", day.count),
                    week=self.nav(week, "whole_week"),
                    previous=previous,
                    following=following,
                    current_link=self.urls.link(ARCHIVE_PATH),
                    **self.pager(day.url, page),
                )
                self.note_page(path, self.lastmod(page.items))

    def archive_rows(self) -> tuple[YearRow, ...]:
        return tuple(
            YearRow(
                year=year.year,
                count=year.count,
                months=tuple(
                    MonthRow(
                        label=self.dates.month(month.year, month.month),
                        count=month.count,
                        weeks=tuple(
                            WeekRow(
                                w.key,
                                self.urls.link(w.save_as),
                                self.dates.week(w.start, w.end),
                                w.count,
                            )
                            for w in month.weeks
                        ),
                    )
                    for month in year.months
                ),
            )
            for year in archive_index(self.weeks)
        )

    def generate_archive_page(self) -> None:
        """``archive/index.html``: every week by year and month, with post counts."""
        rows = self.archive_rows()
        self.write_page(
            ARCHIVE_PATH,
            ARCHIVE_TEMPLATE,
            inputs=[[(w.key, w.count) for w in self.weeks], self._words_hash],
            years=rows,
            weeks_label=self.count_label("weeks_count", len(self.weeks)),
            current_link=self.urls.link(ARCHIVE_PATH),
        )
        latest = self.weeks.latest
        self.note_page(ARCHIVE_PATH, self.lastmod(latest.posts) if latest else None)

    def home_week(self) -> WeekView | None:
        """The latest week's summary and newest posts, resolved for the home page's path."""
        latest = self.weeks.latest
        if latest is None:
            return None
        home = str(self.settings.get("INDEX_SAVE_AS") or "index.html")
        return self.week_view(latest, latest.posts[:HOME_POSTS], home)

    @staticmethod
    def lastmod(posts: Iterable[Post]) -> dt.datetime | None:
        """When the newest of ``posts`` was written or edited (a page's last change)."""
        stamps = [p.edited_at or p.created_at for p in posts]
        return max(parse_time(s) for s in stamps) if stamps else None

    def note_page(self, path: str, lastmod: dt.datetime | None = None) -> None:
        """Remember a page for the sitemap."""
        self.sitemap_pages.append((path, lastmod))


def page_path(base: str, number: int) -> str:
    """Page ``number`` of a period at ``base`` (``weeks/2024-W52/``): page 1 is its index."""
    return f"{base}index.html" if number <= 1 else f"{base}page/{number}/index.html"
