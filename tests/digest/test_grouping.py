"""Ordering, dates in the site's time zone and grouping by date (pure functions); pagination is
test_pagination.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from digest_support import corpus_posts
from tag_digest import values
from tag_digest.archive.records import Post
from tag_digest.digest import dates, periods
from tag_digest.digest.grouping import group_by_date, local_date, newest_first, zone
from tag_digest.errors import SettingError

MOSCOW = zone("Europe/Moscow")
UTC = zone("UTC")


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    return corpus_posts("rtoot/get_timeline_hashtag_anonymous.yml")


def at(post: Post, created_at: str, n: int = 0) -> Post:
    return replace(post, created_at=created_at, uri=f"{post.uri}#{n}")


def test_the_site_time_zone_decides_the_date(posts: list[Post]) -> None:
    late = at(posts[0], "2024-12-27T23:30:00.000Z")
    assert local_date(late, MOSCOW) == dt.date(2024, 12, 28)
    assert local_date(late, UTC) == dt.date(2024, 12, 27)
    assert local_date(late, zone("America/New_York")) == dt.date(2024, 12, 27)
    before = at(posts[0], "2024-12-27T20:59:59.999Z")
    assert local_date(before, MOSCOW) == dt.date(2024, 12, 27)


def test_grouping_across_a_time_zone_boundary(posts: list[Post]) -> None:
    items = newest_first(
        [
            at(posts[0], "2024-12-28T08:00:00.000Z", 1),
            at(posts[0], "2024-12-27T23:30:00.000Z", 2),  # 28th in Moscow
            at(posts[0], "2024-12-27T20:00:00.000Z", 3),
            at(posts[0], "2024-12-26T10:00:00.000Z", 4),
        ]
    )
    moscow = group_by_date(items, lambda p: local_date(p, MOSCOW))
    assert [(g.date.isoformat(), len(g.items)) for g in moscow] == [
        ("2024-12-28", 2),
        ("2024-12-27", 1),
        ("2024-12-26", 1),
    ]
    utc = group_by_date(items, lambda p: local_date(p, UTC))
    assert [(g.date.isoformat(), len(g.items)) for g in utc] == [
        ("2024-12-28", 1),
        ("2024-12-27", 2),
        ("2024-12-26", 1),
    ]
    assert [p for g in moscow for p in g.items] == items


def test_newest_first_is_total_and_stable(posts: list[Post]) -> None:
    ordered = newest_first(posts)
    assert [p.created for p in ordered] == sorted((p.created for p in posts), reverse=True)
    same_time = [at(posts[0], "2024-01-01T00:00:00.000Z", n) for n in (3, 1, 2)]
    assert [p.uri[-1] for p in newest_first(same_time)] == ["3", "2", "1"]
    assert newest_first(reversed(ordered)) == ordered


def test_group_by_date_keeps_runs_in_order() -> None:
    days = [dt.date(2024, 1, d) for d in (3, 3, 2, 2, 2, 1)]
    groups = group_by_date(range(len(days)), lambda i: days[i])
    assert [(g.date.day, g.items) for g in groups] == [(3, (0, 1)), (2, (2, 3, 4)), (1, (5,))]
    assert group_by_date([], lambda i: days[i]) == []


def test_unknown_time_zone() -> None:
    with pytest.raises(SettingError, match=r"TIMEZONE.*Mars/Olympus"):
        zone("Mars/Olympus")
    with pytest.raises(SettingError, match="TIMEZONE"):
        zone("A" * 300)  # too long for a file name: OSError inside zoneinfo


def test_one_zone_rule() -> None:
    """``grouping.zone`` is the one reader of a zone name; the settings check goes through it."""
    assert not hasattr(periods, "zone")
    assert values.zone is zone and dates.zone is zone
    for name in ("Mars/Olympus", "A" * 300, "../etc/passwd"):
        with pytest.raises(SettingError, match="TIMEZONE"):
            values.time_zone(name)
