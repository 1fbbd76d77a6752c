"""Paging hashtag timelines, with tags batched and every page distrusted.

One timeline request carries a batch of tags: the path tag and the rest in
``any[]`` (4 in all on Mastodon, see :data:`.instance.BATCH_SIZE`). Pages are
walked down with ``max_id``; each next query is built here, never taken from
the ``Link`` header (Mastodon's drops ``any[]``).

A scan stops on the first of: an empty page (the end); a page reaching below
``DIGEST_SINCE``; for an incremental scan, a page reaching both below the ids
already scanned and below the overlap window; ``max_pages``; a fault; a server
that does not page down (``max_id`` not decreasing). Only the first three are
*complete*: the scan covered everything from the top down to where it stopped.

Pages are screened (:func:`screen_page`): non-objects, statuses without a
plausible id, duplicates, statuses without any of the batch's tags, absurd
dates (in the future, before the fediverse, unparseable ``edited_at``),
malformed ones (a ``uri``/``url`` that is no URL, lists that are not lists)
and absurd sizes (content, number of hashtags) are dropped and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from ..archive.records import parse_time
from ..digest.tagnames import normalise_tag
from ..errors import FetchError, NotFoundError, ServerFaultError
from .client import ApiClient

LIMIT = 40
FUTURE_SLACK = dt.timedelta(days=1)
"""Statuses dated further than this into the future are dropped as absurd."""
EARLIEST = dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
"""Statuses dated before this (1970, year 1: a zeroed clock) are dropped as absurd."""
STATUS_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
"""Mastodon's numeric ids, GoToSocial's ULIDs, Pleroma's flake ids; nothing longer."""
MAX_TEXT = 100_000
"""Most characters of ``content`` plus ``spoiler_text`` (Mastodon's default is 500)."""
MAX_TAGS = 100

END, SINCE, KNOWN, EMPTY = "end", "since", "known", "empty"
MAX_PAGES, FAULT, STUCK = "max_pages", "fault", "stuck"
COMPLETE = frozenset({END, SINCE, KNOWN})


