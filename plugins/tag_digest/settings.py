"""The plugin's settings: defaults, validation, and one frozen typed object.

Settings follow Pelican's conventions: upper-case names in ``pelicanconf.py``
(or ``pelican -e KEY=JSON``). Defaults live in :data:`DEFAULTS` and are merged
over what the user gave without writing into the user's settings.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import SettingError
from .tagnames import is_valid_tag, normalise_tag

TOKEN_ENV = "DIGEST_TOKEN"

DEFAULTS: Mapping[str, Any] = {
    "DIGEST_SERVERS": ["https://mastodon.social"],
    "DIGEST_TAGS": ["Supervised_finetuning"],
    "DIGEST_ARCHIVE_PATH": "content/archive",
    "DIGEST_FETCH": False,
    "DIGEST_SINCE": None,
    "DIGEST_OVERLAP_DAYS": 2,
    "DIGEST_TIMEOUT": 20.0,
    "DIGEST_RETRIES": 3,
    "DIGEST_BACKOFF": 1.0,
    "DIGEST_MAX_WAIT": 900,
    "DIGEST_MAX_PAGES": 1000,
    "DIGEST_TOKEN_SERVER": None,
    "DIGEST_PER_PAGE": 25,
    "DIGEST_FEED_LIMIT": 50,
    "DIGEST_PROGRESS": None,
    "DIGEST_STALE_DAYS": 7,
}


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """Validated plugin settings; every other module receives this object."""

    servers: tuple[str, ...]
    tags: tuple[str, ...]
    """Tags as configured (display form), unique by their normalised name."""
    archive_path: Path
    fetch: bool
    since: dt.datetime | None
    overlap: dt.timedelta
    timeout: float
    retries: int
    backoff: float
    """Base of the exponential backoff between retries, in seconds."""
    max_wait: float
    max_pages: int
    token_server: str | None
    """The only server the access token is ever sent to."""
    per_page: int
    feed_limit: int
    """At most this many entries in each Atom feed (the newest)."""
    progress: bool | None
    timezone: str
    default_lang: str
    site_url: str
    stale_days: float = 7.0
    """Pages warn when the last successful fetch is older than this many days."""

    @property
    def normalised_tags(self) -> tuple[str, ...]:
        return tuple(normalise_tag(t) for t in self.tags)

    def token_for(self, server: str) -> str | None:
        """The access token for ``server``: from ``DIGEST_TOKEN``, and only for one server."""
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token or server != self.token_server:
            return None
        return token


def _setting(raw: Mapping[str, Any], name: str) -> Any:
    return raw[name] if name in raw else DEFAULTS[name]


def _server_url(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(
            name, f"expected a server URL such as 'https://mastodon.social', got {value!r}"
        )
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingError(
            name, f"{value!r} is not an http(s) URL such as 'https://mastodon.social'"
        )
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise SettingError(
            name, f"{value!r}: give the server's base URL only, without path, query or user"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _servers(raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = _setting(raw, "DIGEST_SERVERS")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise SettingError("DIGEST_SERVERS", "expected a non-empty list of server URLs")
    servers: list[str] = []
    for item in value:
        url = _server_url("DIGEST_SERVERS", item)
        if url not in servers:
            servers.append(url)
    return tuple(servers)


def _tags(raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = _setting(raw, "DIGEST_TAGS")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise SettingError("DIGEST_TAGS", "expected a non-empty list of hashtags without '#'")
    tags: list[str] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SettingError("DIGEST_TAGS", f"{item!r} is not a hashtag name")
        name = item.strip()
        if name.startswith("#"):
            raise SettingError("DIGEST_TAGS", f"write {name!r} without '#': {name.lstrip('#')!r}")
        if not is_valid_tag(name):
            raise SettingError(
                "DIGEST_TAGS", f"{name!r} is not a valid hashtag (letters, digits and '_' only)"
            )
        key = normalise_tag(name)
        if key not in seen:
            seen.add(key)
            tags.append(name)
    return tuple(tags)


def _bool(raw: Mapping[str, Any], name: str) -> bool:
    value = _setting(raw, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise SettingError(name, f"expected true or false, got {value!r}")


def _number(raw: Mapping[str, Any], name: str, *, minimum: float, integer: bool) -> float:
    value = _setting(raw, name)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not isinstance(value, int))
    ):
        kind = "a whole number" if integer else "a number"
        raise SettingError(name, f"expected {kind} of at least {minimum:g}, got {value!r}")
    if value < minimum:
        raise SettingError(name, f"must be at least {minimum:g}, got {value!r}")
    return value


def _since(raw: Mapping[str, Any]) -> dt.datetime | None:
    value = _setting(raw, "DIGEST_SINCE")
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SettingError(
                "DIGEST_SINCE", f"expected an ISO date such as '2024-01-01', got {value!r}"
            ) from None
    else:
        raise SettingError(
            "DIGEST_SINCE", f"expected an ISO date such as '2024-01-01', got {value!r}"
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _archive_path(raw: Mapping[str, Any], base: Path) -> Path:
    value = _setting(raw, "DIGEST_ARCHIVE_PATH")
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise SettingError("DIGEST_ARCHIVE_PATH", f"expected a directory path, got {value!r}")
    path = Path(os.path.expanduser(str(value)))
    if not path.is_absolute():
        path = base / path
    if path.exists() and not path.is_dir():
        raise SettingError("DIGEST_ARCHIVE_PATH", f"{path} exists and is not a directory")
    return path


def _token_server(raw: Mapping[str, Any], servers: tuple[str, ...]) -> str | None:
    value = _setting(raw, "DIGEST_TOKEN_SERVER")
    if value is None or value == "":
        return servers[0]
    url = _server_url("DIGEST_TOKEN_SERVER", value)
    if url not in servers:
        raise SettingError("DIGEST_TOKEN_SERVER", f"{url} is not one of DIGEST_SERVERS")
    return url


def _progress(raw: Mapping[str, Any]) -> bool | None:
    value = _setting(raw, "DIGEST_PROGRESS")
    return None if value is None else _bool(raw, "DIGEST_PROGRESS")


def settings_base(raw: Mapping[str, Any], argv: list[str] | None = None) -> Path:
    """The directory relative paths are resolved against: the settings file's own.

    Pelican does not keep the settings file's name, so it is taken from the
    command line (``-s``/``--settings``), then ``pelicanconf.py`` in the working
    directory, then the parent of ``PATH`` (the content directory).
    """
    if argv is None:
        # Only Pelican's own command line names the settings file (not pytest's -s).
        argv = (
            sys.argv[1:]
            if "pelican" in Path(sys.argv[0]).parts[-2:]
            or Path(sys.argv[0]).name.startswith("pelican")
            else []
        )
    args = argv
    for i, arg in enumerate(args):
        if arg in ("-s", "--settings") and i + 1 < len(args):
            return Path(args[i + 1]).resolve().parent
        if arg.startswith("--settings="):
            return Path(arg.split("=", 1)[1]).resolve().parent
    if Path("pelicanconf.py").is_file():
        return Path.cwd()
    return Path(str(raw.get("PATH", "."))).resolve().parent


def load_settings(raw: Mapping[str, Any], base: Path | None = None) -> DigestSettings:
    """Validate the DIGEST_* settings in ``raw`` (Pelican's settings dict).

    Raises :class:`SettingError` naming the first invalid setting.
    """
    servers = _servers(raw)
    return DigestSettings(
        servers=servers,
        tags=_tags(raw),
        archive_path=_archive_path(raw, base if base is not None else settings_base(raw)),
        fetch=_bool(raw, "DIGEST_FETCH"),
        since=_since(raw),
        overlap=dt.timedelta(days=_number(raw, "DIGEST_OVERLAP_DAYS", minimum=0, integer=False)),
        timeout=float(_number(raw, "DIGEST_TIMEOUT", minimum=0.05, integer=False)),
        retries=int(_number(raw, "DIGEST_RETRIES", minimum=0, integer=True)),
        backoff=float(_number(raw, "DIGEST_BACKOFF", minimum=0, integer=False)),
        max_wait=float(_number(raw, "DIGEST_MAX_WAIT", minimum=0, integer=False)),
        max_pages=int(_number(raw, "DIGEST_MAX_PAGES", minimum=1, integer=True)),
        token_server=_token_server(raw, servers),
        per_page=int(_number(raw, "DIGEST_PER_PAGE", minimum=1, integer=True)),
        feed_limit=int(_number(raw, "DIGEST_FEED_LIMIT", minimum=1, integer=True)),
        progress=_progress(raw),
        timezone=str(raw.get("TIMEZONE") or "UTC"),
        default_lang=str(raw.get("DEFAULT_LANG") or "en"),
        site_url=str(raw.get("SITEURL") or ""),
        stale_days=float(_number(raw, "DIGEST_STALE_DAYS", minimum=0, integer=False)),
    )
