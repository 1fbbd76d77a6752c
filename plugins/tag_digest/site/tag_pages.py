"""Tag pages: ``tags/<slug>/index.html`` and ``tags/<slug>/page/<n>/index.html`` per tag.

Each configured tag's posts, newest first, ``DIGEST_PER_PAGE`` a page, grouped by
local date, with links to the newer and older pages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from ..digest.grouping import group_by_date, paginate
from ..digest.model import Entry, TagInfo
from ..digest.strings import posts_count
from ..digest.urls import tag_page_path
from .context import PageContext, PageSink
from .page_output import Lazy

TAG_TEMPLATE = "digest/tag"


class TagPages:
    """The pages of every configured tag."""

    def __init__(self, ctx: PageContext, chrome_words: Mapping[str, str]) -> None:
        self.ctx = ctx
        self.words = chrome_words
        """The chrome's words (:func:`~.strings.catalogue`): these pages predate the page words."""

    def write(self, out: PageSink) -> None:
        ctx, words = self.ctx, self.words
        for tag in ctx.model.tags:
            for page in paginate(tag.entries, ctx.settings.per_page):
                out.write_page(
                    tag_page_path(tag.slug, page.number),
                    TAG_TEMPLATE,
                    inputs=[
                        tag.name,
                        page.number,
                        page.count,
                        tag.count,
                        [e.digest for e in page.items],
                    ],
                    tag=tag,
                    current_link=tag.link,
                    page=page,
                    groups=Lazy(functools.partial(group_by_date, page.items, _entry_date)),
                    count_label=Lazy(
                        functools.partial(posts_count, words, ctx.settings.default_lang, tag.count)
                    ),
                    page_label=words["page_of"].format(number=page.number, count=page.count),
                    newer=self.link(tag, page.number - 1) if page.has_previous else None,
                    older=self.link(tag, page.number + 1) if page.has_next else None,
                )

    def link(self, tag: TagInfo, number: int) -> str:
        return self.ctx.urls.link(tag_page_path(tag.slug, number))


def _entry_date(entry: Entry) -> dt.date:
    return entry.date
