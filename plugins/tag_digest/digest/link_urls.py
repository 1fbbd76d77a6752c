"""A link's URL: normalised so that two spellings of one link compare equal, and shown.

:func:`normalise_url` is the canonical form the link collection (:mod:`.links`) compares:
lower-case scheme and host, no default port, no fragment, no tracking parameters.
:func:`domain_of`, :func:`display_url` and :func:`wayback_url` are how the pages show it.
Only web URLs (:mod:`tag_digest.weburl`) have a canonical form.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import string
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..weburl import DEFAULT_PORTS, web_url

TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        # utm_* is matched as a prefix (TRACKING_PREFIXES); these by exact, case-insensitive name.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid",
        "li_fat_id", "igshid", "igsh", "yclid", "ysclid", "_openstat", "mc_cid", "mc_eid",
        "ref_src", "ref_url", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking",
        "mkt_tok", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "wickedid", "_ga", "_gl",
        "srsltid", "rb_clickid", "s_cid", "ncid",
    }
)  # fmt: skip
"""Query parameters that only track the click, dropped from every URL."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

WAYBACK = "https://web.archive.org/web/"

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_STRAY_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_LABEL = re.compile(r"[\w-]+")


def _requote(text: str, safe: str) -> str:
    """Percent-encode spaces and non-ASCII, upper-case escapes, decode unreserved ones."""
    text = quote(_STRAY_PERCENT.sub("%25", text), safe=safe)
    return _PERCENT.sub(_decode_unreserved, text)


def _decode_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def _is_tracking(name: str) -> bool:
    key = unquote(name.replace("+", " ")).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def _host(hostname: str) -> str | None:
    """The host in its canonical form (IDNA, lower case), or ``None`` when it is not a host name.

    A host is an IP address or dot-separated labels of letters, digits, ``-`` and
    ``_`` (percent-escapes decoded first, as browsers do). Anything else (an empty
    host, ``a..b``, spaces, quotes, ``<``, a backslash, which a browser reads as a
    path separator) is no link to collect, and would make a bogus domain page.
    """
    host = unquote(hostname).lower().rstrip(".")
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(host)
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    if not host or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@functools.lru_cache(maxsize=1 << 17)  # pure; popular links recur in thousands of posts
def normalise_url(url: str) -> str | None:
    """The canonical form of an http(s) URL, or ``None`` when it is not one.

    Lower-case scheme and host (IDNA-encoded), no default port, no fragment,
    no tracking parameters (the others kept, in order), an empty path as ``/``,
    percent-escapes made uniform (non-ASCII encoded as UTF-8, unreserved
    characters decoded).
    """
    parts = web_url(url)
    if parts is None or parts.hostname is None:
        return None
    scheme, port = parts.scheme.lower(), parts.port
    host = _host(parts.hostname)
    if host is None:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    path = _requote(parts.path, _PATH_SAFE) or "/"
    kept = [
        _requote(pair, _QUERY_SAFE)
        for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.partition("=")[0])
    ]
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


@functools.lru_cache(maxsize=1 << 16)
def domain_of(url: str) -> str:
    """The host a link is grouped under: Unicode form, without ``www.``."""
    host = urlsplit(url).hostname or ""
    if "xn--" in host:  # (the codec returns any other label as it is, and it is slow)
        with contextlib.suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    return host.removeprefix("www.")


def display_url(url: str) -> str:
    """``url`` as people read it: no scheme, escapes decoded."""
    text = url.split("://", 1)[-1]
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def wayback_url(url: str) -> str:
    """The Wayback Machine's page for ``url``: its latest copy, or an offer to save it."""
    return WAYBACK + url
