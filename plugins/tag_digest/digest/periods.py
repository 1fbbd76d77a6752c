"""Posts grouped by ISO week and by day in the site's time zone.

Pure functions over :class:`~tag_digest.records.Post` records; nothing here
knows Pelican. A post belongs to the local date of its ``created_at`` in the
site ``TIMEZONE`` (a post at 23:30 UTC is on the next day in Europe/Moscow).

- Week keys are ISO-8601 weeks of the *ISO year*: ``2024-W52``; 2024-12-30 is
  in ``2025-W01``. Day keys are ``YYYY-MM-DD``.
- A :class:`Timeline` holds only periods that have posts, oldest first, so its
  previous/next links skip empty weeks and days.
- In the archive (:func:`archive_index`) a week that spans two months is listed
  once, under the month of its Thursday: the ISO rule that also decides its
  year, so ``2025-W01`` (2024-12-30 to 2025-01-05) is under January 2025 and
  a year's heading always matches the year in its weeks' keys. The counts of a
  month and a year are the sums of the counts of the weeks listed under them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..archive.records import Post
from .grouping import local_date, newest_first
from .tagnames import normalise_tag, tag_slug

Kind = Literal["week", "day"]

_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def week_key(day: dt.date) -> str:
    """``YYYY-Www`` of the ISO week holding ``day`` (ISO year, zero-padded week)."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def day_key(day: dt.date) -> str:
    return day.isoformat()


def week_bounds(key: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of week ``key``; ``ValueError`` for a malformed or impossible key."""
    match = _WEEK_KEY.match(key)
    if not match:
        raise ValueError(f"not a week key such as '2024-W52': {key!r}")
    monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    return monday, monday + dt.timedelta(days=6)


def parse_day_key(key: str) -> dt.date:
    if not _DAY_KEY.match(key):
        raise ValueError(f"not a day key such as '2024-12-27': {key!r}")
    return dt.date.fromisoformat(key)


def post_anchor(uri: str) -> str:
    """The ``id`` a post has on the week and day pages: ``p-`` and a short hash of its URI."""
    return "p-" + hashlib.blake2b(uri.encode("utf-8"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Period:
    """One week or one day and its posts (newest first, each once)."""

    kind: Kind
    key: str
    start: dt.date
    end: dt.date
    """The last day, inclusive (``start`` for a day)."""
    posts: tuple[Post, ...]

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def url(self) -> str:
        """Path from the site root: ``weeks/2024-W52/`` or ``days/2024-12-27/``."""
        return f"{self.kind}s/{self.key}/"

    @property
    def save_as(self) -> str:
        return f"{self.url}index.html"


@dataclass(frozen=True, slots=True)
class Timeline:
    """The non-empty periods of one kind, oldest first, with navigation between them."""

    periods: tuple[Period, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {p.key: i for i, p in enumerate(self.periods)})

    def __len__(self) -> int:
        return len(self.periods)

    def __iter__(self) -> Iterator[Period]:
        return iter(self.periods)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __getitem__(self, key: str) -> Period:
        return self.periods[self._index[key]]

    def get(self, key: str) -> Period | None:
        index = self._index.get(key)
        return None if index is None else self.periods[index]

    def previous(self, key: str) -> Period | None:
        """The closest earlier period that has posts."""
        index = self._index[key]
        return self.periods[index - 1] if index > 0 else None

    def next(self, key: str) -> Period | None:
        """The closest later period that has posts."""
        index = self._index[key]
        return self.periods[index + 1] if index + 1 < len(self.periods) else None

    @property
    def latest(self) -> Period | None:
        return self.periods[-1] if self.periods else None


def _unique_visible(posts: Iterable[Post]) -> list[Post]:
    seen: dict[str, Post] = {}
    for post in posts:
        if not post.is_tombstone:
            seen.setdefault(post.uri, post)
    return list(seen.values())


def _timeline(
    kind: Kind,
    posts: Iterable[Post],
    tz: dt.tzinfo,
    key_of: Callable[[dt.date], str],
    bounds: Callable[[str], tuple[dt.date, dt.date]],
) -> Timeline:
    groups: dict[str, list[Post]] = defaultdict(list)
    for post in _unique_visible(posts):
        groups[key_of(local_date(post, tz))].append(post)
    periods = []
    for key in sorted(groups):
        start, end = bounds(key)
        periods.append(Period(kind, key, start, end, tuple(newest_first(groups[key]))))
    return Timeline(tuple(periods))


def by_week(posts: Iterable[Post], tz: dt.tzinfo) -> Timeline:
    """Visible posts grouped by ISO week in ``tz`` (tombstones and repeated ``uri``\\ s dropped)."""
    return _timeline("week", posts, tz, week_key, week_bounds)


def by_day(posts: Iterable[Post], tz: dt.tzinfo) -> Timeline:
    """Visible posts grouped by local date in ``tz``."""

    def bounds(key: str) -> tuple[dt.date, dt.date]:
        day = parse_day_key(key)
        return day, day

    return _timeline("day", posts, tz, day_key, bounds)


def days_of(period: Period, tz: dt.tzinfo) -> tuple[Period, ...]:
    """The days of ``period`` that have posts, newest first (a week page's sections)."""
    return tuple(reversed(by_day(period.posts, tz).periods))


@dataclass(frozen=True, slots=True)
class TagCount:
    tag: str
    """The tag as configured (display form)."""
    slug: str
    count: int


def tag_counts(posts: Iterable[Post], tags: Iterable[str]) -> tuple[TagCount, ...]:
    """How many of ``posts`` carry each of ``tags``, in the order given (zeros included)."""
    counts: dict[str, int] = defaultdict(int)
    for post in _unique_visible(posts):
        for name in post.tags:
            counts[normalise_tag(name)] += 1
    return tuple(TagCount(tag, tag_slug(tag), counts.get(normalise_tag(tag), 0)) for tag in tags)


@dataclass(frozen=True, slots=True)
class MonthGroup:
    year: int
    month: int
    weeks: tuple[Period, ...]
    """Newest first."""

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def count(self) -> int:
        return sum(w.count for w in self.weeks)


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]
    """Newest first."""

    @property
    def count(self) -> int:
        return sum(m.count for m in self.months)


def archive_month(week: Period) -> tuple[int, int]:
    """The (year, month) a week is listed under: that of its Thursday."""
    thursday = week.start + dt.timedelta(days=3)
    return thursday.year, thursday.month


def archive_index(weeks: Timeline) -> tuple[YearGroup, ...]:
    """Every week by year and month, newest first (see the module doc for split weeks)."""
    months: dict[tuple[int, int], list[Period]] = defaultdict(list)
    for week in weeks:
        months[archive_month(week)].append(week)
    years: dict[int, list[MonthGroup]] = defaultdict(list)
    for year, month in sorted(months, reverse=True):
        group = MonthGroup(year, month, tuple(reversed(months[(year, month)])))
        years[year].append(group)
    return tuple(YearGroup(year, tuple(years[year])) for year in sorted(years, reverse=True))
