"""Checks of single setting values, whatever the setting: numbers, host names, moments.

:mod:`.settings` says which setting gets which check; the checks here only see
a value and raise :class:`~.errors.SettingError` with the name they are given.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
from dataclasses import dataclass

from .digest.dates import site_locale
from .digest.grouping import zone
from .errors import SettingError, shown

_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.IGNORECASE)


def plain(number: float) -> str:
    """``86,400``, ``0.05``, ``1,000,000``: a bound as the README and the messages show it."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


@dataclass(frozen=True, slots=True)
class Range:
    """The values a number setting accepts: finite, from ``low`` to ``high`` inclusive."""

    low: float
    high: float
    integer: bool = False
    unit: str = ""

    def describe(self) -> str:
        """``a whole number from 0 to 20``, ``a number from 0.05 to 300 seconds``."""
        kind = "a whole number" if self.integer else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {plain(self.low)} to {plain(self.high)}{unit}"

    def check(self, name: str, value: object) -> int | float:
        """``value`` if it is in range; never a bool, NaN, an infinity or a string."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (self.integer and not isinstance(value, int))
            or (isinstance(value, float) and not math.isfinite(value))
            or not self.low <= value <= self.high
        ):
            raise SettingError(name, f"expected {self.describe()}, got {shown(value)}")
        return value


def valid_host(host: str) -> bool:
    """An IP address, or a DNS name whose labels are letters, digits, ``-`` and ``_``
    (an internationalised name is checked in its ``xn--`` form)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        name = host.encode("idna").decode("ascii").removesuffix(".")
    except UnicodeError:  # an empty or over-long label
        return False
    return len(name) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in name.split("."))


def utc_moment(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (a naive one is taken as UTC). One that UTC cannot hold
    (``0001-01-01T00:00:00+01:00``, ``9999-12-31T23:59:59-14:00``) becomes the
    earliest or latest moment there is, so range checks still say which side it is on."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if moment.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def time_zone(value: object) -> str:
    """Pelican's ``TIMEZONE``, which the digest's dates are shown in: a known zone name."""
    if not isinstance(value, str) or len(value) > 100:
        problem = f"expected a time zone name such as 'Europe/Moscow', got {shown(value)}"
        raise SettingError("TIMEZONE", problem)
    zone(value)
    return value


def language(value: object) -> str:
    """Pelican's ``DEFAULT_LANG``, the pages' language: one Babel has locale data for."""
    if not isinstance(value, str) or len(value) > 50:
        problem = f"expected a language code such as 'ru' or 'en', got {shown(value)}"
        raise SettingError("DEFAULT_LANG", problem)
    site_locale(value)
    return value


_PATH_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def digest_path(value: object) -> str:
    """``DIGEST_PATH`` as ``""`` or ``"a/b/"``: plain ASCII segments, nothing that climbs out."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingError("DIGEST_PATH", f"must be a path such as 'digest', got {shown(value)}")
    segments = [s for s in value.strip().strip("/").split("/") if s]
    for segment in segments:
        if not _PATH_SEGMENT.fullmatch(segment) or segment.endswith("."):
            raise SettingError(
                "DIGEST_PATH",
                f"{shown(value)}: each part must be letters, digits, '.', '-' or '_' "
                "(e.g. 'digest' or 'community/digest')",
            )
    if len(segments) > 8:
        raise SettingError("DIGEST_PATH", f"{shown(value)}: at most 8 levels")
    return "".join(f"{s}/" for s in segments)
