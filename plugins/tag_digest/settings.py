"""The plugin's settings: defaults, validation, and one frozen typed object.

Settings follow Pelican's conventions: upper-case names in ``pelicanconf.py``
(or ``pelican -e KEY=JSON``). Defaults live in :data:`DEFAULTS` and are merged
over what the user gave without writing into the user's settings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .archive.moderation import Rules
from .digest.tagnames import is_valid_tag, normalise_tag
from .errors import SettingError, shown
from .moderation_settings import contact, load_rules
from .values import Range, language, time_zone, utc_moment, valid_host

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
    "DIGEST_AUDIT_DAYS": 30,
    "DIGEST_AUDIT_BUDGET": 200,
    "DIGEST_TOKENS": None,
    "DIGEST_PATH": "",
    # Moderation (moderation_settings.py) and the removal page.
    "DIGEST_BLOCK_ACCOUNTS": [],
    "DIGEST_BLOCK_DOMAINS": [],
    "DIGEST_BLOCK_WORDS": [],
    "DIGEST_BLOCK_POSTS": [],
    "DIGEST_ONLY_ACCOUNTS": [],
    "DIGEST_LANGUAGES": [],
    "DIGEST_EXCLUDE_TAGS": [],
    "DIGEST_SKIP_REPLIES": False,
    "DIGEST_SKIP_BOTS": False,
    "DIGEST_CONTACT": None,
    "DIGEST_STALE_DAYS": 7,
}


NUMBERS: Mapping[str, Range] = {
    "DIGEST_OVERLAP_DAYS": Range(0, 3650, unit="days"),
    "DIGEST_TIMEOUT": Range(0.05, 300, unit="seconds"),
    "DIGEST_RETRIES": Range(0, 20, integer=True),
    "DIGEST_BACKOFF": Range(0, 60, unit="seconds"),
    "DIGEST_MAX_WAIT": Range(0, 86_400, unit="seconds"),
    "DIGEST_MAX_PAGES": Range(1, 1_000_000, integer=True),
    "DIGEST_PER_PAGE": Range(1, 1000, integer=True),
    "DIGEST_FEED_LIMIT": Range(1, 1000, integer=True),
    "DIGEST_AUDIT_DAYS": Range(0, 3650, unit="days"),
    "DIGEST_AUDIT_BUDGET": Range(0, 100_000, integer=True),
    "DIGEST_STALE_DAYS": Range(0, 3650, unit="days"),
}
"""Every number setting and its range (the README's settings table shows each one).
A new number setting adds one entry here and reads it with :func:`_int` or :func:`_float`."""

MAX_TAG_LENGTH = 100
EARLIEST_SINCE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


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
    """The server ``DIGEST_TOKEN`` is sent to (``None``: ``DIGEST_TOKENS`` sends it nowhere)."""
    per_page: int
    feed_limit: int
    """At most this many entries in each Atom feed (the newest)."""
    progress: bool | None
    timezone: str
    default_lang: str
    site_url: str
    moderation: Rules
    """What the maintainer hides (DIGEST_BLOCK_*, DIGEST_ONLY_ACCOUNTS and the filters)."""
    contact: str | None
    """Where an author asks for removal (DIGEST_CONTACT as a link); ``None``: the issues."""
    audit_days: float = 30
    """Every live archived post is re-verified about once in this many days (0: all, now)."""
    audit_budget: int = 200
    """Most re-verification requests per server and run (0: no re-verification)."""
    tokens: tuple[tuple[str, str], ...] = ()
    """``(server, environment variable)``: the only variable whose token goes to that server."""
    digest_path: str = ""
    """Where the digest lives in the site: ``""`` (the site root) or ``"digest/"`` (ends in /)."""
    stale_days: float = 7.0
    """Pages warn when the last successful fetch is older than this many days."""

    @property
    def normalised_tags(self) -> tuple[str, ...]:
        return tuple(normalise_tag(t) for t in self.tags)

    def token_name(self, server: str) -> str | None:
        """The environment variable ``DIGEST_TOKENS`` names for ``server``, if any."""
        return next((name for url, name in self.tokens if url == server), None)

    def token_for(self, server: str) -> str | None:
        """The access token for ``server``: only from the variable named for it in DIGEST_TOKENS."""
        name = self.token_name(server)
        token = os.environ.get(name, "").strip() if name else ""
        return token or None


def _setting(raw: Mapping[str, Any], name: str) -> Any:
    return raw[name] if name in raw else DEFAULTS[name]


def _server_url(name: str, value: Any) -> str:
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


def _bool(raw: Mapping[str, Any], name: str) -> bool:
    value = _setting(raw, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise SettingError(name, f"expected true or false, got {shown(value)}")


def _int(raw: Mapping[str, Any], name: str) -> int:
    """A whole-number setting within its :data:`NUMBERS` range."""
    assert NUMBERS[name].integer, f"{name} is not a whole-number setting"
    return int(NUMBERS[name].check(name, _setting(raw, name)))


def _float(raw: Mapping[str, Any], name: str) -> float:
    """A number setting within its :data:`NUMBERS` range (never NaN or infinite)."""
    return float(NUMBERS[name].check(name, _setting(raw, name)))


def _since(raw: Mapping[str, Any]) -> dt.datetime | None:
    value = _setting(raw, "DIGEST_SINCE")
    if value is None or value == "":
        return None
    expected = f"expected an ISO date such as '2024-01-01', got {shown(value)}"
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SettingError("DIGEST_SINCE", expected) from None
    else:
        raise SettingError("DIGEST_SINCE", expected)
    parsed = utc_moment(parsed)
    if parsed < EARLIEST_SINCE:
        problem = f"{shown(value)} is before 1970; for no limit, leave DIGEST_SINCE unset (None)"
        raise SettingError("DIGEST_SINCE", problem)
    if parsed > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):  # today's date is, anywhere
        raise SettingError("DIGEST_SINCE", f"{shown(value)} is in the future; give a past date")
    return parsed


def _archive_path(raw: Mapping[str, Any], base: Path) -> Path:
    value = _setting(raw, "DIGEST_ARCHIVE_PATH")
    try:
        text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    except TypeError:  # a PathLike that gives no path
        text = None
    if not isinstance(text, str) or not text.strip():
        raise SettingError("DIGEST_ARCHIVE_PATH", f"expected a directory path, got {shown(value)}")
    if not text.isprintable():  # NUL, a newline, a tab...
        raise SettingError("DIGEST_ARCHIVE_PATH", f"{shown(text)} has a control character in it")
    path = Path(os.path.expanduser(text))
    if not path.is_absolute():
        path = base / path
    try:
        if path.exists() and not path.is_dir():
            raise SettingError("DIGEST_ARCHIVE_PATH", f"{path} exists and is not a directory")
    except OSError as exc:  # a name too long, a parent that is not readable
        problem = f"{shown(str(path))}: {exc.strerror or exc}"
        raise SettingError("DIGEST_ARCHIVE_PATH", problem) from None
    return path


def _token_server(raw: Mapping[str, Any], servers: tuple[str, ...]) -> str | None:
    value = _setting(raw, "DIGEST_TOKEN_SERVER")
    if value is None or value == "":
        return servers[0]
    url = _server_url("DIGEST_TOKEN_SERVER", value)
    if url not in servers:
        raise SettingError("DIGEST_TOKEN_SERVER", f"{url} is not one of DIGEST_SERVERS")
    return url


TOKEN_VARIABLE = re.compile(r"DIGEST_TOKEN[A-Z0-9_]*")


def _tokens(raw: Mapping[str, Any], servers: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """DIGEST_TOKENS (server URL to variable name); by default the old DIGEST_TOKEN_SERVER rule."""
    value = _setting(raw, "DIGEST_TOKENS")
    if value is None:
        server = _token_server(raw, servers)
        return ((server, TOKEN_ENV),) if server else ()
    if _setting(raw, "DIGEST_TOKEN_SERVER") not in (None, ""):
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
        url = _server_url("DIGEST_TOKENS", key)
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
        overlap=dt.timedelta(days=_float(raw, "DIGEST_OVERLAP_DAYS")),
        timeout=_float(raw, "DIGEST_TIMEOUT"),
        retries=_int(raw, "DIGEST_RETRIES"),
        backoff=_float(raw, "DIGEST_BACKOFF"),
        max_wait=_float(raw, "DIGEST_MAX_WAIT"),
        max_pages=_int(raw, "DIGEST_MAX_PAGES"),
        token_server=next((u for u, n in _tokens(raw, servers) if n == TOKEN_ENV), None),
        per_page=_int(raw, "DIGEST_PER_PAGE"),
        feed_limit=_int(raw, "DIGEST_FEED_LIMIT"),
        progress=_progress(raw),
        timezone=time_zone(raw.get("TIMEZONE") or "UTC"),
        default_lang=language(raw.get("DEFAULT_LANG") or "en"),
        site_url=str(raw.get("SITEURL") or ""),
        audit_days=_float(raw, "DIGEST_AUDIT_DAYS"),
        audit_budget=_int(raw, "DIGEST_AUDIT_BUDGET"),
        tokens=_tokens(raw, servers),
        digest_path=_digest_path(raw),
        moderation=load_rules(
            lambda name: _setting(raw, name), _tags(raw), lambda name: _bool(raw, name)
        ),
        contact=contact(lambda name: _setting(raw, name)),
        stale_days=_float(raw, "DIGEST_STALE_DAYS"),
    )


_PATH_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _digest_path(raw: Mapping[str, Any]) -> str:
    """``DIGEST_PATH`` as ``""`` or ``"a/b/"``: plain ASCII segments, nothing that climbs out."""
    value = _setting(raw, "DIGEST_PATH")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingError("DIGEST_PATH", f"must be a path such as 'digest', got {shown(value)}")
    segments = [s for s in value.strip().strip("/").split("/") if s]
    for segment in segments:
        if not _PATH_SEGMENT.fullmatch(segment) or segment.endswith("."):
            raise SettingError(
                "DIGEST_PATH",
                f"{shown(value)}: each part must be letters, digits, '.', '-' or '_' "
                "(e.g. 'digest' or 'community/digest')",
            )
    if len(segments) > 8:
        raise SettingError("DIGEST_PATH", f"{shown(value)}: at most 8 levels")
    return "".join(f"{s}/" for s in segments)
