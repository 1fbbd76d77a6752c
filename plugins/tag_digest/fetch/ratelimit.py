"""Rate limits: pace a server's requests by the budget it announces (:mod:`.rate_headers`
reads the headers), by Mastodon's unannounced limit on paging, and by the time a server
may hold a run.

Mastodon limits anonymous paging requests (those with ``max_id``) to 300 per 15 minutes
per address, without announcing it in headers: the :class:`Pacer` keeps its own sliding
window for them. The functions here are pure; :class:`Pacer` holds the little state there is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Mapping

from ..errors import RateLimitedError, ServerFaultError
from .rate_headers import read_rate, throttle_delay

PAGING_LIMIT = 300
PAGING_WINDOW = 900.0
"""Mastodon's own limit on anonymous ``max_id`` requests: 300 per 15 minutes."""
SERVER_TIMEOUTS = 30
"""A server's run may last DIGEST_MAX_WAIT plus this many DIGEST_TIMEOUTs (25 minutes by
default), waits and slow responses together: :func:`server_budget`."""


def pace_delay(
    remaining: int | None, limit: int | None, reset_in: float | None, reserve: int = 1
) -> float:
    """Seconds to wait before the next request, given the budget left.

    Plenty left: no wait. Down to ``reserve``: wait for the reset. In between,
    below a tenth of the limit (at least 10), spread the rest evenly until the reset.
    """
    if remaining is None or reset_in is None or reset_in <= 0:
        return 0.0
    if remaining <= reserve:
        return reset_in
    low = max(10, (limit or 0) // 10)
    if remaining < low:
        return reset_in / (remaining - reserve + 1)
    return 0.0


def window_delay(times: deque[float], now: float, limit: int, window: float) -> float:
    """Seconds until one more request fits in a sliding window of ``limit`` per ``window``."""
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) < limit:
        return 0.0
    return times[len(times) - limit] + window - now


def server_budget(max_wait: float, timeout: float) -> float:
    """Seconds one server may hold a run: its waits, plus time for its responses.

    Waits are bounded by ``max_wait`` alone; this also bounds a server that answers
    every request correctly but just inside the timeouts, page after page.
    """
    return max_wait + SERVER_TIMEOUTS * timeout


class Pacer:
    """Paces one server's requests by its announced budget; waits on 429 and between retries.

    Every wait is recorded in :attr:`waits` as ``(reason, seconds)``. A wait
    that would take the run's total waiting past ``max_wait`` raises
    :class:`RateLimitedError` instead. ``budget`` (seconds from creation) bounds
    the server's whole run, requests included: :meth:`time_left`, and a wait
    that would outlast it raises :class:`ServerFaultError`.
    """

    def __init__(
        self,
        server: str,
        *,
        max_wait: float,
        paging_limit: int | None = PAGING_LIMIT,
        paging_window: float = PAGING_WINDOW,
        reserve: int = 1,
        budget: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.server = server
        self.max_wait = max_wait
        self.budget = budget
        self.paging_limit = paging_limit
        self.paging_window = paging_window
        self.reserve = reserve
        self.waits: list[tuple[str, float]] = []
        self._clock = clock
        self._sleep = sleep
        self._paging: deque[float] = deque()
        self._limit: int | None = None
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self._started = clock()

    def observe(self, headers: Mapping[str, str], local_now: dt.datetime | None = None) -> None:
        """Remember the budget a response announced."""
        info = read_rate(headers, local_now or dt.datetime.now(dt.UTC))
        if info.remaining is None:
            return
        self._limit = info.limit
        self._remaining = info.remaining
        self._reset_at = None if info.reset_in is None else self._clock() + info.reset_in

    def before_request(self, *, paging: bool = False) -> None:
        """Wait, if needed, before sending a request (``paging``: it carries ``max_id``)."""
        now = self._clock()
        reset_in = None if self._reset_at is None else self._reset_at - now
        delay = pace_delay(self._remaining, self._limit, reset_in, self.reserve)
        reason = "budget low"
        if paging and self.paging_limit is not None:
            paging_delay = window_delay(self._paging, now, self.paging_limit, self.paging_window)
            if paging_delay > delay:
                delay, reason = paging_delay, "paging limit"
        self._wait(reason, delay)
        if delay > 0:
            self._remaining = None  # the next response tells the refilled budget
        if paging:
            self._paging.append(self._clock())

    def throttled(self, headers: Mapping[str, str], local_now: dt.datetime | None = None) -> None:
        """After a 429: wait until the server lets us in again (or give up)."""
        delay = throttle_delay(headers, local_now or dt.datetime.now(dt.UTC))
        self._remaining = None
        self._wait("429", delay)

    def backoff(self, delay: float) -> bool:
        """Sleep ``delay`` before a retry, if ``max_wait`` and the budget allow it."""
        if delay > 0 and (delay > self.max_wait - self.waited or delay >= self.time_left()):
            return False
        self._wait("backoff", delay)
        return True

    @property
    def waited(self) -> float:
        """Seconds waited so far in this run."""
        return sum(seconds for _, seconds in self.waits)

    def time_left(self) -> float:
        """Seconds left of the server's ``budget`` (``inf`` without one)."""
        if self.budget is None:
            return float("inf")
        return self.budget - (self._clock() - self._started)

    def out_of_time(self) -> ServerFaultError:
        return ServerFaultError(
            f"{self.server}: used up its {self.budget:g}s for this run (DIGEST_MAX_WAIT plus "
            f"{SERVER_TIMEOUTS} times DIGEST_TIMEOUT); stopping this server until the next run"
        )

    def check_time(self) -> None:
        """Raise :meth:`out_of_time` once the budget is spent."""
        if self.time_left() <= 0:
            raise self.out_of_time()

    def _wait(self, reason: str, delay: float) -> None:
        """Sleep ``delay``; ``max_wait`` bounds one wait and all waits of the run together,
        so a server that keeps throttling cannot hold a build for long."""
        if delay <= 0:
            return
        if delay > self.max_wait - self.waited:
            already = f" after {self.waited:.0f}s of waiting" if self.waits else ""
            raise RateLimitedError(
                f"{self.server}: rate limited for {delay:.0f}s ({reason}){already}, longer than "
                f"DIGEST_MAX_WAIT ({self.max_wait:g}s); stopping this server for this run"
            )
        if delay >= self.time_left():
            raise self.out_of_time()
        self.waits.append((reason, delay))
        self._sleep(delay)
