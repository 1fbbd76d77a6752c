"""What the site search indexes: one record per post (pure; no Pagefind, no files).

Each visible post whose author allows it (:func:`searchable`) becomes one
:class:`SearchRecord`: the text a reader can find it by (the post's text as the
site shows it, its content warning, its card's title, the domains it links to),
what a result shows (author, date, the start of the text) and the filters
(tag, month and, where the post has one, language). The page chrome is never
part of a record. :mod:`.search_index` hands the records to Pagefind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..archive.records import Post
from ..digest.links import domain_of
from .fragment_text import fragment_text
from .render import author_view, valid_lang

START_CHARS = 200
"""How much of a post's text a result shows."""


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One post in the search index."""

    url: str
    """Site-root-relative link to the post on its day page (``days/<date>/…#p-…``)."""
    content: str
    """The words it is found by."""
    language: str
    """The index language: the site's (``DEFAULT_LANG``), so stemming follows the page."""
    meta: dict[str, str]
    """What a result shows: ``title`` (the author), ``handle``, ``date`` (ISO), ``day``
    (the date in words), ``start`` (the start of the text, or the content warning)."""
    filters: dict[str, list[str]]
    """``tag`` (``#Name``), ``month`` (``YYYY-MM``), ``language`` when the post has one."""


def searchable(post: Post) -> bool:
    """Whether a post may enter the search index: only when its author said ``indexable``.

    Mastodon (4.2+) reports ``indexable`` per account. ``False`` keeps the post out;
    so does an unknown value (an older server, other software, an archive line written
    before tagdigest kept the field), as Mastodon itself does for an account whose
    server does not say. Deleted posts never reach here (they are not on the site).
    """
    return post.account.indexable is True and not post.is_tombstone


def index_language(site_lang: str) -> str:
    """The ISO 639-1 part of ``DEFAULT_LANG`` (``ru`` for ``ru-RU``), as Pagefind expects."""
    return (site_lang.replace("_", "-").split("-")[0] or "en").lower()


def _squash(text: str) -> str:
    return " ".join(text.split())


def start_of(text: str, limit: int = START_CHARS) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, with ``…`` when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def search_record(
    post: Post,
    *,
    url: str,
    fragment: str,
    links: Iterable[str],
    tags: Iterable[str],
    local_date: dt.date,
    day_label: str,
    site_lang: str,
    cw_label: str,
) -> SearchRecord:
    """The record of ``post``: ``url`` from :meth:`.placement.Placement.post_link`,
    ``fragment`` its rendered HTML, ``links`` its :func:`.links.post_links`, ``tags`` the
    configured tags it carries (display names)."""
    text = fragment_text(fragment)
    warning = _squash(post.spoiler_text)[:1000]
    card_title = _squash(post.card.title)[:1000] if post.card else ""
    domains = sorted({d for d in (domain_of(link) for link in links) if d})
    author = author_view(post)
    content = "\n".join(part for part in (warning, text, card_title, " ".join(domains)) if part)
    # A content warning is shown instead of the text it hides.
    start = f"{cw_label}: {warning}" if warning else start_of(text or card_title)
    return SearchRecord(
        url=url,
        content=content,
        language=index_language(site_lang),
        meta={
            "title": author.name or author.handle,
            "handle": author.handle,
            "date": local_date.isoformat(),
            "day": day_label,
            "start": start,
        },
        filters=record_filters(post, tags, local_date),
    )


def record_filters(post: Post, tags: Iterable[str], local_date: dt.date) -> dict[str, list[str]]:
    """The filters of ``post``'s record: ``tag``, ``month`` and, when it has one, ``language``."""
    filters: dict[str, list[str]] = {
        "tag": [f"#{name}" for name in tags],
        "month": [local_date.isoformat()[:7]],
    }
    lang = valid_lang(post.language)
    if lang:
        filters["language"] = [lang.lower()]
    return filters


def record_source(
    post: Post,
    *,
    url: str,
    fragment_digest: str,
    links: Iterable[str],
    tags: Iterable[str],
    local_date: dt.date,
    day_label: str,
) -> str:
    """One line holding everything :func:`search_record` reads of ``post`` (its fragment by
    its digest): equal lines, equal records, without parsing the fragment."""
    account, card = post.account, post.card
    return json.dumps(
        [
            url,
            fragment_digest,
            list(links),
            list(tags),
            local_date.isoformat(),
            day_label,
            account.acct,
            account.display_name,
            post.server,
            post.spoiler_text,
            card.title if card else None,
            post.language,
        ],
        ensure_ascii=False,
    )


def sources_hash(sources: Iterable[str], *extra: str) -> str:
    """A hash of a bundle's :func:`record_source` lines and ``extra`` (an unchanged hash:
    no re-index)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (*extra, "\x1d", *sources):
        digest.update(part.encode("utf-8") + b"\x1e")
    return digest.hexdigest()
