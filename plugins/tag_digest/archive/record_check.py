"""Checking an archive line against the documented record format, field by field.

:func:`check_record` accepts exactly what ``records.to_json_line`` writes (and what
README "The archive" documents): every key known, every value of its type, the
times parseable. Anything else raises ``ValueError`` with one line saying which
field is wrong and how; the caller adds the file and line number. Nothing is
coerced: a record that would not survive a rewrite unchanged is refused, so a
wrong line never silently loses data on the next save.

Pure: no file I/O, plain JSON values in, an exception or nothing out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..times import read_time

STR, OPT_STR, BOOL, STR_LIST = "str", "opt_str", "bool", "str_list"
TIME, OPT_TIME = "time", "opt_time"

ACCOUNT_KEYS = ("acct", "display_name", "url", "avatar")
CARD_KEYS = ("url", "title", "description", "provider")
MEDIA_KEYS = ("type", "url", "preview_url", "description")
EMOJI_KEYS = ("shortcode", "url")
MENTION_KEYS = ("acct", "url")

SCALARS: dict[str, str] = {
    "uri": STR,
    "url": STR,
    "server": STR,
    "created_at": TIME,
    "edited_at": OPT_TIME,
    "language": OPT_STR,
    "content": STR,
    "spoiler_text": STR,
    "sensitive": BOOL,
    "tags": STR_LIST,
    "in_reply_to": OPT_STR,
    "fetched_at": STR,
    "deleted_at": OPT_TIME,
    "withheld": OPT_STR,
}
OBJECTS: dict[str, tuple[str, ...]] = {"account": ACCOUNT_KEYS, "card": CARD_KEYS}
"""Nested objects; ``card`` may also be ``null``."""
LISTS: dict[str, tuple[str, ...]] = {
    "media": MEDIA_KEYS,
    "emojis": EMOJI_KEYS,
    "mentions": MENTION_KEYS,
}
"""Lists of nested objects."""

OPTIONAL = frozenset(
    {"media", "emojis", "mentions", "in_reply_to", "fetched_at", "deleted_at", "withheld"}
)
"""Keys an older archive line may lack (they default to empty); all others are required.
``withheld`` (a moderation tombstone's setting) is written only on such a tombstone."""
ACCOUNT_FLAGS = ("bot", "indexable")
"""Optional ``true``/``false`` keys of ``account``: ``"bot": true`` is written only when true,
``indexable`` only when the server said."""
NON_EMPTY = frozenset({"uri", "server", "created_at"})

ALL_KEYS = frozenset(SCALARS) | frozenset(OBJECTS) | frozenset(LISTS)


def _kind(value: Any) -> str:
    """How a JSON value is called in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_time(value: str) -> bool:
    try:
        read_time(value)
    except ValueError:
        return False
    return True


def _check_scalar(key: str, kind: str, value: Any) -> None:
    if kind == BOOL:
        if not isinstance(value, bool):
            raise ValueError(f"{key!r} must be true or false, got {_kind(value)}")
        return
    if kind == STR_LIST:
        if not isinstance(value, list):
            raise ValueError(f"{key!r} must be a list of strings, got {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"{key!r} must be a list of strings, it holds {_kind(item)}")
        return
    if value is None and kind in (OPT_STR, OPT_TIME):
        return
    if not isinstance(value, str):
        optional = " or null" if kind in (OPT_STR, OPT_TIME) else ""
        raise ValueError(f"{key!r} must be a string{optional}, got {_kind(value)}")
    if key in NON_EMPTY and not value:
        raise ValueError(f"{key!r} is empty")
    if kind in (TIME, OPT_TIME) and value and not _is_time(value):
        raise ValueError(f"{key!r} is not an ISO-8601 time: {value[:40]!r}")


def _check_object(
    where: str, keys: tuple[str, ...], value: Any, flags: tuple[str, ...] = ()
) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object, got {_kind(value)}")
    unknown = sorted(set(value) - set(keys) - set(flags))
    if unknown:
        raise ValueError(f"{where} has an unknown key {unknown[0]!r}")
    for flag in flags:
        if flag in value and not isinstance(value[flag], bool):
            raise ValueError(f"{where}.{flag} must be true or false, got {_kind(value[flag])}")
    for key in keys:
        if key not in value:
            raise ValueError(f"{where} lacks {key!r}")
        if not isinstance(value[key], str):
            raise ValueError(f"{where}.{key} must be a string, got {_kind(value[key])}")


def check_record(data: Any) -> Mapping[str, Any]:
    """``data`` itself if it is a valid archive record; else ``ValueError`` naming the field."""
    if not isinstance(data, dict):
        raise ValueError(f"not a JSON object but {_kind(data)}")
    unknown = sorted(set(data) - ALL_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    for key in ("uri", "server", "created_at"):  # what names the record comes first
        if key not in data:
            raise ValueError(f"missing {key!r}")
        _check_scalar(key, SCALARS[key], data[key])
    missing = [k for k in (*SCALARS, *OBJECTS, *LISTS) if k not in data and k not in OPTIONAL]
    if missing:
        raise ValueError(f"missing {missing[0]!r}")
    for key, kind in SCALARS.items():
        if key in data:
            _check_scalar(key, kind, data[key])
    _check_object("'account'", ACCOUNT_KEYS, data["account"], ACCOUNT_FLAGS)
    if data.get("withheld") is not None and data.get("deleted_at") is None:
        raise ValueError("'withheld' is set on a record that is not a tombstone")
    if data["card"] is not None:
        _check_object("'card'", CARD_KEYS, data["card"])
    for key, keys in LISTS.items():
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ValueError(f"{key!r} must be a list of objects, got {_kind(items)}")
        for index, item in enumerate(items):
            _check_object(f"{key}[{index}]", keys, item)
    return data
