"""Archive records: one :class:`Post` per status ``uri``, and its JSON form.

The JSON form is the archive format, a contract other tooling relies on: one
object per line, keys in the order of the dataclass fields below, UTF-8.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from ..times import format_time as format_time  # re-exported: the archive's time format
from ..times import parse_time as parse_time
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
    def updated_at(self) -> str:
        """When the post last changed: ``edited_at`` if it was edited, else ``created_at``
        (the one rule for "newest of ``edited_at`` or ``created_at``": feeds, sitemaps)."""
        return self.edited_at or self.created_at

    @property
    def updated(self) -> dt.datetime:
        return parse_time(self.updated_at)

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


def optional_bool(data: dict[str, Any], key: str) -> bool | None:
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


@functools.lru_cache(maxsize=1 << 12)  # the same few servers in every post
def url_host(url: str) -> str:
    """The lower-case host of ``url``, or ``""`` when no URL parser accepts it (untrusted)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def standing(known: Post, other: Post) -> Post:
    """Which of two archive lines of one status stands (a hand-merged archive, or a shard
    beside a copy of itself): the one home of "a tombstone wins".

    A deletion (a final tombstone) beats a moderation tombstone, any tombstone beats a live
    line, and of two lines alike the later one (``other``) stands.
    """
    if known.is_final or other.is_final:
        return known if known.is_final else other
    if known.is_tombstone or other.is_tombstone:
        return known if known.is_tombstone else other
    return other
