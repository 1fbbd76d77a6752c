"""Feeds, sitemap, robots.txt and the ``<head>`` links that announce them (issue 4).

:class:`FeedPages` writes the feeds, :class:`SitemapPages` the sitemap and
``robots.txt``; :func:`head_links` is what every page's ``<head>`` announces. Feeds, the sitemap and
canonical links need absolute URLs: they come from ``FEED_DOMAIN`` (feeds)
or ``SITEURL``; a build without an absolute one (``make site`` with
``SITEURL = ""``) writes none of them, says so once in the log, and still
writes ``robots.txt``. Feed entries are the posts' own fragments (sanitised
when rendered), with our links made absolute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..digest.model import Entry as ModelEntry
from ..digest.model import SiteModel, TagInfo
from ..digest.periods import Period
from ..digest.urls import resolve_root_uri
from ..formats.feeds import (
    ALL_FEED_PATH,
    WEEKS_FEED_PATH,
    Entry,
    Feed,
    Person,
    absolute_url,
    post_entry,
    render_atom,
    tag_feed_path,
)
from ..formats.seo import ROBOTS_PATH, SitemapUrl, robots_txt, sitemap_files
from .context import PageContext, PageSink
from .period_pages import HOME_POSTS
from .placement import Placement
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


def head_links(ctx: PageContext) -> tuple[FeedLink, ...]:
    """The feeds every page's ``<head>`` announces (none without an absolute base)."""
    root = ctx.site.feed_root
    if not root:
        log.info("tag_digest: SITEURL is not an absolute URL: no feeds, sitemap or canonical links")
        return ()
    words = ctx.words
    feeds = [
        FeedLink(words["feed_all"], absolute_url(root, ALL_FEED_PATH)),
        FeedLink(words["feed_weeks"], absolute_url(root, WEEKS_FEED_PATH)),
    ]
    for tag in ctx.model.tags:
        href = absolute_url(root, tag_feed_path(tag.slug))
        feeds.append(FeedLink(words["feed_tag"].format(tag=tag.name), href, tag.key))
    return tuple(feeds)


def newest(model: SiteModel) -> dt.datetime:
    """When the newest post of ``model`` was written or edited (the feeds' ``updated``)."""
    stamps = (e.post.updated for e in model.entries)
    return max(stamps, default=EPOCH)


