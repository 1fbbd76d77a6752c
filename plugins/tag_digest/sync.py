"""Fetch every configured server into the archive: :func:`sync_all`.

Per server: ask ``/api/v2/instance`` who may read hashtag feeds, then for each
batch of tags scan the timeline from the top (a first fetch down to
``DIGEST_SINCE`` or the end; later runs down past the ids already scanned and
the overlap window), resume an unfinished first fetch further down, put what
came back into the archive and tombstone what vanished from a complete re-scan.

Faults never stop the build: a server that fails is given up with a warning,
what was fetched before is kept, and the archive is saved after every server.
One server holds a run for at most :func:`.ratelimit.server_budget` seconds
(DIGEST_MAX_WAIT plus 30 DIGEST_TIMEOUTs), however slowly it answers. Only
archive errors (corrupt shard, unwritable directory) are raised.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .archive.audit_plan import opted_out_authors, status_ids
from .archive.ingest import Address, Counts, address, ingest, remove_vanished, withhold_archived
from .archive.lock import LOCK_WAIT, archive_lock
from .archive.moderation import count_by_setting, summary
from .archive.records import format_time
from .archive.shards import Archive
from .archive.state import FetchState, ServerAudit, TagState
from .audit import AuditJob, audit_server, remember_ids, remove_authors
from .console import console
from .digest.tagnames import normalise_tag
from .errors import ArchiveError, AuthRequiredError, FetchError, NotFoundError, UnreachableError
from .fetch.client import ApiClient, shown
from .fetch.instance import Access, batch_size, fetch_instance, plan_access
from .fetch.progress import FetchProgress, wanted
from .fetch.ratelimit import PAGING_LIMIT, Pacer, server_budget
from .fetch.timeline import (
    EMPTY,
    END,
    STUCK,
    Batch,
    Scan,
    StopRule,
    exclude_params,
    id_key,
    make_batches,
    scan_timeline,
    scan_top,
    status_tags,
)
from .settings import DigestSettings

log = logging.getLogger("tag_digest")


@dataclass(slots=True)
class ServerReport:
    server: str
    new: int = 0
    updated: int = 0
    removed: int = 0
    requests: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    unreachable: bool = False
    verified: int = 0
    """Posts the audit re-verified in this run."""
    audit_removed: int = 0
    audit: str = ""
    """How far the audit has got (empty: it did not run)."""
    hidden: dict[str, str] = field(default_factory=dict)
    """Statuses the moderation rules refused (``uri``: setting)."""
    withheld: int = 0

    def line(self) -> str:
        text = (
            f"{self.server}: {self.new} new, {self.updated} updated, {self.removed} removed, "
            f"{self.requests} requests"
        )
        if self.audit:
            text += (
                f", {self.verified:,} re-verified, {self.audit_removed} removed by the audit, "
                f"{self.audit}"
            )
        return text + (" (gave up)" if self.error else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "removed": self.removed,
            "requests": self.requests,
            "error": self.error,
            "warnings": list(self.warnings),
            "re_verified": self.verified,
            "removed_by_audit": self.audit_removed,
            "audit": self.audit,
        }


@dataclass(slots=True)
class SyncReport:
    servers: list[ServerReport] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)
    """Archived posts the moderation rules now refuse, made tombstones before fetching."""

    def moderation_line(self) -> str:
        """How many posts the moderation rules hide, and how many left the archive now."""
        hidden = dict(self.withheld)
        for server in self.servers:
            hidden.update(server.hidden)
        gone = len(self.withheld) + sum(s.withheld for s in self.servers)
        return f"moderation: {summary(count_by_setting(hidden))}; {gone} withheld from the archive"
    posts: int = 0
    """Posts the archive holds after the run (tombstones not counted)."""
    last_success: str | None = None
    """The archive's last successful fetch (this run's start when a server was read)."""

    @property
    def any_read(self) -> bool:
        """Whether at least one server could be read (none refused, unreachable or failed)."""
        return any(s.error is None for s in self.servers)

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.servers)

    def lines(self) -> list[str]:
        return [s.line() for s in self.servers]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: self.total(k) for k in ("new", "updated", "removed", "requests")}
        data["servers"] = {s.server: {**s.as_json(), "ok": s.error is None} for s in self.servers}
        data["posts"], data["last_success"] = self.posts, self.last_success
        # Posts withheld by moderation left the archive too (the commit message counts them).
        data["withheld"] = len(self.withheld) + self.total("withheld")
        data["removed"] += data["withheld"]
        return data


@dataclass(slots=True)
class _Run:
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


def _save(archive: Archive, state: FetchState) -> None:
    """Archive first, then the cursors: a crash in between only costs a re-scan."""
    try:
        archive.save()
        state.save()
    except OSError as exc:
        raise ArchiveError(
            f"{archive.root}: cannot write the archive ({exc.strerror or exc})"
        ) from None


def _notice(run: _Run, scan: Scan) -> None:
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


def _unknown_tags(run: _Run, batch: Batch, scan: Scan) -> None:
    if scan.reason == EMPTY:
        run.warn(f"{run.server}: no posts for {batch.label} (unknown tag?)")
        return
    found = set().union(*(status_tags(s) for s in scan.statuses)) if scan.statuses else set()
    missing = [t for t in batch.tags if normalise_tag(t) not in found]
    if missing:
        run.warn(f"{run.server}: no posts for {Batch(tuple(missing)).label} (unknown tag?)")


def _deletions(run: _Run, scan: Scan, window_start: dt.datetime) -> None:
    """Note a complete re-scan that returned something, for :func:`_remove_vanished`.

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


