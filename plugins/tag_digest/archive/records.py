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

from ..digest.tagnames import normalise_tag
from .origins import is_origin
from .record_check import (
    ACCOUNT_KEYS,
    CARD_KEYS,
    EMOJI_KEYS,
    MEDIA_KEYS,
    MENTION_KEYS,
    check_record,
)

ARCHIVE_KEYS = (
    "uri", "url", "server", "created_at", "edited_at", "language", "account",
    "content", "spoiler_text", "sensitive", "tags", "card", "media", "emojis",
    "mentions", "in_reply_to", "fetched_at", "deleted_at",
)  # fmt: skip
OPTIONAL_KEYS = ("withheld",)
"""Keys written after :data:`ARCHIVE_KEYS` only when set (older lines keep their bytes)."""


@dataclass(frozen=True, slots=True)
class Account:
    acct: str
    display_name: str
    url: str
    avatar: str
    bot: bool = False
    """The account says it is automated; in the archive only when true (``"bot":true``)."""
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
    withheld: str | None = None
    """On a tombstone made by moderation: the setting that hid it (``DIGEST_BLOCK_WORDS``).
    Unlike a deletion's, such a tombstone is not final: a fetch may store the post again."""

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_final(self) -> bool:
        """A deletion (or opt-out) tombstone: the post never comes back."""
        return self.deleted_at is not None and self.withheld is None

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

    def withhold(self, when: str, reason: str) -> Post:
        """This post hidden by moderation (``reason``: the setting): a tombstone that may lift."""
        return replace(self.tombstone(when), withheld=reason)

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
    if not post.account.bot:
        del data["account"]["bot"]
    if data["account"]["indexable"] is None:
        del data["account"]["indexable"]  # unknown: older lines keep their bytes
    ordered = {key: data[key] for key in ARCHIVE_KEYS}
    ordered.update({key: data[key] for key in OPTIONAL_KEYS if data[key] is not None})
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def _opt_time(value: str | None) -> str | None:
    return value or None  # an empty time is no time (older archives wrote "")


def _opt_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def from_json(data: Any) -> Post:
    """Rebuild a :class:`Post` from an archive object.

    Raises ``ValueError`` naming the field when it is not one: every field is checked
    against the archive format first (:func:`.record_check.check_record`), nothing coerced.
    """
    record = check_record(data)
    account, card = record["account"], record["card"]
    return Post(
        uri=record["uri"],
        url=record["url"],
        server=record["server"],
        created_at=record["created_at"],
        edited_at=_opt_time(record["edited_at"]),
        language=record["language"],
        account=Account(
            **{k: account[k] for k in ACCOUNT_KEYS},
            bot=account.get("bot") is True,
            indexable=account.get("indexable")
            if isinstance(account.get("indexable"), bool)
            else None,
        ),
        content=record["content"],
        spoiler_text=record["spoiler_text"],
        sensitive=record["sensitive"],
        tags=tuple(record["tags"]),
        card=Card(**{k: card[k] for k in CARD_KEYS}) if card is not None else None,
        media=tuple(Media(**{k: m[k] for k in MEDIA_KEYS}) for m in record.get("media", ())),
        emojis=tuple(Emoji(**{k: e[k] for k in EMOJI_KEYS}) for e in record.get("emojis", ())),
        mentions=tuple(
            Mention(**{k: m[k] for k in MENTION_KEYS}) for m in record.get("mentions", ())
        ),
        in_reply_to=record.get("in_reply_to"),
        fetched_at=record.get("fetched_at", ""),
        deleted_at=_opt_time(record.get("deleted_at")),
        withheld=record.get("withheld") if record.get("deleted_at") else None,
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
            bot=account.get("bot") is True,
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
