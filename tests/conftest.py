"""Shared fixtures: two real HTTP servers on 127.0.0.1, a closed port, settings.

Helpers (cassettes, the Mastodon-like :class:`~corpus_server.TimelineServer`,
fault handlers) live in ``corpus_server.py`` so test modules can import them.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus_server import FAST, TimelineServer
from pytest_httpserver import HTTPServer
from tag_digest.settings import DigestSettings, load_settings

# --- tests never touch the internet ------------------------------------------------

_LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def _is_local(host: object) -> bool:
    if not isinstance(host, str):
        return True  # bytes or other families: not an internet address
    return host in _LOCAL_NAMES or host.startswith(("127.", "/")) or host == ""


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse, in this process, any connection or name lookup beyond loopback: a test that
    would reach a real server fails loudly instead (subprocesses get closed ports instead)."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if not _is_local(host):
            raise OSError(f"tests never touch the internet (tried {host!r})")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_local(
            host if not isinstance(host, bytes) else host.decode()
        ):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never touch the internet ({host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


# --- servers and settings ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_log_dedup() -> None:
    """Pelican's loggers drop a warning already logged in this process (LimitFilter):
    forget them between tests, as if each test were its own build."""
    from pelican.log import LimitFilter

    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    LimitFilter._ignore.clear()


@pytest.fixture(scope="session")
def _http_servers() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    servers = (
        HTTPServer(host="127.0.0.1", port=0, threaded=True),
        HTTPServer(host="127.0.0.1", port=0, threaded=True),
    )
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.clear()
        server.stop()


def _fresh(server: HTTPServer) -> Iterator[HTTPServer]:
    server.clear()
    yield server
    server.check_handler_errors()
    server.clear()


@pytest.fixture
def http_a(_http_servers: tuple[HTTPServer, HTTPServer]) -> Iterator[HTTPServer]:
    yield from _fresh(_http_servers[0])


@pytest.fixture
def http_b(_http_servers: tuple[HTTPServer, HTTPServer]) -> Iterator[HTTPServer]:
    yield from _fresh(_http_servers[1])


@pytest.fixture
def mastodon(http_a: HTTPServer) -> TimelineServer:
    """A Mastodon-like server on 127.0.0.1 with no statuses yet."""
    return TimelineServer(http_a)


@pytest.fixture
def mastodon_b(http_b: HTTPServer) -> TimelineServer:
    """A second, independent server on 127.0.0.1."""
    return TimelineServer(http_b)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., DigestSettings]:
    """Settings for a fetch into ``tmp_path/archive`` with tiny waits; overrides by name."""

    def make(servers: list[str], tags: list[str], **overrides: Any) -> DigestSettings:
        raw: dict[str, Any] = {
            "DIGEST_SERVERS": servers,
            "DIGEST_TAGS": tags,
            "DIGEST_ARCHIVE_PATH": str(tmp_path / "archive"),
            "DIGEST_FETCH": True,
            **FAST,
        }
        raw.update(overrides)
        return load_settings(raw, base=tmp_path)

    return make
