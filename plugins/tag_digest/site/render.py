"""One post, rendered: an archive :class:`~.records.Post` turned into an HTML fragment.

:func:`post_view` is pure: it makes a :class:`PostView` in which everything
from the network is either sanitised HTML (``Markup``: the post's content) or
plain text that the template escapes (names, content warning, card text, alt
text). URLs are kept only when they are absolute http(s). The theme's
``digest/post.html`` turns a view into the fragment; :func:`render_fragment`
does that and resolves nothing page-specific: links to our own pages start
with :data:`~.urls.ROOT`, which each page replaces. A fragment therefore
depends only on the post and on :attr:`RenderContext.fingerprint`, and is
rendered once per build (and cached across builds by the generator).

Custom emoji stay as their ``:shortcode:`` text: no image is hot-linked from
the author's server, the text keeps the meaning, and the emoji URLs remain in
the archive for a theme that wants them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from markupsafe import Markup

from ..archive.records import Post, format_time, url_host
from ..digest.grouping import local_time
from ..digest.sanitize import clean_html, link_hashtags, plain, safe_original, safe_url
from ..digest.tagnames import normalise_tag

RENDER_VERSION = "5"
"""Bump when the code here changes what a fragment looks like (invalidates caches)."""

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


class Template(Protocol):
    def render(self, *args: object, **kwargs: object) -> str: ...


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Everything besides the post that a fragment depends on."""

    tz: dt.tzinfo
    tag_hrefs: Mapping[str, str]
    """Normalised name of each configured tag -> rooted link to its digest page."""
    words: Mapping[str, str]
    """The page chrome's words (:mod:`.strings`)."""
    salt: str = ""
    """Anything else the fragments depend on (e.g. a hash of the theme's templates)."""

    @property
    def fingerprint(self) -> str:
        parts = [
            RENDER_VERSION,
            str(self.tz),
            repr(sorted(self.tag_hrefs.items())),
            repr(sorted(self.words.items())),
            self.salt,
        ]
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class AuthorView:
    name: str
    handle: str
    url: str | None


@dataclass(frozen=True, slots=True)
class MediaView:
    kind: str
    """``image``, ``video``, ``audio`` or ``unknown`` (Mastodon's ``gifv`` shows as video)."""
    url: str | None
    preview: str | None
    alt: str
    described: bool


@dataclass(frozen=True, slots=True)
class CardView:
    url: str | None
    domain: str
    title: str
    description: str
    provider: str


@dataclass(frozen=True, slots=True)
class TagView:
    name: str
    """As written in the post (or normalised, for a tag not written in the text)."""
    href: Markup | str | None
    """Our tag page (``Markup``, a rooted link), the server's, or ``None`` (no link)."""

    @property
    def ours(self) -> bool:
        return isinstance(self.href, Markup)


@dataclass(frozen=True, slots=True)
class PostView:
    uri: str
    url: str | None
    lang: str | None
    published: str
    """UTC, for ``<time datetime>``: ``2024-12-27T10:15:00.000Z``."""
    local: dt.datetime
    time: str
    """Local time of day in the site's time zone: ``13:15``."""
    author: AuthorView
    content: Markup
    summary: str
    sensitive: bool
    media: tuple[MediaView, ...]
    card: CardView | None
    categories: tuple[str, ...]
    """The archive's tag names (normalised), one ``p-category`` each."""
    extra_tags: tuple[TagView, ...]
    """Tags of the post that its text does not show, for a hashtag bar."""
    reply: bool


@functools.lru_cache(maxsize=1 << 16)
def _normalised(tag: str) -> str:
    return normalise_tag(tag)


@functools.lru_cache(maxsize=1 << 16)
def _fold(tag: str) -> str:
    """A tag as Mastodon files it (``#KünstlicheIntelligenz`` is ``kunstliche…``): the one rule,
    :func:`.tagnames.normalise_tag` (Latin accents folded; ``й`` stays ``й``)."""
    return normalise_tag(tag)


def valid_lang(value: str | None) -> str | None:
    """A BCP 47-looking language tag, or ``None`` (never an arbitrary string in ``lang``)."""
    return value if value and _LANG.match(value) else None


def author_view(post: Post) -> AuthorView:
    acct = plain(post.account.acct).strip().lstrip("@")
    username = acct.split("@", 1)[0]
    if acct and "@" not in acct:
        server = url_host(post.server)
        acct = f"{acct}@{server}" if server else acct
    name = " ".join(plain(post.account.display_name).split()) or username
    return AuthorView(name=name, handle=f"@{acct}" if acct else "", url=safe_url(post.account.url))


def _media_kind(kind: str) -> str:
    if kind in ("image", "audio"):
        return kind
    if kind in ("video", "gifv"):
        return "video"
    return "unknown"


def media_views(post: Post, words: Mapping[str, str]) -> tuple[MediaView, ...]:
    views = []
    for media in post.media:
        url = safe_url(media.url)
        preview = safe_url(media.preview_url) or (url if media.type == "image" else None)
        if not url and not preview:
            continue
        description = " ".join(plain(media.description).split())
        views.append(
            MediaView(
                kind=_media_kind(media.type),
                url=url or preview,
                preview=preview,
                alt=description or words["no_description"],
                described=bool(description),
            )
        )
    return tuple(views)


def card_view(post: Post) -> CardView | None:
    card = post.card
    if card is None:
        return None
    title = " ".join(plain(card.title).split())
    description = plain(card.description).strip()
    provider = " ".join(plain(card.provider).split())
    url = safe_url(card.url)
    if not (title or description):
        return None
    return CardView(
        url=url,
        domain=url_host(url) if url else "",
        title=title,
        description=description,
        provider=provider,
    )


def _origin_tag_href(post: Post, name: str) -> str | None:
    """The tag page of ``name`` on the server the post was read from, if that is http(s).

    That server is a Mastodon server (checked before fetching) whose tag page
    holds the post, which the author's own server may not offer (a bridge, say).
    Without an http(s) server there is no link at all, never a guessed one.
    """
    server = safe_url(post.server)
    return f"{server.rstrip('/')}/tags/{quote(name, safe='')}" if server else None


def post_view(post: Post, ctx: RenderContext) -> PostView:
    """The safe, display-ready form of ``post`` (pure)."""
    shown: list[str] = []  # the tags the text shows, folded

    def href_for(name: str) -> str | None:
        shown.append(_fold(name))
        return ctx.tag_hrefs.get(_normalised(name))

    content = Markup(link_hashtags(clean_html(post.content), href_for))
    extra = tuple(
        TagView(
            name=tag,
            href=Markup(ctx.tag_hrefs[tag])
            if tag in ctx.tag_hrefs
            else _origin_tag_href(post, tag),
        )
        for tag in post.tags
        if _fold(tag) not in shown
    )
    local = local_time(post, ctx.tz)
    return PostView(
        uri=plain(post.uri),
        url=safe_original(post.uri, post.url),  # on the post's own origin host, or none
        lang=valid_lang(post.language),
        published=format_time(post.created),
        local=local,
        time=local.strftime("%H:%M"),
        author=author_view(post),
        content=content,
        summary=" ".join(plain(post.spoiler_text).split()),
        sensitive=post.sensitive,
        media=media_views(post, ctx.words),
        card=card_view(post),
        categories=tuple(plain(t) for t in post.tags),
        extra_tags=extra,
        reply=post.in_reply_to is not None,
    )


def render_fragment(template: Template, post: Post, ctx: RenderContext) -> str:
    """The HTML of one post (an ``<article class="h-entry">``), with rooted links."""
    return template.render(post=post_view(post, ctx), t=ctx.words).strip()
