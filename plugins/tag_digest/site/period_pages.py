"""Week, day and archive pages, and the home page's week: :class:`PeriodPages`.

The grouping itself is :mod:`.periods` (pure) and :class:`~.placement.Placement`
(where each post is shown); here periods become page views and pages:

- ``weeks/<YYYY>-W<WW>/index.html``: the week's summary (:mod:`.weekly`), then its
  posts by day, newest first: the newest on the index, older ones on ``…/page/<n>/index.html``,
  ``DIGEST_PER_PAGE`` each and numbered from the oldest (:func:`~..digest.grouping.paginate`),
  with previous/next links that skip empty weeks; its posts are compact entries linking to
  their day pages unless ``DIGEST_COMPACT_PAGES`` leaves out ``"weeks"``;
- ``days/<YYYY-MM-DD>/index.html``: one day, paginated the same way, with previous/next day;
- ``archive/index.html``: every week by year and month, with post counts;
- the home page is the theme's ``index.html`` (Pelican's own index), which
  gets ``digest_index`` (:class:`~.period_views.HomeView`) in the shared context.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..archive.records import Post
from ..digest.grouping import INDEX, Page, paginate
from ..digest.model import Entry
from ..digest.periods import Period, archive_index
from ..digest.strings import page_label
from .compact_html import CompactEntries
from .context import PageContext, PageSink, TimedPage
from .page_output import Lazy
from .period_views import MonthRow, NavLink, WeekRow, WeekView, YearRow
from .placement import Placement, page_path
from .week_summary import Summaries, summary_inputs

__all__ = ["PeriodPages", "lastmod", "page_path", "words_hash"]

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


def page_entries(view: WeekView) -> list[Entry]:
    """The compact entries of ``view``'s sections, in order."""
    return [e for section in view.sections for e in section.compact]


def lastmod(posts: Iterable[Post]) -> dt.datetime | None:
    """When the newest of ``posts`` was written or edited (a page's last change)."""
    return max((p.updated for p in posts), default=None)


