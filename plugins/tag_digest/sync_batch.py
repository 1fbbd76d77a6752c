"""One batch of tags from one server into the archive: :func:`sync_batch`.

The top of the timeline is scanned down to what earlier runs saw (or, on a first fetch, to
``DIGEST_SINCE`` or the end), an unfinished first fetch resumes further down, and the scans
are put into the archive. A complete re-scan notes what it served, so that after every batch
of the server ran :func:`remove_vanished_posts` can tombstone what vanished.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from .archive.audit_plan import opted_out_authors, status_ids
from .archive.ingest import Address, Counts, address, ingest, remove_vanished
from .archive.shards import Archive
from .archive.state import FetchState, TagState
from .digest.tagnames import normalise_tag
from .fetch.client import ApiClient
from .fetch.instance import Access
from .fetch.progress import FetchProgress
from .fetch.screen import id_key, status_tags
from .fetch.timeline import (
    EMPTY,
    END,
    STUCK,
    Batch,
    Scan,
    StopRule,
    scan_timeline,
    scan_top,
)
from .settings import DigestSettings
from .sync_report import ServerReport
from .times import format_time

log = logging.getLogger("tag_digest")


@dataclass(slots=True)
class Run:
    """One server's run: what every batch needs."""

    server: str
    settings: DigestSettings
    archive: Archive
    state: FetchState
    now: dt.datetime
    access: Access
    report: ServerReport
    progress: FetchProgress
    seen: set[str] = field(default_factory=set)
    """Every status uri any scan of this server returned in this run."""
    pending: list[tuple[frozenset[str], dt.datetime]] = field(default_factory=list)
    """Deletion checks of complete scans: (tags the scan served, window floor)."""
    authors: set[str] = field(default_factory=set)
    """Authors seen opted out in this run (:func:`.audit_plan.author_keys`)."""
    ids: dict[str, str] = field(default_factory=dict)
    """``uri`` to status id of everything this run's scans kept."""
    exclude: list[tuple[str, str]] = field(default_factory=list)
    """``none[]`` parameters (DIGEST_EXCLUDE_TAGS) for servers that honour them."""

    @property
    def query(self) -> list[tuple[str, str]]:
        """What every timeline request adds: the scope, the excluded tags."""
        return [*self.access.params, *self.exclude]

    @property
    def fetched_at(self) -> str:
        return format_time(self.now)

    @property
    def origins(self) -> frozenset[Address]:
        return frozenset(a for a in map(address, self.settings.servers) if a is not None)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)
        log.warning("tag_digest: %s", message)

    def apply(self, scan: Scan) -> Counts:
        counts = ingest(
            self.archive,
            scan.statuses,
            self.server,
            self.fetched_at,
            self.origins,
            self.settings.moderation,
        )
        self.seen |= counts.seen
        self.ids.update(status_ids(scan.statuses))
        self.authors |= opted_out_authors(scan.statuses, self.server)
        self.report.new += counts.new
        self.report.updated += counts.updated
        self.report.removed += counts.removed
        self.report.hidden.update(counts.hidden)
        self.report.withheld += counts.withheld
        return counts


def _notice(run: Run, scan: Scan) -> None:
    """Say what a scan ran into: a server that does not page, statuses dropped."""
    if scan.reason == STUCK:
        run.warn(
            f"{run.server}: the timeline of {scan.batch.label} does not page down "
            "(max_id ignored); stopped there"
        )
    odd = {k: v for k, v in sorted(scan.dropped.items()) if v and k != "before DIGEST_SINCE"}
    if odd:
        text = ", ".join(f"{v} {k}" for k, v in odd.items())
        log.info("tag_digest: %s: dropped statuses of %s: %s", run.server, scan.batch.label, text)


def _first_fetch(states: list[TagState | None]) -> bool:
    return any(s is None or s.top_id is None for s in states)


