"""The site search for the generator: ``search/index.html`` and the Pagefind index.

- :func:`search_nav` is the search page's link in every page's navigation;
- :meth:`SearchPages.write` makes one :class:`~.search.SearchRecord` per
  searchable post (:func:`~.search.searchable`), writes the search page (its filter
  choices come from the records) and, unless the records are the same as at the
  last build and the index is still in the output, re-indexes them with Pagefind
  into ``<output>/pagefind/`` (:mod:`.search_index`).

A result links to :meth:`~.placement.Placement.post_link`, the one place that
knows where a post is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..archive.records import Post
from ..errors import TagDigestError, fail
from .context import PageContext, PageSink
from .period_views import NavLink
from .search import SearchRecord, index_language, records_hash, search_record, searchable
from .search_index import index_present, write_index
from .writer import replace_file

log = logging.getLogger("tag_digest")

SEARCH_TEMPLATE = "digest/search"
SEARCH_PATH = "search/index.html"
STATE_FILE = "search.hash"


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a filter on the search page."""

    value: str
    label: str


def search_nav(ctx: PageContext) -> NavLink:
    """The search page in every page's navigation."""
    return NavLink(ctx.urls.link(SEARCH_PATH), ctx.words["search_nav"], "search")


class SearchPages:
    """The search page and its Pagefind index."""

    def __init__(
        self,
        ctx: PageContext,
        post_link: Callable[[Post], str],
        links: Mapping[str, tuple[str, ...]],
        output: Path,
        state: Path,
    ) -> None:
        self.ctx, self.post_link, self.links = ctx, post_link, links
        self.output = output
        """Pelican's output folder (the index goes in ``pagefind/`` there)."""
        self.state = state
        """The file keeping the hash of the last index's records."""

    def search_records(self) -> list[SearchRecord]:
        """One record per searchable post, newest first."""
        out = []
        for entry in self.ctx.model.entries:
            post: Post = entry.post
            if not searchable(post):
                continue
            names = [tag.name for key in entry.tags if (tag := self.ctx.model.tag(key)) is not None]
            out.append(
                search_record(
                    post,
                    url=self.post_link(post),
                    fragment=str(entry.fragment),
                    links=self.links.get(post.uri, ()),
                    tags=names,
                    local_date=entry.date,
                    day_label=self.ctx.dates.day(entry.date),
                    site_lang=self.ctx.settings.default_lang,
                    cw_label=self.ctx.words["content_warning"],
                )
            )
        return out

    def search_choices(
        self, records: Sequence[SearchRecord]
    ) -> tuple[tuple[Choice, ...], tuple[Choice, ...], tuple[Choice, ...]]:
        """The tags (configured order), months (newest first) and languages in ``records``."""
        used = {value for r in records for value in r.filters["tag"]}
        tags = tuple(
            Choice(f"#{t.name}", f"#{t.name}") for t in self.ctx.model.tags if f"#{t.name}" in used
        )
        months = sorted({r.filters["month"][0] for r in records}, reverse=True)
        month_choices = tuple(
            Choice(m, self.ctx.dates.month(int(m[:4]), int(m[5:7]))) for m in months
        )
        langs = sorted({value for r in records for value in r.filters.get("language", ())})
        return tags, month_choices, tuple(Choice(lang, lang) for lang in langs)

    def write(self, out: PageSink) -> None:
        """``search/index.html`` and ``<output>/pagefind/`` (see the module docstring)."""
        records = self.search_records()
        tags, months, languages = self.search_choices(records)
        out.write_page(
            SEARCH_PATH,
            SEARCH_TEMPLATE,
            inputs=[
                [c.value for c in tags],
                [(c.value, c.label) for c in months],
                [c.value for c in languages],
                bool(records),
            ],
            indexed=bool(records),
            tag_choices=tags,
            month_choices=months,
            language_choices=languages,
            index_lang=index_language(self.ctx.settings.default_lang),
            current_link=self.ctx.urls.link(SEARCH_PATH),
        )
        self._index(records)

    def _index(self, records: Sequence[SearchRecord]) -> None:
        output, state = self.output, self.state
        signature = records_hash(records, _pagefind_version(), str(output.resolve()))
        if index_present(output) and _read(state) == signature:
            log.info("tag_digest: search index unchanged (%d posts)", len(records))
            return
        try:
            write_index(records, output)
        except TagDigestError as error:
            state.unlink(missing_ok=True)
            fail(error)
        replace_file(state, signature.encode("utf-8"))
        log.info("tag_digest: search index of %d posts written", len(records))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _pagefind_version() -> str:
    try:
        return version("pagefind")
    except PackageNotFoundError:
        return ""
