"""The site search for the generator: ``search/index.html`` and the Pagefind bundles.

- :func:`search_nav` is the search page's link in every page's navigation;
- :meth:`SearchPages.write` splits the searchable posts (:func:`~.search.searchable`)
  into bundles by their local date (:func:`~..digest.search_bundles.bundle_keys`),
  writes the search page (its filter choices and its list of bundles, newest first, in
  the form's ``data-bundles``) and hands the bundles to :func:`.search_store.update_bundles`,
  which re-indexes with Pagefind only those whose records changed. A bundle's
  :class:`~.search.SearchRecord`\\ s are made only when it is re-indexed, as Pagefind
  takes them; its signature comes from :func:`~.search.record_source`, which needs no
  parsing;
- in a build, :meth:`SearchPages.start` does that indexing in a forked process while the
  other pages are written (:mod:`.beside`), reading the fragments through a reader
  of its own; :meth:`SearchPages.write` waits for it and reports its error in one line.

A result links to :meth:`~.placement.Placement.post_link`, the one place that
knows where a post is shown.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..archive.records import Post
from ..digest.model import Entry, FragmentSource
from ..digest.search_bundles import BUNDLE_POSTS, bundle_keys, newest_first
from ..errors import TagDigestError, fail
from . import search, search_index
from .beside import Beside
from .context import PageContext, PageSink
from .period_views import NavLink
from .search import (
    SearchRecord,
    index_language,
    record_filters,
    record_source,
    search_record,
    searchable,
    sources_hash,
)
from .search_store import SEARCH_DIR, Bundle, StoreReport, update_bundles

log = logging.getLogger("tag_digest")

SEARCH_TEMPLATE = "digest/search"
SEARCH_PATH = "search/index.html"
STATE_FILE = "search.json"
"""The bundles' signatures, in Pelican's cache folder; their copies are in ``search/`` beside it."""
OLD_STATE_FILE = "search.hash"
"""The one index's hash of earlier versions (removed)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a filter on the search page."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """The searchable entries and their bundles."""

    entries: tuple[Entry, ...]
    bundles: tuple[Bundle, ...]


@dataclass(frozen=True, slots=True)
class _Done:
    """What the indexing gives back: what it did, and the search page's filter choices."""

    report: StoreReport
    tags: tuple[Choice, ...]
    months: tuple[Choice, ...]
    languages: tuple[Choice, ...]


def search_nav(ctx: PageContext) -> NavLink:
    """The search page in every page's navigation."""
    return NavLink(ctx.urls.link(SEARCH_PATH), ctx.words["search_nav"], "search")


