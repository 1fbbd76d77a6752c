"""The site search for the generator: ``search/index.html`` and the Pagefind index.

A mixin of :class:`~.generator.DigestGenerator` (through :class:`~.site_pages.SitePages`):

- :meth:`SearchPages.prepare_search` adds the search page to every page's navigation;
- :meth:`SearchPages.generate_search` makes one :class:`~.search.SearchRecord` per
  searchable post (:func:`~.search.searchable`), writes the search page (its filter
  choices come from the records) and, unless the records are the same as at the
  last build and the index is still in the output, re-indexes them with Pagefind
  into ``<output>/pagefind/`` (:mod:`.search_index`).

A result links to :meth:`~.period_pages.PeriodPages.post_link`, the one place that
knows where a post is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..archive.records import Post
from ..digest.dates import Dates
from ..digest.model import SiteModel
from ..digest.urls import Urls
from ..errors import TagDigestError, fail
from ..settings import DigestSettings
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


class SearchPages:
    """Mixin of :class:`~.generator.DigestGenerator`: the search page and its index."""

    model: SiteModel
    digest_settings: DigestSettings
    urls: Urls
    context: dict[str, Any]
    settings: dict[str, Any]
    output_path: str
    write_page: Any
    known_links: dict[str, tuple[str, ...]]
    dates: Dates
    page_words: Mapping[str, str]
    post_link: Any

    def prepare_search(self) -> None:
        """Link the search page from every page's navigation (after ``prepare_periods``)."""
        link = NavLink(self.urls.link(SEARCH_PATH), self.page_words["search_nav"], "search")
        self.context["digest_nav"] = (*self.context.get("digest_nav", ()), link)

    def search_records(self) -> list[SearchRecord]:
        """One record per searchable post, newest first."""
        out = []
        for entry in self.model.entries:
            post: Post = entry.post
            if not searchable(post):
                continue
            names = [tag.name for key in entry.tags if (tag := self.model.tag(key)) is not None]
            out.append(
                search_record(
                    post,
                    url=self.post_link(post),
                    fragment=str(entry.fragment),
                    links=self.known_links.get(post.uri, ()),
                    tags=names,
                    local_date=entry.date,
                    day_label=self.dates.day(entry.date),
                    site_lang=self.digest_settings.default_lang,
                    cw_label=self.page_words["content_warning"],
                )
            )
        return out

    def search_choices(
        self, records: Sequence[SearchRecord]
    ) -> tuple[tuple[Choice, ...], tuple[Choice, ...], tuple[Choice, ...]]:
        """The tags (configured order), months (newest first) and languages in ``records``."""
        used = {value for r in records for value in r.filters["tag"]}
        tags = tuple(
            Choice(f"#{t.name}", f"#{t.name}") for t in self.model.tags if f"#{t.name}" in used
        )
        months = sorted({r.filters["month"][0] for r in records}, reverse=True)
        month_choices = tuple(Choice(m, self.dates.month(int(m[:4]), int(m[5:7]))) for m in months)
        langs = sorted({value for r in records for value in r.filters.get("language", ())})
        return tags, month_choices, tuple(Choice(lang, lang) for lang in langs)

    def generate_search(self) -> None:
        """``search/index.html`` and ``<output>/pagefind/`` (see the module docstring)."""
        records = self.search_records()
        tags, months, languages = self.search_choices(records)
        self.write_page(
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
            index_lang=index_language(self.digest_settings.default_lang),
            current_link=self.urls.link(SEARCH_PATH),
        )
        self._index(records)

    def _index(self, records: Sequence[SearchRecord]) -> None:
        output = Path(self.output_path)
        state = Path(self.settings.get("CACHE_PATH") or "cache") / "tag_digest" / STATE_FILE
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
