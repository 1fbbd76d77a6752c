"""A web URL: the one check of an untrusted URL (a status URI, a link, an avatar, a card).

A web URL is ``http`` or ``https`` (any case), has a host, and a port, when it has one,
that is a number in range. Whitespace around it is ignored. User info (``user@``) is
allowed: every judgement made on a web URL is made on its host and port, so
``https://mastodon.social@evil.example/`` is a URL of ``evil.example``. Nothing here
raises on what a server sends.
"""

from __future__ import annotations

import functools
from urllib.parse import SplitResult, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=1 << 16)  # the same URLs recur in every post of a server
def _split(text: str) -> SplitResult | None:
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:  # "https://[oops/"
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return parts


def web_url(value: object) -> SplitResult | None:
    """The parts of ``value`` (stripped) when it is a web URL, else ``None``."""
    return _split(value) if isinstance(value, str) else None


def is_web_url(value: object) -> bool:
    """Whether ``value`` is a web URL (see the module docstring)."""
    return web_url(value) is not None
