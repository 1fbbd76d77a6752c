"""Compact entries: a post in brief on a tag or week page, linking to its full entry.

Each post is shown in full once, on its day page (:meth:`.placement.Placement.post_link`);
the pages ``DIGEST_COMPACT_PAGES`` names show it as a :class:`CompactView` instead, which
the theme's ``digest/compact.html`` renders as a one-line ``h-entry``: the author's name,
the time (linking to the original post, the ``u-url``), the post's first line (its feed
title, :func:`~.feeds.post_title`) or, when it has one, its content warning and never the
text behind it, as the link to the full entry, and its first shared link.

:func:`compact_view` is pure: every text is plain (the template escapes it) and every
URL is absolute http(s) or our own site-root-relative link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..archive.records import Post, format_time
from ..digest.grouping import local_time
from ..digest.link_urls import display_url
from ..digest.sanitize import plain, safe_original, safe_url
from ..formats.feeds import short_title
from .render import AuthorView, author_view, valid_lang

LINE_LIMIT = 80
"""At most this many characters of the post's first line (as its feed title)."""
LINK_LIMIT = 60
"""At most this many characters of the shared link as shown."""


@dataclass(frozen=True, slots=True)
class CompactView:
    """One post in brief (texts plain: the template escapes them)."""

    uri: str
    """The status URI (``data-uri``, as on the full entry: what tools identify a post by)."""
    author: AuthorView
    url: str | None
    """The original post (absolute http(s)): the ``u-url``, as on the full entry."""
    published: str
    """UTC, for ``<time datetime>``."""
    time: str
    """Local time of day in the site's time zone."""
    lang: str | None
    line: str
    """The ``p-summary``: the post's content warning, else the start of its text."""
    warning: bool
    """Whether :attr:`line` is a content warning."""
    link: str | None
    """The post's first shared link (none behind a content warning)."""
    link_label: str
    """:attr:`link` as people read it: no scheme, at most :data:`LINK_LIMIT` characters."""
    full: str
    """Site-root-relative link to the full entry on its day page (``days/…#p-…``)."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact_view(
    post: Post,
    *,
    title: str,
    links: Sequence[str],
    full: str,
    tz: dt.tzinfo,
    author: AuthorView | None = None,
) -> CompactView:
    """``post`` in brief; ``title`` is its :func:`~.feeds.post_title`, ``links`` its
    :func:`~.links.post_links`, ``full`` the link to its full entry, ``author`` its
    :func:`~.render.author_view` when the caller has it (pure)."""
    warning = " ".join(plain(post.spoiler_text).split())
    line = short_title(warning, LINE_LIMIT) if warning else " ".join(plain(title).split())
    link = None if warning else next((u for u in map(safe_url, links[:1]) if u), None)
    local = local_time(post, tz)
    return CompactView(
        uri=plain(post.uri),
        author=author or author_view(post),
        url=safe_original(post.uri, post.url),
        published=format_time(post.created),
        time=f"{local.hour:02d}:{local.minute:02d}",
        lang=valid_lang(post.language),
        line=line,
        warning=bool(warning),
        link=link,
        link_label=shorten(plain(display_url(link)), LINK_LIMIT) if link else "",
        full=full,
    )
