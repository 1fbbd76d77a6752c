"""Putting fetched statuses into the archive: consent, upsert, deletions.

No network here: these functions take statuses (already screened by
:mod:`.fetch`) and change an :class:`.Archive` in memory.

- A status that fails :func:`.consent.check_status` (which also refuses consent
  fields that are not what Mastodon sends: ``discoverable: "false"``,
  ``noindex: "true"``, a ``reblog`` that is not ``null``) never reaches the
  archive; if the archive holds it from this server or the post's origin server
  (the author opted out or changed the visibility since), it becomes a tombstone.
- Every other status is upserted (:func:`upsert`, by the rules of
  :func:`.records.merge`; tombstones are final). Who may change a record: the
  server it came from, and the post's own origin server, whose copy replaces a
  relaying server's (which may be forged), tags included, and takes the record
  over. Once a record is its origin's, no other server changes it, not even its
  hashtags; before that, another relay only adds hashtags.
  A post whose origin is one of ``DIGEST_SERVERS`` is never *created* from
  another server's copy: its origin, asked too, is the one to say what it is
  (and whether it is public at all).
- A status the maintainer's moderation rules refuse (:meth:`.moderation.Rules.verdict`)
  is never stored; an archived copy becomes a moderation tombstone when this
  server may speak for it. :func:`withhold_archived` does the same for every
  archived post before a fetch. Such a tombstone is not final: once the rules
  allow the post, the next fetch that sees it stores it again.
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

from ..times import format_time
from .consent import check_status
from .merge import merge
from .moderation import Rules
from .origins import Address, address, is_origin
from .records import Post
from .shards import Archive
from .statuses import from_status

__all__ = [  # address and is_origin live in origins (one rule for a post's origin)
    "LOCAL", "REMOTE", "Address", "Counts", "address", "in_scope", "ingest", "is_origin",
    "may_speak", "remove_vanished", "upsert", "withhold_archived",
]  # fmt: skip

LOCAL, REMOTE = "local", "remote"


@dataclass(slots=True)
class Counts:
    new: int = 0
    updated: int = 0
    removed: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    """``uri`` of every status received, allowed or not."""
    hidden: dict[str, str] = field(default_factory=dict)
    """``uri`` of every status the moderation rules refused, and the setting that did."""
    withheld: int = 0
    """Archived posts turned into moderation tombstones."""

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.removed += other.removed
        self.refused.update(other.refused)
        self.seen |= other.seen
        self.hidden.update(other.hidden)
        self.withheld += other.withheld


def _remove(archive: Archive, uri: str, server: str, when: str) -> bool:
    """Tombstone ``uri`` if ``server`` may speak for it: its record's server, or its origin.

    A moderation tombstone becomes a final one (the author's choice outranks ours)."""
    post = archive.get(uri)
    if post is None or post.is_final or not may_speak(post, server):
        return False
    archive.put(post.tombstone(when))
    return True


def may_speak(post: Post, server: str) -> bool:
    """Whether ``server`` may change ``post``'s record: it came from there, or lives there."""
    return post.server == server or is_origin(post.uri, server)


def withhold_archived(archive: Archive, rules: Rules, when: str) -> dict[str, str]:
    """Turn every archived post ``rules`` refuse into a moderation tombstone.

    Returns the ``uri`` of each, with the setting that refused it.
    """
    hidden: dict[str, str] = {}
    if not rules.active:
        return hidden
    for post in list(archive):
        reason = rules.verdict(post)
        if reason is not None:
            hidden[post.uri] = reason
            archive.put(post.withhold(when, reason))
    return hidden


def upsert(archive: Archive, post: Post, origins: frozenset[Address] = frozenset()) -> str:
    """Put ``post`` in the archive as the rules above allow: ``new``, ``updated``, ``unchanged``.

    ``origins``: the addresses of all ``DIGEST_SERVERS``.
    """
    existing = archive.get(post.uri)
    blank = existing is None or existing.withheld is not None
    if blank and address(post.uri) in origins and not is_origin(post.uri, post.server):
        return "unchanged"  # left to its own server
    result = merge(existing, post)
    if result.post is not None:
        archive.put(result.post)
    return result.kind


def ingest(
    archive: Archive,
    statuses: Iterable[dict[str, Any]],
    server: str,
    fetched_at: str,
    origins: frozenset[Address] = frozenset(),
    rules: Rules | None = None,
) -> Counts:
    """Upsert the allowed ``statuses``; withdraw archived ones that are no longer allowed.

    ``origins``: the addresses of all ``DIGEST_SERVERS`` (see :func:`upsert`);
    ``rules``: the maintainer's moderation (nothing is hidden without).
    """
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
        except (ValueError, TypeError, OverflowError):  # shapes fetch.screen_page let through
            counts.refused["unusable status"] += 1
            continue
        reason = rules.verdict(post) if rules is not None else None
        if reason is not None:
            counts.hidden[post.uri] = reason
            existing = archive.get(post.uri)
            if existing is not None and not existing.is_tombstone and may_speak(existing, server):
                archive.put(existing.withhold(fetched_at, reason))
                counts.withheld += 1
            continue
        kind = upsert(archive, post, origins)
        if kind == "new":
            counts.new += 1
        elif kind == "updated":
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
