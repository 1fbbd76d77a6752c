"""Rate-limit headers and the pacer's decisions (pure logic; the HTTP path is in test_client)."""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Callable

import pytest
from corpus_server import TimelineServer, cassette, hanna, json_response
from tag_digest.errors import RateLimitedError, ServerFaultError
from tag_digest.fetch.rate_headers import (
    MAX_HEADER_WAIT,
    parse_reset,
    read_rate,
    retry_after,
    server_now,
    throttle_delay,
)
from tag_digest.fetch.ratelimit import Pacer, pace_delay, server_budget, window_delay
from tag_digest.settings import DigestSettings
from tag_digest.sync import sync_all

NOW = dt.datetime(2026, 8, 1, 13, 52, 47, tzinfo=dt.UTC)


def test_recorded_mastodon_headers_give_the_budget_and_iso_reset() -> None:
    recorded = cassette("mastodon-py/test_fetch_remaining.yaml")
    item = next(i for i in recorded if "/api/v2/instance" in i.uri)
    info = read_rate(item.headers, local_now=NOW)
    assert (info.limit, info.remaining) == (300, 299)
    # reset 2026-08-01T13:55:00.885474Z, Date Sat, 01 Aug 2026 13:52:47 GMT
    assert info.reset_in == pytest.approx(133.885474)


