"""Archive records: one :class:`Post` per status ``uri``, and its JSON form.

The JSON form is the archive format, a contract other tooling relies on: one
object per line, keys in the order of the dataclass fields below, UTF-8.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from .tagnames import normalise_tag

ARCHIVE_KEYS = (
    "uri", "url", "server", "created_at", "edited_at", "language", "account",
    "content", "spoiler_text", "sensitive", "tags", "card", "media", "emojis",
    "mentions", "in_reply_to", "fetched_at", "deleted_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Account:
    acct: str
    display_name: str
    url: str
    avatar: str
    indexable: bool | None = None
    """The author's ``indexable`` (Mastodon 4.2+: may their public posts be searched);
    ``None`` when the server did not say. Only ``True`` lets a post into the site search."""


@dataclass(frozen=True, slots=True)
class Card:
    url: str
    title: str
    description: str
    provider: str


@dataclass(frozen=True, slots=True)
class Media:
    type: str
    url: str
    preview_url: str
    description: str


@dataclass(frozen=True, slots=True)
class Emoji:
    shortcode: str
    url: str


@dataclass(frozen=True, slots=True)
class Mention:
    acct: str
    url: str


@dataclass(frozen=True, slots=True)
class Post:
    """One archived status. A tombstone has ``deleted_at`` set and no content."""

    uri: str
    url: str
    server: str
    created_at: str
    """UTC, ISO-8601 with milliseconds: ``2024-12-27T10:15:00.000Z``."""
    edited_at: str | None
    language: str | None
    account: Account
    content: str
    """The status HTML as the server sent it (sanitised only when rendered)."""
    spoiler_text: str
    sensitive: bool
    tags: tuple[str, ...]
    """Normalised hashtag names, sorted."""
    card: Card | None
    media: tuple[Media, ...] = ()
    emojis: tuple[Emoji, ...] = ()
    mentions: tuple[Mention, ...] = ()
    in_reply_to: str | None = None
    fetched_at: str = ""
    deleted_at: str | None = None

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None

    @property
    def created(self) -> dt.datetime:
        return parse_time(self.created_at)

    @property
    def month(self) -> str:
        """The archive shard this post lives in: ``YYYY-MM``."""
        return self.created_at[:7]

    def tombstone(self, when: str) -> Post:
        """This post, deleted: content and personal data dropped, identity kept."""
        return Post(
            uri=self.uri,
            url="",
            server=self.server,
            created_at=self.created_at,
            edited_at=None,
            language=None,
            account=Account(acct="", display_name="", url="", avatar=""),
            content="",
            spoiler_text="",
            sensitive=False,
            tags=(),
            card=None,
            fetched_at=self.fetched_at,
            deleted_at=when,
        )

    def with_tags(self, tags: tuple[str, ...]) -> Post:
        return replace(self, tags=tags)


def format_time(value: dt.datetime) -> str:
    """UTC ISO-8601 with milliseconds and ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@functools.lru_cache(maxsize=1 << 16)  # pure; the same times are sorted and compared often
def parse_time(value: str) -> dt.datetime:
    """Parse an ISO-8601 time; naive times are taken as UTC."""
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def to_json_line(post: Post) -> str:
    """The archive line of ``post``: keys in :data:`ARCHIVE_KEYS` order, no newline."""
    data = asdict(post)
    if data["account"]["indexable"] is None:
        del data["account"]["indexable"]  # unknown: older lines keep their bytes
    ordered = {key: data[key] for key in ARCHIVE_KEYS}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _opt_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def from_json(data: Any) -> Post:
    """Rebuild a :class:`Post` from an archive object. Raises ``ValueError`` if it is not one."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("uri", "created_at", "server"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"missing {key!r}")
    parse_time(data["created_at"])
    account = data.get("account") or {}
    card = data.get("card")
    return Post(
        uri=data["uri"],
        url=_str(data, "url"),
        server=data["server"],
        created_at=data["created_at"],
        edited_at=_opt_str(data, "edited_at"),
        language=_opt_str(data, "language"),
        account=Account(
            acct=_str(account, "acct"),
            display_name=_str(account, "display_name"),
            url=_str(account, "url"),
            avatar=_str(account, "avatar"),
            indexable=_opt_bool(account, "indexable"),
        ),
        content=_str(data, "content"),
        spoiler_text=_str(data, "spoiler_text"),
        sensitive=bool(data.get("sensitive")),
        tags=tuple(t for t in data.get("tags") or () if isinstance(t, str)),
        card=Card(**{k: _str(card, k) for k in ("url", "title", "description", "provider")})
        if isinstance(card, dict)
        else None,
        media=tuple(
            Media(**{k: _str(m, k) for k in ("type", "url", "preview_url", "description")})
            for m in data.get("media") or ()
            if isinstance(m, dict)
        ),
        emojis=tuple(
            Emoji(shortcode=_str(e, "shortcode"), url=_str(e, "url"))
            for e in data.get("emojis") or ()
            if isinstance(e, dict)
        ),
        mentions=tuple(
            Mention(acct=_str(m, "acct"), url=_str(m, "url"))
            for m in data.get("mentions") or ()
            if isinstance(m, dict)
        ),
        in_reply_to=_opt_str(data, "in_reply_to"),
        fetched_at=_str(data, "fetched_at"),
        deleted_at=_opt_str(data, "deleted_at"),
    )


def _http_url(value: Any) -> str:
    """``value`` if it is an http(s) URL, else an empty string (untrusted input)."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value.strip()
    return ""


