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

Every page is screened first (:func:`.screen.screen_page`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..digest.tagnames import normalise_tag
from ..errors import FetchError, NotFoundError, ServerFaultError
from .client import ApiClient
from .screen import STATUS_ID, Page, id_key, screen_page, status_time

LIMIT = 40

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
