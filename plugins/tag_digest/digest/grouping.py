"""Pure ordering, grouping and pagination of posts (no Pelican, no I/O).

Posts are shown newest first. A post falls on the date of its ``created_at``
in the site's ``TIMEZONE``: 23:30 UTC on 27 December is 28 December in
Europe/Moscow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..archive.records import Post
from ..errors import SettingError, shown

T = TypeVar("T")


def zone(name: str) -> ZoneInfo:
    """The site's time zone, from a ``TIMEZONE`` name: the one place a zone name is read.

    Raises :class:`SettingError` naming ``TIMEZONE`` (a ``ValueError`` too) for an unknown one.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        problem = f"unknown time zone {shown(name)} (e.g. 'Europe/Moscow')"
        raise SettingError("TIMEZONE", problem) from None


def local_time(post: Post, tz: dt.tzinfo) -> dt.datetime:
    return post.created.astimezone(tz)


def local_date(post: Post, tz: dt.tzinfo) -> dt.date:
    """The date ``post`` falls on in ``tz``."""
    return local_time(post, tz).date()


def newest_first(posts: Iterable[Post]) -> list[Post]:
    """``posts`` newest first; posts of the same instant by ``uri``, descending."""
    return sorted(posts, key=lambda p: (p.created, p.uri), reverse=True)


@dataclass(frozen=True, slots=True)
class DateGroup(Generic[T]):
    date: dt.date
    items: tuple[T, ...]


def group_by_date(items: Iterable[T], date_of: Callable[[T], dt.date]) -> list[DateGroup[T]]:
    """Consecutive runs of ``items`` sharing a date, in the given order."""
    groups: list[DateGroup[T]] = []
    current: list[T] = []
    current_date: dt.date | None = None
    for item in items:
        date = date_of(item)
        if date != current_date and current:
            groups.append(DateGroup(current_date, tuple(current)))  # type: ignore[arg-type]
            current = []
        current_date = date
        current.append(item)
    if current and current_date is not None:
        groups.append(DateGroup(current_date, tuple(current)))
    return groups


INDEX = 0
"""The number of a listing's index page: its newest items, at the listing's own path."""


def full_pages(total: int, per_page: int) -> int:
    """How many numbered pages (F) a listing of ``total`` items has at ``per_page`` a page.

    Numbered pages count from the oldest and hold exactly ``per_page`` items each; the index
    holds the rest (``per_page`` to ``2 * per_page - 1`` items once there are ``per_page``, all of
    them when there are fewer than ``2 * per_page``). So a new item changes only the index, and
    every ``per_page`` new items one more numbered page appears.
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return max(0, total // per_page - 1)


def page_number(index: int, total: int, per_page: int) -> int:
    """The page that shows item ``index`` (0-based, from the newest) of ``total``: :data:`INDEX`
    or a numbered page (1 is the oldest ``per_page`` items). The one rule every listing and
    every link to a post's page (:func:`paginate`, :func:`.weekly.page_of`) follows."""
    if not 0 <= index < total:
        raise ValueError(f"item {index} is not one of {total}")
    number = (total - 1 - index) // per_page + 1
    return INDEX if number > full_pages(total, per_page) else number


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing, its items newest first."""

    number: int
    """:data:`INDEX` (0) for the index page, else 1 (the oldest) to ``full``."""
    full: int
    """How many numbered pages the listing has (F)."""
    first: int
    """The 1-based place of the page's oldest item, counted from the listing's oldest."""
    items: tuple[T, ...]

    @property
    def last(self) -> int:
        """The place of the page's newest item, counted from the oldest (``first`` - 1 if empty)."""
        return self.first + len(self.items) - 1

    @property
    def newer(self) -> int | None:
        """The number of the next newer page (:data:`INDEX` after page F); None on the index."""
        if self.number == INDEX:
            return None
        return self.number + 1 if self.number < self.full else INDEX

    @property
    def older(self) -> int | None:
        """The number of the next older page (F from the index); None on page 1 and alone."""
        if self.number == INDEX:
            return self.full or None
        return self.number - 1 or None


def paginate(items: Sequence[T], per_page: int) -> list[Page[T]]:
    """``items`` (newest first) as the index page, then numbered pages F down to 1.

    Page ``k`` holds the items at places ``(k - 1) * per_page + 1`` to ``k * per_page`` counted
    from the oldest, so it never changes once written; an empty sequence still gives the index.
    """
    total = len(items)
    full = full_pages(total, per_page)
    newest = total - full * per_page
    pages = [Page(INDEX, full, full * per_page + 1, tuple(items[:newest]))]
    for number in range(full, 0, -1):
        end = total - (number - 1) * per_page
        start = end - per_page
        pages.append(Page(number, full, (number - 1) * per_page + 1, tuple(items[start:end])))
    return pages