def _remove_vanished(run: _Run) -> None:
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


def sync_batch(run: _Run, client: ApiClient, batch: Batch) -> None:
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


def _audit(run: _Run, client: ApiClient, batches: list[Batch]) -> None:
    """The rolling audit (:mod:`.audit`), then every post of an author seen opting out."""
    settings, report = run.settings, run.report
    audit = run.state.audits.get(run.server)
    if settings.audit_budget > 0 and audit is None:
        audit = ServerAudit(cycle_started=run.fetched_at, last_run=run.fetched_at)
        run.state.audits[run.server] = audit  # the cycle starts: nothing is due yet
        remember_ids(run.archive, run.server, audit, run.ids)
    elif settings.audit_budget > 0 and audit is not None:
        job = AuditJob(
            run.server, run.archive, audit, batches, run.now, settings.audit_days,
            settings.audit_budget, run.access.scope, run.access.params, run.origins,
            run.seen, run.ids,
        )  # fmt: skip
        result = audit_server(client, job)
        for message in result.warnings:
            run.warn(message)
        report.new += result.new
        report.updated += result.updated
        report.removed += result.removed
        report.verified, report.audit_removed, report.audit = (
            result.verified, result.removed, result.text,
        )  # fmt: skip
        run.authors |= result.authors
    report.removed += remove_authors(run.archive, run.authors, run.fetched_at)


def may_carry_token(server: str) -> bool:
    """Whether ``server`` may be sent the token: over https, or plain http to this machine
    or a private network (anyone on the way would read it otherwise)."""
    parts = urlsplit(server)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _token_for(settings: DigestSettings, server: str, report: ServerReport) -> str | None:
    token = settings.token_for(server)
    if token and not may_carry_token(server):
        name = settings.token_name(server)
        message = f"{server}: {name} is not sent over plain http; use https://"
        report.warnings.append(message)
        log.warning("tag_digest: %s", message)
        return None
    return token


def _token_hint(settings: DigestSettings, server: str) -> str:
    name = settings.token_name(server)
    if name is not None:
        return "" if name == "DIGEST_TOKEN" else f" ({name} holds this server's token)"
    if any(settings.token_for(url) for url, _ in settings.tokens):
        return f" (no token goes to {server}: add it to DIGEST_TOKENS)"
    return ""


