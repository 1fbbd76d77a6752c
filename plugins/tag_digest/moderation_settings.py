"""Validating the moderation settings into :class:`.moderation.Rules`, and ``DIGEST_CONTACT``.

Called by :func:`.settings.load_settings` (defaults live in :data:`.settings.DEFAULTS`);
``get(name)`` gives a setting's value or its default. A bad value raises
:class:`.errors.SettingError` naming the setting: an empty word, a domain with a
path, an account without a host, a URL that is no URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from .archive.moderation import (
    BLOCK_ACCOUNTS,
    BLOCK_DOMAINS,
    BLOCK_POSTS,
    BLOCK_WORDS,
    EXCLUDE_TAGS,
    LANGUAGES,
    ONLY_ACCOUNTS,
    Rules,
    normalise_post_url,
)
from .digest.tagnames import is_valid_tag, normalise_tag
from .errors import SettingError, shown
from .version import REPOSITORY

Getter = Callable[[str], Any]

_HOST = re.compile(
    r"(?=.{1,253}\Z)[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*", re.UNICODE
)
_USER = re.compile(r"[\w.+-]{1,64}", re.UNICODE)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_EMAIL = re.compile(r"[^\s@<>\"'/:]+@[^\s@<>\"'/:]+\.[^\s@<>\"'/:]+")
_GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+")


def _items(get: Getter, name: str) -> list[Any]:
    """A list setting: a list or tuple (a single string counts as a list of one)."""
    value = get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise SettingError(name, f"expected a list, got {shown(value)}")
    return list(value)


def _text(name: str, item: Any, what: str) -> str:
    if not isinstance(item, str) or not item.strip():
        raise SettingError(name, f"{shown(item)} is not {what}")
    return item.strip()


def host_name(name: str, item: Any) -> str:
    """A host name such as ``spam.example`` (a leading ``*.`` or ``.`` is allowed)."""
    text = _text(name, item, "a host name such as 'spam.example'").lower()
    host = text.removeprefix("*.").removeprefix(".").rstrip(".")
    if any(c in host for c in "/:?#@ ") or not _HOST.fullmatch(host):
        raise SettingError(
            name,
            f"{shown(item)}: give a host name only, such as 'spam.example' (no scheme or path)",
        )
    return host


def account(name: str, item: Any) -> str:
    """``user@host`` (a leading ``@`` is allowed), lower-case."""
    text = _text(name, item, "an account such as 'user@example.social'").lower()
    handle = text.removeprefix("@")
    if "://" in handle or "/" in handle:
        raise SettingError(name, f"{shown(item)}: give the account as user@host, not as a URL")
    user, sep, host = handle.partition("@")
    if not sep or not host:
        raise SettingError(
            name,
            f"{shown(item)} has no host: write the account as user@host "
            f"('{user[:40]}@example.social')",
        )
    if not _USER.fullmatch(user):
        raise SettingError(name, f"{shown(item)} is not an account such as 'user@example.social'")
    return f"{user}@{host_name(name, host)}"


MAX_TAG = 200
"""The longest hashtag DIGEST_EXCLUDE_TAGS takes, as DIGEST_TAGS (characters)."""
MAX_WORD = 200
"""The longest word or phrase DIGEST_BLOCK_WORDS takes (characters)."""


def _word(item: Any) -> str:
    if not isinstance(item, str):
        raise SettingError(BLOCK_WORDS, f"{shown(item)} is not a word or phrase")
    if not item.split():
        raise SettingError(BLOCK_WORDS, "an empty word or phrase matches nothing: remove it")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in item):
        raise SettingError(BLOCK_WORDS, f"{shown(item)}: a word cannot hold control characters")
    if len(item) > MAX_WORD:
        raise SettingError(BLOCK_WORDS, f"{shown(item)}: at most {MAX_WORD} characters")
    return " ".join(item.split())


def _post(item: Any) -> str:
    text = _text(BLOCK_POSTS, item, "a status URI or URL")
    scheme, sep, rest = text.partition("://")
    host, _, path = rest.partition("/")
    if scheme.lower() not in ("http", "https") or not sep or not host or not path.strip("/"):
        raise SettingError(
            BLOCK_POSTS,
            f"{shown(item)} is not a status URI or URL such as 'https://host/@user/123'",
        )
    return normalise_post_url(text)


def _language(item: Any) -> str:
    text = _text(LANGUAGES, item, "a language code such as 'en'").lower().replace("_", "-")
    if not _LANGUAGE.fullmatch(text):
        raise SettingError(LANGUAGES, f"{shown(item)} is not a language code such as 'en' or 'ru'")
    return text


def _tag(item: Any, tags: Iterable[str]) -> str:
    name = _text(EXCLUDE_TAGS, item, "a hashtag name")
    if name.startswith("#"):
        raise SettingError(
            EXCLUDE_TAGS, f"write {shown(name)} without '#': {shown(name.lstrip('#'))}"
        )
    if not is_valid_tag(name) or len(name) > MAX_TAG:
        raise SettingError(EXCLUDE_TAGS, f"{shown(name)} is not a valid hashtag")
    key = normalise_tag(name)
    if key in {normalise_tag(t) for t in tags}:
        raise SettingError(EXCLUDE_TAGS, f"{shown(name)} is also in DIGEST_TAGS")
    return key


def load_rules(get: Getter, tags: Iterable[str], flag: Callable[[str], bool]) -> Rules:
    """The moderation rules; ``flag(name)`` reads a true/false setting."""
    tags = tuple(tags)
    exclude = [_tag(i, tags) for i in _items(get, EXCLUDE_TAGS)]
    return Rules(
        block_accounts=frozenset(account(BLOCK_ACCOUNTS, i) for i in _items(get, BLOCK_ACCOUNTS)),
        block_domains=frozenset(host_name(BLOCK_DOMAINS, i) for i in _items(get, BLOCK_DOMAINS)),
        block_words=tuple(dict.fromkeys(_word(i) for i in _items(get, BLOCK_WORDS))),
        block_posts=frozenset(_post(i) for i in _items(get, BLOCK_POSTS)),
        only_accounts=frozenset(account(ONLY_ACCOUNTS, i) for i in _items(get, ONLY_ACCOUNTS)),
        languages=frozenset(_language(i) for i in _items(get, LANGUAGES)),
        exclude_tags=tuple(dict.fromkeys(exclude)),
        skip_replies=flag("DIGEST_SKIP_REPLIES"),
        skip_bots=flag("DIGEST_SKIP_BOTS"),
    )


def contact(get: Getter) -> str | None:
    """``DIGEST_CONTACT`` as a link: an http(s) or mailto URL, or an e-mail address."""
    name = "DIGEST_CONTACT"
    value = get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    expected = "expected a URL such as 'https://example.org/contact' or an e-mail address"
    if not isinstance(value, str):
        raise SettingError(name, f"{expected}, got {shown(value)}")
    text = value.strip()
    scheme, sep, rest = text.partition(":")
    if sep and scheme.lower() in ("http", "https") and re.match(r"//[^/\s?#]+", rest):
        if any(c.isspace() or c in "<>\"'" for c in text):
            raise SettingError(name, f"{text!r} is not a valid URL")
        return text
    if sep and scheme.lower() == "mailto" and _EMAIL.fullmatch(rest):
        return f"mailto:{rest}"
    if _EMAIL.fullmatch(text):
        return f"mailto:{text}"
    raise SettingError(name, f"{expected}, got {shown(value)}")


def issues_url(environ: dict[str, str] | None = None) -> str:
    """Where to ask when ``DIGEST_CONTACT`` is unset: the issues of the repository the site
    is built from (``GITHUB_REPOSITORY`` in GitHub Actions), else of tagdigest itself."""
    env = os.environ if environ is None else environ
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    server = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or "https://github.com"
    if _GITHUB_REPOSITORY.fullmatch(repository) and re.fullmatch(r"https://[\w.-]+", server):
        return f"{server}/{repository}/issues"
    return f"{REPOSITORY}/issues"
