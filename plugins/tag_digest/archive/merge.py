"""What a re-fetched status changes in its archived record: :func:`merge`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .origins import is_origin
from .records import Post


@dataclass(slots=True)
class MergeResult:
    """What :func:`merge` decided for one incoming post."""

    post: Post | None
    """The record to keep, or ``None`` when nothing changes."""
    kind: str = field(default="unchanged")
    """``new``, ``updated`` or ``unchanged``."""


def _content_key(post: Post) -> tuple[Any, ...]:
    data = asdict(post)
    data.pop("fetched_at")
    data.pop("tags")
    data.pop("server")
    return tuple(sorted((k, repr(v)) for k, v in data.items()))


def merge(existing: Post | None, incoming: Post) -> MergeResult:
    """Upsert rule for one status ``uri``; ``incoming`` is a copy read from ``incoming.server``.

    Who speaks for a record: the post's *origin* (the server of its ``uri``, host and
    port: :func:`is_origin`) once its copy has been read, before that the server the
    record came from. Whether the origin has been read is the record's own
    ``server``: it is the origin exactly when the origin's copy is what the record holds.

    - a tombstone is final: the post is never re-added; except a moderation
      tombstone (``withheld``), which the post replaces when it is seen again
      (the caller has checked that the moderation rules allow it now);
    - the origin's copy of a record that came from another server replaces it, tags
      included (whatever a relay said is dropped), and takes the record over;
    - once the record is the origin's, another server's copy changes nothing: a relay
      neither rewrites the post nor adds a tag to it;
    - a copy from the record's own server: an edit (a newer ``edited_at``) or a changed
      copy of the same version replaces the record (its tags are then what it carries:
      an author may remove one); otherwise its tags are merged (one server, several
      tag timelines);
    - two relays, the origin unread: the first one's copy stays, the other's tags are
      merged (neither can be checked against the origin);
    - an unchanged post keeps its bytes (``fetched_at`` and ``server`` included).
    """
    if existing is None:
        return MergeResult(incoming, "new")
    if existing.is_tombstone:
        return MergeResult(incoming, "new") if existing.withheld else MergeResult(None, "unchanged")
    origin_held = is_origin(existing.uri, existing.server)
    from_origin = is_origin(incoming.uri, incoming.server)
    if from_origin and not origin_held:
        return MergeResult(incoming, "updated")  # the origin takes the record over
    if origin_held and not from_origin:
        return MergeResult(None, "unchanged")  # a relay cannot rewrite or re-tag it
    if incoming.server != existing.server and not from_origin:
        return _merge_tags(existing, incoming)  # two relays
    # The record's own server (the origin, however its address is spelled).
    if _content_key(existing) != _content_key(incoming) and (
        (incoming.edited_at or "") >= (existing.edited_at or "")
    ):
        # An edit, or the same server's copy changed (a preview card arrived late).
        return MergeResult(incoming, "updated")
    return _merge_tags(existing, incoming)


def _merge_tags(existing: Post, incoming: Post) -> MergeResult:
    """``existing``, with ``incoming``'s tags added."""
    tags = tuple(sorted(set(existing.tags) | set(incoming.tags)))
    if tags == existing.tags:
        return MergeResult(None, "unchanged")
    return MergeResult(existing.with_tags(tags), "updated")
