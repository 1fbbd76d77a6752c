"""Putting fetched statuses into the archive: consent, upsert, deletions.

No network here: these functions take statuses (already screened by
:mod:`.fetch`) and change an :class:`.Archive` in memory.

- A status that fails :func:`.consent.check_status` never reaches the archive;
  if the archive holds it from this server (the author opted out or changed the
  visibility since), the record becomes a tombstone.
- Every other status is upserted with :func:`.records.merge` (tombstones are final).
- :func:`remove_vanished`: after a *complete* scan of the overlap window, a
  record from the same server, carrying one of the batch's tags and dated inside
  the covered window, that the scan did not return was deleted: it becomes a
  tombstone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .archive import Archive
from .consent import check_status
from .records import format_time, from_status, merge

LOCAL, REMOTE = "local", "remote"


@dataclass(slots=True)
class Counts:
    new: int = 0
    updated: int = 0
    removed: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    """``uri`` of every status received, allowed or not."""

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.removed += other.removed
        self.refused.update(other.refused)
        self.seen |= other.seen


def _remove(archive: Archive, uri: str, server: str, when: str) -> bool:
    post = archive.get(uri)
    if post is None or post.is_tombstone or post.server != server:
        return False
    archive.put(post.tombstone(when))
    return True


def ingest(
    archive: Archive, statuses: Iterable[dict[str, Any]], server: str, fetched_at: str
) -> Counts:
    """Upsert the allowed ``statuses``; withdraw archived ones that are no longer allowed."""
    counts = Counts()
    for status in statuses:
        uri = status.get("uri")
        if isinstance(uri, str) and uri.strip():
            counts.seen.add(uri.strip())
        verdict = check_status(status)
        if not verdict.allowed:
            counts.refused[verdict.reason] += 1
            if isinstance(uri, str) and _remove(archive, uri.strip(), server, fetched_at):
                counts.removed += 1
            continue
        try:
            post = from_status(status, server, fetched_at)
        except ValueError:
            counts.refused["unusable status"] += 1
            continue
        result = merge(archive.get(post.uri), post)
        if result.post is not None:
            archive.put(result.post)
        if result.kind == "new":
            counts.new += 1
        elif result.kind == "updated":
            counts.updated += 1
    return counts


def in_scope(acct: str, scope: str) -> bool:
    """Whether a post by ``acct`` is one a ``local``/``remote``-only timeline returns."""
    if scope == LOCAL:
        return "@" not in acct
    if scope == REMOTE:
        return "@" in acct
    return True


def remove_vanished(
    archive: Archive,
    *,
    server: str,
    keys: frozenset[str],
    seen: set[str],
    floor: dt.datetime,
    scope: str,
    when: str,
) -> int:
    """Tombstone this server's records for ``keys`` dated from ``floor`` on that ``seen`` lacks.

    Call only after a complete scan that returned something and covered
    everything from the top down to ``floor``.
    """
    start = format_time(floor)
    gone = [
        post.uri
        for post in archive
        if post.server == server
        and not post.is_tombstone
        and post.created_at >= start
        and post.uri not in seen
        and keys.intersection(post.tags)
        and in_scope(post.account.acct, scope)
    ]
    return sum(_remove(archive, uri, server, when) for uri in gone)
