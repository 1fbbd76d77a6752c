"""Dates in the site's language and time zone, with machine-readable values for <time>."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from cldr import plain
from tag_digest.digest.dates import Dates, iso_week, site_locale
from tag_digest.errors import SettingError

MOMENT = dt.datetime(2024, 12, 27, 9, 41, 12, 500000, tzinfo=dt.UTC)
LATE = dt.datetime(2024, 12, 29, 21, 30, tzinfo=dt.UTC)  # Monday 30 December in Moscow
# CLDR decides the typography (narrow no-break space before "г.", the dash and spaces of a range):
# tests compare the words through cldr.plain(), never its punctuation.
NNBSP = "\u202f"


@pytest.fixture
def ru() -> Dates:
    return Dates("ru", "Europe/Moscow")


@pytest.fixture
def en() -> Dates:
    return Dates("en", "Europe/Moscow")


def test_russian_month_names(ru: Dates) -> None:
    day = dt.date(2024, 12, 27)
    assert ru.day(day) == f"27 декабря 2024{NNBSP}г."
    assert ru.weekday(day) == f"пятница, 27 декабря 2024{NNBSP}г."
    assert ru.month(2024, 12) == f"декабрь 2024{NNBSP}г."
    assert ru.day(dt.date(2024, 7, 22)) == f"22 июля 2024{NNBSP}г."
    assert plain(ru.week(dt.date(2024, 12, 23), dt.date(2024, 12, 29))) == "23-29 дек. 2024 г."


def test_english_month_names(en: Dates) -> None:
    day = dt.date(2024, 12, 27)
    assert en.day(day) == "December 27, 2024"
    assert en.weekday(day) == "Friday, December 27, 2024"
    assert en.month(2024, 7) == "July 2024"
    new_year = en.week(dt.date(2024, 12, 30), dt.date(2025, 1, 5))
    assert plain(new_year) == "Dec 30, 2024-Jan 5, 2025"


def test_times_are_local(ru: Dates, en: Dates) -> None:
    assert ru.time(MOMENT) == "12:41"
    assert ru.moment(MOMENT) == f"27 декабря 2024{NNBSP}г., 12:41"
    assert en.moment(MOMENT).startswith("December 27, 2024") and "12:41" in en.moment(MOMENT)
    assert ru.moment(LATE) == f"30 декабря 2024{NNBSP}г., 00:30"
    assert Dates("ru", "UTC").moment(LATE) == f"29 декабря 2024{NNBSP}г., 21:30"


def test_machine_readable_values(ru: Dates) -> None:
    assert ru.iso_day(dt.date(2024, 7, 2)) == "2024-07-02"
    assert ru.iso_moment(MOMENT) == "2024-12-27T12:41:12+03:00"
    assert ru.iso_moment(LATE) == "2024-12-30T00:30:00+03:00"
    assert dt.datetime.fromisoformat(ru.iso_moment(LATE)) == LATE
    # HTML's valid week string: four-digit year, "-W", two-digit week.
    assert re.fullmatch(r"\d{4}-W\d{2}", iso_week("2025-W01"))


def test_locales_follow_default_lang() -> None:
    assert str(site_locale("pt-BR")) == "pt_BR"
    assert Dates("de", "UTC").day(dt.date(2024, 12, 27)) == "27. Dezember 2024"
    with pytest.raises(SettingError, match="DEFAULT_LANG"):
        Dates("xx-nowhere", "UTC")
    with pytest.raises(SettingError, match="TIMEZONE"):
        Dates("ru", "Europe/Atlantis")
