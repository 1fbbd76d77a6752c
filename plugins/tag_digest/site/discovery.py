"""Feeds, sitemap, robots.txt and the ``<head>`` links that announce them (issue 4).

A mixin of :class:`~.generator.DigestGenerator`. Feeds, the sitemap and
canonical links need absolute URLs: they come from ``FEED_DOMAIN`` (feeds)
or ``SITEURL``; a build without an absolute one (``make site`` with
``SITEURL = ""``) writes none of them, says so once in the log, and still
writes ``robots.txt``. Feed entries are the posts' own fragments (sanitised
when rendered), with our links made absolute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..archive.records import parse_time
from ..digest.model import Entry as ModelEntry
from ..digest.periods import Period
from ..digest.urls import resolve_root
from ..formats.feeds import (
    ALL_FEED_PATH,
    WEEKS_FEED_PATH,
    Entry,
    Feed,
    Person,
    absolute_url,
    feed_base,
    post_entry,
    render_atom,
    tag_feed_path,
)
from ..formats.seo import ROBOTS_PATH, SitemapUrl, robots_txt, sitemap_files
from .period_pages import HOME_POSTS
from .week_summary import Summaries, summary_html

log = logging.getLogger("tag_digest")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    href: str
    """Absolute."""
    tag: str | None = None
    """The normalised tag of a tag feed (shown on that tag's pages only)."""


def page_url_path(path: str) -> str:
    """An output path as a URL path: ``weeks/2024-W52/index.html`` → ``weeks/2024-W52/``."""
    return path.removesuffix("index.html")


class Discovery:
    """Mixin of :class:`~.generator.DigestGenerator`: Atom feeds, sitemap, robots.txt."""

    model: Any
    urls: Any
    dates: Any
    page_words: Any
    settings: dict[str, Any]
    context: dict[str, Any]
    digest_settings: Any
    weeks: Any
    summaries: Summaries
    sitemap_pages: list[tuple[str, dt.datetime | None]]
    write_raw: Any
    writer: Any
    _fingerprint: str
    post_link: Any
    lastmod: Any
    tag_count_views: Any

    known_titles: dict[str, str]
    site_base: str | None
    feed_root: str | None

    def prepare_discovery(self) -> None:
        """Absolute bases, and what every page's ``<head>`` announces."""
        site_url = str(self.settings.get("SITEURL") or "")
        prefix = self.digest_settings.digest_path
        self.site_base = under(feed_base(None, site_url), prefix)
        self.feed_root = under(
            feed_base(str(self.settings.get("FEED_DOMAIN") or ""), site_url), prefix
        )
        self.context["digest_site_url"] = self.site_base
        feeds: list[FeedLink] = []
        if self.feed_root:
            words = self.page_words
            feeds.append(FeedLink(words["feed_all"], absolute_url(self.feed_root, ALL_FEED_PATH)))
            weeks = absolute_url(self.feed_root, WEEKS_FEED_PATH)
            feeds.append(FeedLink(words["feed_weeks"], weeks))
            for tag in self.model.tags:
                href = absolute_url(self.feed_root, tag_feed_path(tag.slug))
                feeds.append(FeedLink(words["feed_tag"].format(tag=tag.name), href, tag.key))
        else:
            log.info(
                "tag_digest: SITEURL is not an absolute URL: no feeds, sitemap or canonical links"
            )
        self.context["digest_feeds"] = tuple(feeds)

    # -- feeds ------------------------------------------------------------------

    def _author(self) -> Person:
        name = str(self.settings.get("AUTHOR") or self.settings.get("SITENAME") or "tagdigest")
        return Person(name, self.site_base + "/" if self.site_base else None)

    def _newest(self) -> dt.datetime:
        newest: dt.datetime | None = getattr(self, "_newest_stamp", None)
        if newest is None:  # the model does not change during a build: computed once
            stamps = (parse_time(e.post.edited_at or e.post.created_at) for e in self.model.entries)
            newest = max(stamps, default=EPOCH)
            self._newest_stamp = newest
        return newest

    def _post_entries(self, entries: Sequence[ModelEntry], limit: int) -> tuple[Entry, ...]:
        assert self.feed_root is not None
        root = self.feed_root

        def newest(e: ModelEntry) -> tuple[str, str]:
            return (e.post.edited_at or e.post.created_at, e.post.uri)

        posts = sorted(entries, key=newest, reverse=True)[:limit]
        return tuple(
            post_entry(
                e.post,
                link=absolute_url(root, self.post_link(e.post)),
                content_html=resolve_root(str(e.fragment), root + "/"),
                tag_scheme=absolute_url(root, "tags/"),
                title=self.known_titles[e.post.uri],
            )
            for e in posts
        )

    def _feed_document(
        self, path: str, title: str, alternate: str, entries: tuple[Entry, ...]
    ) -> str:
        assert self.feed_root is not None
        url = absolute_url(self.feed_root, path)
        feed = Feed(
            id=url,
            title=title,
            self_url=url,
            alternate_url=absolute_url(self.feed_root, page_url_path(alternate)),
            author=self._author(),
            entries=entries,
            updated=self._newest(),
            lang=self.digest_settings.default_lang,
        )
        return render_atom(feed, self.digest_settings.feed_limit).decode("utf-8")

    def _feed(self, path: str, title: str, alternate: str, entries: tuple[Entry, ...]) -> None:
        self.write_raw(path, self._feed_document(path, title, alternate, entries))

    def _weeks_signature(self, weeks: Sequence[Period]) -> str:
        """Every fact the weekly entries show: per week its posts (fragment digest, tags, times)."""
        by_uri = self.model.by_uri
        digest = hashlib.blake2b(digest_size=16)
        for week in weeks:
            digest.update(f"{week.key}\x1d{week.start}\x1d{week.end}\x1d".encode())
            for post in week.posts:
                entry = by_uri.get(post.uri)
                parts = (
                    post.uri, post.created_at, post.edited_at or "",
                    entry.digest if entry is not None else "", *post.tags,
                )  # fmt: skip
                digest.update("\x1f".join(parts).encode("utf-8", "surrogatepass") + b"\x1e")
        return digest.hexdigest()

    def week_entry(self, week: Period) -> Entry:
        """A weekly digest as a feed entry: the week's summary and its newest posts, linked."""
        assert self.feed_root is not None
        root = self.feed_root
        url = absolute_url(root, page_url_path(week.save_as))
        summary = self.summaries.of(week)
        items = []
        for post in week.posts[:HOME_POSTS]:
            title = self.known_titles[post.uri]
            author = post.account.display_name.strip() or post.account.acct
            items.append(
                Markup('<li><a href="{}">{}</a> — {}</li>').format(
                    absolute_url(root, self.post_link(post)), title, author
                )
            )
        html = summary_html(summary, self.page_words, root) + Markup(
            '<ul>{}</ul><p><a href="{}">{}</a> ({})</p>'
        ).format(
            Markup("").join(items), url, self.page_words["whole_week_posts"], summary.posts_label
        )
        label = self.dates.week(week.start, week.end)
        stamps = [parse_time(p.edited_at or p.created_at) for p in week.posts]
        return Entry(
            id=url,
            title=f"{self.page_words['week_title'].format(key=week.key)} · {label}",
            link=url,
            updated=max(stamps),
            published=min(p.created for p in week.posts),
            content_html=str(html),
            lang=self.digest_settings.default_lang,
        )

    def generate_feeds(self) -> None:
        """One Atom feed per tag, one of weekly digests, one of all posts."""
        if not self.feed_root:
            return
        limit = self.digest_settings.feed_limit
        name = str(self.settings.get("SITENAME") or "tagdigest")
        self._feed(ALL_FEED_PATH, name, "index.html", self._post_entries(self.model.entries, limit))
        weeks = list(self.weeks)[-limit:]
        title = f"{name}: {self.page_words['weeks_nav']}"
        signature = "\x1e".join(
            (
                "weeks-feed", self._fingerprint, WEEKS_FEED_PATH, title, str(limit),
                self._newest().isoformat(), self._weeks_signature(weeks),
            )
        )  # fmt: skip

        def document() -> str:  # rendered only when a week's posts changed
            entries = tuple(self.week_entry(w) for w in weeks)
            return self._feed_document(WEEKS_FEED_PATH, title, "archive/index.html", entries)

        self.writer.write(
            WEEKS_FEED_PATH,
            document,
            hashlib.blake2b(signature.encode("utf-8"), digest_size=16).hexdigest(),
        )
        for tag in self.model.tags:
            self._feed(
                tag_feed_path(tag.slug),
                f"#{tag.name} · {name}",
                tag.path,
                self._post_entries(tag.entries, limit),
            )

    # -- sitemap and robots -----------------------------------------------------

    def sitemap_urls(self) -> list[SitemapUrl]:
        assert self.site_base is not None
        base = self.site_base
        index = str(self.settings.get("INDEX_SAVE_AS") or "index.html")
        urls = [SitemapUrl(absolute_url(base, page_url_path(index)), self._newest())]
        for tag in self.model.tags:
            urls.append(SitemapUrl(absolute_url(base, page_url_path(tag.path)), _latest(tag)))
        for path, lastmod in self.sitemap_pages:
            urls.append(SitemapUrl(absolute_url(base, page_url_path(path)), lastmod))
        # The host site's own pages are in its sitemap, not in a digest kept under DIGEST_PATH.
        for key in ("pages", "articles") if not self.digest_settings.digest_path else ():
            for item in self.context.get(key) or ():
                url = getattr(item, "url", None)
                if url:
                    urls.append(SitemapUrl(absolute_url(base, str(url))))
        return urls

    def generate_sitemap(self) -> None:
        """``sitemap.xml`` (absolute URLs only) and ``robots.txt`` pointing to it.

        Under a ``DIGEST_PATH`` the sitemap covers the digest and there is no ``robots.txt``:
        that file belongs to the root of the host site.
        """
        sitemap = None
        if self.site_base:
            for path, data in sitemap_files(self.sitemap_urls(), self.site_base).items():
                self.write_raw(path, data.decode("utf-8"))
            sitemap = absolute_url(self.site_base, "sitemap.xml")
        if not self.digest_settings.digest_path:
            self.write_raw(ROBOTS_PATH, robots_txt(sitemap))


def _latest(tag: Any) -> dt.datetime | None:
    stamps = [parse_time(e.post.edited_at or e.post.created_at) for e in tag.entries]
    return max(stamps, default=None)


def under(base: str | None, prefix: str) -> str | None:
    """An absolute base with ``DIGEST_PATH`` (``"digest/"``) appended: where the digest lives."""
    if base is None or not prefix:
        return base
    return f"{base}/{prefix.rstrip('/')}"