def sync_server(
    server: str,
    settings: DigestSettings,
    archive: Archive,
    state: FetchState,
    now: dt.datetime,
    progress: FetchProgress,
) -> ServerReport:
    """Fetch every batch from ``server``; faults end up in the report, never raised."""
    report = ServerReport(server)
    token = _token_for(settings, server, report)
    pacer = Pacer(
        server,
        max_wait=settings.max_wait,
        paging_limit=None if token else PAGING_LIMIT,
        budget=server_budget(settings.max_wait, settings.timeout),
    )
    client = ApiClient(
        server,
        pacer=pacer,
        token=token,
        token_name=settings.token_name(server) or "DIGEST_TOKEN",
        timeout=settings.timeout,
        retries=settings.retries,
        backoff=settings.backoff,
    )
    try:
        with client:
            info = fetch_instance(client)
            access = plan_access(info, server=server, has_token=token is not None)
            batches = make_batches(settings.tags, batch_size(info))
            run = _Run(server, settings, archive, state, now, access, report, progress)
            if batch_size(info) > 1:  # Mastodon's TagFeed; GoToSocial ignores it
                run.exclude = exclude_params(settings.moderation.exclude_tags)
            if access.warning:
                run.warn(access.warning)
            progress.server(server, len(batches))
            faults = 0
            for batch in batches:
                try:
                    sync_batch(run, client, batch)
                except NotFoundError as exc:
                    faults += 1
                    run.warn(f"{exc} for {batch.label}")
                progress.batch_done()
            if not faults:
                _remove_vanished(run)
            _audit(run, client, batches)
    except UnreachableError as exc:
        report.error, report.unreachable = str(exc), True
    except AuthRequiredError as exc:
        report.error = f"{exc}{_token_hint(settings, server)}"
    except FetchError as exc:
        report.error = f"gave up on {server} for this run, keeping what was fetched: {exc}"
    except Exception as exc:  # whatever a hostile answer provokes, the build goes on
        log.debug("tag_digest: %s: unexpected error", server, exc_info=True)
        report.error = (
            f"gave up on {server} for this run, keeping what was fetched: unexpected "
            f"{type(exc).__name__} ({shown(str(exc), token)}); please report it"
        )
    finally:
        report.requests = client.requests
    if report.error and not report.unreachable:
        report.warnings.append(report.error)
        log.warning("tag_digest: %s", report.error)
    return report


def _console_echo(line: str) -> None:
    """Print like Pelican's own "Done:" line (its console; shown without -v)."""
    console().print(line, markup=False, highlight=False, soft_wrap=True)


def sync_all(
    settings: DigestSettings,
    *,
    now: dt.datetime | None = None,
    echo: Callable[[str], None] | None = None,
    lock_wait: float = LOCK_WAIT,
) -> SyncReport:
    """Fetch all servers into the archive under ``settings.archive_path``; save it; report.

    One summary line per server goes to ``echo`` (default: Pelican's console).
    Raises only :class:`ArchiveError` (a corrupt shard stops everything before any fetch;
    another fetch holding the archive for over ``lock_wait`` seconds, see :mod:`.lock`).
    """
    now = now or dt.datetime.now(dt.UTC)
    report = SyncReport()
    with archive_lock(settings.archive_path, lock_wait):  # one fetch at a time, load to save
        archive = Archive.load(settings.archive_path)
        state, problem = FetchState.load(settings.archive_path)
        if problem:
            log.warning("tag_digest: %s", problem)
        report.withheld = withhold_archived(archive, settings.moderation, format_time(now))
        try:
            with FetchProgress(wanted(settings.progress, console()), console()) as progress:
                for server in settings.servers:
                    report.servers.append(
                        sync_server(server, settings, archive, state, now, progress)
                    )
                    if report.any_read:
                        state.last_success = format_time(now)
                    _save(archive, state)
        finally:
            _save(archive, state)
        report.posts, report.last_success = len(archive.visible()), state.last_success
    _warn_unreachable(report)
    lines = report.lines()
    if settings.moderation.active:
        lines.append(report.moderation_line())
    for line in lines:
        (echo or _console_echo)(f"tag_digest: {line}")
    return report


def _warn_unreachable(report: SyncReport) -> None:
    """One warning when no server could be reached at all, else one per unreachable server."""
    down = [s for s in report.servers if s.unreachable]
    if down and len(down) == len(report.servers):
        names = ", ".join(s.server for s in down)
        message = f"no network: could not reach {names}; the archive is used as it is"
        for s in down:
            s.warnings.append(message)
        log.warning("tag_digest: %s", message)
        return
    for s in down:
        message = f"{s.error}; keeping the archive for this server"
        s.warnings.append(message)
        log.warning("tag_digest: %s", message)