def test_recorded_rtoot_headers_are_read_against_the_servers_date() -> None:
    recorded = cassette("rtoot/handle_params_max_id.yml")[0]
    # Our clock is a year ahead of the recording: the Date header decides.
    info = read_rate(recorded.headers, local_now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert info.remaining == 292
    # reset 13:45:00.399976Z, Date 13:44:16 GMT
    assert info.reset_in == pytest.approx(44.399976)


def test_epoch_seconds_reset_gotosocial() -> None:
    epoch = str(int(NOW.timestamp()) + 90)
    assert parse_reset(epoch, NOW) == pytest.approx(90)


def test_small_number_reset_is_seconds_and_garbage_is_none() -> None:
    assert parse_reset("30", NOW) == 30
    assert parse_reset("soon", NOW) is None
    assert parse_reset("nan", NOW) is None
    assert parse_reset("", NOW) is None


def test_reset_in_the_past_means_no_wait() -> None:
    assert parse_reset("2026-08-01T13:00:00Z", NOW) == 0


def test_clock_skew_is_corrected_with_the_date_header() -> None:
    # The server's clock is 10 minutes behind ours; its reset is 60 s after its now.
    server = NOW - dt.timedelta(minutes=10)
    headers = {
        "Date": server.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "X-RateLimit-Reset": (server + dt.timedelta(seconds=60)).isoformat(),
        "X-RateLimit-Remaining": "0",
    }
    assert server_now(headers, NOW) == server
    assert read_rate(headers, NOW).reset_in == pytest.approx(60)


def test_sub_second_skew_is_ignored() -> None:
    headers = {"Date": NOW.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    local = NOW + dt.timedelta(milliseconds=700)
    assert server_now(headers, local) == local


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after({"Retry-After": "12"}, NOW) == 12
    later = (NOW + dt.timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after({"Retry-After": later}, NOW) == pytest.approx(30)
    assert retry_after({}, NOW) is None


def test_throttle_delay_prefers_retry_after_then_reset_then_a_minute() -> None:
    reset = (NOW + dt.timedelta(seconds=40)).isoformat()
    assert throttle_delay({"Retry-After": "5", "X-RateLimit-Reset": reset}, NOW) == 5
    assert throttle_delay({"X-RateLimit-Reset": reset}, NOW) == pytest.approx(40)
    assert throttle_delay({}, NOW) == 60


@pytest.mark.parametrize(
    ("remaining", "limit", "reset_in", "expected"),
    [
        (None, None, None, 0.0),  # no headers: no pacing
        (250, 300, 100.0, 0.0),  # plenty left
        (1, 300, 100.0, 100.0),  # down to the reserve: wait for the reset
        (0, 300, 100.0, 100.0),
        (5, 300, 100.0, 20.0),  # low: spread the rest until the reset
        (5, 300, 0.0, 0.0),  # reset already passed
    ],
)
def test_pace_delay(
    remaining: int | None, limit: int | None, reset_in: float | None, expected: float
) -> None:
    assert pace_delay(remaining, limit, reset_in) == pytest.approx(expected)


def test_window_delay_counts_paging_requests_in_a_sliding_window() -> None:
    times: deque[float] = deque([0.0, 1.0, 2.0])
    assert window_delay(times, now=3.0, limit=4, window=10.0) == 0
    assert window_delay(times, now=3.0, limit=3, window=10.0) == pytest.approx(7.0)
    assert window_delay(times, now=10.5, limit=3, window=10.0) == 0  # 0.0 has expired
    assert window_delay(times, now=10.5, limit=2, window=10.0) == pytest.approx(0.5)
    assert list(times) == [1.0, 2.0]  # expired entries were dropped


class FakeClock:
    """Time for the pacer: advances only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_waits_for_the_reset_when_the_budget_is_spent() -> None:
    clock = FakeClock()
    pacer = Pacer("https://x.example", max_wait=100, clock=clock, sleep=clock.sleep)
    local = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    reset = (local + dt.timedelta(seconds=30)).isoformat()
    pacer.observe(
        {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "1", "X-RateLimit-Reset": reset},
        local,
    )
    pacer.before_request()
    assert pacer.waits == [("budget low", pytest.approx(30))]
    pacer.before_request()  # the budget is unknown again until the next response
    assert len(pacer.waits) == 1


def test_pacer_gives_up_when_the_wait_exceeds_max_wait() -> None:
    clock = FakeClock()
    pacer = Pacer("https://x.example", max_wait=10, clock=clock, sleep=clock.sleep)
    local = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    reset = (local + dt.timedelta(hours=1)).isoformat()
    with pytest.raises(
        RateLimitedError, match=r"https://x.example: rate limited for 3600s .*DIGEST_MAX_WAIT"
    ):
        pacer.throttled({"X-RateLimit-Reset": reset}, local)
    assert clock.slept == []


def test_pacer_keeps_anonymous_paging_under_its_own_limit() -> None:
    clock = FakeClock()
    pacer = Pacer(
        "https://x.example",
        max_wait=100,
        paging_limit=2,
        paging_window=60,
        clock=clock,
        sleep=clock.sleep,
    )
    pacer.before_request(paging=False)
    pacer.before_request(paging=True)
    pacer.before_request(paging=True)
    assert pacer.waits == []
    pacer.before_request(paging=True)
    assert pacer.waits == [("paging limit", pytest.approx(60))]


def test_max_wait_bounds_all_waits_of_a_run_together() -> None:
    """A server that keeps throttling cannot hold the build for longer than DIGEST_MAX_WAIT."""
    clock = FakeClock()
    pacer = Pacer("https://x.example", max_wait=100, clock=clock, sleep=clock.sleep)
    local = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for _ in range(2):
        pacer.throttled({"Retry-After": "40"}, local)
    with pytest.raises(RateLimitedError, match="after 80s of waiting"):
        pacer.throttled({"Retry-After": "40"}, local)
    assert clock.slept == [40, 40]
    assert pacer.waited == 80


def test_a_servers_budget_bounds_its_waits_and_its_requests() -> None:
    """The budget runs on the pacer's clock: requests (the clock moving) and waits alike."""
    clock = FakeClock()
    pacer = Pacer(
        "https://x.example", max_wait=100, budget=server_budget(100, 2.0), clock=clock,
        sleep=clock.sleep,
    )  # fmt: skip
    assert pacer.time_left() == 160
    assert pacer.backoff(30.0) and clock.slept == [30.0]
    clock.now += 100  # slow answers, just inside their timeouts
    assert pacer.time_left() == pytest.approx(30)
    assert not pacer.backoff(40.0)  # would outlast the budget: no retry
    with pytest.raises(ServerFaultError, match=r"used up its 160s for this run"):
        pacer.throttled({"Retry-After": "35"})
    clock.now += 30
    with pytest.raises(ServerFaultError, match="DIGEST_MAX_WAIT plus 30 times DIGEST_TIMEOUT"):
        pacer.check_time()
    assert clock.slept == [30.0]


def test_backoff_counts_as_waiting() -> None:
    clock = FakeClock()
    pacer = Pacer("https://x.example", max_wait=10, clock=clock, sleep=clock.sleep)
    assert pacer.backoff(6.0) and not pacer.backoff(6.0) and pacer.backoff(4.0)
    assert pacer.waits == [("backoff", 6.0), ("backoff", 4.0)] and pacer.waited == 10


HOSTILE_NUMBERS = [
    "NaN", "nan", "-nan", "inf", "Infinity", "-inf", "1e400", "-1e400", "1e308", "100000",
    "99999999999999999999", "-30", "0x10", "1_000", " 12 ", "", "\x00",
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+01:00", "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 9999 23:59:59 -1400", "Mon, 01 Jan 0001 00:00:00 +1400",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_every_wait_read_from_headers_is_finite_and_bounded(value: str) -> None:
    """NaN, infinities and absurd times in headers never become a wait that cannot be
    compared with DIGEST_MAX_WAIT: each is ignored (``None``) or within 0 .. a year."""
    waits = [
        retry_after({"Retry-After": value}, NOW),
        parse_reset(value, NOW),
        read_rate({"X-RateLimit-Reset": value, "Date": value}, NOW).reset_in,
        throttle_delay({"Retry-After": value, "X-RateLimit-Reset": value}, NOW),
    ]
    for wait in waits:
        assert wait is None or (math.isfinite(wait) and 0 <= wait <= MAX_HEADER_WAIT), wait
    info = read_rate({"X-RateLimit-Limit": value, "X-RateLimit-Remaining": value}, NOW)
    for count in (info.limit, info.remaining):
        assert count is None or count >= 0


def test_a_wait_asked_for_beyond_a_year_is_read_as_a_year() -> None:
    assert retry_after({"Retry-After": "99999999999999999999"}, NOW) == MAX_HEADER_WAIT
    assert parse_reset("9999-12-31T00:00:00Z", NOW) == MAX_HEADER_WAIT
    assert retry_after({"Retry-After": "100000"}, NOW) == 100_000


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "NaN"},
        {"Retry-After": "inf"},
        {"Retry-After": "1e400"},
        {"Retry-After": "100000"},
        {"X-RateLimit-Reset": "NaN"},
        {"X-RateLimit-Reset": "1e308"},
        {"X-RateLimit-Reset": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_a_429_with_hostile_waits_over_http_gives_the_server_up_within_max_wait(
    mastodon: TimelineServer, make_settings: Callable[..., DigestSettings], headers: dict[str, str]
) -> None:
    """A real server on 127.0.0.1 answering 429 with NaN, infinite or huge waits: the run
    waits at most DIGEST_MAX_WAIT, and the server is given up with one line."""
    mastodon.statuses = hanna()[:5]
    mastodon.faults = [json_response({"error": "slow down"}, 429, headers)] * 10
    settings = make_settings([mastodon.url], ["IchbinHanna"], DIGEST_MAX_WAIT=1)
    (server,) = sync_all(settings).servers
    assert server.error is not None and "\n" not in server.error
    assert "nan" not in server.error.lower() and "inf" not in server.error.lower()
    assert "DIGEST_MAX_WAIT (1s)" in server.error, server.error
    assert server.requests <= 3
