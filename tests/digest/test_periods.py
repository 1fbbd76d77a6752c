"""Week and day grouping in the site's time zone, navigation, counts and the archive index."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tag_digest.archive.records import Post, from_json
from tag_digest.digest.grouping import local_date, zone
from tag_digest.digest.periods import (
    archive_index,
    archive_month,
    by_day,
    by_week,
    day_key,
    days_of,
    post_anchor,
    tag_counts,
    week_bounds,
    week_key,
)
from tag_digest.errors import SettingError

MOSCOW = zone("Europe/Moscow")


def post(created_at: str, *tags: str, uri: str | None = None) -> Post:
    return from_json(
        {
            "uri": uri or f"https://example.social/users/a/statuses/{created_at}",
            "server": "https://example.social",
            "created_at": created_at,
            "content": "<p>text</p>",
            "tags": sorted(tags),
            # the rest of a record (from_json checks every field of the archive format)
            "url": "",
            "edited_at": None,
            "language": None,
            "account": dict.fromkeys(("acct", "display_name", "url", "avatar"), ""),
            "spoiler_text": "",
            "sensitive": False,
            "card": None,
        }
    )


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (dt.date(2024, 12, 27), "2024-W52"),
        (dt.date(2024, 12, 29), "2024-W52"),
        (dt.date(2024, 12, 30), "2025-W01"),  # ISO year differs from the calendar year
        (dt.date(2021, 1, 3), "2020-W53"),
        (dt.date(2026, 12, 31), "2026-W53"),
        (dt.date(2024, 7, 22), "2024-W30"),
        (dt.date(2024, 1, 1), "2024-W01"),
    ],
)
def test_week_key_is_the_iso_week_of_the_iso_year(day: dt.date, key: str) -> None:
    assert week_key(day) == key
    monday, sunday = week_bounds(key)
    assert monday <= day <= sunday
    assert monday.weekday() == 0 and (sunday - monday).days == 6


@pytest.mark.parametrize("key", ["2024-W00", "2021-W53", "2024-52", "2024-W5", "24-W05"])
def test_week_bounds_rejects_impossible_keys(key: str) -> None:
    with pytest.raises(ValueError):
        week_bounds(key)


def test_a_post_late_in_the_utc_evening_belongs_to_the_next_moscow_day() -> None:
    late = post("2024-12-29T21:30:00.000Z")  # 00:30 on Monday 30 December in Moscow
    assert local_date(late, MOSCOW) == dt.date(2024, 12, 30)
    assert local_date(late, dt.UTC) == dt.date(2024, 12, 29)
    assert [p.key for p in by_week([late], MOSCOW)] == ["2025-W01"]
    assert [p.key for p in by_week([late], dt.UTC)] == ["2024-W52"]
    assert [p.key for p in by_day([late], MOSCOW)] == ["2024-12-30"]


def test_weeks_hold_each_visible_post_once_newest_first() -> None:
    a = post("2024-12-23T08:00:00.000Z", "llm")
    b = post("2024-12-27T09:41:12.000Z", "llm")
    c = post("2024-12-27T09:41:12.000Z", "llm", uri="https://example.social/z")  # same time: by uri
    gone = post("2024-12-25T10:00:00.000Z", "llm").tombstone("2024-12-26T00:00:00.000Z")
    weeks = by_week([a, b, c, b, gone], MOSCOW)
    assert len(weeks) == 1
    week = weeks["2024-W52"]
    assert [p.uri for p in week.posts] == [c.uri, b.uri, a.uri]
    assert week.count == 3
    assert (week.start, week.end) == (dt.date(2024, 12, 23), dt.date(2024, 12, 29))
    assert week.url == "weeks/2024-W52/"
    assert week.save_as == "weeks/2024-W52/index.html"


def test_previous_and_next_skip_empty_weeks_and_days() -> None:
    posts = [
        post("2024-07-22T08:30:05.000Z"),
        post("2024-07-23T08:30:05.000Z"),
        post("2024-07-24T08:30:05.000Z"),
        post("2024-12-27T09:41:12.000Z"),
    ]
    weeks = by_week(posts, MOSCOW)
    assert [w.key for w in weeks] == ["2024-W30", "2024-W52"]
    assert weeks.previous("2024-W30") is None
    nxt = weeks.next("2024-W30")
    assert nxt is not None and nxt.key == "2024-W52"
    prev = weeks.previous("2024-W52")
    assert prev is not None and prev.key == "2024-W30"
    assert weeks.next("2024-W52") is None
    latest = weeks.latest
    assert latest is not None and latest.key == "2024-W52"
    assert "2024-W31" not in weeks and weeks.get("2024-W31") is None

    days = by_day(posts, MOSCOW)
    assert [d.key for d in days] == ["2024-07-22", "2024-07-23", "2024-07-24", "2024-12-27"]
    after = days.next("2024-07-24")
    assert after is not None and after.key == "2024-12-27"
    assert days["2024-12-27"].url == "days/2024-12-27/"
    assert by_week([], MOSCOW).latest is None


def test_a_week_page_is_grouped_by_day_newest_first() -> None:
    posts = [
        post("2024-07-22T08:30:05.000Z"),
        post("2024-07-24T08:30:05.000Z"),
        post("2024-07-24T21:30:00.000Z"),  # Thursday 25 July in Moscow
    ]
    week = by_week(posts, MOSCOW)["2024-W30"]
    sections = days_of(week, MOSCOW)
    assert [d.key for d in sections] == ["2024-07-25", "2024-07-24", "2024-07-22"]
    assert sum(d.count for d in sections) == week.count


def test_tag_counts_follow_the_configured_tags() -> None:
    posts = [
        post("2024-12-23T08:00:00.000Z", "llm", "supervised_finetuning"),
        post("2024-12-24T08:00:00.000Z", "llm", "машинное_обучение"),
        post("2024-12-25T08:00:00.000Z", "rag"),
    ]
    counts = tag_counts(posts, ["Supervised_finetuning", "LLM", "Машинное_Обучение", "NLP"])
    assert [(c.tag, c.slug, c.count) for c in counts] == [
        ("Supervised_finetuning", "supervised_finetuning", 1),
        ("LLM", "llm", 2),
        ("Машинное_Обучение", "машинное_обучение", 1),
        ("NLP", "nlp", 0),
    ]


def test_archive_lists_every_week_once_by_year_and_month_of_its_thursday() -> None:
    posts = [
        post("2024-07-22T08:30:05.000Z"),  # 2024-W30, July
        post("2024-07-30T08:00:00.000Z"),  # 2024-W31: Mon 29 Jul .. Sun 4 Aug, Thursday 1 Aug
        post("2024-08-03T08:00:00.000Z"),  # same week
        post("2024-12-27T09:41:12.000Z"),  # 2024-W52
        post("2024-12-31T09:00:00.000Z"),  # 2025-W01: Thursday 2 January 2025
        post("2025-01-02T09:00:00.000Z"),
    ]
    weeks = by_week(posts, MOSCOW)
    assert archive_month(weeks["2024-W31"]) == (2024, 8)
    assert archive_month(weeks["2025-W01"]) == (2025, 1)
    index = archive_index(weeks)
    assert [y.year for y in index] == [2025, 2024]
    assert [(m.key, [w.key for w in m.weeks], m.count) for m in index[0].months] == [
        ("2025-01", ["2025-W01"], 2)
    ]
    assert [(m.key, [w.key for w in m.weeks], m.count) for m in index[1].months] == [
        ("2024-12", ["2024-W52"], 1),
        ("2024-08", ["2024-W31"], 2),
        ("2024-07", ["2024-W30"], 1),
    ]
    assert [y.count for y in index] == [2, 4]
    listed = [w.key for y in index for m in y.months for w in m.weeks]
    assert sorted(listed) == sorted(w.key for w in weeks)


def test_day_key_and_unknown_zone() -> None:
    assert day_key(dt.date(2024, 7, 2)) == "2024-07-02"
    with pytest.raises(SettingError, match="TIMEZONE"):
        zone("Mars/Olympus_Mons")


def test_post_anchors_are_stable_html_ids() -> None:
    uri = "https://mastodon.social/users/habr/statuses/113723185741512946"
    assert post_anchor(uri) == post_anchor(uri)
    assert post_anchor(uri) != post_anchor(uri + "0")
    assert re.fullmatch(r"p-[0-9a-f]{12}", post_anchor(uri))