@functools.lru_cache(maxsize=1 << 12)  # the same few servers in every post
def url_host(url: str) -> str:
    """The lower-case host of ``url``, or ``""`` when no URL parser accepts it (untrusted)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def from_status(status: dict[str, Any], server: str, fetched_at: str) -> Post:
    """Turn a Mastodon API Status into a :class:`Post`.

    Raises ``ValueError`` when the status lacks what every record needs
    (a ``uri`` and a parseable ``created_at``).
    """
    uri = status.get("uri")
    if not isinstance(uri, str) or not _http_url(uri):
        raise ValueError("status without an http(s) uri")
    created = status.get("created_at")
    if not isinstance(created, str):
        raise ValueError("status without created_at")
    edited = status.get("edited_at")
    raw_account = status.get("account")
    account: dict[str, Any] = raw_account if isinstance(raw_account, dict) else {}
    raw_card = status.get("card")
    card: dict[str, Any] | None = raw_card if isinstance(raw_card, dict) else None
    tags = sorted(
        {
            normalise_tag(t["name"])
            for t in status.get("tags") or ()
            if isinstance(t, dict) and isinstance(t.get("name"), str) and normalise_tag(t["name"])
        }
    )
    return Post(
        uri=uri.strip(),
        url=_http_url(status.get("url")) or _http_url(uri),
        server=server,
        created_at=format_time(parse_time(created)),
        edited_at=format_time(parse_time(edited)) if isinstance(edited, str) and edited else None,
        language=status["language"] if isinstance(status.get("language"), str) else None,
        account=Account(
            acct=_text(account.get("acct")),
            display_name=_text(account.get("display_name")),
            url=_http_url(account.get("url")),
            avatar=_http_url(account.get("avatar_static") or account.get("avatar")),
            indexable=_opt_bool(account, "indexable"),
        ),
        content=_text(status.get("content")),
        spoiler_text=_text(status.get("spoiler_text")),
        sensitive=status.get("sensitive") is True,
        tags=tuple(tags),
        card=Card(
            url=_http_url(card.get("url")),
            title=_text(card.get("title")),
            description=_text(card.get("description")),
            provider=_text(card.get("provider_name")),
        )
        if card and _http_url(card.get("url"))
        else None,
        media=tuple(
            Media(
                type=_text(m.get("type")),
                url=_http_url(m.get("url")) or _http_url(m.get("remote_url")),
                preview_url=_http_url(m.get("preview_url")),
                description=_text(m.get("description")),
            )
            for m in status.get("media_attachments") or ()
            if isinstance(m, dict)
        ),
        emojis=tuple(
            Emoji(
                shortcode=_text(e.get("shortcode")),
                url=_http_url(e.get("static_url") or e.get("url")),
            )
            for e in status.get("emojis") or ()
            if isinstance(e, dict) and _text(e.get("shortcode"))
        ),
        mentions=tuple(
            Mention(acct=_text(m.get("acct")), url=_http_url(m.get("url")))
            for m in status.get("mentions") or ()
            if isinstance(m, dict)
        ),
        in_reply_to=_text(status.get("in_reply_to_id")) or None,
        fetched_at=fetched_at,
        deleted_at=None,
    )


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
    """Upsert rule for one status ``uri``.

    - a tombstone is final: the post is never re-added;
    - tags seen through different timelines are merged;
    - an edit (a newer ``edited_at``) replaces the record, and so does a changed
      copy from the server the record came from; another server's copy only
      contributes its tags (no flip-flopping between two servers' copies), unless
      it is the post's origin server with a newer edit;
    - an unchanged post keeps its bytes (``fetched_at`` and ``server`` included).
    """
    if existing is None:
        return MergeResult(incoming, "new")
    if existing.is_tombstone:
        return MergeResult(None, "unchanged")
    tags = tuple(sorted(set(existing.tags) | set(incoming.tags)))
    if _content_key(existing) == _content_key(incoming):
        if tags == existing.tags:
            return MergeResult(None, "unchanged")
        return MergeResult(existing.with_tags(tags), "updated")
    newer = (incoming.edited_at or "") > (existing.edited_at or "")
    same_version = (incoming.edited_at or "") == (existing.edited_at or "")
    same_server = incoming.server == existing.server
    # Content is only taken from the server the record came from, or from the post's
    # own origin server: another server cannot rewrite a post it merely relays.
    trusted = same_server or url_host(incoming.uri) == url_host(incoming.server)
    if trusted and (newer or (same_version and same_server)):
        # An edit, or the same server's copy changed (a preview card arrived late): the
        # post's hashtags are now what it carries (an author may remove one).
        return MergeResult(replace(incoming, server=existing.server), "updated")
    # Another server's older or differently rendered copy: keep ours, merge tags.
    if tags == existing.tags:
        return MergeResult(None, "unchanged")
    return MergeResult(existing.with_tags(tags), "updated")
