"""A week summarised: who posted, under which tags, which links, and when (issue 13).

Pure functions over :class:`~tag_digest.periods.Period` (no Pelican, no I/O). The week page,
the home page and the weekly Atom feed open with the same :class:`WeekSummary`:

- ``posts`` and ``authors``: the week's visible posts, and how many accounts wrote them
  (an account is its profile URL, or its ``acct`` when it has none, compared case-blind);
- ``tags``: posts per configured tag, in the configured order (zeros left out);
- ``top_links``: the links shared by the most posts that week (each post counted once per
  link), ties broken by the newest share, then by URL, so the order is stable;
- ``busiest_day``: the day with the most posts (the earlier day on a tie).

A week's posts are shown in pages of ``DIGEST_PER_PAGE``, newest first, numbered from the
oldest (:func:`.grouping.paginate`); :func:`split_by_day` cuts one page's posts into day
sections (a day may continue on the next older page).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..archive.records import Post
from .grouping import local_date, page_number
from .periods import Period, TagCount, tag_counts

TOP_LINKS = 5
"""How many of the week's most-shared links a summary names."""


@dataclass(frozen=True, slots=True)
class TopLink:
    url: str
    title: str | None
    domain: str
    posts: int
    """How many of the week's posts shared it."""


@dataclass(frozen=True, slots=True)
class WeekSummary:
    posts: int
    authors: int
    tags: tuple[TagCount, ...]
    """Configured tags with at least one post this week, in the configured order."""
    top_links: tuple[TopLink, ...]
    busiest_day: dt.date | None
    busiest_count: int


def author_key(post: Post) -> str:
    """Who wrote ``post``, for counting authors: the profile URL, else ``acct``."""
    return (post.account.url or post.account.acct).casefold()


def busiest_day(posts: Iterable[Post], tz: dt.tzinfo) -> tuple[dt.date | None, int]:
    """The local date with the most ``posts`` and its count; the earlier date on a tie."""
    counts = Counter(local_date(post, tz) for post in posts)
    if not counts:
        return None, 0
    day = min(counts, key=lambda d: (-counts[d], d))
    return day, counts[day]


def top_links(
    posts: Iterable[Post],
    links_of: Callable[[Post], tuple[str, ...]],
    about: Callable[[str], tuple[str | None, str]],
    limit: int = TOP_LINKS,
) -> tuple[TopLink, ...]:
    """The links most ``posts`` shared (each post once per link), most shared first.

    ``links_of`` gives a post's normalised external links; ``about`` a link's title (or
    ``None``) and domain. Ties: the link shared most recently first, then by URL.
    """
    sharers: dict[str, set[str]] = defaultdict(set)
    newest: dict[str, dt.datetime] = {}
    for post in posts:
        for url in dict.fromkeys(links_of(post)):
            sharers[url].add(post.uri)
            if url not in newest or post.created > newest[url]:
                newest[url] = post.created
    ranked = sorted(sharers, key=lambda url: url)
    ranked.sort(key=lambda url: newest[url], reverse=True)
    ranked.sort(key=lambda url: len(sharers[url]), reverse=True)
    result = []
    for url in ranked[: max(0, limit)]:
        title, domain = about(url)
        result.append(TopLink(url, title, domain, len(sharers[url])))
    return tuple(result)


def summarise(
    week: Period,
    tz: dt.tzinfo,
    tags: Sequence[str],
    links_of: Callable[[Post], tuple[str, ...]],
    about: Callable[[str], tuple[str | None, str]],
    limit: int = TOP_LINKS,
) -> WeekSummary:
    """The summary of ``week`` (its posts are visible and unique, as :class:`Period` keeps)."""
    posts = week.posts
    day, count = busiest_day(posts, tz)
    return WeekSummary(
        posts=len(posts),
        authors=len({author_key(post) for post in posts}),
        tags=tuple(c for c in tag_counts(posts, tags) if c.count),
        top_links=top_links(posts, links_of, about, limit),
        busiest_day=day,
        busiest_count=count,
    )


def split_by_day(
    posts: Sequence[Post], tz: dt.tzinfo
) -> tuple[tuple[dt.date, tuple[Post, ...]], ...]:
    """``posts`` (newest first) cut into runs of one local date each, in the same order."""
    runs: list[tuple[dt.date, list[Post]]] = []
    for post in posts:
        day = local_date(post, tz)
        if not runs or runs[-1][0] != day:
            runs.append((day, []))
        runs[-1][1].append(post)
    return tuple((day, tuple(run)) for day, run in runs)


def page_of(posts: Sequence[Post], per_page: int) -> Mapping[str, int]:
    """On which page of ``posts`` (newest first, ``per_page`` a page) each post is, by ``uri``:
    :data:`~.grouping.INDEX` or a numbered page counted from the oldest (:func:`.page_number`)."""
    total = len(posts)
    return {post.uri: page_number(index, total, per_page) for index, post in enumerate(posts)}
