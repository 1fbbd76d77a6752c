"""The rolling audit: re-verify every archived post, about once per ``DIGEST_AUDIT_DAYS``.

Run per server after its normal fetch (:func:`audit_server`), within
``DIGEST_AUDIT_BUDGET`` requests and the server's time limits:

1. posts whose check alone failed last run (``pending``) are checked first;
2. each batch's timeline is re-scanned, one page of 40 at a time, from where the
   last run stopped (``state.json``) down to the batch's oldest archived post, as
   far as :func:`.audit_plan.target` asks for this run. What comes back is put into
   the archive as a fetch would (an edit updates its record; a post no longer
   public, or by an author who opted out, becomes a tombstone);
3. an archived post dated inside a re-scanned stretch that no scan of this run
   returned is then checked alone, ``GET /api/v1/statuses/:id``: ``404`` or ``410``
   means deleted (a tombstone), a status is put into the archive as above, and
   anything else (a fault, a ``5xx``, a timeout, a ``429``) means nothing: the post
   is checked again next run. 404s are only believed once the same endpoint has
   shown a post this run's timelines returned. Nothing is removed on a guess.

:func:`.audit_plan.remove_authors` then tombstones every archived post of every author seen
opted out in the run, by any server.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .archive.audit_plan import (
    MAX_PENDING,
    batch_key,
    behind_text,
    covered,
    cycle_day,
    id_from_uri,
    in_stretch,
    members,
    opted_out_authors,
    parse_or,
    progress_text,
    remember_ids,
    status_ids,
    target,
)
from .archive.ingest import Address, ingest
from .archive.records import Post
from .archive.shards import Archive
from .archive.state import BatchAudit, ServerAudit
from .errors import FetchError
from .fetch.client import ApiClient
from .fetch.screen import id_key
from .fetch.timeline import END, SINCE, STUCK, Batch, StopRule, fetch_status, scan_timeline
from .times import format_time, parse_time

log = logging.getLogger("tag_digest")


@dataclass(slots=True)
class AuditJob:
    """What the audit of one server needs from its run."""

    server: str
    archive: Archive
    audit: ServerAudit
    batches: Sequence[Batch]
    now: dt.datetime
    days: float
    budget: int
    scope: str
    params: Sequence[tuple[str, str]]
    origins: frozenset[Address]
    seen: set[str]
    """Every ``uri`` this run's scans of the server returned (the audit adds its own)."""
    ids: dict[str, str]
    """``uri`` to status id of what this run's scans returned (the audit adds its own)."""

    @property
    def fetched_at(self) -> str:
        return format_time(self.now)


@dataclass(slots=True)
class AuditResult:
    verified: int = 0
    new: int = 0
    updated: int = 0
    removed: int = 0
    authors: set[str] = field(default_factory=set)
    text: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Walk:
    """One run of the audit: budget, counts, what is still to be checked."""

    job: AuditJob
    client: ApiClient
    result: AuditResult
    start: int
    candidates: list[str] = field(default_factory=list)
    stopped: bool = False
    """A fault ended the audit for this run."""
    trusted: bool | None = None
    """Whether a 404 of the statuses endpoint means deleted (asked once per run)."""

    def room(self) -> bool:
        if self.job.days <= 0:
            return True
        return self.client.requests - self.start < self.job.budget

    def take(self, statuses: list[dict[str, Any]]) -> None:
        job = self.job
        counts = ingest(job.archive, statuses, job.server, job.fetched_at, job.origins)
        job.seen |= counts.seen
        job.ids.update(status_ids(statuses))
        self.result.authors |= opted_out_authors(statuses, job.server)
        self.result.new += counts.new
        self.result.updated += counts.updated
        self.result.removed += counts.removed

    def stop(self, error: FetchError) -> None:
        self.stopped = True
        self.result.warnings.append(
            f"{self.job.server}: the audit stopped for this run ({error}); nothing was "
            "removed on account of it"
        )


def _new_cycle(audit: ServerAudit, when: str) -> None:
    audit.cycle_started = when
    audit.batches = {}


def _walk_batch(walk: _Walk, batch: Batch, posts: list[Post], need: int) -> int:
    """Re-scan ``batch`` from its cursor while posts are needed; the posts it covered."""
    job = walk.job
    cursor = job.audit.batches[batch_key(batch.keys)]
    if not posts:
        cursor.done = True
        return 0
    floor = min(p.created_at for p in posts)
    rule = StopRule(now=job.now, since=parse_time(floor))
    upper = cursor.reached if cursor.below is not None else None
    done = 0
    while done < need and walk.room():
        scan = scan_timeline(
            walk.client, batch, rule, max_pages=1, start_id=cursor.below, scope=job.params
        )
        walk.take(scan.statuses)
        if scan.error is not None:
            walk.stop(scan.error)
            return done
        if scan.reason == STUCK:
            walk.stop(FetchError(f"the timeline of {batch.label} does not page down"))
            return done
        oldest = None if scan.oldest is None else format_time(scan.oldest)
        # Down to the oldest archived post of the batch: nothing below is to be verified.
        finished = scan.reason in (END, SINCE) or (oldest is not None and oldest <= floor)
        lower = None if finished else oldest
        if lower is None and not finished:
            lower = upper  # a page without one dated status covers nothing
        stretch = in_stretch(posts, lower, upper) if lower != upper or finished else []
        walk.candidates += [p.uri for p in stretch]
        done += len(stretch)
        if finished:
            job.audit.batches[batch_key(batch.keys)] = BatchAudit(done=True)
            return done
        cursor.below, cursor.reached, upper = scan.cursor, lower, lower
    return done


