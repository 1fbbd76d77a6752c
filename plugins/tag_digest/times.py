"""Times as text: the one reader and the one writer of an ISO-8601 time.

The archive writes UTC with milliseconds and ``Z`` (:func:`format_time`); anything read from
text (an archive line, a setting, a server's ``Retry-After``) goes through :func:`read_time`.
"""

from __future__ import annotations

import datetime as dt
import functools


def read_time(value: str) -> dt.datetime:
    """An ISO-8601 time as written (``Z`` accepted; a naive one stays naive).

    Raises ``ValueError`` when ``value`` is not one."""
    return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def format_time(value: dt.datetime, *, whole_seconds: bool = False) -> str:
    """UTC ISO-8601 with milliseconds and ``Z`` (the archive's form); naive is taken as UTC.

    ``whole_seconds``: without the milliseconds (RFC 3339 as Atom and sitemaps write it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    if whole_seconds:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@functools.lru_cache(maxsize=1 << 18)  # pure; the same times are sorted and compared often
# (every post's own time, many times a build: a cache smaller than the archive thrashes)
def parse_time(value: str) -> dt.datetime:
    """Parse an ISO-8601 time; naive times are taken as UTC."""
    parsed = read_time(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
