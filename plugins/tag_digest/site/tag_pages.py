"""Tag pages: ``tags/<slug>/index.html`` and ``tags/<slug>/page/<n>/index.html`` per tag.

Each configured tag's posts, newest first, grouped by local date, with links to the newer
and older pages: the index holds the newest, the numbered pages ``DIGEST_PER_PAGE`` each
(``DIGEST_COMPACT_PER_PAGE`` when compact) counted from the oldest
(:func:`~..digest.grouping.paginate`), so a full one never changes. A numbered page shows
nothing that changes with the tag's other posts (not even the tag's count).
The posts are compact entries (:meth:`~.placement.Placement.compact`) linking to their day
pages, unless ``DIGEST_COMPACT_PAGES`` leaves out ``"tags"``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping

from ..digest.grouping import INDEX, Page, group_by_date, paginate
from ..digest.model import Entry, TagInfo
from ..digest.strings import page_label, posts_count
from ..digest.urls import tag_page_path
from .compact_html import CompactEntries
from .context import PageContext, PageSink, TimedPage
from .page_output import Lazy
from .placement import Placement

TAG_TEMPLATE = "digest/tag"


class TagPages:
    """The pages of every configured tag."""

    def __init__(
        self,
        ctx: PageContext,
        chrome_words: Mapping[str, str],
        place: Placement | None = None,
        compact: CompactEntries | None = None,
    ) -> None:
        self.ctx = ctx
        self.place = place or Placement(ctx)
        self.compact = compact or CompactEntries(self.place)
        self.words = chrome_words
        """The chrome's words (:func:`~.strings.catalogue`): these pages predate the page words."""

    def pages(self) -> Iterator[TimedPage]:
        """Each page's newest post and what writes the page (:func:`.context.in_time_order`)."""
        compact = "tags" in self.ctx.settings.compact_pages
        for tag in self.ctx.model.tags:
            for page in paginate(tag.entries, self.ctx.settings.page_size("tags")):
                newest = page.items[0].post.created if page.items else None
                yield newest, functools.partial(self.write_page, tag, page, compact)

    def write(self, out: PageSink) -> None:
        for _, write in self.pages():
            write(out)

    def write_page(self, tag: TagInfo, page: Page[Entry], compact: bool, out: PageSink) -> None:
        ctx, words = self.ctx, self.words
        out.write_page(
            tag_page_path(tag.slug, page.number),
            TAG_TEMPLATE,
            inputs=[
                tag.name,
                page.number,
                page.newer,
                page.older,
                tag.count if page.number == INDEX else None,
                [e.digest for e in page.items],
                compact and self.place.compact_inputs(page.items),
            ],
            tag=tag,
            current_link=tag.link,
            page=page,
            groups=Lazy(functools.partial(group_by_date, page.items, _entry_date)),
            compact=self.compact if compact else None,
            count_label=Lazy(
                functools.partial(posts_count, words, ctx.settings.default_lang, tag.count)
            ),
            page_label=page_label(words, page),
            newer=None if page.newer is None else self.link(tag, page.newer),
            older=None if page.older is None else self.link(tag, page.older),
        )

    def link(self, tag: TagInfo, number: int) -> str:
        return self.ctx.urls.link(tag_page_path(tag.slug, number))


def _entry_date(entry: Entry) -> dt.date:
    return entry.date
