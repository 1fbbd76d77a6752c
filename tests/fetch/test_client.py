"""The HTTP chokepoint against real servers on 127.0.0.1: headers, faults, retries, limits."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from corpus_server import FAULTS, TimelineServer, hanna, json_response, raw_response, retag, sleeper
from factories import client_for as shared_client_for
from pytest_httpserver import HTTPServer
from tag_digest.errors import (
    AuthRequiredError,
    NotFoundError,
    RateLimitedError,
    ServerFaultError,
    UnreachableError,
)
from tag_digest.fetch.client import ApiClient, backoff_delay
from tag_digest.version import USER_AGENT
from werkzeug import Request, Response

PATH = "/api/v1/timelines/tag/ichbinhanna"


def client_for(url: str, **options: Any) -> ApiClient:
    """The shared factory, retrying twice unless told otherwise."""
    options.setdefault("retries", 2)
    return shared_client_for(url, **options)


@pytest.fixture
def served(mastodon: TimelineServer) -> TimelineServer:
    mastodon.statuses = hanna()
    return mastodon


def test_a_recorded_page_comes_back_as_json_with_our_user_agent(served: TimelineServer) -> None:
    with client_for(served.url) as client:
        page = client.get_json(PATH, [("limit", "40")])
    assert [s["id"] for s in page] == [s["id"] for s in hanna()[:40]]
    request = served.seen[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("tagdigest/") and "github.com" in USER_AGENT
    assert "Authorization" not in request.headers
    assert client.requests == 1 and client.delays == []


def test_the_token_is_sent_as_bearer_when_given(served: TimelineServer) -> None:
    with client_for(served.url, token="s3cret") as client:
        client.get_json(PATH)
    assert served.seen[0].headers["Authorization"] == "Bearer s3cret"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_is_retried_with_backoff_then_given_up(
    served: TimelineServer, fault: str
) -> None:
    factory, message = FAULTS[fault]
    served.faults = [factory() for _ in range(3)]
    with client_for(served.url) as client, pytest.raises(ServerFaultError) as info:
        client.get_json(PATH)
    assert message in str(info.value)
    assert str(info.value).startswith(served.url)
    assert "tried 3 times" in str(info.value)
    assert len(served.seen) == 3 == client.requests
    assert client.delays == [0.001, 0.002]  # exponential; jitter fixed at the middle


@pytest.mark.parametrize("fault", ["503", "reset", "truncated", "html-200"])
def test_a_passing_fault_is_retried_and_the_answer_used(served: TimelineServer, fault: str) -> None:
    served.faults = [FAULTS[fault][0]()]
    with client_for(served.url) as client:
        page = client.get_json(PATH, [("limit", "40")])
    assert len(page) == 40
    assert client.requests == 2 and len(client.delays) == 1


def test_a_timeout_is_retried_then_given_up(served: TimelineServer) -> None:
    served.faults = [sleeper(0.5) for _ in range(2)]
    with (
        client_for(served.url, timeout=0.1, retries=1) as client,
        pytest.raises(ServerFaultError) as info,
    ):
        client.get_json(PATH)
    assert "timed out after 0.1s" in str(info.value)
    assert client.requests == 2


def test_no_retries_means_one_try(served: TimelineServer) -> None:
    served.faults = [FAULTS["500"][0]()]
    with (
        client_for(served.url, retries=0) as client,
        pytest.raises(ServerFaultError, match="tried once"),
    ):
        client.get_json(PATH)
    assert client.delays == []


def test_nothing_listening_is_unreachable(closed_port_url: str) -> None:
    with (
        client_for(closed_port_url) as client,
        pytest.raises(UnreachableError, match="cannot be reached"),
    ):
        client.get_json(PATH)
    assert client.requests == 2  # retried once only: offline, waiting helps nobody


@pytest.mark.parametrize("status", [401, 403, 422])
def test_auth_refused_is_one_clear_line_without_retry(served: TimelineServer, status: int) -> None:
    served.faults = [json_response({"error": "This method requires an authenticated user"}, status)]
    with client_for(served.url) as client, pytest.raises(AuthRequiredError) as info:
        client.get_json(PATH)
    message = str(info.value)
    assert (
        "set DIGEST_TOKEN" in message and "read:statuses" in message and f"HTTP {status}" in message
    )
    assert "\n" not in message
    assert client.requests == 1


def test_a_refused_token_says_so(served: TimelineServer) -> None:
    served.faults = [json_response({"error": "The access token is invalid"}, 401)]
    with (
        client_for(served.url, token="expired") as client,
        pytest.raises(AuthRequiredError) as info,
    ):
        client.get_json(PATH)
    assert "refused the access token" in str(info.value)
    assert "expired" not in str(info.value)


def test_404_is_not_found(served: TimelineServer) -> None:
    served.faults = [json_response({"error": "Record not found"}, 404)]
    with client_for(served.url) as client, pytest.raises(NotFoundError):
        client.get_json(PATH)
    assert client.requests == 1


def test_redirects_are_never_followed(served: TimelineServer, mastodon_b: TimelineServer) -> None:
    target = f"{mastodon_b.url}{PATH}"

    def redirect(request: Request) -> Response:
        return Response("", 302, {"Location": target})

    served.faults = [redirect]
    with client_for(served.url, token="s3cret") as client, pytest.raises(ServerFaultError) as info:
        client.get_json(PATH)
    assert f"redirects to {target}" in str(info.value)
    assert mastodon_b.seen == []  # neither followed nor, a fortiori, given the token
    assert client.requests == 1


def test_responses_are_capped(served: TimelineServer) -> None:
    with (
        client_for(served.url, max_bytes=10_000) as client,
        pytest.raises(ServerFaultError, match="larger than"),
    ):
        client.get_json(PATH, [("limit", "40")])


def test_429_waits_for_the_reset_and_retries(served: TimelineServer) -> None:
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=300)
    served.faults = [
        json_response({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset.isoformat()})
    ]
    with client_for(served.url) as client:
        page = client.get_json(PATH)
    assert page and client.requests == 2
    (reason, waited), *_ = client.pacer.waits
    assert reason == "429" and 0 < waited <= 0.3
    assert served.seen[1].at >= served.seen[0].at  # the retry came after the wait, not before


def test_429_longer_than_max_wait_gives_up_at_once(served: TimelineServer) -> None:
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    served.faults = [
        json_response({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset.isoformat()})
    ]
    with client_for(served.url, max_wait=5) as client, pytest.raises(RateLimitedError) as info:
        client.get_json(PATH)
    assert "DIGEST_MAX_WAIT" in str(info.value)
    assert client.requests == 1 and client.pacer.waits == []


def test_429_again_and_again_is_bounded(served: TimelineServer) -> None:
    served.faults = [
        json_response({"error": "Too many requests"}, 429, {"Retry-After": "0"}) for _ in range(5)
    ]
    with (
        client_for(served.url, throttle_retries=2) as client,
        pytest.raises(RateLimitedError, match="after 2 waits"),
    ):
        client.get_json(PATH)
    assert client.requests == 3


def test_a_low_budget_makes_the_pacer_wait_for_the_reset(served: TimelineServer) -> None:
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=400)
    served.rate_headers = lambda: {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "1",
        "X-RateLimit-Reset": reset.isoformat(),
    }
    with client_for(served.url) as client:
        client.get_json(PATH)
        client.get_json(PATH, [("max_id", hanna()[19]["id"])], paging=True)
    assert [reason for reason, _ in client.pacer.waits] == ["budget low"]
    assert 0 < client.pacer.waits[0][1] <= 0.4
    # What the server saw: the second request did not come before the announced reset.
    assert served.seen[1].at >= reset - dt.timedelta(milliseconds=50)


def test_the_expected_json_type_is_enforced(http_a: HTTPServer) -> None:
    status = retag(hanna()[0], "ichbinhanna")
    http_a.expect_request("/api/v2/instance").respond_with_handler(
        raw_response(json.dumps([status]))
    )
    with (
        client_for(f"http://127.0.0.1:{http_a.port}", retries=0) as client,
        pytest.raises(ServerFaultError, match="JSON a list where an object was expected"),
    ):
        client.get_json("/api/v2/instance", expect=dict)


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    assert [backoff_delay(n, 1.0, 0.5) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff_delay(2, 1.0, 0.0) == 2.0 and backoff_delay(2, 1.0, 0.999) < 6.0
    assert backoff_delay(20, 1.0, 0.5) == 60.0  # capped


def test_a_response_trickled_byte_by_byte_is_cut_off(served: TimelineServer) -> None:
    """Each read arrives within the timeout, but the whole body never does: a fault."""

    def trickle(request: Request) -> Response:
        def body():  # type: ignore[no-untyped-def]
            for byte in b'[{"id": "1"}' + b" " * 200 + b"]":
                time.sleep(0.05)
                yield bytes([byte])

        return Response(body(), 200, content_type="application/json", direct_passthrough=True)

    served.faults = [trickle]
    with (
        client_for(served.url, timeout=0.2, retries=0) as client,
        pytest.raises(ServerFaultError, match=r"longer than 0\.6s to send one response"),
    ):
        client.get_json(PATH)
