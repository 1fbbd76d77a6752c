"""A server's status (Mastodon API JSON, untrusted) to a :class:`.records.Post`."""

from __future__ import annotations

from typing import Any

from ..digest.tagnames import normalise_tag
from .records import (
    Account,
    Card,
    Emoji,
    Media,
    Mention,
    Post,
    format_time,
    optional_bool,
    parse_time,
)


def _http_url(value: Any) -> str:
    """``value`` if it is an http(s) URL, else an empty string (untrusted input)."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value.strip()
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
            indexable=optional_bool(account, "indexable"),
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
