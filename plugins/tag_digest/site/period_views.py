"""What the week, day, archive and home pages show: plain view records for the templates.

Built by :mod:`.period_pages`; every text in them is already in the site's words. Texts that
came from the network (link titles, domains) are escaped by the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..digest.model import Entry
from .link_views import LinkView


@dataclass(frozen=True, slots=True)
class Placed:
    """A post on a page: its rendered fragment and the id it is reached by."""

    anchor: str
    fragment: Markup
    digest: str


@dataclass(frozen=True, slots=True)
class DaySection:
    key: str
    iso: str
    label: str
    link: str
    entries: Sequence[Placed]
    """The posts' fragments (read when a template reads them, on a page of compact entries)."""
    compact: tuple[Entry, ...] = ()
    """The same posts, when the page shows them as compact entries (``DIGEST_COMPACT_PAGES``)."""


@dataclass(frozen=True, slots=True)
class NavLink:
    link: str
    label: str
    key: str


@dataclass(frozen=True, slots=True)
class TagCountView:
    name: str
    link: str
    count: int


@dataclass(frozen=True, slots=True)
class WeekRow:
    key: str
    link: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class MonthRow:
    label: str
    count: int
    weeks: tuple[WeekRow, ...]


@dataclass(frozen=True, slots=True)
class YearRow:
    year: int
    count: int
    months: tuple[MonthRow, ...]


@dataclass(frozen=True, slots=True)
class TopLinkView:
    """One of a week's most-shared links (texts from the network: escaped in templates)."""

    url: str
    label: str
    domain: str
    domain_link: str
    count_label: str


@dataclass(frozen=True, slots=True)
class SummaryView:
    """A week in brief (:class:`.weekly.WeekSummary` in the site's words)."""

    posts_label: str
    authors_label: str
    counts: tuple[TagCountView, ...]
    links: tuple[TopLinkView, ...]
    busiest: NavLink | None
    """The busiest day's page; its label is the date, its key the ISO date."""
    busiest_label: str


@dataclass(frozen=True, slots=True)
class WeekView:
    key: str
    link: str
    label: str
    count: int
    sections: tuple[DaySection, ...]
    """The day sections of the posts shown (one page of the week, or the home page's few)."""
    counts: tuple[TagCountView, ...]
    summary: SummaryView


@dataclass(frozen=True, slots=True)
class HomeView:
    """What the home page shows besides the tag list: the latest week and the newest links."""

    week: WeekView | None
    links: tuple[LinkView, ...]
    """The newest links, newest first."""
    all_links: str
    """Link to the whole collection."""