def _unknown_tags(run: Run, batch: Batch, scan: Scan) -> None:
    if scan.reason == EMPTY:
        run.warn(f"{run.server}: no posts for {batch.label} (unknown tag?)")
        return
    found = set().union(*(status_tags(s) for s in scan.statuses)) if scan.statuses else set()
    missing = [t for t in batch.tags if normalise_tag(t) not in found]
    if missing:
        run.warn(f"{run.server}: no posts for {Batch(tuple(missing)).label} (unknown tag?)")


def _deletions(run: Run, scan: Scan, window_start: dt.datetime) -> None:
    """Note a complete re-scan that returned something, for :func:`remove_vanished_posts`.

    Only the batch's tags that the scan demonstrably served (a returned status
    carries them) count: a server that silently ignores one of our tags must
    not make its posts look deleted.
    """
    if not scan.complete or scan.raw == 0 or (scan.reason != END and scan.oldest is None):
        return
    served = scan.batch.keys & set().union(*(status_tags(s) for s in scan.statuses))
    if not served:
        return
    floors = [window_start]
    if scan.reason != END and scan.oldest is not None:
        floors.append(scan.oldest)
    if run.settings.since is not None:
        floors.append(run.settings.since)
    run.pending.append((frozenset(served), max(floors)))


def remove_vanished_posts(run: Run) -> None:
    """Tombstone what vanished: after every batch of the server ran without a fault,
    a record of a re-scanned window that *no* scan of this run returned."""
    for keys, floor in run.pending:
        run.report.removed += remove_vanished(
            run.archive,
            server=run.server,
            keys=keys,
            seen=run.seen,
            floor=floor,
            scope=run.access.scope,
            when=run.fetched_at,
        )
    run.pending.clear()


def sync_batch(run: Run, client: ApiClient, batch: Batch) -> None:
    """Fetch one batch of tags from one server. Raises :class:`FetchError` on a fault."""
    keys = sorted(batch.keys)
    states = [run.state.get(run.server, k) for k in keys]
    first = _first_fetch(states)
    window_start = run.now - run.settings.overlap
    known = None if first else min((s.top_id for s in states if s and s.top_id), key=id_key)
    rule = StopRule(
        now=run.now, since=run.settings.since, known_id=known, window_start=window_start
    )
    top = scan_top(
        client,
        batch,
        rule,
        max_pages=run.settings.max_pages,
        scope=run.query,
        on_page=run.progress.posts,
    )
    run.apply(top)
    _notice(run, top)
    _deletions(run, top, window_start)
    if first and (top.complete or top.reason == EMPTY):
        _unknown_tags(run, batch, top)
    if top.newest_id is not None and (first or top.complete):
        below = None if top.complete else top.cursor
        for key, old in zip(keys, states, strict=True):
            if first or old is None or old.top_id is None:
                run.state.set(run.server, key, TagState(top.newest_id, below))
            else:
                newest = max(old.top_id, top.newest_id, key=id_key)
                run.state.set(run.server, key, TagState(newest, old.backfill_below))
    if top.error is not None:
        raise top.error
    cursors = [s.backfill_below for s in states if s and s.backfill_below]
    pages_left = run.settings.max_pages - top.pages
    if first or not cursors or pages_left <= 0:
        return
    start = max(cursors, key=id_key)
    back = scan_timeline(
        client,
        batch,
        StopRule(now=run.now, since=run.settings.since),
        max_pages=pages_left,
        start_id=start,
        scope=run.query,
        on_page=run.progress.posts,
    )
    run.apply(back)
    _notice(run, back)
    for key in keys:
        current = run.state.get(run.server, key)
        if current is None or current.backfill_below is None:
            continue
        resume_at: str | None = current.backfill_below
        if back.complete:
            resume_at = None
        elif back.cursor is not None and id_key(back.cursor) < id_key(current.backfill_below):
            resume_at = back.cursor
        run.state.set(run.server, key, TagState(current.top_id, resume_at))
    if back.error is not None:
        raise back.error
