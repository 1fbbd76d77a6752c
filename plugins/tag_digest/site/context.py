"""What every page builder is given: one typed :class:`PageContext`, and a :class:`PageSink`.

A page builder (:mod:`.tag_pages`, :mod:`.period_pages`, :mod:`.link_pages`,
:mod:`.discovery`, :mod:`.removal_page`, :mod:`.search_pages`) is a class that takes
the context (and, passed explicitly, what other builders made: the link collection, the
week summaries, where a post is shown) and writes its pages to a sink. The generator
(:mod:`.generator`) makes the context from Pelican's settings; a test makes one from a
small model and reads back what a builder wrote (``tests/site/test_builders.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

from ..digest.dates import Dates
from ..digest.model import SiteModel
from ..digest.strings import plural
from ..digest.urls import Urls
from ..formats.feeds import feed_base
from ..settings import DigestSettings


class PageSink(Protocol):
    """Where builders write (:class:`.page_output.PageOutput` in a build)."""

    @property
    def fingerprint(self) -> str:
        """What every page depends on besides its own inputs (theme, settings, chrome)."""
        ...

    def write_page(self, path: str, template: str, inputs: object, **context: object) -> None:
        """Render ``template`` to ``path`` unless its ``inputs`` are unchanged since last build.

        ``inputs`` is every fact the page shows besides the theme, the settings and the
        shared context (JSON-serialisable): an unchanged page is neither rendered nor rewritten.
        """
        ...

    def write_raw(self, path: str, text: str) -> None:
        """A file that is not a template page (kept or removed like the pages)."""
        ...

    def write_lazy(self, path: str, render: Callable[[], str], signature: str) -> None:
        """``render()`` to ``path``, called only when ``signature`` changed since last build."""
        ...

    def write_stream(
        self,
        path: str,
        parts: Callable[[], Iterable[str]],
        signature: str,
        *,
        beside: bool = False,
    ) -> None:
        """:meth:`write_lazy` for a big file made in pieces, never held whole in memory;
        ``beside``: in a process of its own while the build goes on, where it can fork."""
        ...


TimedPage: TypeAlias = tuple[dt.datetime | None, Callable[[PageSink], None]]
"""A page's newest post (None: it has none) and what writes the page to a sink."""


_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def in_time_order(pages: Iterable[TimedPage]) -> list[Callable[[PageSink], None]]:
    """What writes ``pages``, the newest posts first (pages without posts first, ties in
    their given order): pages that show the same posts are then written close together."""
    newest_first = sorted(pages, key=lambda page: page[0] or _LATEST, reverse=True)
    return [write for _, write in newest_first]


def under(base: str | None, prefix: str) -> str | None:
    """An absolute base with ``DIGEST_PATH`` (``"digest/"``) appended: where the digest lives."""
    if base is None or not prefix:
        return base
    return f"{base}/{prefix.rstrip('/')}"


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """The few facts of Pelican's settings the page builders use."""

    sitename: str
    """``SITENAME`` (``"tagdigest"`` when empty)."""
    author: str
    """``AUTHOR``, else ``SITENAME``, else ``"tagdigest"``: the feeds' author."""
    index_save_as: str = "index.html"
    """``INDEX_SAVE_AS``: where the home page is."""
    site_base: str | None = None
    """The digest's absolute URL (``SITEURL`` + ``DIGEST_PATH``), if the site has one."""
    feed_root: str | None = None
    """The feeds' absolute base (``FEED_DOMAIN`` or ``SITEURL``, + ``DIGEST_PATH``)."""
    export_name: str = "tagdigest"
    """``SITENAME`` as Pelican's context has it (the exports' title)."""

    @classmethod
    def from_settings(cls, settings: Mapping[str, object], prefix: str) -> SiteFacts:
        site_url = str(settings.get("SITEURL") or "")
        name = str(settings.get("SITENAME") or "tagdigest")
        return cls(
            sitename=name,
            author=str(settings.get("AUTHOR") or name),
            index_save_as=str(settings.get("INDEX_SAVE_AS") or "index.html"),
            site_base=under(feed_base(None, site_url), prefix),
            feed_root=under(feed_base(str(settings.get("FEED_DOMAIN") or ""), site_url), prefix),
            export_name=str(settings.get("SITENAME", "tagdigest")),
        )


@dataclass(frozen=True, slots=True)
class PageContext:
    """The typed things every page builder needs."""

    model: SiteModel
    urls: Urls
    settings: DigestSettings
    words: Mapping[str, str]
    """The page words (:func:`..digest.strings.catalogue`) in the site's language."""
    dates: Dates
    site: SiteFacts
    sitemap: list[tuple[str, dt.datetime | None]] = field(default_factory=list)
    """The pages noted for the sitemap (path, last change), in the order they were written."""

    def count_label(self, key: str, count: int) -> str:
        """``count`` with the word ``key`` in its plural form (``"3 posts"``)."""
        return plural(self.words, self.settings.default_lang, key, count)

    def note_page(self, path: str, lastmod: dt.datetime | None = None) -> None:
        """Remember a page for the sitemap."""
        self.sitemap.append((path, lastmod))
