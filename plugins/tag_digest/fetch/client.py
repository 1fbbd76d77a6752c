"""The one chokepoint every request to a server passes through.

:class:`ApiClient` sends ``GET`` requests to one server and returns parsed JSON
of the expected type, or raises one of :mod:`.errors`:

- pacing before every request and reading the budget after it (:class:`.Pacer`);
- ``User-Agent`` naming tagdigest; ``Authorization: Bearer`` only when the caller
  hands a token (``settings.token_for(server)`` gives it to one server only);
- redirects are never followed (a 3xx is a fault: nothing, the token least of all,
  leaves for another host), and responses are capped at ``max_bytes`` *inflated*
  (:mod:`.transport` inflates, bounded, what httpx would inflate unbounded);
- a whole response, from connecting to its last byte, must arrive within
  ``TOTAL_TIMEOUT_FACTOR`` timeouts, and no request starts once the pacer's
  budget for the server is spent;
- text a server chose (a ``Location``, a protocol error) is shown shortened and
  printable only; a body that echoes the access token back is refused;
- 5xx, timeouts, reset connections, truncated, invalid or absurdly nested JSON, an
  HTML page with status 200 and JSON of the wrong type are retried with exponential
  backoff and jitter (waits the pacer counts against ``max_wait``), ``retries``
  times, then raise :class:`ServerFaultError`; when no
  connection can be made at all (DNS, refused) only once, then
  :class:`UnreachableError`, so an offline build is not held up;
- 429 waits for the reset (bounded by the pacer's ``max_wait``) and retries;
- 401/403/422 raise :class:`AuthRequiredError`, 404 :class:`NotFoundError` (and
  410 too where the caller asks for it: a status looked up by id that is gone).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import httpx

from ..errors import (
    RateLimitedError,
    ServerFaultError,
    UnreachableError,
)
from ..version import USER_AGENT
from .ratelimit import Pacer
from .replies import Reply, Retry, Throttled, check_status, decode_json, shown
from .transport import (
    ACCEPT_ENCODING,
    Deadline,
    DeadlineTransport,
    EncodingError,
    Inflater,
    TooLarge,
)

MAX_BYTES = 10 * 1024 * 1024
"""Largest response accepted (a page of 40 statuses is a few hundred kB)."""
BACKOFF_CAP = 60.0
TOTAL_TIMEOUT_FACTOR = 3
"""A whole response must arrive within this many ``timeout`` periods."""
THROTTLE_RETRIES = 3
UNREACHABLE_RETRIES = 1

Params = Sequence[tuple[str, str]]


def backoff_delay(attempt: int, base: float, rand: float, cap: float = BACKOFF_CAP) -> float:
    """Delay before retry number ``attempt`` (0-based): ``base·2^attempt``, jittered ×0.5–1.5."""
    return float(min(cap, base * 2.0**attempt) * (0.5 + rand))


class ApiClient:
    """JSON ``GET`` requests to one server, paced, retried and capped."""

    def __init__(
        self,
        server: str,
        *,
        pacer: Pacer,
        token: str | None = None,
        token_name: str = "DIGEST_TOKEN",
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_bytes: int = MAX_BYTES,
        throttle_retries: int = THROTTLE_RETRIES,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.server = server
        self.pacer = pacer
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.throttle_retries = throttle_retries
        self.timeout = timeout
        self.requests = 0
        """Requests sent, retries included."""
        self.delays: list[float] = []
        """Every backoff delay slept, in order."""
        self._token = token
        self._token_name = token_name
        self._rand = rand
        self._deadline = Deadline()
        self._http = httpx.Client(
            base_url=server,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=DeadlineTransport(self._deadline),
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get_json(
        self,
        path: str,
        params: Params = (),
        *,
        expect: type = list,
        paging: bool = False,
        absent: frozenset[int] = frozenset({404}),
    ) -> Any:
        """``GET path?params`` and return its JSON, which must be of type ``expect``.

        ``paging``: the request carries ``max_id`` (Mastodon limits those separately).
        ``absent``: the status codes that raise :class:`NotFoundError`.
        """
        attempt = 0
        throttled = 0
        while True:
            self.pacer.before_request(paging=paging)
            self.pacer.check_time()
            try:
                reply = self._send(path, params)
                check_status(
                    self.server, reply, self._token, token_name=self._token_name, absent=absent
                )
                return self._no_echo(decode_json(reply, expect))
            except Throttled as exc:
                throttled += 1
                if throttled > self.throttle_retries:
                    waits = self.throttle_retries
                    raise RateLimitedError(
                        f"{self.server}: still rate limited (HTTP 429) after {waits} waits"
                    ) from None
                self.pacer.throttled(exc.headers)
            except Retry as exc:
                # No connection at all is retried once only: offline, waiting helps nobody.
                limit = min(self.retries, UNREACHABLE_RETRIES) if exc.unreachable else self.retries
                tries = "once" if attempt == 0 else f"{attempt + 1} times"
                if attempt >= limit:
                    kind = UnreachableError if exc.unreachable else ServerFaultError
                    raise kind(f"{self.server} {exc.problem} (tried {tries})") from None
                delay = backoff_delay(attempt, self.backoff, self._rand())
                if not self.pacer.backoff(delay):
                    raise ServerFaultError(
                        f"{self.server} {exc.problem} (tried {tries}; no time is left for "
                        "another try within DIGEST_MAX_WAIT)"
                    ) from None
                self.delays.append(delay)
                attempt += 1

    def _no_echo(self, data: Any) -> Any:
        """``data``, unless it holds the access token (which would end up in the archive)."""
        token = self._token
        if token and len(token) >= 8 and token in json.dumps(data, ensure_ascii=False):
            raise ServerFaultError(f"{self.server} sent the access token back; answer refused")
        return data

    def _send(self, path: str, params: Params) -> Reply:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        self.requests += 1
        whole = self.timeout * TOTAL_TIMEOUT_FACTOR
        self._deadline.at = time.monotonic() + min(whole, self.pacer.time_left())
        try:
            with self._http.stream("GET", path, params=list(params), headers=headers) as response:
                body = self._read_capped(response)
                reply = Reply(response.status_code, response.headers, body)
        except httpx.TimeoutException as exc:
            if self._deadline.expired():
                self.pacer.check_time()
                raise Retry(f"took longer than {whole:g}s to send one response") from None
            connect = isinstance(exc, httpx.ConnectTimeout)
            raise Retry(f"timed out after {self.timeout:g}s", unreachable=connect) from None
        except httpx.ConnectError as exc:
            raise Retry(f"cannot be reached ({self._reason(exc)})", unreachable=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise Retry(f"closed the connection mid-response ({self._reason(exc)})") from None
        except (httpx.DecodingError, EncodingError) as exc:
            raise Retry(f"sent a body that cannot be decoded ({exc})") from None
        except httpx.HTTPError as exc:
            raise ServerFaultError(f"{self.server}: request failed ({self._reason(exc)})") from None
        finally:
            self._deadline.at = float("inf")
        self.pacer.observe(reply.headers)
        return reply

    def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ServerFaultError(self._too_large())
        inflater = Inflater(response.headers.get("content-encoding", ""), self.max_bytes)
        chunks: list[bytes] = []
        try:
            # Raw bytes, inflated here within the cap (httpx would inflate them unbounded).
            for chunk in response.iter_raw():
                chunks.append(inflater.feed(chunk))
                if self._deadline.expired():  # every read is cut short too (transport.py)
                    raise httpx.ReadTimeout("deadline passed")
            chunks.append(inflater.finish())
        except TooLarge:
            raise ServerFaultError(self._too_large()) from None
        return b"".join(chunks)

    def _too_large(self) -> str:
        return f"{self.server} sent a response larger than {self.max_bytes // 1024} kB; refused"

    def _reason(self, exc: BaseException) -> str:
        return shown(_reason(exc), self._token)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
