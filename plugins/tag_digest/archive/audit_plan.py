"""Planning the rolling audit and applying what it found: which archived posts to re-verify
this run, the ids it keeps, the opted-out authors it removes (no network).

The audit (:mod:`.audit`) walks each batch's tag timeline down from the top to
its oldest archived post, one page of 40 at a time, spread over the runs of one
cycle of ``DIGEST_AUDIT_DAYS``. Here, on plain data:

- :func:`members`: the live posts of one server a batch's timeline should show;
- :func:`covered` and :func:`in_stretch`: which of them the walk has passed;
- :func:`target`: how many posts should be verified by the end of this run, so
  that the cycle ends within its days when the runs keep their spacing;
- :func:`id_from_uri`: the status id a post's own ``uri`` shows (Mastodon,
  GoToSocial, Pixelfed), where the audit learnt none;
- :func:`author_keys`, :func:`post_author_keys`, :func:`opted_out`: an author seen
  opted out (as :mod:`.consent` decides) and every archived post of theirs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..times import parse_time
from ..weburl import is_web_url
from .consent import check_status
from .ingest import in_scope
from .origins import is_origin
from .records import Post, url_host
from .shards import Archive
from .state import BatchAudit, ServerAudit

MAX_PENDING = 500
"""Most posts kept for a check alone in the next run (the rest wait for the next cycle)."""
_ID_PATHS = (
    re.compile(r"/users/[^/]+/statuses/([0-9A-Za-z]{1,64})"),  # Mastodon, GoToSocial
    re.compile(r"/p/[^/]+/([0-9]{1,64})"),  # Pixelfed
)


def batch_key(keys: frozenset[str]) -> str:
    """A batch's name in ``state.json``: its normalised tags, sorted, joined by ``,``."""
    return ",".join(sorted(keys))


def members(posts: Iterable[Post], server: str, keys: frozenset[str], scope: str) -> list[Post]:
    """The live posts read from ``server`` that a timeline of ``keys`` (in ``scope``) shows."""
    return [
        p
        for p in posts
        if p.server == server
        and not p.is_tombstone
        and keys.intersection(p.tags)
        and in_scope(p.account.acct, scope)
    ]


def covered(posts: Iterable[Post], cursor: BatchAudit) -> set[str]:
    """The ``uri`` of the posts the walk of this cycle has passed."""
    if cursor.done:
        return {p.uri for p in posts}
    if cursor.reached is None:
        return set()
    return {p.uri for p in posts if p.created_at >= cursor.reached}


def in_stretch(posts: Iterable[Post], lower: str | None, upper: str | None) -> list[Post]:
    """The posts dated after ``lower`` up to ``upper`` (``None``: no bound)."""
    return [
        p
        for p in posts
        if (lower is None or p.created_at > lower) and (upper is None or p.created_at <= upper)
    ]


def target(
    total: int, started: dt.datetime, last_run: dt.datetime, now: dt.datetime, days: float
) -> int:
    """How many of ``total`` posts should be verified in this cycle by the end of this run.

    Linear over the cycle, one run ahead (the last gap between runs is taken as the
    next one), so the cycle is complete before its ``days`` are over; ``0`` days: all.
    """
    if days <= 0:
        return total
    ahead = max(now - started, dt.timedelta()) + max(now - last_run, dt.timedelta())
    fraction = min(1.0, ahead / dt.timedelta(days=days))
    return min(total, math.floor(total * fraction + 1e-9))


