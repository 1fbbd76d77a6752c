"""Screening a page of statuses: what of a server's answer may go on at all.

Non-objects, statuses without a plausible id, duplicates, statuses without any of the
batch's tags, absurd dates (in the future, before the fediverse, unparseable
``edited_at``), malformed ones (a ``uri``/``url`` that is no URL, lists that are not
lists) and absurd sizes (content, number of hashtags) are dropped and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..digest.tagnames import normalise_tag
from ..times import parse_time
from ..weburl import is_web_url

FUTURE_SLACK = dt.timedelta(days=1)
"""Statuses dated further than this into the future are dropped as absurd."""
EARLIEST = dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
"""Statuses dated before this (1970, year 1: a zeroed clock) are dropped as absurd."""
STATUS_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
"""Mastodon's numeric ids, GoToSocial's ULIDs, Pleroma's flake ids; nothing longer."""
MAX_TEXT = 100_000
"""Most characters of ``content`` plus ``spoiler_text`` (Mastodon's default is 500)."""
MAX_TAGS = 100


def id_key(status_id: str) -> tuple[int, str]:
    """Sort key of a status id: numeric (Mastodon) and ULID (GoToSocial) ids both order by it."""
    return (len(status_id), status_id)


def status_time(status: dict[str, Any], key: str = "created_at") -> dt.datetime | None:
    value = status.get(key)
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except (ValueError, OverflowError):  # OverflowError: "0001-01-01T00:00:00+01:00"
        return None


_LISTS = ("tags", "media_attachments", "emojis", "mentions")
_TEXTS = ("content", "spoiler_text", "url", "language", "in_reply_to_id", "edited_at")


def _malformed(status: dict[str, Any]) -> bool:
    """Whether ``status`` is not shaped like a Mastodon Status where it matters."""
    if not is_web_url(status.get("uri")):
        return True
    url = status.get("url")
    if isinstance(url, str) and url.lower().startswith("http") and not is_web_url(url):
        return True
    if any(not isinstance(status.get(k), list | None) for k in _LISTS):
        return True
    if any(not isinstance(status.get(k), str | None) for k in _TEXTS):
        return True
    return not isinstance(status.get("account"), dict) or not isinstance(
        status.get("card"), dict | None
    )


def _oversized(status: dict[str, Any]) -> str | None:
    """Why ``status`` is too big to keep, if it is."""
    text = [status.get(k) for k in ("content", "spoiler_text")]
    if sum(len(t) for t in text if isinstance(t, str)) > MAX_TEXT:
        return "too long"
    tags = status.get("tags")
    if isinstance(tags, list) and len(tags) > MAX_TAGS:
        return "too many hashtags"
    return None


def _bad_date(status: dict[str, Any], now: dt.datetime) -> str | None:
    """Why ``status`` is dated absurdly, if it is."""
    created = status_time(status)
    if created is None:
        return "no date"
    if created > now + FUTURE_SLACK:
        return "dated in the future"
    if created < EARLIEST:
        return "dated before 2008"
    edited = status.get("edited_at")
    if edited is not None:
        when = status_time(status, "edited_at")
        if when is None:
            return "no date"
        if when > now + FUTURE_SLACK:
            return "dated in the future"
    return None


def status_tags(status: dict[str, Any]) -> frozenset[str]:
    tags = status.get("tags")
    if not isinstance(tags, list):
        return frozenset()
    return frozenset(
        normalise_tag(t["name"])
        for t in tags
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    )


@dataclass(slots=True)
class Page:
    """One screened page."""

    kept: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    min_id: str | None = None
    """The lowest id on the page (any object with an id): the next ``max_id``."""
    oldest: dt.datetime | None = None


def screen_page(
    items: list[Any], keys: frozenset[str] | None, now: dt.datetime, seen: set[str]
) -> Page:
    """Keep the statuses of ``items`` that are well-formed, new, tagged and plausibly dated
    (``keys``: the tags one of which each must carry; ``None``: any or none)."""
    page = Page()
    for item in items:
        status_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(status_id, str) or not STATUS_ID.fullmatch(status_id):
            page.dropped["not a status"] += 1
            continue
        if page.min_id is None or id_key(status_id) < id_key(page.min_id):
            page.min_id = status_id
        if status_id in seen:
            page.dropped["duplicate"] += 1
            continue
        seen.add(status_id)
        absurd = _bad_date(item, now)
        if absurd is not None:
            page.dropped[absurd] += 1
            continue
        created = status_time(item)
        if created is not None and (page.oldest is None or created < page.oldest):
            page.oldest = created
        if keys is not None and not status_tags(item) & keys:
            page.dropped["none of the batch's tags"] += 1
            continue
        if _malformed(item):
            page.dropped["malformed"] += 1
            continue
        oversized = _oversized(item)
        if oversized is not None:
            page.dropped[oversized] += 1
            continue
        page.kept.append(item)
    return page