def _check(walk: _Walk, uris: list[str]) -> list[str]:
    """Check ``uris`` alone; the ones to try again next run."""
    job = walk.job
    live = {u for u in uris if (p := job.archive.get(u)) is not None and not p.is_tombstone}
    todo = [u for u in dict.fromkeys(uris) if u in live and u not in job.seen]
    known = [(u, job.audit.ids.get(u) or id_from_uri(u, job.server)) for u in todo]
    checkable = [(u, sid) for u, sid in known if sid is not None]
    if len(checkable) < len(known):
        log.info(
            "tag_digest: %s: %d posts missing from the re-scan have no known id there; "
            "left for the next cycle",
            job.server,
            len(known) - len(checkable),
        )
    if not checkable:
        return []
    if not _trust_404(walk):
        return [u for u, _ in checkable]
    for number, (uri, sid) in enumerate(checkable):
        if walk.stopped or not walk.room():
            return [u for u, _ in checkable[number:]]
        try:
            status = fetch_status(walk.client, sid, job.now)
        except FetchError as exc:
            walk.stop(exc)
            return [u for u, _ in checkable[number:]]
        walk.result.verified += 1
        if status is None:
            post = job.archive.get(uri)
            if post is not None and not post.is_tombstone:
                job.archive.put(post.tombstone(job.fetched_at))
                walk.result.removed += 1
        elif status.get("uri") == uri:
            walk.take([status])
    return []


def _trust_404(walk: _Walk) -> bool:
    """Whether ``GET /api/v1/statuses/:id`` shows a post this run's timelines returned."""
    if walk.trusted is not None:
        return walk.trusted
    job = walk.job
    probe = next(
        (
            (u, i)
            for u, i in sorted(job.ids.items(), key=lambda kv: id_key(kv[1]), reverse=True)
            if (p := job.archive.get(u)) is not None and not p.is_tombstone
        ),
        None,
    )
    if probe is None or not walk.room():
        return False
    try:
        status = fetch_status(walk.client, probe[1], job.now)
    except FetchError as exc:
        walk.stop(exc)
        return False
    walk.trusted = status is not None and status.get("uri") == probe[0]
    if not walk.trusted:
        walk.result.warnings.append(
            f"{job.server}: GET /api/v1/statuses/:id does not show a post its timeline "
            "shows; deletions found by the audit are not checked there"
        )
    return walk.trusted


def _tally(job: AuditJob, keys: list[str]) -> tuple[dict[str, list[Post]], int, int]:
    """Each batch's posts, how many posts the audit covers in all, how many it has passed."""
    posts = [p for p in job.archive if p.server == job.server and not p.is_tombstone]
    groups = {
        k: members(posts, job.server, b.keys, job.scope)
        for k, b in zip(keys, job.batches, strict=True)
    }
    every: set[str] = set().union(*({p.uri for p in g} for g in groups.values()))
    passed: set[str] = set().union(*(covered(groups[k], job.audit.batches[k]) for k in keys))
    return groups, len(every), len(passed & every)


def audit_server(client: ApiClient, job: AuditJob) -> AuditResult:
    """Re-verify what this run's share of the cycle asks for (module docstring)."""
    walk = _Walk(job, client, AuditResult(), client.requests)
    audit = job.audit
    keys = [batch_key(b.keys) for b in job.batches]
    audit.batches = {k: audit.batches.get(k, BatchAudit()) for k in keys}
    if job.days <= 0 or all(b.done for b in audit.batches.values()):
        _new_cycle(audit, job.fetched_at)
        audit.batches = {k: BatchAudit() for k in keys}
    started = parse_or(audit.cycle_started, job.now)
    last = parse_or(audit.last_run, job.now)
    groups, total, passed = _tally(job, keys)
    need = target(total, started, last, job.now, job.days) - passed

    pending, audit.pending = audit.pending, []
    retry = _check(walk, pending)
    for key, batch in zip(keys, job.batches, strict=True):
        if need <= 0 or walk.stopped or not walk.room():
            break
        if not audit.batches[key].done:
            need -= _walk_batch(walk, batch, groups[key], need)
    found = [u for u in dict.fromkeys(walk.candidates) if u not in job.seen]
    walk.result.verified += len(set(walk.candidates)) - len(found)
    retry += _check(walk, found) if not walk.stopped else found
    audit.pending = list(dict.fromkeys(retry))[:MAX_PENDING]
    if client.requests > walk.start or audit.cycle_started == job.fetched_at:
        audit.last_run = job.fetched_at  # a run with nothing due leaves state.json alone
    remember_ids(job.archive, job.server, audit, job.ids)

    _, total, done = _tally(job, keys)
    day = cycle_day(started, job.now)
    walk.result.text = progress_text(min(done, total), total, day, job.days)
    if need > 0 and not walk.stopped and not walk.room():
        wanted = target(total, started, last, job.now, job.days)
        behind = behind_text(job.server, done, wanted, total, day, job.days, job.budget)
        walk.result.warnings.append(behind)
    return walk.result
