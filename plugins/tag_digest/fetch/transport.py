"""The bytes under :class:`.client.ApiClient`: a deadline on a whole response, bounded inflation.

httpx bounds each *read* by its timeout, never a whole response: a server that
sends its status line, headers or endless ``1xx`` answers a byte at a time just
before each timeout would hold a request for days. :class:`DeadlineTransport`
is httpx's own transport over a network backend whose every connect, read and
write is cut to what is left of :attr:`Deadline.at` (set by the client for each
request), so a whole response, headers included, ends by then.

httpx inflates a compressed body one network chunk at a time, each in full and
through every listed encoding: a few hundred bytes of ``gzip, gzip`` inflate to
gigabytes before any size check sees them. The client therefore reads the raw
body and inflates it with :class:`Inflater`, which never produces more than its
limit (``gzip`` or ``deflate``, one encoding, as asked for in ``Accept-Encoding``).
"""

from __future__ import annotations

import math
import ssl
import time
import typing
import zlib

import httpcore
import httpx

ACCEPT_ENCODING = "gzip, deflate"


class Deadline:
    """When the response in flight must be complete (``time.monotonic()``); ``inf``: never."""

    def __init__(self) -> None:
        self.at = math.inf

    def left(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.left() <= 0

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``error`` when none is left."""
        left = self.left()
        if left <= 0:
            raise error("deadline passed")
        if left == math.inf:
            return timeout
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, limit), self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, deadline: Deadline) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - servers are URLs, never sockets
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries are off
        time.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport with every connect, read and write bounded by ``deadline``."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        # The one seam httpx leaves for a network backend is its connection pool.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_Backend(deadline),
        )


class EncodingError(Exception):
    """A body in an encoding we did not ask for, or one that does not inflate."""


class TooLarge(Exception):
    """The body (inflated) is larger than the limit."""


class Inflater:
    """Turns raw body chunks into at most ``limit`` bytes, whatever they inflate to."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise EncodingError(f"an encoding that was not asked for ({content_encoding[:40]!r})")
        self.coding = codings[0] if codings else ""
        self.limit = limit
        self.size = 0
        self._zlib: typing.Any = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped; raw deflate is tried on error
        self._first = True

    def feed(self, chunk: bytes) -> bytes:
        if self._zlib is None:
            return self._count(chunk)
        room = self.limit - self.size
        try:
            out = self._zlib.decompress(chunk, room + 1)
        except zlib.error:
            if not (self._first and self.coding == "deflate"):
                raise EncodingError("a body that does not inflate") from None
            self._first = False
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            return self.feed(chunk)
        self._first = False
        # Inflation stops at room + 1 bytes: the rest of a bomb is never inflated.
        return self._count(out)

    def finish(self) -> bytes:
        """The rest of the body; raises if a compressed body ended early."""
        if self._zlib is None:
            return b""
        if not self._zlib.eof:
            raise EncodingError("a compressed body that ends early")
        return b""

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge()
        return data
