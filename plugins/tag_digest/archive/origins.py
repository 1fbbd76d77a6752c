"""The origin server of a post: the host and port of its status ``uri``.

One rule for "where a post comes from", used wherever it matters: whose copy
of a post the archive trusts (:func:`.records.merge`), and where "open the
original post" may link (:func:`original_url`). Everything here takes
untrusted strings and never raises on them.
"""

from __future__ import annotations

import functools
import re

from ..weburl import DEFAULT_PORTS, web_url

Address = tuple[str, int]
"""A server's host (lower case) and port."""


def address(url: str) -> Address | None:
    """Host and port of an http(s) ``url`` (its scheme's default port when none is given).

    ``None`` when ``url`` is not http(s) or no URL parser accepts it.
    """
    return _address(_origin_part(url))


_ORIGIN_PART = re.compile(r"https?://[^/?#]*", re.ASCII | re.IGNORECASE)


def _origin_part(url: str) -> str:
    """``url`` up to the end of its network location (``https://host:port``) when it starts
    with ``http://`` or ``https://`` (any case), else ``url`` whole.

    The URL parser ends the network location at the first ``/``, ``?`` or ``#`` after the
    ``//``, so the cut has the host and port of the whole URL, and the cache of
    :func:`_address` holds one entry per server, not one per post.
    """
    cut = _ORIGIN_PART.match(url.strip())
    return url if cut is None else cut.group()


@functools.lru_cache(maxsize=1 << 12)  # the same few servers in every post
def _address(url: str) -> Address | None:
    parts = web_url(url)
    if parts is None or parts.hostname is None:
        return None
    return parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme.lower()]


def origin_host(uri: str) -> str:
    """The origin server of a post, from its status ``uri``: ``host``, or ``host:port``.

    The port is shown only when it is not the scheme's default; ``""`` when ``uri``
    is not an http(s) URL.
    """
    where = address(uri)
    if where is None:
        return ""
    host, port = where
    shown = f"[{host}]" if ":" in host else host  # IPv6
    default = 443 if uri.strip().lower().startswith("https:") else 80
    return shown if port == default else f"{shown}:{port}"


def is_origin(uri: str, server: str) -> bool:
    """Whether the status ``uri`` lives on ``server`` itself (same host and port)."""
    where = address(uri)
    return where is not None and where == address(server)


def original_url(uri: str, url: str) -> str:
    """The link to "the original post" of status ``uri``: ``url`` if on the origin, else ``uri``.

    A server may send any ``url`` (``https://evil.example/phish``); only one on the
    host and port of the status ``uri`` is shown. Otherwise the ``uri`` itself, when
    it is http(s); else ``""`` (no link at all).
    """
    where = address(uri)
    if where is None:
        return ""
    if url and address(url) == where:
        return url.strip()
    return uri.strip()