class FeedPages:
    """One Atom feed per tag, one of weekly digests, one of all posts."""

    def __init__(
        self,
        ctx: PageContext,
        place: Placement,
        summaries: Summaries,
        titles: Mapping[str, str],
    ) -> None:
        self.ctx, self.place, self.summaries = ctx, place, summaries
        self.titles = titles
        """Each post's :func:`~.feeds.post_title`, by URI."""
        self.feed_root = ctx.site.feed_root
        self._newest_stamp: dt.datetime | None = None

    # -- feeds ------------------------------------------------------------------

    def _author(self) -> Person:
        base = self.ctx.site.site_base
        return Person(self.ctx.site.author, base + "/" if base else None)

    def _newest(self) -> dt.datetime:
        if self._newest_stamp is None:  # the model does not change during a build: computed once
            self._newest_stamp = newest(self.ctx.model)
        return self._newest_stamp

    @staticmethod
    def _newest_entries(entries: Sequence[ModelEntry], limit: int) -> list[ModelEntry]:
        def newest(e: ModelEntry) -> tuple[str, str]:
            return (e.post.updated_at, e.post.uri)

        return heapq.nlargest(limit, entries, key=newest)  # sorted(…, reverse)[:limit]

    def _post_entries(self, posts: Sequence[ModelEntry]) -> tuple[Entry, ...]:
        assert self.feed_root is not None
        root = self.feed_root
        return tuple(
            post_entry(
                e.post,
                link=absolute_url(root, self.place.post_link(e.post)),
                content_html=resolve_root_uri(str(e.fragment), root + "/"),
                tag_scheme=absolute_url(root, "tags/"),
                title=self.titles[e.post.uri],
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
            lang=self.ctx.settings.default_lang,
        )
        return render_atom(feed, self.ctx.settings.feed_limit).decode("utf-8")

    def _feed(
        self, out: PageSink, path: str, title: str, alternate: str, entries: Sequence[ModelEntry]
    ) -> None:
        """The feed of the newest of ``entries``, rendered only when a fact it shows changed."""
        limit = self.ctx.settings.feed_limit
        digest = hashlib.blake2b(digest_size=16)
        head = ("feed", out.fingerprint, path, title, alternate, self._newest().isoformat())
        for part in (*head, str(limit), self.feed_root or ""):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x1e")
        newest = self._newest_entries(entries, limit)  # once: the signature, then the document
        for e in newest:
            post, account = e.post, e.post.account
            parts = (
                post.uri, self.titles[post.uri], self.place.post_link(post), post.updated_at,
                post.created_at, e.digest, post.server, post.language or "", account.acct,
                account.display_name, account.url, "\x1d".join(post.tags),
            )  # fmt: skip
            digest.update("\x1f".join(parts).encode("utf-8", "surrogatepass") + b"\x1e")

        def document() -> str:
            return self._feed_document(path, title, alternate, self._post_entries(newest))

        out.write_lazy(path, document, digest.hexdigest())

    def _weeks_signature(self, weeks: Sequence[Period]) -> str:
        """Every fact the weekly entries show: per week its posts (fragment digest, tags, times)."""
        by_uri = self.ctx.model.by_uri
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
            title = self.titles[post.uri]
            author = post.account.display_name.strip() or post.account.acct
            items.append(
                Markup('<li><a href="{}">{}</a> — {}</li>').format(
                    absolute_url(root, self.place.post_link(post)), title, author
                )
            )
        html = summary_html(summary, self.ctx.words, root) + Markup(
            '<ul>{}</ul><p><a href="{}">{}</a> ({})</p>'
        ).format(
            Markup("").join(items), url, self.ctx.words["whole_week_posts"], summary.posts_label
        )
        label = self.ctx.dates.week(week.start, week.end)
        stamps = [p.updated for p in week.posts]
        return Entry(
            id=url,
            title=f"{self.ctx.words['week_title'].format(key=week.key)} · {label}",
            link=url,
            updated=max(stamps),
            published=min(p.created for p in week.posts),
            content_html=str(html),
            lang=self.ctx.settings.default_lang,
        )

    def write(self, out: PageSink) -> None:
        """One Atom feed per tag, one of weekly digests, one of all posts."""
        if not self.feed_root:
            return
        limit = self.ctx.settings.feed_limit
        name = self.ctx.site.sitename
        self._feed(
            out,
            ALL_FEED_PATH,
            name,
            "index.html",
            self.ctx.model.entries,
        )
        weeks = list(self.place.weeks)[-limit:]
        title = f"{name}: {self.ctx.words['weeks_nav']}"
        signature = "\x1e".join(
            (
                "weeks-feed", out.fingerprint, WEEKS_FEED_PATH, title, str(limit),
                self._newest().isoformat(), self._weeks_signature(weeks),
            )
        )  # fmt: skip

        def document() -> str:  # rendered only when a week's posts changed
            entries = tuple(self.week_entry(w) for w in weeks)
            return self._feed_document(WEEKS_FEED_PATH, title, "archive/index.html", entries)

        out.write_lazy(
            WEEKS_FEED_PATH,
            document,
            hashlib.blake2b(signature.encode("utf-8"), digest_size=16).hexdigest(),
        )
        for tag in self.ctx.model.tags:
            self._feed(
                out,
                tag_feed_path(tag.slug),
                f"#{tag.name} · {name}",
                tag.path,
                tag.entries,
            )


class SitemapPages:
    """``sitemap.xml`` (and its parts) and ``robots.txt``."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def sitemap_urls(self, host_urls: Sequence[str]) -> list[SitemapUrl]:
        """The digest's pages: home, tags, the pages noted in ``ctx.sitemap``, then ``host_urls``.

        ``host_urls`` are the host site's own pages and articles (Pelican's); under a
        ``DIGEST_PATH`` they are in the host site's sitemap, not in the digest's.
        """
        base = self.ctx.site.site_base
        assert base is not None
        model = self.ctx.model
        urls = [
            SitemapUrl(
                absolute_url(base, page_url_path(self.ctx.site.index_save_as)), newest(model)
            )
        ]
        for tag in model.tags:
            urls.append(SitemapUrl(absolute_url(base, page_url_path(tag.path)), _latest(tag)))
        for path, lastmod in self.ctx.sitemap:
            urls.append(SitemapUrl(absolute_url(base, page_url_path(path)), lastmod))
        if not self.ctx.settings.digest_path:
            urls.extend(SitemapUrl(absolute_url(base, url)) for url in host_urls)
        return urls

    def write(self, out: PageSink, host_urls: Sequence[str] = ()) -> None:
        """``sitemap.xml`` (absolute URLs only) and ``robots.txt`` pointing to it.

        Under a ``DIGEST_PATH`` the sitemap covers the digest and there is no ``robots.txt``:
        that file belongs to the root of the host site.
        """
        sitemap = None
        base = self.ctx.site.site_base
        if base:
            for path, data in sitemap_files(self.sitemap_urls(host_urls), base).items():
                out.write_raw(path, data.decode("utf-8"))
            sitemap = absolute_url(base, "sitemap.xml")
        if not self.ctx.settings.digest_path:
            out.write_raw(ROBOTS_PATH, robots_txt(sitemap))


def _latest(tag: TagInfo) -> dt.datetime | None:
    stamps = [e.post.updated for e in tag.entries]
    return max(stamps, default=None)
