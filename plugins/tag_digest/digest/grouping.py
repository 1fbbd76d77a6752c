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


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    number: int
    """1-based."""
    count: int
    """How many pages there are in all."""
    items: tuple[T, ...]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(items: Sequence[T], per_page: int) -> list[Page[T]]:
    """``items`` cut into pages of ``per_page``; an empty sequence still gives one page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    count = max(1, -(-len(items) // per_page))
    return [
        Page(number=n + 1, count=count, items=tuple(items[n * per_page : (n + 1) * per_page]))
        for n in range(count)
    ]