def cycle_day(started: dt.datetime, now: dt.datetime) -> int:
    """The day of the cycle ``now`` falls on, from 1."""
    return max(0, (now - started) // dt.timedelta(days=1)) + 1


def progress_text(done: int, total: int, day: int, days: float) -> str:
    if days <= 0:
        return f"audit {done:,}/{total:,} posts (the whole archive this run)"
    return f"audit {done:,}/{total:,} posts, cycle {day} of {days:g} days"


def behind_text(
    server: str, done: int, wanted: int, total: int, day: int, days: float, budget: int
) -> str:
    return (
        f"{server}: the audit cannot keep up: {done:,} of {total:,} posts re-verified on day "
        f"{day} of {days:g}, {wanted:,} wanted by now; DIGEST_AUDIT_BUDGET={budget} requests a "
        f"run is too few for DIGEST_AUDIT_DAYS={days:g} (raise one, or run more often)"
    )


def id_from_uri(uri: str, server: str) -> str | None:
    """The status id on ``server`` that ``uri`` shows, when the post lives there."""
    if not is_origin(uri, server):
        return None
    try:
        path = uri.split("://", 1)[1].split("/", 1)[1]
    except IndexError:
        return None
    for pattern in _ID_PATHS:
        match = pattern.fullmatch("/" + path.split("?", 1)[0].split("#", 1)[0])
        if match:
            return match.group(1)
    return None


def status_ids(statuses: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``uri`` to ``id`` of screened statuses."""
    found: dict[str, str] = {}
    for status in statuses:
        uri, sid = status.get("uri"), status.get("id")
        if isinstance(uri, str) and isinstance(sid, str) and uri.strip() and sid:
            found[uri.strip()] = sid
    return found


def _keys(url: str, acct: str, server: str) -> frozenset[str]:
    keys = set()
    if is_web_url(url):
        keys.add("url:" + url.strip())
    name = acct.strip().lower().lstrip("@")
    if name:
        host = url_host(server)
        keys.add("acct:" + (name if "@" in name or not host else f"{name}@{host}"))
    return frozenset(keys)


def author_keys(account: Mapping[str, Any], server: str) -> frozenset[str]:
    """Names of the author of a status read from ``server``: profile URL, full ``acct``."""
    url, acct = account.get("url"), account.get("acct")
    return _keys(url if isinstance(url, str) else "", acct if isinstance(acct, str) else "", server)


def post_author_keys(post: Post) -> frozenset[str]:
    return _keys(post.account.url, post.account.acct, post.server)


def opted_out(status: Mapping[str, Any]) -> bool:
    """Whether the author of ``status`` opted out, by any signal :mod:`.consent` knows
    (or consent fields of the wrong type): asked of their account alone."""
    account = status.get("account")
    if not isinstance(account, dict):
        return False
    probe = {"visibility": "public", "reblog": None, "account": account}
    return not check_status(probe).allowed


def opted_out_authors(statuses: Iterable[Mapping[str, Any]], server: str) -> set[str]:
    """The author keys of every status in ``statuses`` whose author opted out."""
    found: set[str] = set()
    for status in statuses:
        account = status.get("account")
        if isinstance(account, dict) and opted_out(status):
            found |= author_keys(account, server)
    return found


def parse_or(value: str, default: dt.datetime) -> dt.datetime:
    """A stored time, or ``default`` when it is not one (a hand-edited state file)."""
    try:
        return parse_time(value)
    except (ValueError, OverflowError):
        return default


# --- what the audit changes in the archive (the walk itself is tag_digest/audit.py) ---


def remember_ids(archive: Archive, server: str, audit: ServerAudit, seen: dict[str, str]) -> None:
    """Keep the ids (of ``seen`` too) that cannot be read off a live post's ``uri``."""
    live = {p.uri for p in archive if p.server == server and not p.is_tombstone}
    ids = {**audit.ids, **seen}
    audit.ids = {u: i for u, i in sorted(ids.items()) if u in live and id_from_uri(u, server) != i}


def remove_authors(archive: Archive, authors: set[str], when: str) -> int:
    """Tombstone every live post of the ``authors`` (keys of :func:`.post_author_keys`)."""
    if not authors:
        return 0
    gone = [p for p in archive if not p.is_tombstone and post_author_keys(p) & authors]
    for post in gone:
        archive.put(post.tombstone(when))
    return len(gone)
