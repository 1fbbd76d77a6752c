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

from .archive.moderation import Rules
from .digest.tagnames import normalise_tag
from .errors import SettingError, shown
from .moderation_settings import contact, load_rules
from .server_settings import TOKEN_ENV, servers_setting, tags_setting, tokens_setting
from .times import read_time
from .values import Range, digest_path, language, time_zone, utc_moment

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
    "DIGEST_COMPACT_PAGES": ["tags", "weeks"],
    "DIGEST_COMPACT_PER_PAGE": 100,
    "DIGEST_WORKERS": 0,
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
    "DIGEST_COMPACT_PER_PAGE": Range(1, 1000, integer=True),
    "DIGEST_WORKERS": Range(0, 64, integer=True),
}
"""Every number setting and its range (the README's settings table shows each one).
A new number setting adds one entry here and reads it with :func:`_int` or :func:`_float`."""

EARLIEST_SINCE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

COMPACT_KINDS = ("tags", "weeks")
"""The page kinds ``DIGEST_COMPACT_PAGES`` may name (a day page always shows posts in full)."""


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
    compact_pages: frozenset[str] = frozenset(COMPACT_KINDS)
    """Page kinds showing compact entries (``"tags"``, ``"weeks"``); days show posts in full."""
    compact_per_page: int = 100
    """Posts per page of a tag or week digest that shows compact entries."""

    def page_size(self, kind: str) -> int:
        """Posts per page of ``kind`` (``"tags"``, ``"weeks"``, ``"days"``)."""
        return self.compact_per_page if kind in self.compact_pages else self.per_page

    workers: int = 0
    """Processes that render the shards of a cold build (0: one per core, at most 4; 1: none)."""

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


def merged_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The DIGEST_* settings of ``raw`` over :data:`DEFAULTS`."""
    return {**DEFAULTS, **{k: v for k, v in raw.items() if k in DEFAULTS}}


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
            parsed = read_time(value)
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
    merged = merged_settings(raw)
    servers = servers_setting(merged)
    return DigestSettings(
        servers=servers,
        tags=tags_setting(merged),
        archive_path=_archive_path(raw, base if base is not None else settings_base(raw)),
        fetch=_bool(raw, "DIGEST_FETCH"),
        since=_since(raw),
        overlap=dt.timedelta(days=_float(raw, "DIGEST_OVERLAP_DAYS")),
        timeout=_float(raw, "DIGEST_TIMEOUT"),
        retries=_int(raw, "DIGEST_RETRIES"),
        backoff=_float(raw, "DIGEST_BACKOFF"),
        max_wait=_float(raw, "DIGEST_MAX_WAIT"),
        max_pages=_int(raw, "DIGEST_MAX_PAGES"),
        token_server=next((u for u, n in tokens_setting(merged, servers) if n == TOKEN_ENV), None),
        per_page=_int(raw, "DIGEST_PER_PAGE"),
        feed_limit=_int(raw, "DIGEST_FEED_LIMIT"),
        progress=_progress(raw),
        timezone=time_zone(raw.get("TIMEZONE") or "UTC"),
        default_lang=language(raw.get("DEFAULT_LANG") or "en"),
        site_url=str(raw.get("SITEURL") or ""),
        audit_days=_float(raw, "DIGEST_AUDIT_DAYS"),
        audit_budget=_int(raw, "DIGEST_AUDIT_BUDGET"),
        tokens=tokens_setting(merged, servers),
        digest_path=digest_path(_setting(raw, "DIGEST_PATH")),
        moderation=load_rules(
            lambda name: _setting(raw, name), tags_setting(merged), lambda name: _bool(raw, name)
        ),
        contact=contact(lambda name: _setting(raw, name)),
        stale_days=_float(raw, "DIGEST_STALE_DAYS"),
        compact_pages=_compact_pages(raw),
        compact_per_page=_int(raw, "DIGEST_COMPACT_PER_PAGE"),
        workers=_int(raw, "DIGEST_WORKERS"),
    )


def _compact_pages(raw: Mapping[str, Any]) -> frozenset[str]:
    """``DIGEST_COMPACT_PAGES``: a list of page kinds from :data:`COMPACT_KINDS`."""
    value = _setting(raw, "DIGEST_COMPACT_PAGES")
    allowed = " and ".join(f'"{kind}"' for kind in COMPACT_KINDS)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problem = f"expected a list of page kinds ({allowed}), got {shown(value)}"
        raise SettingError("DIGEST_COMPACT_PAGES", problem)
    for kind in value:
        if kind not in COMPACT_KINDS:
            problem = f"{shown(kind)} is not a page kind that can be compact; use {allowed}"
            if kind == "days":
                problem += " (a day page always shows its posts in full)"
            raise SettingError("DIGEST_COMPACT_PAGES", problem)
    return frozenset(value)
