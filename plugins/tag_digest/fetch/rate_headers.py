"""What a server says about its rate limit, read from its headers (pure functions).

Mastodon sends ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset`` (an ISO-8601 time) on API responses; GoToSocial sends the
reset as epoch seconds. The reset is a time on the *server's* clock, so the wait
is measured against the server's ``Date`` header when the two clocks disagree by
more than :data:`SKEW_TOLERANCE` (``Date`` has whole-second resolution: within
that tolerance the local clock is the better one). After a 429, ``Retry-After``
says how long to wait (:func:`throttle_delay`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass

from ..times import read_time

SKEW_TOLERANCE = 2.0
"""Seconds of clock difference ignored (the ``Date`` header is whole seconds)."""
THROTTLE_FALLBACK = 60.0
"""Seconds to wait after a 429 that says nothing about when to come back."""
_EPOCH_THRESHOLD = 1_000_000_000
"""Numeric resets below this are a number of seconds, above it epoch seconds."""
MAX_HEADER_WAIT = 366 * 86_400.0
"""A header asking for a longer wait (a year) is read as asking for this long: every wait
read from headers is finite, not negative and at most this, past any DIGEST_MAX_WAIT."""


def _seconds(value: float) -> float:
    """A wait read from a header, clamped to ``0 .. MAX_HEADER_WAIT`` (NaN is no wait)."""
    return min(max(value, 0.0), MAX_HEADER_WAIT) if value == value else 0.0


@dataclass(frozen=True, slots=True)
class RateInfo:
    """A server's rate-limit budget as of one response."""

    limit: int | None
    remaining: int | None
    reset_in: float | None
    """Seconds from the response until the budget refills (never negative)."""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(float(value))
    except (ValueError, OverflowError):
        return None
    return number if number >= 0 else None


def parse_http_date(value: str | None) -> dt.datetime | None:
    """An HTTP date (``Date``, ``Retry-After``) as an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):  # "31 Dec 9999 ... -1400"
        return None


def server_now(headers: Mapping[str, str], local_now: dt.datetime) -> dt.datetime:
    """The server's idea of "now": its ``Date`` when our clock is off, else ours."""
    date = parse_http_date(_header(headers, "date"))
    if date is None or abs((date - local_now).total_seconds()) < SKEW_TOLERANCE:
        return local_now
    return date


def parse_reset(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from ``now`` (the server's clock) until an ``X-RateLimit-Reset``.

    Accepts ISO-8601 (Mastodon), epoch seconds (GoToSocial) and, for small
    numbers, a plain count of seconds. Past resets give ``0``; garbage ``None``.
    """
    if not value:
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            when = read_time(text)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return _seconds((when - now).total_seconds())
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    if number < _EPOCH_THRESHOLD:
        return _seconds(number)
    return _seconds(number - now.timestamp())


def read_rate(headers: Mapping[str, str], local_now: dt.datetime) -> RateInfo:
    """The rate-limit budget announced by one response's headers."""
    now = server_now(headers, local_now)
    return RateInfo(
        limit=_int(_header(headers, "x-ratelimit-limit")),
        remaining=_int(_header(headers, "x-ratelimit-remaining")),
        reset_in=parse_reset(_header(headers, "x-ratelimit-reset"), now),
    )


def retry_after(headers: Mapping[str, str], local_now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date)."""
    value = _header(headers, "retry-after")
    if not value:
        return None
    seconds = _int(value)
    if seconds is not None:
        return _seconds(float(seconds))
    when = parse_http_date(value)
    if when is None:
        return None
    return _seconds((when - server_now(headers, local_now)).total_seconds())


def throttle_delay(headers: Mapping[str, str], local_now: dt.datetime) -> float:
    """How long to wait after a 429: ``Retry-After``, else the reset, else a minute."""
    after = retry_after(headers, local_now)
    if after is not None:
        return after
    reset = read_rate(headers, local_now).reset_in
    return reset if reset is not None else THROTTLE_FALLBACK
