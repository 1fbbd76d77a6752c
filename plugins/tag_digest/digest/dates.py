"""Dates for people in the site's language (``DEFAULT_LANG``, via Babel), and for machines.

>>> Dates("ru", "Europe/Moscow").day(dt.date(2024, 12, 27))  # CLDR: U+202F before "г."
'27 декабря 2024\u202fг.'
>>> Dates("en", "Europe/Moscow").day(dt.date(2024, 12, 27))
'December 27, 2024'

Every readable date goes with its ISO value for ``<time datetime>``:
:meth:`Dates.iso_day` (``2024-12-27``), :meth:`Dates.iso_moment`
(``2024-12-27T12:41:12+03:00``, the local time with its offset) and
:func:`iso_week` (``2024-W52``, a valid HTML week string).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton, format_time

from ..errors import SettingError, shown
from .grouping import zone


def site_locale(lang: str) -> Locale:
    """The Babel locale of ``DEFAULT_LANG`` (``ru``, ``en``, ``pt-BR``, ``pt_BR``…).

    Raises :class:`SettingError` naming ``DEFAULT_LANG`` when Babel has no such locale.
    """
    try:
        return Locale.parse(lang.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        problem = f"no locale data for {shown(lang)} (e.g. 'ru' or 'en')"
        raise SettingError("DEFAULT_LANG", problem) from None


@functools.lru_cache(maxsize=1 << 13)  # a few thousand days, each shown on many pages
def _format_date(day: dt.date, width: str, locale: Locale) -> str:
    return str(format_date(day, width, locale=locale))


def iso_week(key: str) -> str:
    """A week key is already a valid HTML ``<time datetime>`` week string."""
    return key


@dataclass(frozen=True, slots=True)
class Dates:
    """Date formatting for one site: its language and time zone. Templates get it as ``dates``."""

    lang: str
    timezone: str
    locale: Locale = field(init=False, repr=False, compare=False)
    tz: dt.tzinfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locale", site_locale(self.lang))
        object.__setattr__(self, "tz", zone(self.timezone))

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.tz)

    def day(self, day: dt.date) -> str:
        """``27 декабря 2024 г.`` / ``December 27, 2024``."""
        return _format_date(day, "long", self.locale)

    def weekday(self, day: dt.date) -> str:
        """``пятница, 27 декабря 2024 г.`` / ``Friday, December 27, 2024``."""
        return _format_date(day, "full", self.locale)

    def month(self, year: int, month: int) -> str:
        """``декабрь 2024 г.`` / ``December 2024``: a month as a heading."""
        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=self.locale)

    def week(self, start: dt.date, end: dt.date) -> str:
        """``23–29 дек. 2024 г.`` / ``Dec 23 – 29, 2024``: the span of a week."""
        return format_interval(start, end, "yMMMd", locale=self.locale)

    def time(self, moment: dt.datetime) -> str:
        """``12:41`` / ``12:41 PM``: the local time of day."""
        return format_time(self.local(moment), "short", locale=self.locale)

    def moment(self, moment: dt.datetime) -> str:
        """``27 декабря 2024 г., 12:41``: date and local time."""
        local = self.local(moment)
        pattern = self.locale.datetime_formats["long"]
        if not isinstance(pattern, str):
            pattern = "{1}, {0}"
        return pattern.replace("{1}", self.day(local.date())).replace("{0}", self.time(local))

    @staticmethod
    def iso_day(day: dt.date) -> str:
        return day.isoformat()

    def iso_moment(self, moment: dt.datetime) -> str:
        """The local time with its UTC offset, seconds precision: ``2024-12-27T12:41:12+03:00``."""
        return self.local(moment).replace(microsecond=0).isoformat()