class SearchPages:
    """The search page and its Pagefind bundles."""

    def __init__(
        self,
        ctx: PageContext,
        post_link: Callable[[Post], str],
        links: Mapping[str, tuple[str, ...]],
        output: Path,
        state: Path,
        fragments: FragmentSource | None = None,
    ) -> None:
        self.ctx, self.post_link, self.links = ctx, post_link, links
        self.fragments = fragments
        """A fragment reader of the search's own (:meth:`.fragment_store.ShardFragments.reader`):
        then the bundles can be indexed in a process beside the page writing (:meth:`start`);
        ``None``: by :meth:`write`, from the entries' own fragments."""
        self._indexing: Beside[_Done] | None = None
        self._planned: _Plan | None = None
        self.output = output
        """Pelican's output folder (the bundles go in ``pagefind/<key>/`` there)."""
        self.state = state
        """The state file; the bundles' cached copies are in ``search/`` beside it."""
        self._days: dict[dt.date, str] = {}

    def _day(self, day: dt.date) -> str:
        """The date in words (a few hundred distinct dates for many thousand posts)."""
        label = self._days.get(day)
        if label is None:
            label = self._days[day] = self.ctx.dates.day(day)
        return label

    def _tag_names(self, entry: Entry) -> list[str]:
        return [tag.name for key in entry.tags if (tag := self.ctx.model.tag(key)) is not None]

    def searchable_entries(self) -> list[Entry]:
        """The entries of the searchable posts, newest first."""
        return [entry for entry in self.ctx.model.entries if searchable(entry.post)]

    def record(self, entry: Entry) -> SearchRecord:
        """The search record of ``entry``."""
        post: Post = entry.post
        return search_record(
            post,
            url=self.post_link(post),
            fragment=str(
                entry.fragment if self.fragments is None else self.fragments.fragment(post.uri)
            ),
            links=self.links.get(post.uri, ()),
            tags=self._tag_names(entry),
            local_date=entry.date,
            day_label=self._day(entry.date),
            site_lang=self.ctx.settings.default_lang,
            cw_label=self.ctx.words["content_warning"],
        )

    def _source(self, entry: Entry) -> str:
        post: Post = entry.post
        return record_source(
            post,
            url=self.post_link(post),
            fragment_digest=entry.digest,
            links=self.links.get(post.uri, ()),
            tags=self._tag_names(entry),
            local_date=entry.date,
            day_label=self._day(entry.date),
        )

    def bundles(self, entries: Sequence[Entry]) -> list[Bundle]:
        """The bundles of ``entries``, newest first."""
        keys = bundle_keys((e.date for e in entries), BUNDLE_POSTS)
        groups: dict[str, list[Entry]] = {}
        for entry in entries:
            groups.setdefault(keys[entry.date], []).append(entry)
        extra = (
            _pagefind_version(),
            _code(search.__file__),
            _code(search_index.__file__),
            self.ctx.settings.default_lang,
            self.ctx.words["content_warning"],
        )
        return [
            Bundle(
                key,
                len(groups[key]),
                functools.partial(self._signature, groups[key], extra),
                functools.partial(self._records, groups[key]),
            )
            for key in newest_first(groups)
        ]

    def _signature(self, group: Sequence[Entry], extra: Sequence[str]) -> str:
        return sources_hash((self._source(e) for e in group), *extra)

    def _records(self, group: Sequence[Entry]) -> Iterator[SearchRecord]:
        return (self.record(entry) for entry in group)

    def search_choices(
        self, filters: Iterable[Mapping[str, Sequence[str]]]
    ) -> tuple[tuple[Choice, ...], tuple[Choice, ...], tuple[Choice, ...]]:
        """The tags (configured order), months (newest first) and languages in ``filters``
        (the records' :attr:`~.search.SearchRecord.filters`), read in one pass: with
        a generator, no post's filters outlive it (a list of them is O(posts))."""
        used: set[str] = set()
        month_keys: set[str] = set()
        lang_keys: set[str] = set()
        for f in filters:
            used.update(f["tag"])
            month_keys.add(f["month"][0])
            lang_keys.update(f.get("language", ()))
        tags = tuple(
            Choice(f"#{t.name}", f"#{t.name}") for t in self.ctx.model.tags if f"#{t.name}" in used
        )
        months = sorted(month_keys, reverse=True)
        month_choices = tuple(
            Choice(m, self.ctx.dates.month(int(m[:4]), int(m[5:7]))) for m in months
        )
        langs = sorted(lang_keys)
        return tags, month_choices, tuple(Choice(lang, lang) for lang in langs)

    def _plan(self) -> _Plan:
        entries = tuple(self.searchable_entries())
        return _Plan(entries, tuple(self.bundles(entries)))

    def _work(self, plan: _Plan) -> _Done:
        """The indexing, and the filter choices (both read every searchable post)."""
        tags, months, languages = self.search_choices(
            record_filters(e.post, self._tag_names(e), e.date) for e in plan.entries
        )
        return _Done(self._update(plan.bundles), tags, months, languages)

    def start(self, *, fork: bool = True) -> None:
        """Begin indexing in a process of its own (:mod:`.beside`) while the other
        pages are written, when this search has a fragment reader of its own
        (:attr:`fragments`) and ``fork``; :meth:`write` waits for it."""
        if self.fragments is None or self._indexing is not None:
            return
        self._planned = plan = self._plan()
        self._indexing = Beside(functools.partial(self._work, plan), fork=fork)

    def write(self, out: PageSink) -> None:
        """``search/index.html`` and ``<output>/pagefind/<key>/`` (see the module docstring)."""
        plan = self._planned or self._plan()
        indexing = self._indexing or Beside(functools.partial(self._work, plan), fork=False)
        self._indexing, self._planned = None, None
        try:
            done = indexing.result()
        except TagDigestError as error:
            fail(error)
        except OSError as error:  # the output or the cache folder cannot be written
            fail(TagDigestError(f"search: cannot write the search bundles: {error}"))
        keys = [b.key for b in plan.bundles]
        out.write_page(
            SEARCH_PATH,
            SEARCH_TEMPLATE,
            inputs=[
                [c.value for c in done.tags],
                [(c.value, c.label) for c in done.months],
                [c.value for c in done.languages],
                keys,
            ],
            indexed=bool(keys),
            bundle_keys=keys,
            tag_choices=done.tags,
            month_choices=done.months,
            language_choices=done.languages,
            index_lang=index_language(self.ctx.settings.default_lang),
            current_link=self.ctx.urls.link(SEARCH_PATH),
        )
        self._log(done.report, plan.bundles)

    def _update(self, bundles: Sequence[Bundle]) -> StoreReport:
        (self.state.parent / OLD_STATE_FILE).unlink(missing_ok=True)
        return update_bundles(bundles, self.output, self.state.parent / "search", self.state)

    def _log(self, report: StoreReport, bundles: Sequence[Bundle]) -> None:
        sizes = {b.key: b.posts for b in bundles}
        for key in report.indexed:
            log.info("tag_digest: search bundle %s indexed (%d posts)", key, sizes[key])
        for key in report.copied:
            log.info("tag_digest: search bundle %s copied from the cache", key)
        log.info(
            "tag_digest: search index of %d posts in %s/: %d bundles, "
            "%d indexed, %d copied from the cache, %d unchanged, %d removed",
            sum(sizes.values()),
            SEARCH_DIR,
            len(bundles),
            len(report.indexed),
            len(report.copied),
            len(report.kept),
            len(report.removed),
        )


@functools.cache
def _code(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _pagefind_version() -> str:
    try:
        return version("pagefind")
    except PackageNotFoundError:
        return ""