@dataclass(frozen=True, slots=True)
class Batch:
    """Tags fetched through one timeline: ``tags[0]`` in the path, the rest in ``any[]``."""

    tags: tuple[str, ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(normalise_tag(t) for t in self.tags)

    @property
    def label(self) -> str:
        return ", ".join(f"#{t}" for t in self.tags)


def make_batches(tags: Sequence[str], size: int) -> list[Batch]:
    """``tags`` in groups of ``size``, in the configured order."""
    return [Batch(tuple(tags[i : i + size])) for i in range(0, len(tags), size)]


def timeline_path(tag: str) -> str:
    """The tag timeline's path, the tag percent-encoded as UTF-8."""
    return "/api/v1/timelines/tag/" + quote(tag, safe="")


def timeline_params(
    batch: Batch, *, max_id: str | None, scope: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """The query of one page; built anew for every page."""
    params = [("limit", str(LIMIT))]
    params += [("any[]", tag) for tag in batch.tags[1:]]
    params += list(scope)
    if max_id is not None:
        params.append(("max_id", max_id))
    return params


EXCLUDE_LIMIT = 4
"""Mastodon's ``TagFeed`` reads only the first 4 names of ``none[]`` (``LIMIT_PER_MODE``)."""


def exclude_params(tags: Sequence[str]) -> list[tuple[str, str]]:
    """``none[]`` for ``DIGEST_EXCLUDE_TAGS``: the server leaves their posts out of the page.

    Only a saving (fewer statuses, so fewer pages): the moderation rules still
    leave such posts out locally, the tags past the first 4 included.
    """
    return [("none[]", tag) for tag in tags[:EXCLUDE_LIMIT]]


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


def is_web_url(value: Any) -> bool:
    """Whether ``value`` is an http(s) URL with a host (and, if any, a valid port)."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:  # "https://[oops/": every later urlsplit of it would raise too
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


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


@dataclass(frozen=True, slots=True)
class StopRule:
    now: dt.datetime
    since: dt.datetime | None = None
    known_id: str | None = None
    """Incremental scans: the highest id a previous complete scan saw (``None``: first fetch)."""
    window_start: dt.datetime | None = None
    """Incremental scans: the start of the overlap window re-scanned every run."""

    def reason(self, page: Page) -> str | None:
        """Why the scan may stop after ``page`` (which has a ``min_id``), or ``None``."""
        if page.oldest is None:
            return None
        if self.since is not None and page.oldest < self.since:
            return SINCE
        if (
            self.known_id is not None
            and page.min_id is not None
            and id_key(page.min_id) <= id_key(self.known_id)
            and (self.window_start is None or page.oldest < self.window_start)
        ):
            return KNOWN
        return None


@dataclass(slots=True)
class Scan:
    """What one walk down a timeline brought back."""

    batch: Batch
    statuses: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    raw: int = 0
    """Items received, before screening."""
    reason: str = ""
    newest_id: str | None = None
    cursor: str | None = None
    """The ``max_id`` the next page would have used: where a cut-short scan resumes."""
    oldest: dt.datetime | None = None
    dropped: Counter[str] = field(default_factory=Counter)
    error: FetchError | None = None

    @property
    def complete(self) -> bool:
        return self.reason in COMPLETE


def scan_timeline(
    client: ApiClient,
    batch: Batch,
    rule: StopRule,
    *,
    max_pages: int,
    start_id: str | None = None,
    scope: Sequence[tuple[str, str]] = (),
    on_page: Callable[[int], None] | None = None,
) -> Scan:
    """Walk ``batch``'s timeline down from ``start_id`` (or the top) until a stop condition."""
    scan = Scan(batch=batch, cursor=start_id)
    seen: set[str] = set()
    path = timeline_path(batch.tags[0])
    while True:
        if scan.pages >= max_pages:
            scan.reason = MAX_PAGES
            return scan
        params = timeline_params(batch, max_id=scan.cursor, scope=scope)
        try:
            items = client.get_json(path, params, expect=list, paging=scan.cursor is not None)
        except FetchError as error:
            scan.error, scan.reason = error, FAULT
            return scan
        scan.pages += 1
        scan.raw += len(items)
        if not items:
            scan.reason = END
            return scan
        page = screen_page(items, batch.keys, rule.now, seen)
        scan.dropped.update(page.dropped)
        if rule.since is not None:
            since = rule.since
            recent = [s for s in page.kept if (status_time(s) or since) >= since]
            scan.dropped["before DIGEST_SINCE"] += len(page.kept) - len(recent)
            page.kept = recent
        scan.statuses.extend(page.kept)
        for status in page.kept:
            if scan.newest_id is None or id_key(status["id"]) > id_key(scan.newest_id):
                scan.newest_id = status["id"]
        if page.oldest is not None and (scan.oldest is None or page.oldest < scan.oldest):
            scan.oldest = page.oldest
        if on_page is not None:
            on_page(len(page.kept))
        if page.min_id is None or (
            scan.cursor is not None and id_key(page.min_id) >= id_key(scan.cursor)
        ):
            scan.reason = STUCK
            return scan
        scan.cursor = page.min_id
        stop = rule.reason(page)
        if stop is not None:
            scan.reason = stop
            return scan


GONE_CODES = frozenset({404, 410})
"""What a server answers for a status that was deleted (or is no longer visible)."""


def status_path(status_id: str) -> str:
    return "/api/v1/statuses/" + quote(status_id, safe="")


def fetch_status(client: ApiClient, status_id: str, now: dt.datetime) -> dict[str, Any] | None:
    """``GET /api/v1/statuses/:id``: the status, screened like a page, or ``None`` when the
    server says it is gone (404 or 410). Raises :class:`FetchError` on anything else, a
    status that fails screening included (which proves nothing either way)."""
    if not STATUS_ID.fullmatch(status_id):
        raise ServerFaultError(f"{client.server}: {status_id!r} is not a status id")
    try:
        item = client.get_json(status_path(status_id), expect=dict, absent=GONE_CODES)
    except NotFoundError:
        return None
    kept = screen_page([item], None, now, set()).kept
    if not kept or kept[0].get("id") != status_id:
        raise ServerFaultError(f"{client.server} sent an unusable status for id {status_id}")
    return kept[0]


def scan_top(
    client: ApiClient,
    batch: Batch,
    rule: StopRule,
    *,
    max_pages: int,
    scope: Sequence[tuple[str, str]] = (),
    on_page: Callable[[int], None] | None = None,
) -> Scan:
    """Scan from the top; if the first page is empty or 404, retry with the next tag in the path.

    Mastodon answers an empty list when the *path* tag is unknown to it, whatever
    ``any[]`` holds; so a batch whose first tag is unknown is retried without it.
    A batch that stays empty has ``reason`` :data:`EMPTY`.
    """
    pages = 0
    for start in range(len(batch.tags)):
        part = Batch(batch.tags[start:])
        scan = scan_timeline(
            client, part, rule, max_pages=max_pages - pages, scope=scope, on_page=on_page
        )
        scan.pages += pages
        pages = scan.pages
        empty = scan.reason == END and scan.raw == 0
        missing = scan.reason == FAULT and isinstance(scan.error, NotFoundError) and scan.raw == 0
        if not (empty or missing):
            return scan
        if pages >= max_pages:
            break
    scan.reason, scan.error = EMPTY, None
    return scan
