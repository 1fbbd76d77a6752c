"""Which output paths the digest writes, derived from the path builders themselves.

The page manifest (:mod:`.writer`) knows what the last build wrote; when it is lost, a
file in the output that :func:`owns_output` claims is taken as the plugin's, so a page that
is gone (the day page of a post deleted since) is still removed. The claim is made by
calling each path builder with a sample segment and a sample page number, so a new kind
of page or a renamed folder cannot drift from a hand-kept pattern.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

from ..digest.periods import Period
from ..digest.urls import tag_page_path
from ..formats.feeds import ALL_FEED_PATH, WEEKS_FEED_PATH, tag_feed_path
from ..formats.seo import ROBOTS_PATH, SITEMAP_PATH, SitemapUrl, sitemap_files
from .link_pages import EXPORTS, LINKS_DIR, links_page_path
from .period_pages import ARCHIVE_PATH, page_path
from .removal_page import REMOVAL_PATH
from .search_pages import SEARCH_PATH

SEGMENT = "@segment@"
"""A sample path segment (a tag slug, a week key, a host): any one segment."""
NUMBER = 987_654_321
"""A sample page number: any number."""


def _paged(page: Callable[[int], str]) -> tuple[str, ...]:
    """The index (0) and page ``n`` of a paginated path builder called as ``page(number)``."""
    return (page(0), page(NUMBER))


@functools.cache
def owned_paths() -> tuple[str, ...]:
    """Every kind of output path the digest writes, with :data:`SEGMENT` and :data:`NUMBER`."""
    day = dt.date(2000, 1, 1)
    week = Period("week", SEGMENT, day, day, ()).url
    days = Period("day", SEGMENT, day, day, ()).url
    # a sitemap split in parts (one URL a part here): the index and its first part
    split = sitemap_files([SitemapUrl("a"), SitemapUrl("b")], "", max_urls=1)
    part = min(name for name in split if name != SITEMAP_PATH).replace("1", str(NUMBER))
    return (
        *_paged(lambda n: tag_page_path(SEGMENT, n)),
        *_paged(lambda n: page_path(week, n)),
        *_paged(lambda n: page_path(days, n)),
        *_paged(lambda n: links_page_path(LINKS_DIR, n)),
        *_paged(lambda n: links_page_path(f"{LINKS_DIR}/months/{SEGMENT}", n)),
        *_paged(lambda n: links_page_path(f"{LINKS_DIR}/domains/{SEGMENT}", n)),
        ARCHIVE_PATH,
        REMOVAL_PATH,
        SEARCH_PATH,
        ALL_FEED_PATH,
        WEEKS_FEED_PATH,
        tag_feed_path(SEGMENT),
        *EXPORTS,
        ROBOTS_PATH,
        SITEMAP_PATH,
        part,
    )


def _pattern(path: str) -> str:
    escaped = re.escape(path)
    return escaped.replace(re.escape(SEGMENT), "[^/]+").replace(str(NUMBER), r"\d+")


@functools.cache
def _owned() -> re.Pattern[str]:
    return re.compile("|".join(_pattern(p) for p in owned_paths()))


def owns_output(path: str) -> bool:
    """Whether an output path (relative, ``/``-separated) is one the digest writes."""
    return _owned().fullmatch(path) is not None
