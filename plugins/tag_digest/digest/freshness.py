"""How fresh the digest is: the last successful fetch, for every page's footer.

The time comes from the archive's fetch state (``state.json``'s ``last_success``,
:func:`.state.last_success`), never from the build: a site built today from an
archive last fetched ten days ago says so. Templates get :class:`Freshness` as
``digest_fetched`` (``theme/templates/digest/fetched.html`` and ``stale.html``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from babel.dates import format_timedelta

from .dates import Dates


@dataclass(frozen=True, slots=True)
class Freshness:
    """What the pages say about the last successful fetch."""

    iso: str | None
    """For ``<time data-fetched datetime>``: local time with its offset; None if never."""
    when: str
    """The same moment in words, in the site's language; empty if never."""
    stale: str | None
    """The notice when the last successful fetch is older than ``DIGEST_STALE_DAYS``, else None."""


def freshness(
    last: dt.datetime | None,
    now: dt.datetime,
    stale_days: float,
    dates: Dates,
    words: Mapping[str, str],
) -> Freshness:
    """The footer's facts for an archive last fetched at ``last`` (None: never) at ``now``."""
    if last is None:
        return Freshness(iso=None, when="", stale=None)
    age = now - last
    stale = None
    if age > dt.timedelta(days=stale_days):
        # Whole days, in the language's plural form ("10 days", "10 дней").
        days = format_timedelta(
            dt.timedelta(days=age.days), granularity="day", threshold=10**9, locale=dates.locale
        )
        stale = words["stale_notice"].format(age=days)
    return Freshness(iso=dates.iso_moment(last), when=dates.moment(last), stale=stale)