class PeriodPages:
    """The week, day and archive pages over one build's :class:`~.placement.Placement`."""

    def __init__(
        self,
        ctx: PageContext,
        place: Placement,
        summaries: Summaries,
        compact: CompactEntries | None = None,
    ) -> None:
        self.ctx, self.place, self.summaries = ctx, place, summaries
        self.compact = compact or CompactEntries(place)
        self.weeks, self.days = place.weeks, place.days
        self._words_hash = words_hash(ctx.words)

    def week_view(
        self,
        week: Period,
        posts: Sequence[Post],
        page_path: str | None = None,
        *,
        compact: bool = False,
    ) -> WeekView:
        """``week`` with its summary and the day sections of ``posts`` (some of its posts)."""
        summary = self.summaries.of(week)
        return WeekView(
            key=week.key,
            link=self.ctx.urls.link(week.save_as),
            label=self.ctx.dates.week(week.start, week.end),
            count=week.count,
            sections=self.place.sections(posts, page_path, compact=compact),
            counts=summary.counts,
            summary=summary,
        )

    def pager(self, base: str, page: Page[Post]) -> dict[str, object]:
        """The pager of ``page`` of a period at ``base`` (``weeks/<key>/``), for a template."""
        newer = None if page.newer is None else page_path(base, page.newer)
        older = None if page.older is None else page_path(base, page.older)
        return {
            "page": page,
            "page_label": page_label(self.ctx.words, page),
            "newer": newer and self.ctx.urls.link(newer),
            "older": older and self.ctx.urls.link(older),
        }

    def write(self, out: PageSink) -> None:
        """The week pages, the day pages, then the archive page."""
        self.write_weeks(out)
        self.write_days(out)
        self.write_archive(out)

    def write_weeks(self, out: PageSink) -> None:
        """``weeks/<YYYY>-W<WW>/index.html`` (and ``page/<n>/``) for every week with posts."""
        for _, write in self.week_pages():
            write(out)

    def week_pages(self) -> Iterator[TimedPage]:
        """Each week page's newest post and what writes it (:func:`.context.in_time_order`);
        the pages are noted for the sitemap as they are listed."""
        compact = "weeks" in self.ctx.settings.compact_pages
        for week in self.weeks:
            previous = self.place.nav(self.weeks.previous(week.key), "previous_week")
            following = self.place.nav(self.weeks.next(week.key), "next_week")
            for page in paginate(week.posts, self.ctx.settings.page_size("weeks")):
                # noted here, in the weeks' order, whatever order the pages are written in
                self.ctx.note_page(page_path(week.url, page.number), lastmod(page.items))
                newest = page.items[0].created if page.items else None
                write = functools.partial(
                    self.write_week_page, week, page, previous, following, compact
                )
                yield newest, write

    def write_week_page(
        self,
        week: Period,
        page: Page[Post],
        previous: NavLink | None,
        following: NavLink | None,
        compact: bool,
        out: PageSink,
    ) -> None:
        path = page_path(week.url, page.number)
        out.write_page(
            path,
            WEEK_TEMPLATE,
            inputs=[
                week.key,
                page.number,
                page.newer,
                page.older,
                week.count if page.number == INDEX else None,
                self.place.section_inputs(page.items),
                compact
                and self.place.compact_inputs(self.ctx.model.by_uri[p.uri] for p in page.items),
                summary_inputs(self.summaries.of(week)) if page.number == INDEX else None,
                previous and previous.key,
                following and following.key,
                self._words_hash,
            ],
            week=Lazy(functools.partial(self.week_view, week, page.items, compact=compact)),
            count_label=self.ctx.count_label("posts_count", week.count),
            previous=previous,
            following=following,
            compact=self.compact if compact else None,
            current_link=self.ctx.urls.link(ARCHIVE_PATH),
            **self.pager(week.url, page),
        )

    def write_days(self, out: PageSink) -> None:
        """``days/<YYYY-MM-DD>/index.html`` (and ``page/<n>/``) for every day with posts."""
        for day in self.days:
            week_key = day.start.isocalendar()
            week = self.weeks.get(f"{week_key.year:04d}-W{week_key.week:02d}")
            previous = self.place.nav(self.days.previous(day.key), "previous_day")
            following = self.place.nav(self.days.next(day.key), "next_day")
            counts = self.place.tag_count_views(day.posts)
            for page in paginate(day.posts, self.ctx.settings.per_page):
                path = page_path(day.url, page.number)
                by_uri = self.ctx.model.by_uri  # digests without the fragments (read lazily)
                out.write_page(
                    path,
                    DAY_TEMPLATE,
                    inputs=[
                        day.key,
                        page.number,
                        page.newer,
                        page.older,
                        day.count if page.number == INDEX else None,
                        [by_uri[p.uri].digest for p in page.items],
                        [(c.name, c.count) for c in counts] if page.number == INDEX else None,
                        previous and previous.key,
                        following and following.key,
                        self._words_hash,
                    ],
                    day_key=day.key,
                    day_label=Lazy(functools.partial(self.ctx.dates.weekday, day.start)),
                    entries=Lazy(functools.partial(self.place.placed, page.items)),
                    counts=counts,
                    count_label=self.ctx.count_label("posts_count", day.count),
                    week=self.place.nav(week, "whole_week"),
                    previous=previous,
                    following=following,
                    current_link=self.ctx.urls.link(ARCHIVE_PATH),
                    **self.pager(day.url, page),
                )
                self.ctx.note_page(path, lastmod(page.items))

    def archive_rows(self) -> tuple[YearRow, ...]:
        return tuple(
            YearRow(
                year=year.year,
                count=year.count,
                months=tuple(
                    MonthRow(
                        label=self.ctx.dates.month(month.year, month.month),
                        count=month.count,
                        weeks=tuple(
                            WeekRow(
                                w.key,
                                self.ctx.urls.link(w.save_as),
                                self.ctx.dates.week(w.start, w.end),
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

    def write_archive(self, out: PageSink) -> None:
        """``archive/index.html``: every week by year and month, with post counts."""
        rows = self.archive_rows()
        out.write_page(
            ARCHIVE_PATH,
            ARCHIVE_TEMPLATE,
            inputs=[[(w.key, w.count) for w in self.weeks], self._words_hash],
            years=rows,
            weeks_label=self.ctx.count_label("weeks_count", len(self.weeks)),
            current_link=self.ctx.urls.link(ARCHIVE_PATH),
        )
        latest = self.weeks.latest
        self.ctx.note_page(ARCHIVE_PATH, lastmod(latest.posts) if latest else None)

    def home_week(self) -> WeekView | None:
        """The latest week's summary and newest posts, resolved for the home page's path."""
        latest = self.weeks.latest
        if latest is None:
            return None
        return self.week_view(latest, latest.posts[:HOME_POSTS], self.ctx.site.index_save_as)
