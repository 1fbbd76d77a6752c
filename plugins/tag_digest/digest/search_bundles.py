"""Which search bundle a post's record goes to: a pure function of the records' local dates.

The site search is split into independent Pagefind indexes ("bundles") by time, so that a
new post re-indexes only the bundle of its period and the full past bundles never change:

- a calendar year (``"2025"``) when that year has at most ``limit`` searchable posts;
- otherwise its quarters (``"2025-Q3"``), each one a bundle when it has at most ``limit``;
- a quarter with more than ``limit`` posts is split into its months (``"2025-07"``);
- and the newest month (that of the newest date) is always a bundle of its own: new posts
  go there, so a build that finds a few re-indexes that month's posts, not its quarter's or
  its year's. When a later month begins, it joins its year's or quarter's bundle (which is
  indexed again once).

The year and quarter counts include the newest month, so splitting it off never changes how
the rest is cut. A month is never split further (a month over ``limit`` is one bigger
bundle). Keys are safe as folder names. No files, no Pagefind: plain dates in, keys out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable

BUNDLE_POSTS = 20_000
"""C: the most searchable posts a year (then a quarter) holds before it is split."""

_KEY = re.compile(r"(\d{4})(?:-Q([1-4])|-(\d{2}))?")


def quarter_of(day: dt.date) -> int:
    """1 to 4."""
    return (day.month - 1) // 3 + 1


def bundle_keys(dates: Iterable[dt.date], limit: int = BUNDLE_POSTS) -> dict[dt.date, str]:
    """The bundle key of every distinct date in ``dates`` (one entry per searchable post)."""
    per_day = Counter(dates)
    years: Counter[int] = Counter()
    quarters: Counter[tuple[int, int]] = Counter()
    for day, count in per_day.items():
        years[day.year] += count
        quarters[day.year, quarter_of(day)] += count
    keys = {}
    newest = max(per_day, default=None)
    for day in per_day:
        quarter = quarter_of(day)
        if newest is not None and (day.year, day.month) == (newest.year, newest.month):
            keys[day] = f"{day.year:04d}-{day.month:02d}"
        elif years[day.year] <= limit:
            keys[day] = f"{day.year:04d}"
        elif quarters[day.year, quarter] <= limit:
            keys[day] = f"{day.year:04d}-Q{quarter}"
        else:
            keys[day] = f"{day.year:04d}-{day.month:02d}"
    return keys


def bundle_start(key: str) -> dt.date:
    """The first day of bundle ``key``.

    ``ValueError`` for anything :func:`bundle_keys` never makes."""
    found = _KEY.fullmatch(key)
    if found is None:
        raise ValueError(f"not a search bundle key: {key!r}")
    year, quarter, month = found.groups()
    if quarter:
        return dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1)
    return dt.date(int(year), int(month or 1), 1)


def is_bundle_key(key: str) -> bool:
    """Whether ``key`` has the form of a bundle key (a folder of ours in ``pagefind/``)."""
    try:
        bundle_start(key)
    except ValueError:
        return False
    return True


def newest_first(keys: Iterable[str]) -> list[str]:
    """``keys`` without repeats, the newest period first (``2025-07`` after ``2025-Q4``)."""
    return sorted(set(keys), key=bundle_start, reverse=True)
