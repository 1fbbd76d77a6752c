"""The settings that name servers, tags and tokens: DIGEST_SERVERS, DIGEST_TAGS,
DIGEST_TOKENS and the older DIGEST_TOKEN_SERVER. Each function takes the settings with
the defaults already merged (``raw``) and returns the checked value, or raises
:class:`SettingError` naming the setting."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .digest.tagnames import is_valid_tag, normalise_tag
from .errors import SettingError, shown
from .values import valid_host

Raw = Mapping[str, Any]
"""The DIGEST_* settings, defaults merged (:func:`.settings.merged`)."""

TOKEN_ENV = "DIGEST_TOKEN"
MAX_TAG_LENGTH = 200
"""Characters in a configured tag (a 124-letter Cyrillic tag is a real one)."""


def server_url(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(
            name, f"expected a server URL such as 'https://mastodon.social', got {shown(value)}"
        )
    text = value.strip()
    if any(c.isspace() or not c.isprintable() for c in text):
        raise SettingError(name, f"{shown(text)} has a space or control character in it")
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError when not a number from 0 to 65535
    except ValueError:  # also "http://[::1" (an unclosed IPv6 address)
        bad_url = f"{shown(text)} is not a valid URL (check its host and port)"
        raise SettingError(name, bad_url) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingError(
            name, f"{shown(text)} is not an http(s) URL such as 'https://mastodon.social'"
        )
    if port == 0 or not valid_host(parts.hostname):
        raise SettingError(name, f"{shown(text)} is not a valid URL (check its host and port)")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise SettingError(
            name, f"{shown(text)}: give the server's base URL only, without path, query or user"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def servers_setting(raw: Raw) -> tuple[str, ...]:
    value = raw.get("DIGEST_SERVERS")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise SettingError("DIGEST_SERVERS", "expected a non-empty list of server URLs")
    servers: list[str] = []
    for item in value:
        url = server_url("DIGEST_SERVERS", item)
        if url not in servers:
            servers.append(url)
    return tuple(servers)


def tags_setting(raw: Raw) -> tuple[str, ...]:
    value = raw.get("DIGEST_TAGS")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise SettingError("DIGEST_TAGS", "expected a non-empty list of hashtags without '#'")
    tags: list[str] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SettingError("DIGEST_TAGS", f"{shown(item)} is not a hashtag name")
        name = item.strip()
        if len(name) > MAX_TAG_LENGTH:
            problem = f"{shown(name)} is longer than {MAX_TAG_LENGTH} characters"
            raise SettingError("DIGEST_TAGS", problem)
        if name.startswith("#"):
            raise SettingError(
                "DIGEST_TAGS", f"write {shown(name)} without '#': {shown(name.lstrip('#'))}"
            )
        if not is_valid_tag(name):
            problem = f"{shown(name)} is not a valid hashtag (letters, digits and '_' only)"
            raise SettingError("DIGEST_TAGS", problem)
        key = normalise_tag(name)
        if key not in seen:
            seen.add(key)
            tags.append(name)
    return tuple(tags)


def _token_server(raw: Raw, servers: tuple[str, ...]) -> str | None:
    value = raw.get("DIGEST_TOKEN_SERVER")
    if value is None or value == "":
        return servers[0]
    url = server_url("DIGEST_TOKEN_SERVER", value)
    if url not in servers:
        raise SettingError("DIGEST_TOKEN_SERVER", f"{url} is not one of DIGEST_SERVERS")
    return url


TOKEN_VARIABLE = re.compile(r"DIGEST_TOKEN[A-Z0-9_]*")


def tokens_setting(raw: Raw, servers: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """DIGEST_TOKENS (server URL to variable name); by default the old DIGEST_TOKEN_SERVER rule."""
    value = raw.get("DIGEST_TOKENS")
    if value is None:
        server = _token_server(raw, servers)
        return ((server, TOKEN_ENV),) if server else ()
    if raw.get("DIGEST_TOKEN_SERVER") not in (None, ""):
        raise SettingError(
            "DIGEST_TOKENS", "give DIGEST_TOKENS or the older DIGEST_TOKEN_SERVER, not both"
        )
    if not isinstance(value, Mapping):
        raise SettingError(
            "DIGEST_TOKENS",
            "expected a mapping of server URL to variable name such as "
            f"{{'https://mastodon.social': 'DIGEST_TOKEN'}}, got {shown(value)}",
        )
    tokens: dict[str, str] = {}
    for key, name in value.items():
        url = server_url("DIGEST_TOKENS", key)
        if url not in servers:
            raise SettingError("DIGEST_TOKENS", f"{url} is not one of DIGEST_SERVERS")
        if url in tokens:
            raise SettingError("DIGEST_TOKENS", f"{url} is given twice")
        if not isinstance(name, str) or not TOKEN_VARIABLE.fullmatch(name):
            raise SettingError(
                "DIGEST_TOKENS",
                f"{shown(name)} for {url}: name an environment variable starting with DIGEST_TOKEN "
                "(upper-case letters, digits, '_'), such as 'DIGEST_TOKEN_FOSSTODON'",
            )
        if name in tokens.values():
            raise SettingError(
                "DIGEST_TOKENS", f"{name} is named for two servers; each token goes to one server"
            )
        tokens[url] = name
    return tuple(tokens.items())
