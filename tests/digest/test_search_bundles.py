"""Search bundle keys: a year, its quarters, or a quarter's months, split at the threshold."""

from __future__ import annotations

import datetime as dt

import pytest
from tag_digest.digest.search_bundles import (
    BUNDLE_POSTS,
    bundle_keys,
    bundle_start,
    is_bundle_key,
    newest_first,
)


def days(*spec: tuple[str, int]) -> list[dt.date]:
    """``count`` posts on each ISO date."""
    return [dt.date.fromisoformat(day) for day, count in spec for _ in range(count)]


def test_a_year_up_to_the_threshold_is_one_bundle() -> None:
    dates = days(("2024-01-05", 1), ("2024-11-30", 2), ("2023-06-01", 1), ("2024-12-31", 1))
    assert bundle_keys(dates, limit=4) == {
        dt.date(2024, 1, 5): "2024",
        dt.date(2024, 11, 30): "2024",
        dt.date(2023, 6, 1): "2023",
        dt.date(2024, 12, 31): "2024-12",  # the newest month: a bundle of its own
    }
    assert BUNDLE_POSTS == 20_000
    assert set(bundle_keys(dates).values()) == {"2024", "2023", "2024-12"}  # the default


def test_the_newest_month_is_a_bundle_of_its_own_and_leaves_the_rest_cut_as_before() -> None:
    # 2025 has 5 posts (over 4): quarters; Q3 has 4 (not over): one bundle, less its newest
    # month, which is counted in it all the same.
    dates = days(("2025-01-02", 1), ("2025-07-01", 2), ("2025-08-15", 1), ("2025-09-30", 1))
    keys = bundle_keys(dates, limit=4)
    assert [keys[d] for d in sorted(keys)] == ["2025-Q1", "2025-Q3", "2025-Q3", "2025-09"]
    # A post in a later month: September joins its quarter, October is the newest month.
    later = bundle_keys([*dates, dt.date(2025, 10, 3)], limit=4)
    assert later[dt.date(2025, 9, 30)] == "2025-Q3"
    assert later[dt.date(2025, 10, 3)] == "2025-10"
    # Only one month: its own bundle; none at all: no keys.
    assert set(bundle_keys(days(("2025-03-01", 2), ("2025-03-31", 1))).values()) == {"2025-03"}
    assert bundle_keys([]) == {}


def test_a_year_over_the_threshold_is_split_into_quarters_and_others_stay_whole() -> None:
    dates = days(
        ("2024-01-05", 2), ("2024-03-31", 1), ("2024-04-01", 1), ("2023-06-01", 3),
        ("2024-05-02", 1),
    )  # fmt: skip
    keys = bundle_keys(dates, limit=3)
    assert keys[dt.date(2024, 1, 5)] == keys[dt.date(2024, 3, 31)] == "2024-Q1"  # 3: not over
    assert keys[dt.date(2024, 4, 1)] == "2024-Q2"
    assert keys[dt.date(2023, 6, 1)] == "2023"  # exactly the threshold: one year
    assert keys[dt.date(2024, 5, 2)] == "2024-05"  # the newest month


def test_a_quarter_over_the_threshold_is_split_into_months() -> None:
    dates = days(
        ("2025-07-01", 2), ("2025-08-15", 1), ("2025-09-30", 1), ("2025-10-01", 1),
        ("2025-12-01", 1),
    )  # fmt: skip
    keys = bundle_keys(dates, limit=3)
    assert [keys[d] for d in sorted(keys)] == [
        "2025-07", "2025-08", "2025-09", "2025-Q4", "2025-12",
    ]  # fmt: skip
    # A month over the threshold is not split further.
    assert set(bundle_keys(days(("2025-07-01", 9)), limit=3).values()) == {"2025-07"}


def test_keys_sort_newest_first_by_the_period_they_start() -> None:
    keys = ["2024", "2025-Q4", "2025-07", "2025-09", "2025-08", "2025-Q2", "2025-Q1", "2024"]
    assert newest_first(keys) == [
        "2025-Q4",
        "2025-09",
        "2025-08",
        "2025-07",
        "2025-Q2",
        "2025-Q1",
        "2024",
    ]
    assert bundle_start("2025-Q3") == dt.date(2025, 7, 1)
    assert bundle_start("2025-11") == dt.date(2025, 11, 1)
    assert bundle_start("2025") == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    "name", ["pagefind-entry.json", "fragment", "2025-Q5", "2025-13", "25", ".2025-old", "2025-q1"]
)
def test_other_names_are_not_bundle_keys(name: str) -> None:
    assert not is_bundle_key(name)
    with pytest.raises(ValueError):
        bundle_start(name)


def test_every_key_made_is_a_bundle_key() -> None:
    dates = days(("2025-07-01", 4), ("2025-01-01", 1), ("2024-02-02", 1))
    assert all(is_bundle_key(key) for key in bundle_keys(dates, limit=3).values())
